"""One patient turn, whatever the voice platform: restore the session's state (checked, with a
notice when it had to restart), step the core, carry out its effects through an `Effects` the
adapter gives, and keep the visit. An adapter (alexa/turns.py; a Wyoming one, issue 11) only
turns its platform's request into an event and the returned Prompt into its reply.

Pure like triage.py: no ask-sdk here. What a platform cannot do is a capability the core asks
about (`Capabilities.reminders`): without it, no reminder and no daily watch is offered."""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Callable, Mapping, Optional, Protocol

from skill.content.loader import Content
from skill.conversation import record as records
from skill.conversation import triage
from skill.conversation.daily_check import START_WATCH
from skill.conversation.state import (CREATE_REMINDER, FAILED, FORGET_USER, OK, REMEMBER_VISIT,
                                      EffectResult, Prompt, Event, ScreenState, SymptomReport)

logger = logging.getLogger(__name__)

MAX_EFFECTS_PER_TURN = 3


@dataclass(frozen=True)
class Capabilities:
    """What the platform can do beyond speaking. `reminders`: set a reminder (the review date's,
    the daily watch's); without it the core offers neither."""

    reminders: bool = True


class StoreUnavailable(Exception):
    """Raised by Effects.read_record when the store cannot be read."""


class Effects(Protocol):
    """What the core asks the platform to do in the world, for this user. Each method returns a
    status of state.py (OK, FAILED, NO_PERMISSION, REFUSED, NOTHING_STORED; daily_check's
    NO_REMINDER) and never raises for a failure of the store or the platform: a bug still
    raises."""

    capabilities: Capabilities

    def read_record(self) -> Mapping:
        """The user's stored record ({} when none); raises StoreUnavailable."""

    def remember_visit(self, state: ScreenState) -> str:
        """Add today's visit (state.today, outcome, trend, episode start) to the record."""

    def create_reminder(self, content: Content, state: ScreenState, review_date: str) -> str:
        """A reminder for the review date (ISO), in content's words."""

    def start_watch(self, content: Content, state: ScreenState, until: str) -> str:
        """The daily watch to `until` (ISO): a daily reminder and the watch kept in the record."""

    def forget_user(self) -> str:
        """Delete everything kept about the user (and their reminders)."""


@dataclass(frozen=True)
class Session:
    """What the adapter knows of the session: the state it kept (None: a new session, or none
    kept), the adapter's clock (today's ISO date; read only when a new state starts, as a kept
    state carries its day) and whether this deployment may remember."""

    stored: Optional[Mapping]
    today: Callable[[], str]
    memory_enabled: bool


@dataclass(frozen=True)
class Turn:
    """The turn's result: the state to keep for the next turn (None: keep nothing) and what to
    say; `before` is the state the turn started from (for a screen's touch offer)."""

    state: Optional[ScreenState]
    prompt: Prompt
    before: Optional[ScreenState] = None


def region_prompt(content: Content) -> Optional[Prompt]:
    """The whole answer for a region without content of its own (the cauda equina signs and
    "your local emergency number", never another region's number), or None."""
    if content.serves_region:
        return None
    return Prompt((content.speech["region_not_supported"],), end_session=True)


def run_turn(content: Content, session: Session, event, effects: Effects,
             lead: Optional[str] = None) -> Turn:
    """`lead`: words to say first (a stale touch on a screen), unless the answer is the
    emergency, whose action always comes first."""
    refused = region_prompt(content)
    if refused is not None:
        return Turn(None, refused)
    state, notice = restore_state(content, session, effects)
    state = replace(state, can_remind=effects.capabilities.reminders)
    before = state
    if notice is not None and not isinstance(event, SymptomReport) and event != Event.STOP:
        # The user may have missed the welcome: say what happened, then the welcome.
        state, prompt = triage.begin(content, state)
        prompt = replace(prompt, speech=(notice,) + prompt.speech)
    else:
        state, prompt = triage.step(content, state, event)
    spoken, keep_visit = (), prompt.keep_visit
    for _ in range(MAX_EFFECTS_PER_TURN):
        if prompt.effect is None:
            break
        result = run_effect(content, state, prompt.effect, dict(prompt.values), effects)
        spoken += prompt.speech
        state, prompt = triage.step(content, state, result)
        keep_visit = keep_visit or prompt.keep_visit
    if keep_visit and effects.remember_visit(state) != OK:
        logger.warning("today's visit was not kept")
        if state.outcome != "emergency":
            # They agreed to be remembered: say it was not kept (issue 18), after the advice.
            # An emergency instruction gets no word added: nothing may soften it.
            prompt = replace(prompt, speech=_before_question(
                prompt, content.memory["save_failed"]))
    if spoken:
        prompt = replace(prompt, speech=spoken + prompt.speech)
    if lead is not None and state.outcome != "emergency":
        prompt = replace(prompt, speech=(lead,) + prompt.speech)
    return Turn(state, prompt, before)


def _before_question(prompt: Prompt, notice: str) -> tuple:
    """The prompt's speech with `notice` at the end, or before its last part when that part is
    the question the person is to answer."""
    if prompt.end_session or not prompt.speech:
        return prompt.speech + (notice,)
    return prompt.speech[:-1] + (notice, prompt.speech[-1])


def run_effect(content: Content, state: ScreenState, effect: str, values: Mapping[str, str],
               effects: Effects) -> EffectResult:
    if effect == REMEMBER_VISIT:
        return EffectResult(effect, effects.remember_visit(state))
    if effect == FORGET_USER:
        return EffectResult(effect, effects.forget_user())
    if effect in (CREATE_REMINDER, START_WATCH):
        review = values.get("review_date")
        if not review or not effects.capabilities.reminders:
            return EffectResult(effect, FAILED)
        if effect == CREATE_REMINDER:
            return EffectResult(effect, effects.create_reminder(content, state, review))
        return EffectResult(effect, effects.start_watch(content, state, review))
    return EffectResult(effect, FAILED)


def restore_state(content: Content, session: Session, effects: Effects):
    """The session's state and a notice to say first, if any. A state we can't trust restarts
    the screen (with a notice) rather than guessing."""
    if session.stored is None:
        return new_session_state(content, session, effects)
    try:
        return triage.state_from_dict(content, session.stored), None
    except triage.InvalidState as problem:
        logger.warning("restarting the screen: stored state refused (%s)", problem)
        state, _ = new_session_state(content, session, effects)
        return state, content.speech["restart_notice"]


def new_session_state(content: Content, session: Session, effects: Effects):
    stored, read_failed = None, False
    if session.memory_enabled:
        try:
            stored = effects.read_record()
        except StoreUnavailable:   # a broken store must never break the screen
            logger.exception("could not read the user's record")
            read_failed = True
    today = session.today()
    start = records.session_start(stored, today, session.memory_enabled, read_failed)
    notice = content.memory["recall_failed"] if start.recall_failed else None
    return triage.initial_state(today, start.consent, start.episode_start), notice
