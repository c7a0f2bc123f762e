"""The values the pure conversation works with: events in, state and prompts out.

No ask-sdk here. A prompt may ask the adapter to do something in the world (an `effect`:
remember the visit, set a reminder, forget the user); the adapter does it and feeds the result
back as an EffectResult event, so every word the user hears is still decided in the core."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional, Tuple, Union

from skill.content.loader import OUTCOMES

STATE_VERSION = 4   # 4: "memory" became "consent", "advice_step" "advice_index" (issue 19)


class Event(str, Enum):
    LAUNCH = "launch"
    YES = "yes"
    NO = "no"
    NOT_SURE = "not_sure"
    UNCLEAR = "unclear"        # Alexa heard something we can't place
    NEXT = "next"
    REPEAT = "repeat"
    HELP = "help"
    START_OVER = "start_over"
    STOP = "stop"
    FORGET = "forget"          # "forget me", "delete my data"
    # Said beside an answer (asides.py): never an answer themselves.
    GO_BACK = "go_back"
    THANKS = "thanks"          # "okay, thanks"
    NOT_APPLICABLE = "not_applicable"   # "I'm a woman", "that doesn't apply to me"
    WHERE = "where"            # "what number?", "where do I go?"
    SET_REMINDER = "set_reminder"


@dataclass(frozen=True)
class SymptomReport:
    """A symptom the user volunteered; symptom_id is None when it could not be resolved.
    `heard` is the person's own words as the platform heard them (Alexa's slot value), read
    by the keyword backstop when the id is missing."""

    symptom_id: Optional[str]
    heard: Optional[str] = None


@dataclass(frozen=True)
class TrendReport:
    """How the pain is since the last check: "better", "same", "worse", or None if unresolved."""

    trend: Optional[str]


REMINDERS_PERMISSION = "reminders"
REMEMBER_VISIT, CREATE_REMINDER, FORGET_USER = "remember_visit", "create_reminder", "forget_user"
EFFECTS = (REMEMBER_VISIT, CREATE_REMINDER, FORGET_USER)
# What an effect came to. NO_PERMISSION and REFUSED only come from reminders; NOTHING_STORED
# only from forgetting.
OK, FAILED, NO_PERMISSION, REFUSED, NOTHING_STORED = (
    "ok", "failed", "no_permission", "refused", "nothing_stored")


@dataclass(frozen=True)
class EffectResult:
    effect: str
    status: str


AnyEvent = Union[Event, SymptomReport, TrendReport, EffectResult]

YES, NO, NOT_SURE, REPORTED = "yes", "no", "not_sure", "reported"
ANSWERS = (YES, NO, NOT_SURE, REPORTED)
POSITIVE = frozenset({YES, NOT_SURE, REPORTED})   # "not sure" counts as yes
# None (no outcome yet) lowest, then OUTCOMES from the least to the most urgent.
OUTCOME_RANK = {None: 0, **{outcome: rank for rank, outcome in enumerate(reversed(OUTCOMES), start=1)}}

TRENDS = ("better", "same", "worse")
MODES = ("screen", "check_in", "daily_check")   # daily_check: the daily watch (daily_check.py)
# consent: "off" (this deployment or session keeps nothing), "ask" (offer to remember),
# "declined" (the user said no this session), "remembered" (the user has said yes)
CONSENTS = ("off", "ask", "declined", "remembered")
# After an emergency (teach_back.py, hazard log H32): the handover said, with the emergency's
# own action (go or call) or with the call.
HANDED_OVER, CALL_NOW = "handover", "call_now"
EMERGENCY_WRAP_UPS = (HANDED_OVER, CALL_NOW)
WRAP_UPS = (None, "consent", "saving", "reminder", "setting_reminder", "watch", "setting_watch",
            "done") + EMERGENCY_WRAP_UPS


@dataclass(frozen=True)
class Card:
    title: str
    body: Tuple[str, ...]


@dataclass(frozen=True)
class Prompt:
    """What to say next. Texts may still hold {placeholders}: facts from the content, and
    `values` such as a review date; speech.py fills them the way a listener needs."""

    speech: Tuple[str, ...]
    reprompt: Tuple[str, ...] = ()
    end_session: bool = False
    card: Optional[Card] = None
    values: Tuple[Tuple[str, str], ...] = ()
    effect: Optional[str] = None
    # A permission the user has not given that this answer needs (REMINDERS_PERMISSION): the
    # platform asks for it its own way (Alexa: a permissions card), or says nothing more.
    permission_needed: Optional[str] = None
    # Keep today's visit now, without a word about it: set when an outcome is reached for a
    # user who agreed to be remembered (on this or an earlier visit).
    keep_visit: bool = False


@dataclass(frozen=True)
class ScreenState:
    answers: Tuple[Tuple[str, str], ...] = ()   # (question id, answer), in question order
    doubts: int = 0                              # "not sure"/unclear replies to the current question
    outcome: Optional[str] = None
    advice_index: Optional[int] = None            # None: not reading advice (yet)
    started: bool = False                        # the user has heard the welcome
    mode: str = "screen"                         # "check_in": a remembered user's return visit
    trend: Optional[str] = None                  # check-in: how the pain is since last time
    today: Optional[str] = None                  # ISO date of this conversation (adapter's clock)
    episode_start: Optional[str] = None          # ISO date of the first remembered screen
    consent: str = "off"                         # see CONSENTS
    wrap_up: Optional[str] = None                # the steps after the advice (or the emergency)
    # A question asked out of turn: a red flag the user's own words named, or the cauda equina
    # read-back after words the skill could not place. Once answered, the conversation carries
    # on where it was.
    detour: Optional[str] = None
    # Whether the platform can set a reminder (turn.Capabilities, set by turn.run_turn each
    # turn): without it no reminder or daily watch is offered. Not kept between turns.
    can_remind: bool = field(default=True, compare=False)

    def answer_to(self, question_id: str) -> Optional[str]:
        return dict(self.answers).get(question_id)

    def to_dict(self) -> dict:
        return {"version": STATE_VERSION, "started": self.started, "answers": dict(self.answers),
                "doubts": self.doubts, "outcome": self.outcome, "advice_index": self.advice_index,
                "mode": self.mode, "trend": self.trend, "today": self.today,
                "episode_start": self.episode_start, "consent": self.consent,
                "wrap_up": self.wrap_up, "detour": self.detour}


class InvalidState(ValueError):
    """Stored session state that this version cannot trust (old, tampered or corrupt)."""


def values_of(prompt: Prompt) -> dict:
    return dict(prompt.values)
