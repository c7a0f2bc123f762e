"""Fuzzing both entry points with mutated Alexa envelopes (hypothesis).

(a) the Flask server answers 200 with a well-formed Alexa response, or a 4xx; never a 5xx;
(b) lambda_handler always returns a well-formed Alexa response, never raises;
(c) a confirmed cauda equina sign is an emergency whatever junk surrounds it;
and nothing, through either entry point, reaches self-care unless every question got a "no".
"""
from __future__ import annotations

import copy
import inspect
import json
import sys
from typing import Any

import pytest
from conftest import load_lambda_handler
from dialog import outcome_of
from hypothesis import HealthCheck, given, settings, strategies as st

from skill.alexa.app import handle_event
from skill.alexa.envelopes import (intent_request, launch_request, request_envelope,
                                   session_ended_request, symptom_slot)
from skill.alexa.server import SKILL_ID_ENV, create_app
from skill.conversation.state import STATE_VERSION
from test_hostile_input import (
    CES_IDS,
    CONTENT,
    FIRST_QUESTION,
    HOSTILE_TEXT,
    NO,
    QUESTION_IDS,
    REPLY_INTENTS,
    SKILL,
    STATES,
    assert_emergency,
    http_answer,
    screen_of,
    via_lambda,
)

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


LAMBDA_HANDLER = load_lambda_handler()
with pytest.MonkeyPatch.context() as _env:
    _env.delenv(SKILL_ID_ENV, raising=False)
    CLIENT = create_app(SKILL, verify_signature=False).test_client()


def via_server(envelope: Any) -> Any:
    return http_answer(CLIENT.post("/", data=json.dumps(envelope).encode(),
                                   content_type="application/json"))


# --------------------------------------------------------------------------- strategies

SHORT_HOSTILE = [text for text in HOSTILE_TEXT.values() if len(text) < 50]
TEXT = st.one_of(st.text(max_size=12), st.sampled_from(SHORT_HOSTILE))
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 63, 2 ** 63),
                      st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSON = st.recursive(JSON_LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)

INTENT_NAMES = [*REPLY_INTENTS, "AMAZON.StopIntent", "AMAZON.CancelIntent",
                "AMAZON.StartOverIntent", "AMAZON.NavigateHomeIntent", "ReportSymptomIntent"]
SYMPTOM_IDS = [*QUESTION_IDS, *CONTENT.common_symptoms, None]
REQUEST_TYPES = ["LaunchRequest", "IntentRequest", "SessionEndedRequest",
                 "System.ExceptionEncountered", "CanFulfillIntentRequest", "Foo.Bar"]


@st.composite
def base_envelopes(draw) -> dict:
    """A valid envelope: any request the skill knows, in a new or continuing session, with
    session attributes the skill itself produced (or none, or junk)."""
    kind = draw(st.sampled_from(["launch", "intent", "symptom", "ended", "other"]))
    if kind == "launch":
        request = launch_request()
    elif kind == "intent":
        request = intent_request(draw(st.sampled_from(INTENT_NAMES) | TEXT))
    elif kind == "symptom":
        symptom = draw(st.sampled_from(SYMPTOM_IDS) | TEXT)
        request = intent_request("ReportSymptomIntent", symptom_slot(draw(TEXT), symptom))
    elif kind == "ended":
        request = session_ended_request()
    else:
        request = {"type": draw(st.sampled_from(REQUEST_TYPES))}
    attributes = draw(st.one_of(st.sampled_from(list(STATES.values())), st.just({}),
                                st.dictionaries(TEXT, JSON, max_size=3)))
    return request_envelope(request, new=draw(st.booleans()),
                            attributes=copy.deepcopy(attributes))


def _entries(document: Any) -> list:
    """(container, key) for every value inside `document`, depth first."""
    found, stack = [], [document]
    while stack:
        container = stack.pop()
        keys = list(container) if isinstance(container, dict) else range(len(container))
        for key in keys:
            found.append((container, key))
            if isinstance(container[key], (dict, list)):
                stack.append(container[key])
    return found


def _retyped(value: Any, choice: int) -> Any:
    """The same value in another JSON type."""
    if isinstance(value, bool) or value is None:
        return ["", 0, [value], {"v": value}, not value][choice % 5]
    if isinstance(value, (int, float)):
        return [str(value), [value], {"v": value}, value is not None, -value][choice % 5]
    if isinstance(value, str):
        return [len(value), [value], {value: value}, bool(value), None][choice % 5]
    if isinstance(value, list):
        return [{str(i): v for i, v in enumerate(value)}, json.dumps(value), len(value),
                value[:1], None][choice % 5]
    return [list(value.values()), list(value), json.dumps(value), len(value), None][choice % 5]


@st.composite
def mutated_envelopes(draw) -> dict:
    """A valid envelope, then 1-6 mutations: drop a key, replace a value with random JSON,
    insert a junk key, or change a value's type, anywhere in the document."""
    envelope = draw(base_envelopes())
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(["drop", "replace", "insert", "retype"]))
        if operation == "insert":
            dicts = [envelope] + [c[k] for c, k in _entries(envelope) if isinstance(c[k], dict)]
            target = draw(st.sampled_from(dicts))
            target[draw(TEXT)] = draw(JSON)
            continue
        entries = _entries(envelope)
        if not entries:
            continue
        container, key = draw(st.sampled_from(entries))
        if operation == "drop":
            del container[key]
        elif operation == "replace":
            container[key] = draw(JSON)
        else:
            container[key] = _retyped(container[key], draw(st.integers(0, 4)))
    return envelope


# --------------------------------------------------------------------------- junk that keeps
# the envelope readable: unknown keys (never a name the SDK model uses, which it would read or
# set as an attribute), any session attributes, any strings where strings belong

def _model_names() -> frozenset:
    handle_event(SKILL, request_envelope(intent_request("ReportSymptomIntent",
                                                        symptom_slot("x", "bladder"))))
    names = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("ask_sdk_model"):
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            attribute_map = getattr(cls, "attribute_map", None)
            if isinstance(attribute_map, dict):
                names |= set(attribute_map) | set(attribute_map.values()) | set(dir(cls))
    return frozenset(names)


MODEL_NAMES = _model_names()
SCREEN_KEYS = set(FIRST_QUESTION["screen"])
JUNK_KEY = TEXT.filter(lambda key: key not in MODEL_NAMES and not key.startswith("_")
                       and key not in SCREEN_KEYS and key not in ("screen", "outcome", "symptom"))
JUNK_KEYS = st.dictionaries(JUNK_KEY, JSON, max_size=3)
STRINGISH = st.one_of(TEXT, JSON)   # the SDK reads any JSON value as str(value) in a str field


@st.composite
def junk_slot(draw, name: Any) -> dict:
    slot = {"name": draw(STRINGISH) if draw(st.booleans()) else name,
            "value": draw(STRINGISH), "confirmationStatus": "NONE"}
    return {**slot, **draw(JUNK_KEYS)}


@st.composite
def junk_other_slots(draw) -> dict:
    names = draw(st.lists(JUNK_KEY, max_size=3, unique=True))
    return {name: draw(junk_slot(name)) for name in names}


@st.composite
def junk_around(draw, request: dict, attributes: dict, new: Any) -> dict:
    """`request` in an envelope with junk keys everywhere, junk context and the given
    session attributes; `request` must already carry its slots."""
    envelope = request_envelope(request, new=new, attributes=attributes,
                                locale=draw(st.sampled_from(["en-US", "en-GB", "fr-FR", "xx"])
                                            | TEXT))
    envelope.update(draw(JUNK_KEYS))
    envelope["session"].update(draw(JUNK_KEYS))
    envelope["request"].update(draw(JUNK_KEYS))
    envelope["request"]["intent"].update(draw(JUNK_KEYS))
    envelope["context"].update(draw(JUNK_KEYS))
    envelope["context"]["System"].update(draw(JUNK_KEYS))
    envelope["context"]["System"]["device"]["supportedInterfaces"].update(draw(JUNK_KEYS))
    if draw(st.booleans()):
        envelope["session"]["new"] = draw(JSON)   # read as bool(value)
    return envelope


@st.composite
def ces_symptom_with_junk(draw) -> dict:
    """ReportSymptomIntent whose symptom slot resolves (ER_SUCCESS_MATCH) to a cauda equina
    sign, inside junk: other slots, extra keys, junk attributes, junk context."""
    ces = draw(st.sampled_from(CES_IDS))
    slot = symptom_slot(draw(TEXT), ces)["symptom"]
    slot["value"] = draw(STRINGISH)
    slot.update(draw(JUNK_KEYS))
    authorities = slot["resolutions"]["resolutionsPerAuthority"]
    authorities[0].update(draw(JUNK_KEYS))
    authorities[0]["values"][0]["value"]["name"] = draw(STRINGISH)
    authorities[0]["values"] += draw(st.lists(st.one_of(
        st.none(), st.builds(lambda i, n: {"value": {"id": i, "name": n}}, STRINGISH, STRINGISH)),
        max_size=2))
    authorities[:0] = draw(st.lists(st.builds(
        lambda code, extra: {"authority": "amzn1.er-authority.echo-sdk.x.Other",
                             "status": {"code": code}, **extra},
        st.sampled_from(["ER_SUCCESS_NO_MATCH", "ER_ERROR_TIMEOUT", "ER_ERROR_EXCEPTION"]),
        JUNK_KEYS), max_size=2))
    slots = {**draw(junk_other_slots()), "symptom": slot}
    attributes = draw(st.one_of(
        st.dictionaries(TEXT, JSON, max_size=4),
        st.builds(lambda state, junk: {**state, **junk},
                  st.sampled_from(list(STATES.values())), JUNK_KEYS),
        st.builds(lambda screen, junk: {"screen": screen, "outcome": junk}, JSON, JSON)))
    request = intent_request("ReportSymptomIntent", slots)
    return draw(junk_around(request, copy.deepcopy(attributes), draw(st.booleans())))


@st.composite
def yes_to_the_bladder_question_with_junk(draw) -> dict:
    """AMAZON.YesIntent answering the first (bladder) question, stored state from a real
    launch response, with junk keys in the attributes and the stored screen, junk slots, junk
    context."""
    attributes = copy.deepcopy(FIRST_QUESTION)
    attributes["screen"].update(draw(JUNK_KEYS))
    attributes.update(draw(JUNK_KEYS))
    if draw(st.booleans()):
        attributes["outcome"] = draw(JSON)   # the top-level copy is never read back
    request = intent_request("AMAZON.YesIntent", draw(junk_other_slots()))
    envelope = draw(junk_around(request, attributes, False))
    envelope["session"]["new"] = False
    return envelope


@st.composite
def stored_screens(draw) -> Any:
    """Near-valid stored screens: every field plausible or slightly off, often all "no"."""
    answered = draw(st.one_of(st.just(QUESTION_IDS), st.just(QUESTION_IDS[:-1]),
                              st.lists(st.sampled_from(QUESTION_IDS + ["kidney"]), unique=True)))
    answer = st.sampled_from(["no"] * 6 + ["yes", "not_sure", "reported", None, 0, "NO", False])
    screen = {
        "version": draw(st.sampled_from([STATE_VERSION] * 3 + [0, STATE_VERSION + 1,
                                                               str(STATE_VERSION), None, -1])),
        "started": draw(st.sampled_from([True, True, False, None, "true", 1])),
        "answers": {question: draw(answer) for question in answered},
        "doubts": draw(st.sampled_from([0, 0, 1, 2, -1, True, False, None, "0", 0.0])),
        "outcome": draw(st.sampled_from([None, "self_care", "self_care", "urgent", "emergency",
                                         "SELF_CARE", 1, ["self_care"], {"self_care": 1}])),
        "advice_index": draw(st.one_of(st.none(), st.integers(-3, 12),
                                      st.sampled_from([True, False, "0", 0.0, [0]]))),
        "mode": draw(st.sampled_from(["screen"] * 4 + ["check_in", "CHECK_IN", None])),
        "trend": draw(st.sampled_from([None] * 4 + ["better", "same", "worse", "up", 1])),
        "today": draw(st.sampled_from(["2026-11-26"] * 3 + [None, "2026-13-01", 5])),
        "episode_start": draw(st.sampled_from([None] * 3 + ["2026-11-12", "2027-01-01", "x"])),
        "consent": draw(st.sampled_from(["ask", "off", "remembered", "declined", "all", None])),
        "wrap_up": draw(st.sampled_from([None] * 3 + ["consent", "reminder", "done", "saving",
                                                      "nope"])),
    }
    for key in draw(st.lists(st.sampled_from(sorted(screen)), max_size=2)):
        screen.pop(key, None)
    return draw(st.one_of(st.just(screen), JSON)) if draw(st.integers(0, 9)) == 0 else screen


def assert_self_care_earned(envelope: Any, response: dict) -> None:
    """Self-care only when the stored answers were really all "no" (or all but one, and this
    request is the last "no")."""
    if outcome_of(response) != "self_care":
        return
    session = envelope.get("session") if isinstance(envelope, dict) else None
    attributes = session.get("attributes") if isinstance(session, dict) else None
    stored = attributes.get("screen") if isinstance(attributes, dict) else None
    answers = stored.get("answers") if isinstance(stored, dict) else None
    answers = answers if isinstance(answers, dict) else {}
    # A remembered user's check-in asks only the cauda equina questions again.
    asked = CES_IDS if isinstance(stored, dict) and stored.get("mode") == "check_in" \
        else QUESTION_IDS
    missing = [question for question in asked if answers.get(question) != "no"]
    request = envelope.get("request") if isinstance(envelope, dict) else None
    intent = request.get("intent") if isinstance(request, dict) else None
    name = intent.get("name") if isinstance(intent, dict) else None
    assert not missing or (len(missing) == 1 and name == NO), (missing, name)
    assert screen_of(response)["answers"] == {question: "no" for question in asked}


# --------------------------------------------------------------------------- properties

@FUZZ
@given(mutated_envelopes())
def test_server_answers_any_mutated_envelope_with_200_or_4xx_never_5xx(envelope):
    answer = via_server(envelope)
    if answer is not None:
        assert_self_care_earned(envelope, answer)


@FUZZ
@given(mutated_envelopes())
def test_lambda_answers_any_mutated_envelope_with_a_well_formed_response(envelope):
    assert_self_care_earned(envelope, via_lambda(LAMBDA_HANDLER, envelope))


@FUZZ
@given(ces_symptom_with_junk())
def test_a_resolved_cauda_equina_symptom_is_an_emergency_whatever_junk_surrounds_it(envelope):
    assert_emergency(via_lambda(LAMBDA_HANDLER, envelope), locale_of(envelope))
    assert_emergency(via_server(envelope), locale_of(envelope))


@FUZZ
@given(yes_to_the_bladder_question_with_junk())
def test_yes_to_the_bladder_question_is_an_emergency_whatever_junk_surrounds_it(envelope):
    assert_emergency(via_lambda(LAMBDA_HANDLER, envelope), locale_of(envelope))
    assert_emergency(via_server(envelope), locale_of(envelope))


def locale_of(envelope: dict) -> str:
    """The locale whose content answers this envelope ("" when it names none: the default)."""
    locale = envelope["request"].get("locale")
    return locale if isinstance(locale, str) else ""


@FUZZ
@given(stored_screens(), st.sampled_from([*INTENT_NAMES, "LaunchRequest"]),
       st.sampled_from(SYMPTOM_IDS), st.booleans())
def test_tampered_stored_state_never_jumps_to_self_care(stored, intent, symptom, over_http):
    if intent == "LaunchRequest":
        request = launch_request()
    elif intent == "ReportSymptomIntent":
        request = intent_request(intent, symptom_slot("words", symptom))
    else:
        request = intent_request(intent)
    envelope = request_envelope(request, new=False,
                                attributes={"screen": stored, "outcome": "self_care"})
    response = via_server(envelope) if over_http else via_lambda(LAMBDA_HANDLER, envelope)
    assert response is not None
    assert_self_care_earned(envelope, response)
    if symptom in CES_IDS and intent == "ReportSymptomIntent":
        assert_emergency(response)
