"""The emergency outcome and what follows it (hazard log H32): a teach-back, then a handover.

Every turn of this path says the action first and last. The emergency answer ends on one
teach-back question that is itself the action ("can someone take you to the emergency room
now, or will you call 911?"), so it costs a few words, not a turn. Whatever comes back gets one
turn: the action, the handover sentence to read to the dispatcher or the triage nurse (their
age, that they have sciatica, the signs they reported, when that began), the action again. No
second question: the session stays open only for "repeat", and the reprompt is the action.

Which action: a yes (someone can take them, or they will go), or a request to hear it again,
keeps both choices, going or calling. A no, a "not sure" and anything the skill cannot place
("nobody can take me", "I live alone", "I'll call", "what number?") get the call: it is right
whether or not someone can take them, and it never leaves a person alone to drive.

"Stop" after the emergency is the action once more, then the session ends. Pure, like triage:
no ask-sdk, and nothing is stored (the handover is built from the session's answers).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Tuple

from skill.content.loader import Content, fill
from skill.conversation.state import (CALL_NOW, HANDED_OVER, NOT_SURE, REPORTED, YES, Card, AnyEvent,
                                      Prompt, Event, ScreenState)

# The replies after which both choices stand: the rest may mean nobody can take the person.
KEEPS_BOTH_CHOICES = frozenset({Event.YES, Event.REPEAT, Event.HELP, Event.NEXT, Event.LAUNCH,
                                Event.START_OVER, Event.FORGET})
MAX_SIGNS = 3   # a spoken list holds at most three items


def emergency_answer(content: Content, state: ScreenState) -> Prompt:
    """The action first; the reason in honest words (a sign reported, or an answer that could
    not be made sure of); not to drive; where the card is; then the teach-back question, which
    is the action asked. Silence gets the handover turn as the reprompt."""
    outcome = content.outcomes["emergency"]
    action = outcome.speech[:1]
    reason = (content.speech["unsure_of_sign"],) if only_unsure(content, state) \
        else outcome.speech[1:2]
    said = action + reason + outcome.speech[2:]
    return Prompt(said + (content.speech["emergency_card"], content.handover["question"]),
                  reprompt=handover_turn(content, state, HANDED_OVER).speech,
                  card=Card(outcome.card_title, said + (handover_text(content, state),)))


def after_emergency(content: Content, state: ScreenState,
                    event: AnyEvent) -> Tuple[ScreenState, Prompt]:
    """Any event once the emergency is said: the outcome never changes."""
    if event == Event.STOP:   # the action once more, then the phone
        return state, Prompt(content.outcomes["emergency"].speech[:1], end_session=True)
    calls = state.wrap_up == CALL_NOW or event not in KEEPS_BOTH_CHOICES
    said = CALL_NOW if calls else HANDED_OVER
    return replace(state, wrap_up=said), handover_turn(content, state, said)


def current(content: Content, state: ScreenState) -> Prompt:
    """What was last said on this path, rebuilt from the state."""
    if state.wrap_up in (HANDED_OVER, CALL_NOW):
        return handover_turn(content, state, state.wrap_up)
    return emergency_answer(content, state)


def handover_turn(content: Content, state: ScreenState, said: str) -> Prompt:
    """The action, the handover sentence, the action: `said` is HANDED_OVER (go or call, the
    emergency's own action) or CALL_NOW (call, don't drive)."""
    outcome = content.outcomes["emergency"]
    action = outcome.speech[0] if said == HANDED_OVER else content.handover["call_now"]
    handover = handover_text(content, state)
    return Prompt((action, handover, action), reprompt=(action,),
                  card=Card(outcome.card_title, (action, handover)))


def handover_text(content: Content, state: ScreenState) -> str:
    """What to tell the dispatcher or the triage nurse: the signs the person reported, or, if
    the emergency rests only on doubt, the ones they were unsure of, with "may"."""
    answers = [(question.id, state.answer_to(question.id))
               for question in content.emergency_questions]
    sure = [question_id for question_id, answer in answers if answer in (YES, REPORTED)]
    unsure = [question_id for question_id, answer in answers if answer == NOT_SURE]
    signs = sure or unsure or [content.read_back_question.id]   # a stored emergency, no answers
    template = content.handover["sure" if sure else "unsure"]
    return fill(template, {"signs": _spoken_list(content, signs[:MAX_SIGNS])})


def only_unsure(content: Content, state: ScreenState) -> bool:
    """Whether the emergency rests only on "not sure" or unplaced answers: nobody said yes to
    a cauda equina sign or reported one."""
    return not any(answer in (YES, REPORTED) for question_id, answer in state.answers
                   if content.question(question_id).outcome_if_yes == "emergency")


def _spoken_list(content: Content, question_ids: list) -> str:
    # The loader gives every cauda equina question its sign; content built another way (a
    # review-pack diagram of a proposed question) falls back to the read-back's words.
    general = content.handover_signs[content.read_back_question.id]
    words = list(dict.fromkeys(content.handover_signs.get(question_id, general)
                               for question_id in question_ids))
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + f" {content.handover['and']} " + words[-1]
