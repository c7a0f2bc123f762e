"""A clinician's exam kept in progress for a few minutes (issue 17, hazard H30): a silence no
longer loses the findings, opening the skill again resumes at the step where it stopped, and
nothing is kept after the window, after "stop", after the summary or for another device."""
import json
import sqlite3
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st

from dialog import Dialog
from skill.conversation import clinician_progress
from skill.alexa.app import build_skill
from skill.conversation.clinician import ClinicalTopic, ClinicianState, Finding, current_prompt, step
from skill.content.clinician import load_clinician_content
from skill.alexa.envelopes import session_ended_request
from skill.memory.exam_store import ExamStore
from skill.memory.settings import Settings
from skill.conversation.state import Event
from skill.memory.store import SQLitePersistenceAdapter
from test_clinician import clinician_events
from test_clinician_sides import exam, finding, stored

CLINICIAN = load_clinician_content("en-US")
ACTION = CLINICIAN.cauda_equina_action
WINDOW = clinician_progress.KEEP_EXAM_SECONDS
NEW_PATIENT = "For a new patient, say start again."
START = 1_900_000_000.0


class Clock:
    """The time the skill sees, moved by the test: no sleeping."""

    def __init__(self):
        self.now = START

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def kept_skill(database, clock):
    return build_skill(persistence_adapter=SQLitePersistenceAdapter(database), now=clock,
                       settings=Settings())


@pytest.fixture
def room(kept_skill):
    """A clinic room: one device, one account, several sessions."""
    return Dialog(kept_skill, user_id="amzn1.ask.account.CLINIC")


def silence(dialog):
    """Alexa gives up waiting for an answer and closes the session."""
    return dialog.request(session_ended_request("EXCEEDED_MAX_REPROMPTS"))


def welcome_text(skill) -> str:
    return Dialog(skill).launch().text


def kept_rows(database):
    with sqlite3.connect(str(database)) as connection:
        return connection.execute("SELECT exam_key, record FROM exams_in_progress").fetchall()


def test_silence_mid_exam_then_open_resumes_at_the_same_step_with_the_findings(room, clock):
    exam(room)
    finding(room, "positive_left")       # straight leg raise
    finding(room, "negative")            # crossed straight leg raise
    assert room.turns[-1].text.startswith("L4.")
    silence(room)
    clock.wait(4 * 60)
    turn = room.launch()
    assert turn.text.startswith("Resuming the exam at L4 root. Steps recorded: 2. " + NEW_PATIENT)
    assert turn.text.endswith("Any deficit?") and turn.reprompt == CLINICIAN.step("l4").reprompt
    assert not turn.ends_session and turn.outcome is None
    assert stored(turn)["findings"] == {"straight_leg_raise": "positive",
                                        "crossed_straight_leg_raise": "negative"}
    assert stored(turn)["sides"] == {"straight_leg_raise": "left"}
    for _ in range(5):                   # L4 to saddle sensation
        summary = room.no()
    assert "Straight leg raise positive on the left" in summary.text
    assert "Crossed straight leg raise negative" in summary.text


def test_the_one_shot_clinician_checklist_resumes_the_kept_exam_too(room, clock):
    exam(room)
    finding(room, "negative")
    silence(room)
    clock.wait(60)
    turn = room.intent("ClinicianModeIntent")
    assert turn.text.startswith("Resuming the exam at Crossed straight leg raise. Steps recorded: 1.")
    assert stored(turn)["findings"] == {"straight_leg_raise": "negative"}


def test_a_side_question_in_hand_is_asked_afresh_at_resume(room):
    exam(room)
    finding(room, "positive")
    room.no()                            # names no side: asked again
    silence(room)
    turn = room.launch()
    assert turn.text == ("Resuming the exam at Straight leg raise. Steps recorded: 1. "
                         f"{NEW_PATIENT} Which side: left, right, or both sides?")
    assert finding(room, "right").text.startswith("Crossed straight leg raise.")


def test_a_cauda_equina_finding_carried_over_is_said_out_loud_at_resume(room):
    exam(room)
    for _ in range(6):                   # straight leg raise to reflexes
        room.no()
    finding(room, "reduced")             # saddle sensation: the action, then anal tone
    silence(room)
    turn = room.launch()
    assert turn.text.startswith("Resuming the exam at Anal tone. Steps recorded: 7. " + ACTION)
    assert turn.outcome == "emergency" and turn.text.endswith("Reduced?")


def test_the_exam_is_kept_from_the_session_end_not_only_from_the_last_answer(room, clock):
    exam(room)
    finding(room, "negative")
    clock.wait(WINDOW - 60)              # a long pause, then Alexa closes the session
    silence(room)
    clock.wait(WINDOW - 60)
    assert room.launch().text.startswith("Resuming the exam at Crossed straight leg raise.")


def test_after_the_window_open_gives_the_normal_welcome_and_the_exam_is_purged(
        room, clock, kept_skill, database):
    exam(room)
    finding(room, "positive_right")
    silence(room)
    clock.wait(WINDOW)
    turn = room.launch()
    assert turn.text == welcome_text(kept_skill) and "Resuming" not in turn.text
    assert "clinician" not in turn.response["sessionAttributes"]
    assert kept_rows(database) == []


def test_expired_exams_of_every_device_are_purged_by_the_next_use(kept_skill, clock, database):
    for room_number in range(3):
        exam(Dialog(kept_skill, user_id=f"amzn1.ask.account.ROOM{room_number}"))
    assert len(kept_rows(database)) == 3
    clock.wait(WINDOW)
    Dialog(kept_skill).launch()
    assert kept_rows(database) == []


def test_start_again_after_a_resume_is_a_new_exam_with_nothing_carried_over(room, database):
    exam(room)
    for _ in range(6):
        room.no()
    finding(room, "reduced")             # cauda equina suspected
    silence(room)
    assert room.launch().outcome == "emergency"
    turn = room.intent("AMAZON.StartOverIntent")
    assert turn.text.startswith("New exam, nothing carried over. Straight leg raise.")
    assert turn.outcome is None and stored(turn)["findings"] == {}
    assert stored(turn)["cauda_equina"] is False and stored(turn)["history_cauda_equina"] is False
    [(_, record)] = kept_rows(database)  # the old exam is gone, the new one kept
    assert json.loads(record)["clinician"]["findings"] == {}


def test_start_again_mid_exam_clears_the_kept_exam(room, kept_skill):
    exam(room)
    finding(room, "positive_left")
    room.intent("AMAZON.StartOverIntent")
    silence(room)
    assert room.launch().text == welcome_text(kept_skill)


def test_stop_gives_the_summary_so_far_and_keeps_nothing(room, kept_skill, database):
    exam(room)
    finding(room, "positive_left")
    turn = room.intent("AMAZON.StopIntent")
    assert "Summary so far" in turn.text and "Straight leg raise positive on the left" in turn.text
    assert turn.ends_session and kept_rows(database) == []
    assert room.launch().text == welcome_text(kept_skill)


def test_a_finished_exam_is_not_kept(room, kept_skill, database):
    exam(room)
    for _ in range(7):
        summary = room.no()
    assert summary.text.startswith("Recorded:")
    silence(room)
    assert kept_rows(database) == []
    assert room.launch().text == welcome_text(kept_skill)


def test_another_device_or_another_account_never_resumes_the_exam(room, kept_skill):
    exam(room)
    finding(room, "positive_left")
    silence(room)
    other_room = Dialog(kept_skill, user_id=room.conversation.user_id, system={
        "device": {"deviceId": "amzn1.ask.device.ROOM3", "supportedInterfaces": {}}})
    assert other_room.launch().text == welcome_text(kept_skill)
    assert Dialog(kept_skill).launch().text == welcome_text(kept_skill)
    assert room.launch().text.startswith("Resuming the exam at Crossed straight leg raise.")


def test_what_is_kept_is_the_exam_alone_under_a_hashed_key(room, database):
    exam(room)
    finding(room, "positive_left")
    [(key, record)] = kept_rows(database)
    assert len(key) == 64 and set(key) <= set("0123456789abcdef")
    kept = json.loads(record)
    assert set(kept) == {"version", "locale", "step_id", "clinician"}
    assert kept["step_id"] == "crossed_straight_leg_raise"
    raw = b"".join(path.read_bytes() for path in database.parent.iterdir())
    for identifier in (room.conversation.user_id, "amzn1.ask.device.TEST"):
        assert identifier.encode() not in raw


@pytest.mark.parametrize("record", [
    "not json", "[]", json.dumps({"version": 99}),
    json.dumps({"version": 1, "locale": "en-US", "step_id": "l5",          # step moved
                "clinician": {**ClinicianState(section="exam", exam_index=2).to_dict()}}),
    json.dumps({"version": 1, "locale": "en-US", "step_id": "l4",
                "clinician": {**ClinicianState(section="exam", exam_index=2).to_dict(),
                              "findings": {"l4": "maybe"}}}),
    json.dumps({"version": 1, "locale": "en-US", "step_id": "l4",           # not in progress
                "clinician": ClinicianState(section="summary").to_dict()})])
def test_a_corrupt_or_unknown_kept_exam_is_discarded_not_resumed(room, kept_skill, database,
                                                                 record):
    exam(room)
    silence(room)
    with sqlite3.connect(str(database)) as connection:
        connection.execute("UPDATE exams_in_progress SET record = ?", (record,))
    assert room.launch().text == welcome_text(kept_skill)
    assert kept_rows(database) == []


def test_a_broken_store_never_breaks_the_exam(tmp_path, clock, kept_skill):
    broken = build_skill(persistence_adapter=SQLitePersistenceAdapter(tmp_path), now=clock,
                         settings=Settings())          # a directory: every use fails
    working, failing = Dialog(kept_skill), Dialog(broken)
    for dialog in (working, failing):
        exam(dialog)
        finding(dialog, "positive_left")
        dialog.no()
        silence(dialog)
    assert [turn.text for turn in failing.turns] == [turn.text for turn in working.turns]
    turn = failing.intent("ClinicianModeIntent")
    assert turn.text.startswith("Clinician mode.") and not turn.ends_session


def test_with_memory_off_nothing_is_kept(database, clock):
    public = build_skill(persistence_adapter=SQLitePersistenceAdapter(database), now=clock,
                         settings=Settings(profile="public", memory_enabled=False))
    dialog = Dialog(public)
    exam(dialog)
    finding(dialog, "positive_left")
    silence(dialog)
    assert not dialog.launch().text.startswith("Resuming")
    assert not database.exists() or kept_rows(database) == []


PROPERTY_STORE = ExamStore(Path(tempfile.mkdtemp(prefix="sciatica-exams-")) / "exams.sqlite3")


@settings(max_examples=200, deadline=None)
@given(st.lists(clinician_events, max_size=30), st.integers(0, WINDOW - 1))
@example([ClinicalTopic("exam"), Event.NO, Event.YES], 0)   # findings kept in their order
@example([ClinicalTopic("exam"), Event.NO, Event.YES, Finding("go_back"), Finding("go_back"),
          Event.YES], 0)   # a side re-recorded after "go back" keeps its place
def test_a_resumed_exam_never_loses_a_cauda_equina_finding(events, pause):
    state = ClinicianState()
    for event in events:
        state, _ = step(CLINICIAN, state, event)
        record = clinician_progress.progress_record(CLINICIAN, state)
        if record is None:
            assert state.section != "exam"
            continue
        PROPERTY_STORE.save("property", record, START)
        resumed, prompt = clinician_progress.resume(
            CLINICIAN, clinician_progress.exam_from_record(
                CLINICIAN, PROPERTY_STORE.load("property", START + pause)))
        assert replace(resumed, side_asks=state.side_asks) == state   # the whole exam back
        assert resumed.outcome == state.outcome
        assert (ACTION in prompt.speech) == state.cauda_equina        # said out loud
        assert prompt.speech[-1] == current_prompt(CLINICIAN, resumed).speech[-1]
        assert prompt.reprompt and not prompt.end_session
