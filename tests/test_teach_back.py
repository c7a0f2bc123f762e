"""After the emergency (hazard log H32): one teach-back question, then the handover sentence.

The emergency answer ends on the action asked as one question ("can someone take you to the
emergency room now, or will you call 911?"). Whatever comes back gets one turn: the action
(after a no, a "not sure" or words the skill can't place, the call), the handover sentence to
read to the dispatcher or the triage nurse, the action again. Never a second question.

Dialogs run in every locale through the real skill (JSON envelopes in and out), the person's
words through the skill's own interaction model where they matter; the safety rule is a
hypothesis property on the pure core."""
import pytest
from hypothesis import given, settings, strategies as st

from dialog import Dialog, Turn
# Every dialog here runs in every locale, with test_dialogs' per-locale fixtures.
from test_dialogs import (LOCALES, action, content, dialog, emergency_said,  # noqa: F401
                          handover_said, locale, said, teach_back)
from test_triage_properties import SYMPTOM_IDS, session_starts
from skill.alexa.app import handle_event
from skill.content.loader import MAX_HANDOVER_WORDS, load_content
from skill.alexa.envelopes import intent_request, request_envelope
from skill.language.interaction_model import build_interaction_model
from skill.language.nlu import resolve
from skill.content.schema import count_words
from skill.conversation.state import Event, SymptomReport, TrendReport
from skill.conversation.teach_back import handover_text
from skill.conversation.triage import begin, initial_state, step

ENGLISH = [name for name in LOCALES if name.startswith("en-")]
# A few words for each kind of answer, as an English speaker says them; where the offline
# model places them today is checked below, so a change to the model shows up here.
NOBODY = ["no", "no one can take me", "nobody can take me", "i live alone", "i'm on my own"]
GOING_OR_CALLING = ["yes", "i'll call", "i will call 911", "my wife will drive me",
                    "someone can take me"]


@pytest.fixture(scope="module")
def models():
    return {}


def utter(dialog, models, locale, words):
    """`words` through the locale's interaction model, as Alexa would resolve them."""
    model = models.setdefault(locale, build_interaction_model(locale))
    return dialog.request(resolve(model, words, True, locale=locale))


def bladder_emergency(dialog):
    dialog.launch()
    return dialog.yes()


def sign(content, question_id):
    return content.handover_signs[question_id]


# ---- the emergency answer ends on the teach-back question, which is the action ----

def test_yes_at_the_bladder_question_ends_on_the_teach_back_question_with_the_action(
        dialog, content):
    turn = bladder_emergency(dialog)
    assert turn.outcome == "emergency" and not turn.ends_session
    assert turn.text == emergency_said(content)
    assert turn.text.startswith(action(content)) and turn.text.endswith(teach_back(content))
    question = teach_back(content)
    assert content.values["emergency_number"] in question and question.endswith("?")
    assert said(content, content.values["emergency_place"]) in question
    assert turn.text.count("?") == 1   # one question only
    # Silence: the action, the handover naming the bladder, the action again.
    assert turn.reprompt == handover_said(content, sign(content, "bladder"))
    # The card carries the handover, to read from the phone.
    assert turn.card["content"].endswith(
        said(content, content.handover["sure"].replace("{signs}", sign(content, "bladder"))))


def test_the_teach_back_question_adds_a_few_words_not_a_turn(content):
    """Measured: the question takes the place of the action said last, so the emergency answer
    grows by a few words (4 or 5 in every locale today), and the handover stays short enough
    to hold in mind whichever sign was reported."""
    action_words = count_words(said(content, content.outcomes["emergency"].speech[0]))
    question_words = count_words(said(content, content.handover["question"]))
    assert question_words - action_words <= 6
    for question in content.emergency_questions:
        state, _ = step(content, begin(content)[0], SymptomReport(question.id))
        assert count_words(handover_text(content, state)) <= MAX_HANDOVER_WORDS


# ---- whatever comes back: one turn with the handover and the action, then no question ----

def test_ill_call_hears_the_handover_naming_the_bladder_and_the_action_last(
        dialog, content, locale):
    bladder_emergency(dialog)
    turn = dialog.intent("AMAZON.FallbackIntent")   # "I'll call": words the model can't place
    assert turn.text == handover_said(content, sign(content, "bladder"), call=True)
    call = said(content, content.handover["call_now"])
    assert turn.text.startswith(call) and turn.text.endswith(call)
    assert sign(content, "bladder") in turn.text and "?" not in turn.text
    assert turn.outcome == "emergency" and not turn.ends_session and turn.reprompt == call
    assert turn.card["content"] == call + "\n\n" + said(
        content, content.handover["sure"].replace("{signs}", sign(content, "bladder")))


def test_someone_can_take_me_hears_the_handover_between_the_action(dialog, content):
    bladder_emergency(dialog)
    turn = dialog.yes()
    assert turn.text == handover_said(content, sign(content, "bladder"))
    assert turn.text.startswith(action(content)) and turn.text.endswith(action(content))
    assert turn.reprompt == action(content) and not turn.ends_session


@pytest.mark.parametrize("answer", ["AMAZON.NoIntent", "NotSureIntent"])
def test_no_one_can_take_me_or_i_dont_know_is_told_to_call_and_not_drive(
        dialog, content, answer):
    bladder_emergency(dialog)
    turn = dialog.intent(answer)
    assert turn.text == handover_said(content, sign(content, "bladder"), call=True)
    assert content.values["emergency_number"] in said(content, content.handover["call_now"])
    assert turn.outcome == "emergency" and not turn.ends_session


@pytest.mark.parametrize("locale_", ENGLISH)
def test_an_english_speaker_who_is_alone_is_never_left_to_drive(skill, models, locale_):
    """Every way of saying nobody can take them, through the model, hears the call. So does
    anything else the model can't place ("I'll call", "my wife will drive me"): the call is
    right either way. Only a yes keeps both choices."""
    content = load_content(locale_)
    call = said(content, content.handover["call_now"])
    for words in NOBODY + GOING_OR_CALLING:
        dialog = Dialog(skill, locale_)
        bladder_emergency(dialog)
        turn = utter(dialog, models, locale_, words)
        expected = action(content) if words == "yes" else call
        assert turn.text.startswith(expected) and turn.text.endswith(expected), (words, turn.text)
        assert sign(content, "bladder") in turn.text and turn.outcome == "emergency"


def test_spanish_nobody_can_take_me_hears_the_call(skill, models):
    content = load_content("es-US")
    for words in ("no", "nadie me puede llevar", "estoy sola", "no sé"):
        dialog = Dialog(skill, "es-US")
        bladder_emergency(dialog)
        turn = utter(dialog, models, "es-US", words)
        assert turn.text == handover_said(content, sign(content, "bladder"), call=True), words
    assert "no vaya manejando" in content.handover["call_now"]


@pytest.mark.parametrize("then", ["AMAZON.FallbackIntent", "AMAZON.RepeatIntent",
                                  "AMAZON.NoIntent"])
def test_after_the_handover_nothing_asks_again(dialog, content, then):
    """One exchange only: every later turn is the handover between the action, no question."""
    bladder_emergency(dialog)
    first = dialog.yes()
    later = dialog.intent(then)
    call = then != "AMAZON.RepeatIntent"
    assert later.text == handover_said(content, sign(content, "bladder"), call=call)
    assert first.text.count("?") == later.text.count("?") == 0
    # Once told to call, "repeat" keeps the call.
    if call:
        assert dialog.intent("AMAZON.RepeatIntent").text == later.text


@pytest.mark.parametrize("when", ["at the question", "after the handover"])
@pytest.mark.parametrize("stop", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_hears_the_action_and_ends(dialog, content, when, stop):
    bladder_emergency(dialog)
    if when == "after the handover":
        dialog.intent("AMAZON.NoIntent")
    turn = dialog.intent(stop)
    assert turn.text == action(content) and turn.ends_session and turn.outcome == "emergency"


# ---- honest words when the emergency rests on doubt; other signs; other ways in ----

def test_an_emergency_reached_only_by_not_sure_says_may_have(dialog, content):
    dialog.launch()
    dialog.not_sure()
    turn = dialog.not_sure()   # not sure twice at the bladder question
    assert turn.text == emergency_said(content, unsure=True)
    after = dialog.intent("AMAZON.FallbackIntent")
    assert after.text == handover_said(content, sign(content, "bladder"), unsure=True, call=True)
    assert said(content, content.handover["sure"].replace("{signs}", sign(content, "bladder"))) \
        not in after.text


@pytest.mark.parametrize("position", range(6))
def test_the_handover_names_the_sign_that_was_reported(dialog, content, position):
    dialog.launch()
    for _ in range(position):
        dialog.no()
    dialog.yes()
    question_id = content.emergency_questions[position].id
    assert dialog.yes().text == handover_said(content, sign(content, question_id))


def test_a_one_shot_bladder_report_gets_the_teach_back_and_the_handover(skill, models, locale):
    content = load_content(locale)
    dialog = Dialog(skill, locale)
    first = dialog.symptom("i can't control my bladder", "bladder")
    assert first.text == emergency_said(content) and not first.ends_session
    assert dialog.yes().text == handover_said(content, sign(content, "bladder"))


def test_an_emergency_at_a_check_in_gets_the_teach_back_and_the_handover(skill, content, locale):
    state = initial_state("2026-12-06", "remembered", "2026-11-26")
    state, _ = begin(content, state)
    state, _ = step(content, state, TrendReport("better"))
    state, _ = step(content, state, Event.NO)   # the bladder
    envelope = request_envelope(intent_request("AMAZON.YesIntent"), new=False, locale=locale,
                                attributes={"screen": state.to_dict(), "outcome": None})
    response = handle_event(skill, envelope)
    turn = Turn(response)
    assert turn.outcome == "emergency" and turn.text == emergency_said(content)
    attributes = response["sessionAttributes"]
    envelope = request_envelope(intent_request("AMAZON.NoIntent"), new=False, locale=locale,
                                attributes=attributes)
    after = Turn(handle_event(skill, envelope))
    assert after.text == handover_said(content, sign(content, "saddle"), call=True)


def test_en_us_handover_in_words(skill):
    dialog = Dialog(skill)
    turn = bladder_emergency(dialog)
    assert turn.text.endswith(
        "Can someone take you to the nearest emergency room now, or will you call 911?")
    after = dialog.intent("AMAZON.NoIntent")
    assert after.text == (
        "Call 911 now, and don't drive yourself. Tell them your age, that you have sciatica, "
        "and that since it started you have new trouble with your bladder. Say when that "
        "began, and that a screening check said it could be cauda equina syndrome. Call 911 "
        "now, and don't drive yourself.")


def test_es_us_ends_the_emergency_on_its_question_in_usted(skill):
    content = load_content("es-US")
    dialog = Dialog(skill, "es-US")
    turn = bladder_emergency(dialog)
    assert turn.text.endswith("?") and "¿Alguien puede llevarle" in turn.text
    after = dialog.intent("AMAZON.NoIntent")
    assert after.text.startswith("Llame ahora al 911") and "Dígales su edad" in after.text
    assert sign(content, "bladder") in after.text


# ---- the rule, as a property of the core ----

after_events = st.one_of(
    st.sampled_from(list(Event)), st.builds(SymptomReport, st.sampled_from(SYMPTOM_IDS)),
    st.builds(TrendReport, st.sampled_from(["better", "same", "worse", None])))
ways_in = st.sampled_from([
    (Event.YES,), (Event.NOT_SURE, Event.NOT_SURE), (Event.UNCLEAR, Event.UNCLEAR),
    (Event.NO, Event.NO, Event.YES), (SymptomReport("bowel"),),
    (Event.NO,) * 5 + (Event.NOT_SURE, Event.NOT_SURE)])


@pytest.mark.parametrize("locale_", LOCALES)
@settings(max_examples=60, deadline=None)
@given(way_in=ways_in, start=session_starts, said_after=st.lists(after_events, max_size=8))
def test_every_turn_after_an_emergency_says_the_action_first_and_last(
        locale_, way_in, start, said_after):
    """Whatever is said after the emergency, the outcome stays emergency, and each turn says
    the action first and last: the emergency's own, or the call; only the emergency answer
    itself ends on the action asked as the teach-back question, so nothing asks twice. The
    reprompt is the action; only "stop" ends the session, with the action."""
    content = load_content(locale_)
    action_, call = content.outcomes["emergency"].speech[0], content.handover["call_now"]
    question = content.handover["question"]
    state, _ = begin(content, start)
    if state.mode == "check_in":
        state, _ = step(content, state, TrendReport("same"))
    for event in way_in:
        state, prompt = step(content, state, event)
    assert state.outcome == "emergency"
    assert prompt.speech[0] == action_ and prompt.speech[-1] == question
    assert prompt.reprompt[0] == action_ == prompt.reprompt[-1]
    for event in said_after:
        state, prompt = step(content, state, event)
        assert state.outcome == "emergency"
        if event == Event.STOP:
            assert prompt.speech == (action_,) and prompt.end_session
            continue
        assert prompt.speech[0] in (action_, call) and prompt.speech[-1] == prompt.speech[0]
        assert question not in prompt.speech and prompt.reprompt == prompt.speech[:1]
        assert not prompt.end_session
