"""Clinician mode, issue 17's voice review: the clinician's own words per step, "next" that says
what it records, reprompts that name the step, a summary in the findings' meaning said once,
and stop, summary and go back at any point."""
import pytest

from skill.conversation.clinician import ClinicianState, Finding, clinician_state_from_dict, step
from skill.content.clinician import load_clinician_content
from skill.language.interaction_model import build_interaction_model
from skill.language.nlu import resolve
from skill.conversation.state import Event, SymptomReport
# The same envelope helpers as the side tests: one clinician dialog vocabulary.
from test_clinician_sides import exam, finding, stored, topic  # noqa: F401

CLINICIAN = load_clinician_content("en-US")
ACTION = CLINICIAN.cauda_equina_action
STEP = {exam_step.id: index for index, exam_step in enumerate(CLINICIAN.exam)}


def at(step_id, **fields) -> ClinicianState:
    return ClinicianState(section="exam", exam_index=STEP[step_id], **fields)


# 1. The words a clinician says, each meaning what it means at the step in hand.

@pytest.mark.parametrize("value, expected, side", [
    ("absent", "positive", None), ("reduced", "positive", None), ("absent_left", "positive", "left"),
    ("reduced_both", "positive", "both"), ("present", "negative", None),
    ("brisk", "negative", None), ("negative", "negative", None)])
def test_reflex_words_mean_the_reflex_finding(value, expected, side):
    state, _ = step(CLINICIAN, at("reflexes"), Finding(value))
    assert dict(state.findings)["reflexes"] == expected
    unplaced = "unknown" if expected == "positive" else None   # a positive keeps a side
    assert dict(state.sides).get("reflexes") == (side or unplaced)
    if expected == "positive" and side is None:
        assert state.side_asks == 1   # the side is still asked for


@pytest.mark.parametrize("step_id", ["l4", "l5", "s1", "saddle_sensation"])
@pytest.mark.parametrize("value", ["reduced", "absent", "reduced_right"])
def test_reduced_or_absent_strength_or_sensation_is_a_deficit(step_id, value):
    state, _ = step(CLINICIAN, at(step_id), Finding(value))
    assert dict(state.findings)[step_id] == "positive"


@pytest.mark.parametrize("step_id, value", [
    ("straight_leg_raise", "absent"), ("straight_leg_raise", "reduced_left"),
    ("straight_leg_raise", "present"), ("crossed_straight_leg_raise", "brisk"),
    ("saddle_sensation", "present"), ("l5", "present"), ("post_void_residual", "reduced")])
def test_a_word_that_means_nothing_certain_at_a_step_is_asked_again(step_id, value):
    before = at(step_id, cauda_equina=step_id == "post_void_residual")
    state, prompt = step(CLINICIAN, before, Finding(value))
    assert state == before   # nothing recorded, nothing guessed
    reprompt = CLINICIAN.exam[STEP[step_id]].reprompt
    assert prompt.speech[-1] == reprompt and prompt.reprompt == (reprompt,)
    assert prompt.speech[0].startswith("I can't record ")


def test_an_absent_ankle_jerk_said_in_words_is_recorded_with_its_side(dialog):
    exam(dialog)
    for _ in range(5):   # straight leg raise to S1
        dialog.no()
    turn = finding(dialog, "absent_left")
    assert stored(turn)["findings"]["reflexes"] == "positive"
    assert stored(turn)["sides"]["reflexes"] == "left" and turn.text.startswith("Saddle sensation.")


@pytest.fixture(params=["en-US", "en-GB", "en-AU", "en-CA", "en-IN"])
def locale_model(request):
    return build_interaction_model(request.param)


@pytest.mark.parametrize("utterance, value", [
    ("absent", "absent"), ("reduced", "reduced"), ("normal", "negative"), ("brisk", "brisk"),
    ("present", "present"), ("intact", "negative"), ("absent on the left", "absent_left"),
    ("reduced on the right", "reduced_right"), ("reflexes are absent", "absent"),
    ("summary", "summary"), ("go back", "go_back"), ("previous step", "go_back")])
def test_clinicians_words_resolve_in_every_english_model(locale_model, utterance, value):
    intent = resolve(locale_model, utterance, True)["intent"]
    assert intent["name"] == "ExamFindingIntent"
    [authority] = intent["slots"]["finding"]["resolutions"]["resolutionsPerAuthority"]
    assert authority["values"][0]["value"]["id"] == value


# 2. "Next" never records silently.

def test_next_at_a_step_with_no_finding_says_it_recorded_not_done(dialog):
    exam(dialog)
    turn = dialog.intent("AMAZON.NextIntent")
    assert turn.text.startswith("Straight leg raise: not done. Crossed straight leg raise.")
    assert stored(turn)["findings"] == {"straight_leg_raise": "not_done"}


def test_next_after_go_back_keeps_the_finding_and_says_it():
    state, _ = step(CLINICIAN, at("straight_leg_raise"), Finding("positive_left"))
    state, _ = step(CLINICIAN, state, Finding("go_back"))
    state, prompt = step(CLINICIAN, state, Event.NEXT)
    assert prompt.speech[0] == "Straight leg raise: positive on the left."
    assert dict(state.findings)["straight_leg_raise"] == "positive" and state.exam_index == 1


# 3. Reprompts name the step; answers don't repeat the menu's example.

def test_every_exam_reprompt_names_its_step(dialog):
    turn = exam(dialog)
    assert turn.reprompt == "Straight leg raise: positive, negative, or not done?"
    for exam_step in CLINICIAN.exam:
        assert exam_step.reprompt.startswith(exam_step.label + ":")
        assert exam_step.reprompt.endswith("or not done?")


def test_an_answer_does_not_end_with_the_menu_example_but_help_does(dialog):
    dialog.intent("ClinicianModeIntent")
    answer = topic(dialog, "opioids")
    assert "like when do I refer" not in answer.text and "like when do I refer" not in answer.reprompt
    assert answer.text.endswith("Anything else? Say red flags, exam, or another question.")
    assert "like when do I refer" in dialog.intent("AMAZON.HelpIntent").text


# 4. The summary says what each finding means, and nothing twice.

def test_the_summary_says_what_each_finding_means(dialog):
    exam(dialog)
    finding(dialog, "positive_right")          # straight leg raise
    dialog.no()                                # crossed
    dialog.no()                                # L4
    finding(dialog, "reduced_right")           # L5
    finding(dialog, "absent_right")            # S1
    finding(dialog, "reduced_right")           # reflexes
    summary = dialog.no()                      # saddle sensation
    for words in ("Straight leg raise positive on the right", "L4 root normal",
                  "L5 root deficit on the right", "S1 root deficit on the right",
                  "Reflexes reduced or absent on the right", "Saddle sensation normal"):
        assert words in summary.text, words
    assert "Reflexes positive" not in summary.text
    assert "an L5 and S1 radiculopathy" in summary.text
    assert summary.text.count("radiculopathy") == 1


def test_an_emergency_found_at_the_last_step_gives_the_action_once_then_the_summary():
    state = at("post_void_residual", findings=(("saddle_sensation", "negative"),))
    state = ClinicianState(**{**state.__dict__, "cauda_equina": True})
    state, prompt = step(CLINICIAN, state, Event.YES)
    assert " ".join(prompt.speech).count("Arrange an emergency MRI") == 1   # already said before
    fresh, _ = step(CLINICIAN, at("saddle_sensation"), Event.YES)           # newly suspected
    fresh, _ = step(CLINICIAN, fresh, Event.NO)
    fresh, prompt = step(CLINICIAN, fresh, Event.YES)                       # PVR raised
    assert fresh.section == "summary"
    said = " ".join(prompt.speech)
    assert said.startswith("Recorded:") and said.count("Arrange an emergency MRI") == 1
    assert "Post-void residual raised" in said


def test_a_cauda_equina_history_summary_says_the_override_line_once(dialog):
    dialog.intent("ClinicianModeIntent")
    dialog.symptom("urinary hesitancy", "bladder")
    topic(dialog, "exam")
    for _ in range(9):
        summary = dialog.no()
    assert summary.text.count("does not override") == 1
    assert summary.text.count("cauda equina syndrome") == 1 and ACTION in summary.text


# 5. Stop, summary and go back.

def test_stop_during_the_exam_says_the_summary_so_far_then_ends(dialog):
    exam(dialog)
    finding(dialog, "positive_left")
    turn = dialog.intent("AMAZON.StopIntent")
    assert turn.ends_session
    assert turn.text.startswith("Summary so far, with the exam not finished. Recorded: Straight "
                                "leg raise positive on the left.")
    assert turn.text.endswith("Leaving clinician mode. Goodbye.")


def test_stop_during_an_emergency_exam_says_the_action_in_the_summary():
    state, _ = step(CLINICIAN, at("saddle_sensation"), Event.YES)
    _, prompt = step(CLINICIAN, state, Event.STOP)
    assert prompt.end_session and ACTION in " ".join(prompt.speech)


def test_summary_mid_exam_is_said_without_ending_and_the_step_goes_on(dialog):
    exam(dialog)
    finding(dialog, "negative")
    turn = finding(dialog, "summary")
    assert not turn.ends_session and turn.text.startswith("Summary so far")
    assert "Straight leg raise negative" in turn.text
    assert turn.text.endswith("Finding?") and turn.reprompt.startswith("Crossed straight leg raise:")
    assert stored(turn)["exam_index"] == 1 and turn.card["title"] == "Sciatica exam summary"


def test_summary_from_the_menu_says_nothing_recorded_and_keeps_listening(dialog):
    dialog.intent("ClinicianModeIntent")
    turn = finding(dialog, "summary")
    assert turn.text.startswith("Recorded: no findings.") and not turn.ends_session


def test_go_back_returns_to_the_previous_step_to_re_record_it(dialog):
    exam(dialog)
    finding(dialog, "positive_left")
    turn = finding(dialog, "go_back")
    assert turn.text.startswith("Back to Straight leg raise, recorded as positive on the left. "
                                "Straight leg raise.")
    turn = finding(dialog, "negative")
    assert turn.text.startswith("Crossed straight leg raise.")
    assert stored(turn)["findings"] == {"straight_leg_raise": "negative"}
    assert stored(turn)["sides"] == {}


def test_go_back_from_the_summary_returns_to_the_last_step(dialog):
    exam(dialog)
    for _ in range(7):
        summary = dialog.no()
    assert stored(summary)["section"] == "summary"
    turn = finding(dialog, "go_back")
    assert turn.text.startswith("Back to Saddle sensation, recorded as normal.")
    assert stored(turn)["section"] == "exam"


def test_go_back_at_the_first_step_or_the_menu_stays_put(dialog):
    dialog.intent("ClinicianModeIntent")
    assert finding(dialog, "go_back").text.startswith("There's no exam step to go back to.")
    topic(dialog, "exam")
    turn = finding(dialog, "go_back")
    assert turn.text.startswith("This is the first step. Straight leg raise.")


def test_go_back_never_takes_back_a_cauda_equina_finding_or_the_emergency(dialog):
    exam(dialog)
    for _ in range(6):
        dialog.no()
    assert finding(dialog, "reduced").text.startswith(ACTION)   # saddle sensation
    back = finding(dialog, "go_back")
    assert back.text.startswith("Back to Saddle sensation, recorded as reduced.")
    assert back.outcome == "emergency"
    turn = finding(dialog, "negative")
    assert turn.text.startswith("Saddle sensation stays recorded as reduced: a finding that "
                                "suggests cauda equina is not taken back. Anal tone.")
    assert stored(turn)["findings"]["saddle_sensation"] == "positive"
    assert turn.outcome == "emergency"


def test_go_back_cannot_undo_bilateral_signs():
    state, _ = step(CLINICIAN, at("straight_leg_raise"), Finding("positive_left"))
    state, _ = step(CLINICIAN, state, Event.NO)                     # crossed
    state, _ = step(CLINICIAN, state, Finding("positive_right"))    # L4: bilateral
    assert state.outcome == "emergency"
    state, _ = step(CLINICIAN, state, Finding("go_back"))
    state, _ = step(CLINICIAN, state, Event.NO)
    assert dict(state.sides) == {"straight_leg_raise": "left", "l4": "right"}
    assert state.outcome == "emergency"


def test_go_back_during_the_side_question_keeps_the_finding_and_asks_the_step_again():
    state, _ = step(CLINICIAN, at("straight_leg_raise"), Finding("positive"))
    state, prompt = step(CLINICIAN, state, Finding("go_back"))
    assert state.side_asks == 0 and state.exam_index == 0
    assert dict(state.findings) == {"straight_leg_raise": "positive"}   # never dropped
    assert prompt.speech[0] == "Back to Straight leg raise, recorded as positive with the side not recorded."
    assert clinician_state_from_dict(CLINICIAN, state.to_dict()) == state


def test_a_state_stored_before_issue_17_loads_and_goes_back():
    old = {"version": 1, "section": "exam", "step": 2, "cauda_equina": False,
           "findings": {"straight_leg_raise": "positive", "crossed_straight_leg_raise": "negative"}}
    state = clinician_state_from_dict(CLINICIAN, old)
    state, prompt = step(CLINICIAN, state, Finding("go_back"))
    assert state.exam_index == 1 and prompt.speech[0] == "Back to Crossed straight leg raise, recorded as negative."


def test_a_cauda_equina_symptom_then_summary_keeps_the_emergency():
    state, _ = step(CLINICIAN, at("l4"), SymptomReport("bladder"))
    state, prompt = step(CLINICIAN, state, Finding("summary"))
    assert state.outcome == "emergency" and ACTION in " ".join(prompt.speech)
