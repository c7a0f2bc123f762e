"""Which question comes next and what the answers decide: the rules of the screen, as pure
functions of the content and the session's state. triage.py holds the conversation around
them; stored_state.py uses them to refuse a stored outcome its answers do not support."""
from __future__ import annotations

from typing import Optional

from skill.content.loader import Content, Question
from skill.conversation.state import POSITIVE, ScreenState

# The outcomes that send the person to a doctor and then offer the self-care tips: today
# (urgent) and within a few days (soon). Emergency ends the session; self-care reads the tips.
REFERRALS = ("urgent", "soon")


def questions_for(content: Content, mode: str) -> tuple:
    """A first visit asks the whole screen; a check-in asks the cauda equina questions again,
    then the other red flags in one question."""
    if mode == "daily_check":   # the daily watch's own few (daily_check.py)
        return content.daily_check_questions
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
    cauda equina question is answered before anything less (they come first); then a positive
    answer to an urgent question, or a check-in's "worse", is urgent, and a positive answer to
    a "soon" question is soon, each once no question left could send the person somewhere
    more demanding (a sign volunteered out of turn does not skip them); all asked and all "no"
    is self-care."""
    given = dict(state.answers)
    unanswered = False
    for question in content.emergency_questions:
        answer = given.get(question.id)
        if answer is None:
            # The daily check waits only for its own questions; a sign it does not ask is still
            # the emergency when reported.
            unanswered = unanswered or state.mode != "daily_check" or \
                question in content.daily_check_questions
        elif answer in POSITIVE:
            return "emergency"
    if unanswered:
        return None
    if state.mode == "check_in" and state.trend is None:
        return None
    reached = positive_outcomes(content, state)
    unasked = [q for q in questions_for(content, state.mode) if q.id not in given]
    if "urgent" in reached or state.trend == "worse":
        routes = list(content.outcomes["urgent"].routes)
        place = _route_rank(routes, urgent_route(content, state))
        more_demanding = any(q.outcome_if_yes == "urgent" and _route_rank(routes, q.route) < place
                             for q in unasked)
        return None if more_demanding else "urgent"
    if "soon" in reached:
        return None if any(q.outcome_if_yes == "urgent" for q in unasked) else "soon"
    # The daily check's all clear is not the self-care result: it has its own words.
    return None if unasked or state.mode == "daily_check" else "self_care"


def positive_outcomes(content: Content, state: ScreenState) -> set:
    """The outcomes if yes of the questions answered yes, not sure, or reported so far."""
    return {content.question(question_id).outcome_if_yes
            for question_id, answer in state.answers if answer in POSITIVE}


def _route_rank(routes: list, route: Optional[str]) -> int:
    """How demanding a place is: its position among the routes; the same-day doctor last."""
    return routes.index(route) if route in routes else len(routes)


# Advice on the card only: the warning signs are spoken with every result (issue 17), so the
# tips do not say them again; the card keeps the full list.
CARD_ONLY_ADVICE = ("safety_net",)


def advice_chunks(content: Content, state: ScreenState) -> tuple:
    """The advice read aloud for the state's outcome; a check-in with no red flag has its own."""
    return tuple(chunk for chunk in card_advice(content, state)
                 if chunk.id not in CARD_ONLY_ADVICE)


def card_advice(content: Content, state: ScreenState) -> tuple:
    """The advice on the card for the state's outcome: the spoken tips and the safety net."""
    if state.mode == "check_in" and state.outcome == "self_care":
        return content.advice_for("check_in")
    return content.advice_for(state.outcome)


def urgent_route(content: Content, state: ScreenState) -> Optional[str]:
    """Where the urgent outcome sends the person today: of the routes the positive urgent
    answers name, the first in the content's order (the most demanding: the emergency
    department before a same-day doctor). None: the outcome's own first sentence."""
    named = {content.question(question_id).route for question_id, answer in state.answers
             if answer in POSITIVE and content.question(question_id).outcome_if_yes == "urgent"}
    return next((route for route in content.outcomes["urgent"].routes if route in named), None)


def outcome_speech(content: Content, state: ScreenState, outcome: str) -> tuple:
    """An outcome's words for these answers: the action (the urgent outcome's is its route's,
    where the answers name one), then the reason: the help of the question that decided it
    (issue 17: the reason, not a generic one), then the rest."""
    speech = content.outcomes[outcome].speech
    route = urgent_route(content, state) if outcome == "urgent" else None
    action = content.outcomes[outcome].routes[route] if route else speech[0]
    deciding = deciding_question(content, state, outcome)
    reason = deciding.help if deciding is not None else speech[1]
    return (action, reason) + speech[2:]


def deciding_question(content: Content, state: ScreenState, outcome: str) -> Optional[Question]:
    """The first positive answer, in screen order, whose question set this referral and its
    route; None for the other outcomes, or a check-in's "worse" with no sign."""
    if outcome not in REFERRALS:
        return None
    route = urgent_route(content, state) if outcome == "urgent" else None
    for question_id, answer in state.answers:
        question = content.question(question_id)
        if answer in POSITIVE and question.outcome_if_yes == outcome and question.route == route:
            return question
    return None
