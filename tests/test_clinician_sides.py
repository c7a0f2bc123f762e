"""Clinician mode 2.0: the side of each finding, bilateral signs as the emergency, the side
question, a history the exam cannot override, and stored states from before sides existed."""
import pytest

from skill.alexa.app import handle_event
from skill.conversation.clinician import (CLINICIAN_VERSION, ClinicianState, Finding,
                                          clinician_state_from_dict, step)
from skill.content.clinician import load_clinician_content, load_clinician_file
from skill.content.loader import CONTENT_DIR, load_content
from skill.alexa.envelopes import intent_request, request_envelope, resolved_slot
from skill.language.interaction_model import build_interaction_model
from skill.language.nlu import resolve
from skill.content.schema import ContentError
from skill.conversation.state import InvalidState, SymptomReport

CLINICIAN = load_clinician_content("en-US")
ACTION = CLINICIAN.cauda_equina_action
SIDE_QUESTION = "Which side: left, right, or both sides?"


def topic(dialog, name):
    return dialog.intent("ClinicalQuestionIntent", resolved_slot("topic", "TopicType", name, name))


def finding(dialog, value):
    return dialog.intent("ExamFindingIntent", resolved_slot("finding", "FindingType", value, value))


def exam(dialog):
    dialog.intent("ClinicianModeIntent")
    return topic(dialog, "exam")


def stored(turn):
    return turn.response["sessionAttributes"]["clinician"]


def test_each_positive_finding_is_recorded_with_its_side(dialog):
    exam(dialog)
    finding(dialog, "positive_left")                 # straight leg raise
    finding(dialog, "negative")                      # crossed
    finding(dialog, "not_done")                      # L4
    assert dialog.yes().text == SIDE_QUESTION        # L5: positive, no side yet
    turn = finding(dialog, "left")
    assert turn.text.startswith("S1.")
    assert stored(turn)["sides"] == {"straight_leg_raise": "left", "l5": "left"}
    assert stored(turn)["findings"]["l5"] == "positive" and turn.outcome is None
    for _ in range(3):                               # S1, reflexes, saddle sensation
        summary = finding(dialog, "negative")
    assert "Straight leg raise positive on the left" in summary.text
    assert "L5 root deficit on the left" in summary.text and summary.outcome is None


def test_a_positive_finding_without_a_side_asks_once_with_a_reprompt(dialog):
    exam(dialog)
    turn = finding(dialog, "positive")
    assert turn.text == SIDE_QUESTION and turn.reprompt == "Say left side, right side, or both sides."
    assert not turn.ends_session and stored(turn)["exam_index"] == 0
    assert dialog.intent("AMAZON.RepeatIntent").text == SIDE_QUESTION
    assert "signs on both sides point to cauda equina" in dialog.intent("AMAZON.HelpIntent").text
    turn = finding(dialog, "right")
    assert turn.text.startswith("Crossed straight leg raise.")
    assert stored(turn)["sides"] == {"straight_leg_raise": "right"}


def test_a_bare_right_heard_as_yes_places_the_finding_on_the_right(dialog):
    model = build_interaction_model("en-US")
    assert resolve(model, "right", True)["intent"]["name"] == "AMAZON.YesIntent"
    exam(dialog)
    finding(dialog, "positive")
    turn = dialog.yes()
    assert turn.text.startswith("Crossed straight leg raise.")
    assert stored(turn)["sides"] == {"straight_leg_raise": "right"}


def test_an_unplaceable_side_is_asked_again_once_then_kept_as_unknown(dialog):
    exam(dialog)
    finding(dialog, "positive")
    again = dialog.no()
    assert again.text == "Sorry, which side? Say left side, right side, or both sides."
    turn = dialog.intent("AMAZON.FallbackIntent")
    assert turn.text.startswith("Side not recorded. Crossed straight leg raise.")
    assert stored(turn)["findings"]["straight_leg_raise"] == "positive"   # never dropped
    assert stored(turn)["sides"] == {"straight_leg_raise": "unknown"}
    for _ in range(6):
        summary = dialog.no()
    assert "Straight leg raise positive with the side not recorded" in summary.text


def test_skip_at_the_side_question_keeps_the_finding_with_its_side_unknown(dialog):
    exam(dialog)
    finding(dialog, "positive")
    turn = dialog.intent("AMAZON.NextIntent")
    assert turn.text.startswith("Side not recorded. Crossed straight leg raise.")
    assert stored(turn)["findings"]["straight_leg_raise"] == "positive"


def test_a_finding_on_both_sides_is_the_emergency_with_the_action_first(dialog):
    exam(dialog)
    turn = finding(dialog, "positive_both")
    assert turn.text.startswith(ACTION) and turn.outcome == "emergency"
    assert "Crossed straight leg raise." in turn.text   # then the exam goes on
    for _ in range(6):
        turn = dialog.no()
    assert turn.text.startswith("Anal tone.") and turn.outcome == "emergency"
    dialog.no()
    summary = dialog.no()
    assert "There are signs on both sides. " + ACTION in summary.text
    assert ACTION in summary.text and summary.outcome == "emergency"


def test_left_at_one_step_and_right_at_another_are_bilateral_signs(dialog):
    exam(dialog)
    assert finding(dialog, "positive_left").outcome is None
    dialog.no()                                      # crossed
    turn = finding(dialog, "positive_right")         # L4 on the other side
    assert turn.text.startswith(ACTION) and turn.outcome == "emergency"
    assert turn.text.endswith("Any deficit?")        # L5 next


def test_both_sides_said_as_the_both_legs_symptom_answers_the_side_question(dialog):
    exam(dialog)
    finding(dialog, "positive")
    turn = dialog.symptom("both sides", "both_legs")
    assert turn.text.startswith(ACTION) and turn.outcome == "emergency"
    assert stored(turn)["sides"] == {"straight_leg_raise": "both"}
    assert stored(turn)["history_cauda_equina"] is False   # an exam finding, not the history


@pytest.mark.parametrize("words, side", [("both", "both"), ("bilateral", "both"),
                                         ("the left one", "left")])
def test_side_words_the_platform_could_not_place_still_answer_the_side_question(dialog, words, side):
    exam(dialog)
    finding(dialog, "positive")
    turn = dialog.symptom(words, None)
    assert stored(turn)["sides"] == {"straight_leg_raise": side}


def test_other_unplaced_words_are_not_read_as_a_finding(dialog):
    exam(dialog)
    turn = dialog.symptom("my left leg hurts on and off", None)
    assert turn.text == "Sorry, I didn't catch that. Straight leg raise: positive, negative, or not done?"
    assert stored(turn)["findings"] == {}


def test_a_history_of_cauda_equina_is_not_overridden_by_a_normal_exam(dialog):
    dialog.intent("ClinicianModeIntent")
    assert dialog.symptom("urinary hesitancy", "bladder").text.startswith(ACTION)
    topic(dialog, "exam")
    for _ in range(9):   # every step negative, anal tone and post-void residual included
        summary = dialog.no()
    assert summary.text.startswith("Recorded: Straight leg raise negative")
    assert CLINICIAN.speech["history_not_overridden"] in summary.text
    assert "a normal examination does not override" in ACTION
    assert summary.outcome == "emergency"


def test_a_state_stored_before_sides_still_loads_with_every_side_unknown():
    old = {"version": 1, "section": "exam", "step": 2, "cauda_equina": False,
           "findings": {"straight_leg_raise": "positive", "crossed_straight_leg_raise": "negative"}}
    state = clinician_state_from_dict(CLINICIAN, old)
    assert state.sides == (("straight_leg_raise", "unknown"),) and state.outcome is None
    assert state.to_dict()["version"] == CLINICIAN_VERSION == 3
    state, prompt = step(CLINICIAN, state, Finding("positive_right"))   # L4 on the right
    assert state.outcome is None   # an unknown side is never counted as the other side


def test_an_exam_stored_before_the_rename_keeps_its_place():
    """Version 2 kept the exam index as "step"; version 3 as "exam_index" (issue 19's one
    vocabulary). An exam in progress across the upgrade resumes where it was."""
    old = {**GOOD, "version": 2, "step": 1}
    del old["exam_index"]
    assert clinician_state_from_dict(CLINICIAN, old).exam_index == 1
    renamed_but_old = {**GOOD, "version": 2}   # a version 2 state has no exam_index to read
    with pytest.raises(InvalidState):
        clinician_state_from_dict(CLINICIAN, renamed_but_old)
    assert GOOD["exam_index"] == 1 and "step" not in GOOD


def test_an_old_stored_finding_that_suggests_cauda_equina_loads_as_the_emergency():
    old = {"version": 1, "section": "summary", "step": 0, "cauda_equina": False,
           "findings": {"saddle_sensation": "positive"}}
    assert clinician_state_from_dict(CLINICIAN, old).outcome == "emergency"


GOOD = ClinicianState(section="exam", exam_index=1, findings=(("straight_leg_raise", "positive"),),
                      sides=(("straight_leg_raise", "left"),)).to_dict()


@pytest.mark.parametrize("change, message", [
    ({"sides": {"straight_leg_raise": "middle"}},
     "bad side 'middle' for finding 'straight_leg_raise': expected one of left, right, both"),
    ({"sides": {"straight_leg_raise": 3}}, "bad side 3"),
    ({"sides": {"l5": "left"}}, "side recorded for 'l5', which is not a positive sided finding"),
    ({"sides": ["left"]}, "bad clinician state"),
    ({"side_asks": 3}, "bad clinician state"),
    ({"side_asks": 1}, "a side question stored without a positive sided finding"),
    ({"history_cauda_equina": "yes"}, "bad clinician state"),
    ({"version": 4}, "different clinician state version")])
def test_a_bad_side_value_in_a_stored_state_is_refused_with_a_clear_error(change, message):
    assert clinician_state_from_dict(CLINICIAN, GOOD).sides == (("straight_leg_raise", "left"),)
    with pytest.raises(InvalidState, match=message):
        clinician_state_from_dict(CLINICIAN, {**GOOD, **change})


def test_a_refused_stored_state_that_was_an_emergency_restarts_as_the_emergency(skill):
    bad = {**GOOD, "sides": {"straight_leg_raise": "middle"}, "cauda_equina": True}
    envelope = request_envelope(intent_request("AMAZON.HelpIntent"), new=False,
                                attributes={"clinician": bad, "outcome": "emergency"})
    response = handle_event(skill, envelope)
    assert response["sessionAttributes"]["outcome"] == "emergency"
    assert response["response"]["outputSpeech"]["ssml"].startswith("<speak>" + ACTION[:40])


def test_a_cauda_equina_symptom_during_the_side_question_gives_the_action_then_asks_again():
    state, _ = step(CLINICIAN, ClinicianState(section="exam"), Finding("positive"))
    state, prompt = step(CLINICIAN, state, SymptomReport("bladder"))
    assert prompt.speech == (ACTION, SIDE_QUESTION) and state.outcome == "emergency"
    assert state.side_asks == 1 and state.history_cauda_equina


@pytest.mark.parametrize("utterance, value", [
    ("positive left", "positive_left"), ("positive on the right", "positive_right"),
    ("positive on both sides", "positive_both"), ("it's positive bilaterally", "positive_both"),
    ("left side", "left"), ("right side", "right"), ("intact", "negative")])
def test_clinicians_words_for_a_finding_and_its_side_resolve(locale_model, utterance, value):
    intent = resolve(locale_model, utterance, True)["intent"]
    assert intent["name"] == "ExamFindingIntent"
    [authority] = intent["slots"]["finding"]["resolutions"]["resolutionsPerAuthority"]
    assert authority["values"][0]["value"]["id"] == value


@pytest.fixture(params=["en-US", "en-GB", "en-AU", "en-CA", "en-IN"])
def locale_model(request):
    return build_interaction_model(request.param)


def test_spoken_clinician_text_must_stay_plain(tmp_path):
    text = (CONTENT_DIR / "en-US.clinician.yaml").read_text(encoding="utf-8")
    path = tmp_path / "en-US.clinician.yaml"
    path.write_text(text.replace("side_not_recorded: Side not recorded.",
                                 "side_not_recorded: Side <not> recorded."), encoding="utf-8")
    with pytest.raises(ContentError, match=r"speech.side_not_recorded: '<' in spoken text"):
        load_clinician_file(path, load_content("en-US").references, ())
