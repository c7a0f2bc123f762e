"""What follows the advice: ask once to remember (consent first), remember a returning user's
visit, offer a reminder for the review date, say goodbye. Also "forget me" and "stop",
anywhere.

Pure, like triage: storing, reminding and forgetting are effects the adapter carries out; the
result comes back as an EffectResult and decides what the user hears."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Tuple

from skill.conversation import daily_check, timeline
from skill.conversation.offers import answer_to_offer
from skill.content.loader import Content
from skill.conversation.questions import REFERRALS, outcome_speech, positive_outcomes, question_in_hand
from skill.conversation.state import (CREATE_REMINDER, FORGET_USER, NO_PERMISSION, NOTHING_STORED,
                                      OK, REFUSED, REMEMBER_VISIT, REMINDERS_PERMISSION, Card,
                                      EffectResult, Prompt,
                                      Event, ScreenState)

CurrentPrompt = Callable[[Content, ScreenState], Prompt]


def start(content: Content, state: ScreenState) -> Tuple[ScreenState, Prompt]:
    # A user who agreed on an earlier visit has had today's visit kept already, when the
    # outcome was reached (Prompt.keep_visit).
    if state.consent == "ask":
        return replace(state, wrap_up="consent"), _consent(content)
    return _offer_reminder(content, state)


def current(content: Content, state: ScreenState) -> Prompt:
    if state.wrap_up == "consent":
        return _consent(content)
    if state.wrap_up == "reminder":
        return _reminder_offer(content, state)
    if state.wrap_up == "watch":
        return daily_check.offer_prompt(content, state)
    return _goodbye(content, state)[1]


def on_event(content: Content, state: ScreenState, event: Event, current_prompt: CurrentPrompt):
    memory = content.memory
    if state.wrap_up == "consent":
        if event == Event.YES:
            return replace(state, wrap_up="saving"), Prompt((), effect=REMEMBER_VISIT)
        if event in (Event.NO, Event.NOT_SURE):   # only a clear yes lets us keep anything
            return _offer_reminder(content, replace(state, consent="declined"),
                                   (memory["not_remembered"],))
        if event == Event.HELP:
            return state, Prompt((memory["consent_help"],), reprompt=(memory["consent_reprompt"],))
        return state, _consent(content) if event == Event.REPEAT else Prompt(
            (memory["consent_reprompt"],), reprompt=(memory["consent_reprompt"],))
    if state.wrap_up == "reminder":
        return answer_to_offer(
            state, event, _reminder_offer(content, state),
            accept=lambda: (replace(state, wrap_up="setting_reminder"),
                            Prompt((), effect=CREATE_REMINDER,
                                   values=timeline.review_values(state))),
            decline=lambda: _after_reminder(content, state))
    if state.wrap_up == "watch":
        return daily_check.on_offer_event(content, state, event, _goodbye)
    return _goodbye(content, state)


def on_effect_result(content: Content, state: ScreenState, result: EffectResult,
                     current_prompt: CurrentPrompt):
    memory = content.memory
    if result.effect == FORGET_USER:
        texts = {OK: "forgotten", NOTHING_STORED: "nothing_to_forget"}
        text = memory[texts.get(result.status, "forget_failed")]
        if result.status in texts:
            state = replace(state, consent="off")
        return state, Prompt((text, content.speech["goodbye"]), end_session=True)
    if result.effect == REMEMBER_VISIT and state.wrap_up == "saving":
        if result.status == OK:
            return _offer_reminder(content, replace(state, consent="remembered"),
                                   (memory["remembered"],))
        return _offer_reminder(content, replace(state, consent="off"), (memory["save_failed"],))
    if result.effect == CREATE_REMINDER and state.wrap_up == "setting_reminder":
        if result.status == OK:
            return _after_reminder(content, state, (memory["reminder_created"],))
        if result.status in (NO_PERMISSION, REFUSED):
            state, prompt = _after_reminder(content, state, (memory["reminder_needs_permission"],))
            return state, replace(prompt, permission_needed=REMINDERS_PERMISSION)
        return _after_reminder(content, state, (memory["reminder_failed"],))
    if result.effect == daily_check.START_WATCH and state.wrap_up == "setting_watch":
        return daily_check.on_watch_started(content, state, result, _goodbye)
    return state, current_prompt(content, state)   # a result nobody waits for


def _consent(content: Content) -> Prompt:
    return Prompt((content.memory["consent_question"],),
                  reprompt=(content.memory["consent_reprompt"],))



def _reminder_offer(content: Content, state: ScreenState) -> Prompt:
    return Prompt((content.memory["reminder_offer"],), reprompt=(content.memory["reminder_reprompt"],),
                  values=timeline.review_values(state))


def _offer_reminder(content: Content, state: ScreenState, lead: tuple = ()):
    # Only self-care has a review date to be reminded of: urgent means a doctor today. A
    # platform that cannot set reminders (state.can_remind) is not asked to.
    if state.can_remind and state.outcome == "self_care" and timeline.review_values(state):
        offer = _reminder_offer(content, state)
        return replace(state, wrap_up="reminder"), replace(offer, speech=lead + offer.speech)
    return _goodbye(content, state, lead)


def _after_reminder(content: Content, state: ScreenState, lead: tuple = ()):
    """After the review reminder's offer: the daily watch's, where it fits (daily_check.py),
    one offer more at most; else goodbye."""
    if daily_check.offers_watch(state):
        return daily_check.offer(content, state, lead)
    return _goodbye(content, state, lead)


def _goodbye(content: Content, state: ScreenState, lead: tuple = ()):
    """The last words: after a referral its action again, so it is the last thing heard
    (issue 17: one action, first and last); the warning signs were said with the result."""
    if state.outcome in REFERRALS:
        said = (outcome_speech(content, state, state.outcome)[0], content.speech["referral_end"])
    else:
        said = (content.speech["advice_end" if state.outcome == "self_care" else "goodbye"],)
    return replace(state, wrap_up="done"), Prompt(lead + said, end_session=True,
                                                 values=timeline.review_values(state))


def on_stop(content: Content, state: ScreenState) -> Tuple[ScreenState, Prompt]:
    """What "stop" gets, anywhere but an emergency. Stopping never takes away what the user
    must do (hazard log H03): after a red flag, the place its answers point to; while a cauda
    equina question is unresolved (a "not sure", or an answer that could not be placed), the
    emergency, as the same doubt would be if it were said again: the outcome never depends on
    whether the person stopped or answered."""
    pointed_to = red_flag_outcome(content, state)
    if state.doubts > 0 and \
            getattr(question_in_hand(content, state), "outcome_if_yes", None) == "emergency":
        emergency = content.outcomes["emergency"]
        speech = (content.speech["stop_while_unsure"], emergency.speech[0],
                  content.speech["goodbye"])
        return replace(state, outcome="emergency"), Prompt(
            speech, end_session=True, card=Card(emergency.card_title, speech[:2]))
    if pointed_to is None:
        return state, Prompt((content.speech["goodbye"],), end_session=True)
    speech = outcome_speech(content, state, pointed_to)
    return state, Prompt((content.speech["stop_after_red_flag"], speech[0],
                          content.speech["goodbye"]), end_session=True,
                         card=Card(content.outcomes[pointed_to].card_title, speech))


def red_flag_outcome(content: Content, state: ScreenState):
    """The referral the answers so far point to (urgent or soon), or None: the outcome if
    reached, else the most urgent outcome of a positive answer (a stop can come mid-screen)."""
    if state.outcome in REFERRALS:
        return state.outcome
    reached = positive_outcomes(content, state)
    return next((outcome for outcome in ("urgent", "soon") if outcome in reached), None)
