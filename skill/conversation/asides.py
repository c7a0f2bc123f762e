"""What people say beside an answer: "go back", "okay, thanks", "that doesn't apply to me",
"what number?", "set a reminder" (issue 17: no dead ends). Each gets a few words that help,
then what the person was asked; none is ever taken as an answer, and none lowers what the
answers so far mean. Pure, like triage: the emergency is handled before any of this."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Tuple

from skill.conversation import timeline
from skill.content.loader import Content
from skill.conversation.questions import REFERRALS, outcome_speech, question_in_hand, questions_for
from skill.conversation.state import CREATE_REMINDER, NO, Prompt, Event, ScreenState

Ask = Callable[..., Prompt]                        # triage._ask
CurrentPrompt = Callable[[Content, ScreenState], Prompt]
ASIDES = (Event.GO_BACK, Event.THANKS, Event.NOT_APPLICABLE, Event.WHERE, Event.SET_REMINDER)


def on_aside(content: Content, state: ScreenState, event: Event, ask: Ask,
             current_prompt: CurrentPrompt) -> Tuple[ScreenState, Prompt]:
    speech = content.speech
    in_hand = question_in_hand(content, state)
    if event == Event.WHERE and state.wrap_up == "done":
        return state, current_prompt(content, state)   # the goodbye: the action, last
    if event == Event.WHERE:
        return state, _lead(_again(content, state, current_prompt), _where(content, state))
    if event == Event.GO_BACK:
        return _go_back(content, state, ask, current_prompt)
    if event == Event.NOT_APPLICABLE and in_hand is not None:
        if in_hand.not_applicable:   # the same sign, asked so it fits anyone
            return state, ask(content, in_hand, text=in_hand.not_applicable, state=state)
        return state, ask(content, in_hand, lead=speech["answer_needed"], state=state)
    if event == Event.SET_REMINDER:
        return _set_reminder(content, state, current_prompt)
    # "Okay, thanks", or "doesn't apply" with no question in hand: what was asked, again.
    lead = (speech["thanks_reply"],) if event == Event.THANKS else ()
    if in_hand is not None:
        lead += (speech["answer_needed"],)
    return state, _lead(_again(content, state, current_prompt), *lead)


def _again(content: Content, state: ScreenState, current_prompt: CurrentPrompt) -> Prompt:
    """What the person was asked, in short: at the offer after a referral, the offer alone
    (not the whole outcome); during the tips, how to go on; else the question in hand."""
    in_advice = state.outcome in REFERRALS + ("self_care",) and state.wrap_up is None \
        and state.detour is None
    if in_advice and state.advice_index is None:
        outcome = content.outcomes[state.outcome]
        return Prompt((outcome.offer,), reprompt=(outcome.offer_reprompt,))
    if in_advice:
        return Prompt((content.speech["advice_reprompt"],),
                      reprompt=(content.speech["advice_reprompt"],))
    return current_prompt(content, state)


def _where(content: Content, state: ScreenState) -> str:
    """Where to go, for the answers so far: before a result, the emergency number."""
    if state.outcome in REFERRALS:
        return outcome_speech(content, state, state.outcome)[0]
    if state.outcome == "self_care":
        return content.speech["result_warning"]
    return content.speech["where_to_go"]


def _go_back(content: Content, state: ScreenState, ask: Ask, current_prompt: CurrentPrompt):
    """The previous question again, its answer cleared, if that answer was a no: going back
    can only ever raise what the answers mean. Only in the screen's own order."""
    speech = content.speech
    in_hand = question_in_hand(content, state)
    if state.outcome is not None or state.detour is not None or in_hand is None:
        return state, _lead(current_prompt(content, state), speech["cannot_go_back"])
    order = questions_for(content, state.mode)
    position = order.index(in_hand)
    if position == 0:
        return state, _lead(current_prompt(content, state), speech["first_question"])
    previous = order[position - 1]
    if state.answer_to(previous.id) != NO:
        return state, _lead(current_prompt(content, state), speech["answer_kept"])
    answers = tuple(pair for pair in state.answers if pair[0] != previous.id)
    state = replace(state, answers=answers, doubts=0)
    return state, ask(content, previous, lead=speech["went_back"], state=state)


def _set_reminder(content: Content, state: ScreenState, current_prompt: CurrentPrompt):
    """A reminder for the review date once there is one: after a self-care result, or for a
    remembered user (who may be back after turning reminders on). Otherwise, when it can be."""
    review = timeline.review_values(state)
    settled = state.outcome == "self_care" or (state.episode_start and not state.started)
    if settled and review:
        return replace(state, wrap_up="setting_reminder"), Prompt(
            (), effect=CREATE_REMINDER, values=review)
    return state, _lead(current_prompt(content, state), content.speech["reminder_after_questions"])


def _lead(prompt: Prompt, *lead: str) -> Prompt:
    return replace(prompt, speech=tuple(lead) + prompt.speech)
