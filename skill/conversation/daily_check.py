"""The daily watch for the first weeks (hazard log H31): with consent, a short check of the key
cauda equina signs each day until the review date, started by a daily Alexa reminder ("ask
sciatica check for my daily check").

Two parts, both pure like triage.py (no ask-sdk here):
- the offer, after the review reminder's, for a person who agreed to be remembered, at the
  first screen of an episode with a self-care result: only a clear yes sets it up (the
  effect START_WATCH: a recurring reminder, and the watch's last day kept in the record);
- the daily check: the content's `daily_watch.questions` (bladder, saddle, bowel, then the
  read-back), each asked in full, with the screen's own rules, since the conversation runs
  through triage.step in mode "daily_check": a yes, or "not sure" twice, is the emergency at
  once; an answer it cannot place is asked again, then counts as "not sure"; a sign it does
  not ask, said in the person's own words, is asked or is the emergency as on the screen. All
  "no" is the all clear, the warning signs and "I'll ask again tomorrow".

Why the read-back too: a misheard "no" is the worst failure of a spoken check (H01, H02), and
its one question also names the two signs the daily check does not ask one by one (both legs,
sex). One turn more, on a check of four turns.

Outside the watch (none stored, memory off, or after its last day) "my daily check" runs the
full check instead: the screen, or a remembered person's check-in."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Optional, Tuple

from skill.conversation import timeline
from skill.conversation.offers import answer_to_offer
from skill.content.loader import Content
from skill.conversation.state import (NO_PERMISSION, OK, REFUSED, REMINDERS_PERMISSION, Card,
                                      EffectResult, Event, Prompt,
                                      ScreenState)

DAILY_CHECK = "daily_check"   # the session's mode during a daily check
START_WATCH = "start_watch"   # the effect: set the daily reminder and keep the watch
# START_WATCH's status when the watch is kept but the reminder API failed (not a permission
# problem): the person can still ask for the check each day.
NO_REMINDER = "no_reminder"

Goodbye = Callable[..., Tuple[ScreenState, Prompt]]


@dataclass(frozen=True)
class DailyCheck:
    """The person asked for the daily check. `watch_until` is the stored watch's last day (ISO
    date), as the adapter read it: None when no watch is stored or nothing can be read."""

    watch_until: Optional[str] = None


# --- the offer, after the review reminder's ------------------------------------------------

def offers_watch(state: ScreenState) -> bool:
    """The watch is for the first weeks of an episode, for someone who agreed to be
    remembered (its end date and reminder are kept), after a self-care result."""
    return (state.can_remind and state.outcome == "self_care" and state.consent == "remembered"
            and state.mode == "screen" and bool(timeline.review_values(state)))


def offer(content: Content, state: ScreenState, lead: tuple = ()) -> Tuple[ScreenState, Prompt]:
    prompt = offer_prompt(content, state)
    return replace(state, wrap_up="watch"), replace(prompt, speech=lead + prompt.speech)


def offer_prompt(content: Content, state: ScreenState) -> Prompt:
    texts = content.daily_watch
    return Prompt((texts["offer"],), reprompt=(texts["offer_reprompt"],),
                  values=timeline.review_values(state))


def on_offer_event(content: Content, state: ScreenState, event: Event, goodbye: Goodbye):
    """Only a clear yes sets it up; no, or not sure, says goodbye."""
    return answer_to_offer(
        state, event, offer_prompt(content, state),
        accept=lambda: (replace(state, wrap_up="setting_watch"),
                        Prompt((), effect=START_WATCH, values=timeline.review_values(state))),
        decline=lambda: goodbye(content, state))


def on_watch_started(content: Content, state: ScreenState, result: EffectResult,
                     goodbye: Goodbye):
    """What setting up the watch came to. Kept without its reminder, the person hears how to
    ask for the check each day (and, lacking the permission, gets the permissions card)."""
    texts = content.daily_watch
    kept = {OK: "created", NO_PERMISSION: "needs_permission", REFUSED: "needs_permission",
            NO_REMINDER: "reminder_failed"}.get(result.status)
    if kept is None:
        return goodbye(content, state, (texts["save_failed"],))
    # A check a day is no reason to wait with a sign that appears in between (hazard log H31).
    state, prompt = goodbye(content, state, (texts[kept], texts["between_checks"]))
    return state, replace(prompt, permission_needed=REMINDERS_PERMISSION if kept == "needs_permission" else None)


# --- the daily check ---------------------------------------------------------------------

def can_start(state: ScreenState) -> bool:
    """Whether "my daily check" can start now: at the start of a session, or where nothing has
    been answered yet (the welcome, the check-in's first question). Mid-screen it is not an
    answer to the question in hand, and is treated as words that could not be placed."""
    return not state.started or (state.outcome is None and not state.answers and
                                 state.detour is None and state.trend is None and
                                 state.doubts == 0)


def not_running(content: Content, state: ScreenState, event: DailyCheck) -> Optional[str]:
    """Why the daily check cannot run today (said before the full check), or None."""
    if event.watch_until is None:
        return content.daily_watch["not_set_up"]
    try:
        days_left = timeline.days_between(state.today, event.watch_until)
    except (TypeError, ValueError):   # no clock or a date it cannot read: the full check
        return content.daily_watch["not_set_up"]
    return content.daily_watch["ended"] if days_left < 0 else None


def daily_state(state: ScreenState) -> ScreenState:
    """A fresh daily check, keeping what the session knows about the person and the day."""
    return ScreenState(started=True, mode=DAILY_CHECK, today=state.today, consent=state.consent,
                       episode_start=state.episode_start, can_remind=state.can_remind)


def all_clear(content: Content, state: ScreenState) -> Tuple[ScreenState, Prompt]:
    """Every question answered no: the all clear, the warning signs in a sentence of their own
    (the card keeps them in the Alexa app), and when the watch asks again. The session ends,
    and the state goes back to before the check, so nothing said later can carry on from it."""
    texts = content.daily_watch
    closing = texts["last_day"] if _is_last_day(state) else texts["again_tomorrow"]
    speech = (texts["all_clear"], content.speech["result_warning"], closing)
    card = Card(content.speech["warning_signs_title"], (content.advice_by_id["safety_net"].text,))
    return ScreenState(today=state.today, consent=state.consent, episode_start=state.episode_start), \
        Prompt(speech, end_session=True, card=card)


def _is_last_day(state: ScreenState) -> bool:
    # The watch ends at the episode's first review date (it is offered at the episode's first
    # screen, whose review date is that): the same day the check-in's advice turns to a review.
    try:
        return timeline.days_between(state.episode_start, state.today) >= \
            timeline.REVIEW_AFTER_DAYS
    except (TypeError, ValueError):
        return False
