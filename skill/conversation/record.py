"""The one thing the skill keeps about a user, with consent: a small record of dates and
outcomes. Pure functions: reading one, adding a visit, deciding how a session starts.

Shape (version 1): {"version": 1, "episode_start": "2026-11-26", "review_date": "2026-12-10",
"reminder_id": null, "visits": [{"date": "2026-11-26", "outcome": "self_care", "trend": null}]}
and, with the daily watch (daily_check.py), "daily_watch": {"until": "2026-12-10",
"reminder_id": null}. No free text, nothing the user said: only what the timeline needs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from skill.conversation import timeline
from skill.conversation.state import OUTCOME_RANK, TRENDS

RECORD_VERSION = 1
MAX_VISITS = 20   # the timeline needs the episode start and recent visits, not a diary


class InvalidRecord(ValueError):
    """A stored record this version cannot read."""


@dataclass(frozen=True)
class SessionStart:
    consent: str                     # see state.CONSENTS
    episode_start: Optional[str]     # set for a remembered user within an episode: a check-in
    recall_failed: bool = False


def session_start(record: Optional[Mapping], today: str, memory_enabled: bool,
                  read_failed: bool = False) -> SessionStart:
    """How a new session begins, from what is stored (None or {} when nothing is)."""
    if not memory_enabled:
        return SessionStart("off", None)
    if read_failed:
        return SessionStart("off", None, recall_failed=True)
    if not record:
        return SessionStart("ask", None)
    try:
        checked = check_record(record)
    except InvalidRecord:
        return SessionStart("off", None, recall_failed=True)
    last_visit = checked["visits"][-1]["date"]
    if timeline.is_active_episode(last_visit, today) and \
            timeline.days_between(checked["episode_start"], today) >= 0:
        return SessionStart("remembered", checked["episode_start"])
    return SessionStart("remembered", None)   # a new episode: the full screen again


def add_visit(record: Optional[Mapping], today: str, outcome: str, trend: Optional[str],
              episode_start: Optional[str]) -> dict:
    """The record with today's visit in it (today's earlier visit, if any, replaced)."""
    visits = [visit for visit in (record or {}).get("visits", []) if visit.get("date") != today]
    visits.append({"date": today, "outcome": outcome, "trend": trend})
    start = episode_start or today
    kept = {"daily_watch": record["daily_watch"]} if record and "daily_watch" in record else {}
    return {"version": RECORD_VERSION, "episode_start": start,
            "review_date": timeline.next_review(start, today),
            "reminder_id": (record or {}).get("reminder_id"),
            "visits": visits[-MAX_VISITS:], **kept}


def with_reminder(record: Mapping, reminder_id: str) -> dict:
    return {**record, "reminder_id": reminder_id}


def with_watch(record: Mapping, until: str, reminder_id: Optional[str]) -> dict:
    """The record with a daily watch that runs until `until` (a new one replaces the old)."""
    return {**record, "daily_watch": {"until": until, "reminder_id": reminder_id}}


def watch_until(record: Optional[Mapping]) -> Optional[str]:
    """The stored watch's last day, or None when there is none (or it cannot be read)."""
    watch = (record or {}).get("daily_watch")
    until = watch.get("until") if isinstance(watch, Mapping) else None
    try:
        return timeline.parse_day(until).isoformat()
    except (TypeError, ValueError):
        return None


def watch_reminder_id(record: Optional[Mapping]) -> Optional[str]:
    watch = (record or {}).get("daily_watch")
    reminder_id = watch.get("reminder_id") if isinstance(watch, Mapping) else None
    return reminder_id if isinstance(reminder_id, str) and reminder_id else None


def check_record(record: Mapping) -> Mapping:
    try:
        if record.get("version") != RECORD_VERSION or not record["visits"]:
            raise InvalidRecord("unknown version or no visits")
        timeline.parse_day(record["episode_start"])
        for visit in record["visits"]:
            timeline.parse_day(visit["date"])
            if visit["outcome"] not in OUTCOME_RANK or visit.get("trend") not in (None,) + TRENDS:
                raise InvalidRecord("bad visit")
    except (KeyError, TypeError, ValueError, AttributeError) as problem:
        raise InvalidRecord(str(problem)) from None
    return record
