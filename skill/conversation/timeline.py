"""Follow-up dates, as pure date arithmetic: when to be reviewed and what the day calls for.

The advice says: be reviewed in about 2 weeks; if not better by 4 to 6 weeks, further tests or
a specialist (the references are in the content file, beside the words that say it)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Optional

REVIEW_AFTER_DAYS = 14       # about two weeks
SPECIALIST_AFTER_DAYS = 28   # the start of the four-to-six-week window
MILESTONES = (REVIEW_AFTER_DAYS, SPECIALIST_AFTER_DAYS)
# A visit this long after the last one starts a new episode: the first screen again.
EPISODE_GAP_DAYS = 84


def parse_day(text: str) -> date:
    """An ISO date; ValueError (or TypeError) for anything else."""
    if not isinstance(text, str):
        raise TypeError("a date must be text")
    return date.fromisoformat(text)


def days_between(start: str, today: str) -> int:
    return (parse_day(today) - parse_day(start)).days


def next_review(episode_start: Optional[str], today: str) -> Optional[str]:
    """The next milestone after today, counted from the start of the episode (today for a
    first visit), or None once the last one has passed."""
    start = parse_day(episode_start or today)
    for days in MILESTONES:
        milestone = start + timedelta(days=days)
        if milestone > parse_day(today):
            return milestone.isoformat()
    return None


def review_values(state) -> tuple:
    """A session's next review date as a prompt value (("review_date", ISO date),), or () if
    there is none. `state` is a ScreenState (its today and episode_start)."""
    review = next_review(state.episode_start, state.today) if state.today else None
    return (("review_date", review),) if review else ()


def stage(days: int, trend: str) -> str:
    """What the day calls for when the pain is not worse and no red flag was found."""
    if trend == "better":
        return "better"
    if days >= SPECIALIST_AFTER_DAYS:
        return "specialist"
    if days >= REVIEW_AFTER_DAYS:
        return "review_due"
    return "early"


def is_active_episode(last_visit: str, today: str) -> bool:
    gap = days_between(last_visit, today)
    return 0 <= gap <= EPISODE_GAP_DAYS
