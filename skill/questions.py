"""Which question comes next and what the answers decide: the rules of the screen, as pure
functions of the content and the session's state. triage.py holds the conversation around
them; stored_state.py uses them to refuse a stored outcome its answers do not support."""
from __future__ import annotations

from typing import Optional

from skill.content import Content, Question
from skill.state import POSITIVE, ScreenState


def questions_for(content: Content, mode: str) -> tuple:
    """A first visit asks the whole screen; a check-in asks the cauda equina questions again,
    then the other red flags in one question."""
    return content.check_in_questions if mode == "check_in" else content.screen_questions


def next_question(content: Content, state: ScreenState) -> Optional[Question]:
    """The next unanswered question, or None when the answers already decide the outcome."""
    if outcome_for(content, state) is not None:
        return None
    if state.mode == "check_in" and state.trend is None:   # the trend question comes first
        return None
    return first_unanswered(content, state)


def question_in_hand(content: Content, state: ScreenState) -> Optional[Question]:
    """The question a yes or no would answer now: a detour (a question asked out of turn), or
    the screen's next one; None at the trend question, the advice and the offers after it."""
    if state.detour is not None:
        return content.question(state.detour)
    return next_question(content, state) if state.outcome is None else None


def first_unanswered(content: Content, state: ScreenState) -> Optional[Question]:
    given = dict(state.answers)
    for question in questions_for(content, state.mode):
        if given.get(question.id) is None:
            return question
    return None


def outcome_for(content: Content, state: ScreenState) -> Optional[str]:
    """The outcome the answers decide, or None while questions that matter remain, in this
    order: any positive cauda equina answer is an emergency, whatever else is missing; every
    cauda equina question is answered before anything less (they come first); then any other
    positive answer, or a check-in's "worse", is urgent; all asked and all "no" is self-care."""
    given = dict(state.answers)
    unanswered = False
    for question in content.emergency_questions:
        answer = given.get(question.id)
        if answer is None:
            unanswered = True
        elif answer in POSITIVE:
            return "emergency"
    if unanswered:
        return None
    if state.mode == "check_in" and state.trend is None:
        return None
    if not POSITIVE.isdisjoint(given.values()) or state.trend == "worse":
        return "urgent"
    if any(question.id not in given for question in questions_for(content, state.mode)):
        return None
    return "self_care"


def advice_chunks(content: Content, state: ScreenState) -> tuple:
    """The advice read for the state's outcome; a check-in with no red flag has its own."""
    if state.mode == "check_in" and state.outcome == "self_care":
        return content.advice_for("check_in")
    return content.advice_for(state.outcome)
