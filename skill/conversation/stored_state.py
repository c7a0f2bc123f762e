"""Session state from Alexa's session attributes, trusted only if it adds up.

The attributes come back from the client on every turn, so they are input like any other:
an old version's state, junk, or a state whose outcome does not follow from its answers is
refused (InvalidState) and the adapter restarts the screen."""
from __future__ import annotations

from typing import Mapping

from skill.conversation import timeline
from skill.content.loader import OUTCOMES, Content
from skill.conversation.questions import advice_chunks, outcome_for
from skill.conversation.state import (ANSWERS, EMERGENCY_WRAP_UPS, CONSENTS, MODES, STATE_VERSION,
                                      TRENDS, WRAP_UPS, InvalidState, ScreenState)


FIELDS = ("answers", "started", "doubts", "outcome", "advice_index", "mode", "trend", "today",
          "episode_start", "consent", "wrap_up", "detour")
OUTCOMES_OR_NONE = (None,) + OUTCOMES
TRENDS_OR_NONE = (None,) + TRENDS


def state_from_dict(content: Content, data: Mapping) -> ScreenState:
    if not isinstance(data, Mapping) or type(data.get("version")) is not int \
            or data["version"] != STATE_VERSION:
        raise InvalidState("missing or different state version")
    fields = {name: data.get(name) for name in FIELDS}
    _check_types(content.question_ids, fields)
    answers = fields["answers"]
    fields["answers"] = tuple((q.id, answers[q.id]) for q in content.questions if q.id in answers)
    state = ScreenState(**fields)
    _check_consistency(content, state)
    return state


def _is_text_or_none(value, choices) -> bool:
    return (value is None or isinstance(value, str)) and value in choices


def _check_types(known: frozenset, fields: dict) -> None:
    answers = fields["answers"]
    if not isinstance(answers, Mapping) or not isinstance(fields["started"], bool):
        raise InvalidState("answers or started has the wrong type")
    for key, value in answers.items():
        if not isinstance(key, str) or key not in known \
                or not isinstance(value, str) or value not in ANSWERS:
            raise InvalidState("unknown question or answer")
    if not (fields["detour"] is None or isinstance(fields["detour"], str) and fields["detour"] in known):
        raise InvalidState("bad detour")
    if type(fields["doubts"]) is not int or fields["doubts"] not in (0, 1):
        raise InvalidState("bad doubts")
    if not _is_text_or_none(fields["outcome"], OUTCOMES_OR_NONE):
        raise InvalidState("bad outcome")
    if not (isinstance(fields["mode"], str) and fields["mode"] in MODES
            and isinstance(fields["consent"], str) and fields["consent"] in CONSENTS):
        raise InvalidState("bad mode or consent")
    if not _is_text_or_none(fields["trend"], TRENDS_OR_NONE) \
            or not _is_text_or_none(fields["wrap_up"], WRAP_UPS):
        raise InvalidState("bad trend or wrap-up")
    for name in ("today", "episode_start"):
        if fields[name] is not None:
            try:
                timeline.parse_day(fields[name])
            except (TypeError, ValueError):
                raise InvalidState(f"{name} is not a date") from None
    step = fields["advice_index"]
    if step is not None and (type(step) is not int or step < 0):
        raise InvalidState("bad advice step")


def _check_consistency(content: Content, state: ScreenState) -> None:
    if state.mode == "check_in" and (state.episode_start is None or state.today is None):
        raise InvalidState("a check-in needs its dates")
    if state.mode != "check_in" and state.trend is not None:
        raise InvalidState("a trend outside a check-in")
    if state.episode_start and state.today and \
            timeline.days_between(state.episode_start, state.today) < 0:
        raise InvalidState("an episode that starts in the future")
    # A stored outcome must be the one its answers decide: a tampered "self_care" must never
    # skip questions. A stored emergency is kept whatever the answers say (the safe direction).
    if state.outcome != "emergency" and state.outcome != outcome_for(content, state):
        raise InvalidState("outcome does not follow from the answers")
    if state.outcome in ("urgent", "soon", "self_care"):
        if state.advice_index is not None and state.advice_index >= len(advice_chunks(content, state)):
            raise InvalidState("advice step out of range")
        if state.outcome == "self_care" and state.advice_index is None:
            raise InvalidState("self-care without its advice")
    elif state.advice_index is not None or state.wrap_up is not None and not \
            (state.outcome == "emergency" and state.wrap_up in EMERGENCY_WRAP_UPS):
        raise InvalidState("advice or wrap-up before an outcome")
    if state.wrap_up in EMERGENCY_WRAP_UPS and state.outcome != "emergency":
        raise InvalidState("a handover without an emergency")
    if (state.answers or state.detour) and not state.started:
        raise InvalidState("answers before the welcome")
