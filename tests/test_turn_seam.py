"""The platform seam (issue 19): conversation/turn.py runs a whole patient turn with no ask-sdk,
driven here as a second adapter would drive it, with a plain-Python Effects that keeps its
records in a dict. A platform that cannot set reminders is offered none."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Mapping, Optional

import pytest

from skill.content.loader import load_content
from skill.conversation import record as records
from skill.conversation import timeline
from skill.conversation.state import NOTHING_STORED, OK, Event, ScreenState
from skill.conversation.clinician import ClinicalTopic, EnterClinicianMode
from skill.conversation.converse import Exchange, converse, end_conversation
from skill.conversation.turn import Capabilities, Session, StoreUnavailable, Turn, run_turn

CONTENT = load_content("en-US")
TODAY = "2026-11-26"


class DictEffects:
    """The core's Effects over a dict of records, as a platform without Alexa would keep them;
    `reminders` is what the platform can do. Reminders are kept in a list, in the order set."""

    def __init__(self, reminders: bool = True, broken: bool = False):
        self.capabilities = Capabilities(reminders=reminders)
        self.record: dict = {}
        self.reminders: list = []
        self.broken = broken

    def read_record(self) -> Mapping:
        if self.broken:
            raise StoreUnavailable("the disk is full")
        return dict(self.record)

    def remember_visit(self, state: ScreenState) -> str:
        self.record = records.add_visit(self.record, state.today, state.outcome, state.trend,
                                        state.episode_start)
        return OK

    def create_reminder(self, content, state: ScreenState, review_date: str) -> str:
        self.reminders.append(("review", review_date, content.memory["reminder_text"]))
        return OK

    def start_watch(self, content, state: ScreenState, until: str) -> str:
        self.reminders.append(("daily", until, content.daily_watch["reminder_text"]))
        self.record = records.with_watch(self.record, until, f"daily-{len(self.reminders)}")
        return OK

    def forget_user(self) -> str:
        if not self.record:
            return NOTHING_STORED
        self.record, self.reminders = {}, []
        return OK


class Adapter:
    """The least a platform adapter does: keep the state between turns, hand the core events."""

    def __init__(self, effects: DictEffects, memory_enabled: bool = True, today: str = TODAY):
        self.effects, self.memory_enabled, self.today = effects, memory_enabled, today
        self.stored: Optional[dict] = None
        self.turns: list = []

    def say(self, event) -> Turn:
        turn = run_turn(CONTENT, Session(self.stored, lambda: self.today, self.memory_enabled), event,
                        self.effects)
        self.stored = None if turn.prompt.end_session or turn.state is None \
            else turn.state.to_dict()
        self.turns.append(turn)
        return turn


def clean_screen_to_the_wrap_up(adapter: Adapter) -> Turn:
    """No to every question, "next" through the tips: the turn that starts the wrap-up."""
    turn = adapter.say(Event.LAUNCH)
    while turn.state.outcome is None:
        turn = adapter.say(Event.NO)
    assert turn.state.outcome == "self_care"
    while turn.state.wrap_up is None:
        turn = adapter.say(Event.NEXT)
    return turn


def test_a_clean_screen_with_memory_consent_keeps_the_visit_in_the_adapters_store():
    effects = DictEffects()
    adapter = Adapter(effects)
    turn = clean_screen_to_the_wrap_up(adapter)
    assert turn.state.wrap_up == "consent"
    assert turn.prompt.speech[-1] == CONTENT.memory["consent_question"]
    assert effects.record == {}                      # nothing kept before a yes
    turn = adapter.say(Event.YES)
    assert effects.record["visits"] == [{"date": TODAY, "outcome": "self_care", "trend": None}]
    assert CONTENT.memory["remembered"] in turn.prompt.speech
    assert turn.state.wrap_up == "reminder"          # this platform can remind: offered
    assert turn.prompt.speech[-1] == CONTENT.memory["reminder_offer"]
    turn = adapter.say(Event.YES)
    review = (date.fromisoformat(TODAY) + timedelta(days=timeline.REVIEW_AFTER_DAYS)).isoformat()
    assert effects.reminders == [("review", review, CONTENT.memory["reminder_text"])]
    assert turn.state.wrap_up == "watch"             # remembered and self-care: the watch too
    turn = adapter.say(Event.YES)
    assert [kind for kind, _, _ in effects.reminders] == ["review", "daily"]
    assert records.watch_until(effects.record) == review
    assert turn.prompt.end_session and turn.state.wrap_up == "done"


def test_a_platform_without_reminders_is_offered_neither_the_reminder_nor_the_watch():
    effects = DictEffects(reminders=False)
    adapter = Adapter(effects)
    clean_screen_to_the_wrap_up(adapter)
    turn = adapter.say(Event.YES)                    # consent: the visit is still kept
    assert effects.record["visits"][0]["outcome"] == "self_care"
    assert CONTENT.memory["remembered"] in turn.prompt.speech
    assert CONTENT.memory["reminder_offer"] not in turn.prompt.speech
    assert CONTENT.daily_watch["offer"] not in turn.prompt.speech
    assert turn.prompt.end_session and turn.state.wrap_up == "done"
    assert turn.prompt.speech[-1] == CONTENT.speech["advice_end"]
    assert effects.reminders == []
    said = [text for each in adapter.turns for text in each.prompt.speech]
    assert CONTENT.memory["reminder_offer"] not in said


@pytest.mark.parametrize("can_remind", [True, False])
def test_where_nothing_is_remembered_the_reminder_is_offered_only_if_the_platform_can(can_remind):
    """Memory off: the wrap-up starts at the reminder's offer, which the capability decides."""
    effects = DictEffects(reminders=can_remind)
    turn = clean_screen_to_the_wrap_up(Adapter(effects, memory_enabled=False))
    assert turn.state.consent == "off"
    offered = turn.prompt.speech[-1] == CONTENT.memory["reminder_offer"]
    assert offered is can_remind
    assert turn.prompt.end_session is not can_remind
    assert effects.record == {}


def test_set_a_reminder_on_a_platform_without_reminders_sets_nothing_and_says_so():
    effects = DictEffects(reminders=False)
    adapter = Adapter(effects, memory_enabled=False)
    clean_screen_to_the_wrap_up(adapter)
    adapter.stored = dict(adapter.turns[-1].state.to_dict())
    turn = adapter.say(Event.SET_REMINDER)
    assert effects.reminders == []
    assert CONTENT.memory["reminder_failed"] in turn.prompt.speech


def test_a_yes_to_the_first_cauda_equina_question_is_the_emergency_at_once():
    effects = DictEffects()
    adapter = Adapter(effects)
    adapter.say(Event.LAUNCH)
    turn = adapter.say(Event.YES)
    assert turn.state.outcome == "emergency"
    assert turn.prompt.speech[0] == CONTENT.outcomes["emergency"].speech[0]
    assert effects.record == {} and effects.reminders == []   # consent was never asked


def test_a_lead_is_said_first_except_before_the_emergency():
    adapter = Adapter(DictEffects())
    adapter.say(Event.LAUNCH)
    session = Session(adapter.stored, lambda: TODAY, True)
    repeat = run_turn(CONTENT, session, Event.REPEAT, adapter.effects, lead="That was stale.")
    assert repeat.prompt.speech[0] == "That was stale."
    emergency = run_turn(CONTENT, session, Event.YES, adapter.effects, lead="That was stale.")
    assert emergency.prompt.speech[0] == CONTENT.outcomes["emergency"].speech[0]


def test_an_unreadable_store_says_so_and_screens_without_memory():
    adapter = Adapter(DictEffects(broken=True))
    turn = adapter.say(Event.LAUNCH)
    assert turn.prompt.speech[0] == CONTENT.memory["recall_failed"]
    assert turn.state.consent == "off"


def test_a_tampered_state_restarts_the_screen_with_a_notice():
    adapter = Adapter(DictEffects())
    adapter.say(Event.LAUNCH)
    adapter.stored = {**adapter.stored, "outcome": "self_care"}   # skips every question
    turn = adapter.say(Event.NO)
    assert turn.prompt.speech[0] == CONTENT.speech["restart_notice"]
    assert turn.state.outcome is None and turn.state.answers == ()


def test_a_region_without_content_gets_the_refusal_and_nothing_is_kept():
    from dataclasses import replace
    elsewhere = replace(CONTENT, serves_region=False)
    effects = DictEffects()
    turn = run_turn(elsewhere, Session(None, lambda: TODAY, True), Event.LAUNCH, effects)
    assert turn.state is None and turn.prompt.end_session
    assert turn.prompt.speech == (CONTENT.speech["region_not_supported"],)


def test_forget_me_goes_through_the_effects():
    effects = DictEffects()
    effects.record = records.add_visit({}, TODAY, "self_care", None, None)
    turn = Adapter(effects).say(Event.FORGET)
    assert effects.record == {} and turn.prompt.speech[0] == CONTENT.memory["forgotten"]


def test_a_kept_state_keeps_its_day_and_the_clock_is_read_only_for_a_new_one():
    """A session that runs past midnight stays on the day it began (the review date it says)."""
    adapter = Adapter(DictEffects())
    adapter.say(Event.LAUNCH)
    reads = []

    def clock():
        reads.append(1)
        return "2026-11-27"

    turn = run_turn(CONTENT, Session(adapter.stored, clock, True), Event.NO, adapter.effects)
    assert turn.state.today == TODAY and reads == []
    turn = run_turn(CONTENT, Session(None, clock, True), Event.LAUNCH, adapter.effects)
    assert turn.state.today == "2026-11-27" and reads == [1]


# --- the whole conversation: patient or clinician (conversation/converse.py) ------------------

class DictExams:
    """An ExamPlace over a dict: one device's kept exam."""

    def __init__(self):
        self.kept = None

    def load(self, clinical):
        return self.kept

    def keep(self, clinical, state):
        self.kept = state if state.section == "exam" else None

    def drop(self):
        self.kept = None


class Conversation:
    """What a second platform keeps for one conversation: the mapping converse() returns."""

    def __init__(self, exams=None):
        self.kept: dict = {}
        self.new = True
        self.exams = exams

    def say(self, event) -> Exchange:
        exchange = converse(CONTENT, self.kept, self.new, event, lambda: TODAY, False,
                            DictEffects(), self.exams)
        self.kept, self.new = exchange.kept, exchange.prompt.end_session
        return exchange


def test_clinician_mode_runs_through_the_same_seam_without_alexa():
    conversation = Conversation()
    entered = conversation.say(EnterClinicianMode())
    assert entered.clinician is not None and "clinician" in conversation.kept
    assert "screen" not in conversation.kept
    exam = conversation.say(ClinicalTopic("exam"))
    assert exam.clinician.section == "exam" and exam.prompt.reprompt


def test_a_patient_emergency_is_not_softened_by_asking_for_clinician_mode():
    conversation = Conversation()
    conversation.say(Event.LAUNCH)
    emergency = conversation.say(Event.YES)   # the first question is a cauda equina sign
    assert emergency.screen.outcome == "emergency"
    asked = conversation.say(EnterClinicianMode())
    assert asked.clinician is None and asked.screen.outcome == "emergency"
    assert "{emergency_number}" in asked.prompt.speech[0]   # the action, first


def test_an_exam_kept_on_an_ended_conversation_resumes_on_the_next():
    exams = DictExams()
    conversation = Conversation(exams)
    conversation.say(EnterClinicianMode())
    conversation.say(ClinicalTopic("exam"))
    end_conversation(CONTENT, conversation.kept, exams)   # silence: the platform ended it
    assert exams.kept is not None and exams.kept.section == "exam"
    resumed = Conversation(exams).say(Event.LAUNCH)
    assert resumed.clinician is not None and resumed.kept.get("resumed") is True
