"""Behaviour added because of the hazard log (safety/hazard-log.yaml): the read-back of the
cauda equina signs (H01, H02), "know" heard as not sure (H02), what "stop" says after a red
flag (H03, H04), and no emergency number for a region we have no content for (H05).

Every conversation runs in every locale, through the real skill (JSON envelopes in and out)."""
import json
from pathlib import Path

import pytest

from dialog import Dialog
# Every test here runs in every locale, with test_dialogs' per-locale fixtures.
from test_dialogs import LOCALES, content, dialog, locale, said  # noqa: F401 - fixtures
from skill.alexa.app import handle_event
from skill.content.loader import load_content
from skill.language.interaction_model import build_interaction_model
from skill.language.nlu import resolve
from skill.alexa.speech import render_text

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = [locale for locale in LOCALES if locale.startswith("en-")]


def read_back(content):
    (question,) = [q for q in content.questions if q.read_back]
    return question


def reach_read_back(dialog, content):
    dialog.launch()
    turn = None
    for _ in range(len(content.emergency_questions) - 1):
        turn = dialog.no()
    return turn


def emergency_text(content, unsure=False):
    from test_dialogs import emergency_said
    return emergency_said(content, unsure)


# ---- H01, H02: the cauda equina signs are read back once ----

def test_cauda_equina_answers_are_read_back_before_other_questions(dialog, content):
    check = read_back(content)
    assert content.emergency_questions[-1] == check and check.outcome_if_yes == "emergency"
    turn = reach_read_back(dialog, content)
    # A cauda equina reprompt carries the warning with the number (issue 17): silence after it
    # ends the session without another word.
    assert turn.text == check.ask.strip()
    assert turn.reprompt == said(content, content.speech["reprompt_warning"]) + " " + \
        said(content, check.reprompt)   # the choices are known by now: five answers given
    assert turn.outcome is None and not turn.ends_session
    following = dialog.no()
    first_other = content.questions[len(content.emergency_questions)]
    assert first_other.outcome_if_yes == "urgent" and following.text == first_other.ask.strip()


def test_a_yes_to_the_read_back_is_an_emergency(dialog, content):
    reach_read_back(dialog, content)
    turn = dialog.yes()
    assert turn.text == emergency_text(content)
    assert turn.outcome == "emergency" and not turn.ends_session


def test_not_sure_to_the_read_back_is_clarified_then_an_emergency(dialog, content):
    reach_read_back(dialog, content)
    clarified = dialog.not_sure()
    assert clarified.text == read_back(content).clarify.strip() and clarified.outcome is None
    turn = dialog.not_sure()   # nothing reported: honest words, the same instruction
    assert turn.text == emergency_text(content, unsure=True) and turn.outcome == "emergency"


def test_the_read_back_is_asked_again_at_a_check_in(content):
    from skill.conversation.questions import questions_for
    check_in = questions_for(content, "check_in")
    assert check_in[len(content.emergency_questions) - 1] == read_back(content)


@pytest.mark.parametrize("locale", ENGLISH)
def test_know_and_dont_know_are_heard_as_not_sure(locale):
    model = build_interaction_model(locale)
    for words in ("know", "i don't know", "don't know", "i really don't know", "dunno",
                  "no idea"):
        request = resolve(model, words, True, locale=locale)
        assert request["intent"]["name"] == "NotSureIntent", (locale, words, request)
    committed = json.loads((ROOT / "interaction_model" / f"{locale}.json").read_text())
    samples = {intent["name"]: intent.get("samples", [])
               for intent in committed["interactionModel"]["languageModel"]["intents"]}
    assert "know" in samples["NotSureIntent"]
    assert not [sample for sample in samples["AMAZON.NoIntent"]
                if "know" in sample.split() and not sample.startswith("not that")]


def test_spanish_no_se_is_heard_as_not_sure():
    model = build_interaction_model("es-US")
    for words in ("no sé", "no lo sé"):
        assert resolve(model, words, True, locale="es-US")["intent"]["name"] == "NotSureIntent"


# ---- H03, H04: what "stop" says ----

def assert_same_day_goodbye(turn, content, lead_key, route=None):
    """The lead, where to go today (a route's place, or the same-day doctor), the goodbye."""
    urgent = content.outcomes["urgent"]
    where = urgent.routes[route] if route else urgent.speech[0]
    assert turn.text == " ".join((said(content, content.speech[lead_key]),
                                  said(content, where),
                                  said(content, content.speech["goodbye"])))
    assert turn.ends_session and turn.card["title"] == said(content, urgent.card_title)


@pytest.mark.parametrize("stop", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_after_a_red_flag_repeats_the_urgent_advice(skill, locale, content, stop):
    # A red flag volunteered during the cauda equina questions: urgent is not decided yet.
    dialog = Dialog(skill, locale)
    dialog.launch()
    assert dialog.symptom("a fever", "fever").outcome is None
    assert_same_day_goodbye(dialog.intent(stop), content, "stop_after_red_flag",
                            "emergency_department")
    # After the urgent outcome, during the offer of tips.
    dialog = Dialog(skill, locale)
    dialog.launch()
    for _ in content.emergency_questions:
        dialog.no()
    assert dialog.yes().outcome == "urgent"   # the fever question: the emergency department
    assert_same_day_goodbye(dialog.intent(stop), content, "stop_after_red_flag",
                            "emergency_department")


@pytest.mark.parametrize("then", ["AMAZON.StopIntent", "AMAZON.FallbackIntent"])
def test_stop_while_unsure_about_a_cauda_equina_sign_is_the_same_emergency_as_a_second_doubt(
        dialog, content, then):
    """Unsure, then "stop", gives the tier a second "not sure" or unplaced answer gives: the
    emergency, in honest words (issue 17)."""
    dialog.launch()
    dialog.no()
    assert dialog.not_sure().text == content.questions[1].clarify.strip()
    turn = dialog.intent(then)
    emergency = said(content, content.outcomes["emergency"].speech[0])
    assert turn.outcome == "emergency" and emergency in turn.text
    if then == "AMAZON.StopIntent":
        assert turn.text == " ".join((said(content, content.speech["stop_while_unsure"]), emergency,
                                      said(content, content.speech["goodbye"])))
        assert turn.ends_session
    else:
        assert turn.text == emergency_text(content, unsure=True)


def test_unsure_about_a_cauda_equina_sign_gets_the_warning_signs_card(dialog, content):
    # Alexa may end the session in silence after the clarification: the card stays in the app.
    dialog.launch()
    clarified = dialog.not_sure()
    assert clarified.card["title"] == said(content, content.speech["warning_signs_title"])
    assert clarified.card["content"] == said(content, content.advice_by_id["safety_net"].text)
    assert content.values["emergency_number"] in clarified.card["content"]
    assert dialog.no().card is None   # answered: no card on the next question


def test_stop_with_no_red_flag_still_gives_the_safety_net(dialog, content):
    dialog.launch()
    dialog.no()
    dialog.no()
    turn = dialog.intent("AMAZON.StopIntent")
    assert turn.text == said(content, content.speech["goodbye"])
    assert content.values["emergency_number"] in turn.text
    assert turn.ends_session and turn.card is None


def test_stop_after_a_clean_screen_is_the_plain_goodbye(dialog, content):
    dialog.launch()
    for _ in content.screen_questions:
        turn = dialog.no()
    assert turn.outcome == "self_care"
    assert dialog.intent("AMAZON.StopIntent").text == said(content, content.speech["goodbye"])


# ---- H05: the emergency number is always the region's own ----

@pytest.mark.parametrize("requested, language", [
    ("es-ES", "es-US"), ("es-AR", "es-US"), ("en-NZ", "en-US"), ("en-IE", "en-US"),
    ("fr-FR", "en-US"), ("de-DE", "en-US"), ("ja-JP", "en-US"),
])
def test_unsupported_region_gets_no_foreign_emergency_number(skill, lambda_handler, requested,
                                                             language):
    content = load_content(language)
    refusal = render_text((content.speech["region_not_supported"],), {})
    numbers = {load_content(locale).values["emergency_number"] for locale in LOCALES}
    for answer in (Dialog(skill, requested).launch(),
                   Dialog(skill, requested).symptom("i wet myself", "bladder")):
        assert answer.text == refusal and answer.ends_session
        assert not any(number in answer.text for number in numbers)
        assert not answer.body.get("sessionAttributes")
    # Even a request too broken to reach the skill is answered without a number.
    broken = {"version": "1.0", "request": {"type": "IntentRequest", "locale": requested,
                                            "intent": "not an intent"}}
    for response in (handle_event(skill, broken), lambda_handler(broken, None)):
        ssml = response["response"]["outputSpeech"]["ssml"]
        assert refusal in ssml.replace("<speak>", "").replace("</speak>", "")


# Each country's emergency number, from the reference notes (section 4), kept here apart from
# the content files so a wrong number in a file is caught, not copied.
EMERGENCY_NUMBER_BY_COUNTRY = {"US": "911", "CA": "911", "GB": "999", "AU": "000", "IN": "112",
                               "MX": "911"}


def test_distribution_countries_each_have_their_own_number():
    manifest = json.loads((ROOT / "skill-package" / "skill.json").read_text())["manifest"]
    publishing = manifest["publishingInformation"]
    assert set(publishing["locales"]) == set(LOCALES)
    for country in publishing["distributionCountries"]:
        locales = [locale for locale in LOCALES if locale.endswith(f"-{country}")]
        assert locales, f"{country} is distributed to but no locale has its facts"
        for locale in locales:
            assert load_content(locale).values["emergency_number"] == \
                EMERGENCY_NUMBER_BY_COUNTRY[country], locale
    for locale in LOCALES:   # and every locale's content states its own country's number
        country = locale.split("-")[1]
        assert load_content(locale).values["emergency_number"] == EMERGENCY_NUMBER_BY_COUNTRY[country]
        for other in load_content(locale).also_serves:
            assert EMERGENCY_NUMBER_BY_COUNTRY[other.split("-")[1]] == \
                load_content(locale).values["emergency_number"]
