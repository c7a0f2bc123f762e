"""Carry out what the pure conversation asks for (remember, remind, forget) with the
deployment's record store and the Reminders service client: AlexaEffects, the core's Effects
(conversation/turn.py), whose statuses decide what the user hears.

Every failure of the store or the Reminders API becomes a status the conversation has words
for. Only their own errors are caught (the store's PersistenceException; reminders.py never
raises): a bug in the
skill (a TypeError in record.py) is not a failed save but reaches the skill's exception
handler, which logs it and says the safe answer."""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Mapping, Optional

from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import RequestEnvelope

from skill.conversation import record as records
from skill.alexa import reminders
from skill.content.loader import Content
from skill.conversation.daily_check import NO_REMINDER
from skill.conversation.state import (FAILED, NO_PERMISSION, NOTHING_STORED, OK, REFUSED,
                                      ScreenState)
from skill.conversation.turn import Capabilities, StoreUnavailable
from skill.memory.store import SQLitePersistenceAdapter, person_id

logger = logging.getLogger(__name__)

# A write the person agreed to is tried once more when the store was locked (each try waits
# about 1 s for the lock: store.BUSY_TIMEOUT_MS), so the turn stays well inside Alexa's 8 s.
WRITE_ATTEMPTS = 2
# One thread, in order: an emergency's visit is written after its answer is on its way.
_BACKGROUND_WRITES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="visit-writer")
# "Forget me" deletes reminders one call at a time; it stops starting new calls after this.
FORGET_REMINDERS_BUDGET_S = 3.0


@dataclass(frozen=True)
class UserRecords:
    """The user's (or recognised person's) record for one request, in the deployment's store
    (store.SQLitePersistenceAdapter or storage.PlainNumbersAdapter: the same methods), handed
    in by the adapter (turns.records_for), never fished out of the SDK's AttributesManager."""

    store: Any
    envelope: RequestEnvelope

    def read(self) -> dict:
        """The stored record ({} when none); PersistenceException when it can't be read."""
        return dict(self.store.get_attributes(self.envelope) or {})

    def update(self, change: Callable[[dict], dict]) -> dict:
        """Change the record in one step of the store (one SQLite transaction, or DynamoDB's
        conditional write), never a read here and a save there, so two requests for one user
        at once cannot lose each other's change. Returns the new record."""
        return self.store.update_attributes(self.envelope, change)

    def forget(self) -> bool:
        """Delete the record without reading it; True when there was one."""
        return self.store.forget(self.envelope)

    def has_person_records(self) -> bool:
        return self.store.has_person_records(self.envelope)

    def delete_account(self) -> int:
        return self.store.delete_account(self.envelope)


class AlexaEffects:
    """The core's Effects (conversation/turn.py) for one Alexa request: the user's records
    (None where this deployment keeps nothing), the Reminders API for reminders."""

    capabilities = Capabilities(reminders=True)

    def __init__(self, handler_input: HandlerInput, user: Optional[UserRecords]):
        self._handler_input = handler_input
        self._user = user

    def read_record(self) -> Mapping:
        if self._user is None:
            return {}
        try:
            return self._user.read()
        except PersistenceException as problem:
            raise StoreUnavailable(str(problem)) from problem

    def remember_visit(self, state: ScreenState) -> str:
        return _remember(self._user, state)

    def create_reminder(self, content: Content, state: ScreenState, review_date: str) -> str:
        return _remind(self._handler_input, self._user, content, state,
                       {"review_date": review_date})

    def start_watch(self, content: Content, state: ScreenState, until: str) -> str:
        return _start_watch(self._handler_input, self._user, content, state,
                            {"review_date": until})

    def forget_user(self) -> str:
        return _forget(self._handler_input, self._user)


class NoRecord(LookupError):
    """Raised by a change that needs a stored record when there is none: nothing is written."""


def _needs_record(record: dict) -> dict:
    if not record:
        raise NoRecord("no record")
    return record


def _remember(user: Optional[UserRecords], state: ScreenState) -> str:
    if user is None:   # this deployment keeps nothing
        return FAILED
    change = lambda record: records.add_visit(   # noqa: E731
        record, state.today, state.outcome, state.trend, state.episode_start)
    if state.outcome == "emergency" and isinstance(user.store, SQLitePersistenceAdapter):
        # A held lock must never delay the emergency instruction (issue 18): the visit is
        # written beside the answer, with the same tries, and a loss is logged.
        _BACKGROUND_WRITES.submit(_write_with_retries, lambda: user.update(change))
        return OK
    return _write_with_retries(lambda: user.update(change))


def _write_with_retries(write: Callable[[], object]) -> str:
    for attempt in range(WRITE_ATTEMPTS):
        try:
            write()
            return OK
        except PersistenceException:   # a broken store must not break the conversation
            logger.warning("could not remember the visit (attempt %d of %d)", attempt + 1,
                           WRITE_ATTEMPTS, exc_info=True)
    return FAILED


def wait_for_background_writes(timeout: float) -> bool:
    """Wait until every visit written beside an answer is done; False on timeout (for tests
    and a clean shutdown)."""
    try:
        _BACKGROUND_WRITES.submit(lambda: None).result(timeout)
    except FutureTimeout:
        return False
    return True


def _remind(handler_input: HandlerInput, user: Optional[UserRecords], content: Content,
            state: ScreenState, values: Mapping[str, str]) -> str:
    review = values.get("review_date")
    if not review:
        return FAILED
    if not reminders.has_reminders_permission(handler_input.request_envelope):
        return NO_PERMISSION
    result = reminders.create_review_reminder(
        handler_input, date.fromisoformat(review), content.memory["reminder_text"],
        content.locale)
    if not result.created:
        logger.warning("reminder not created: %s", result.reason)
        return REFUSED if result.status == reminders.ReminderStatus.REFUSED else (
            NO_PERMISSION if result.status == reminders.ReminderStatus.NO_PERMISSION else FAILED)
    if state.consent == "remembered" and user is not None:
        _keep_reminder_id(user, result.reminder_id)
    return OK


def _keep_reminder_id(user: UserRecords, reminder_id: str) -> None:
    """So that "forget me" can delete the reminder by its id. Tried twice; if it is still lost,
    "forget me" finds the reminder by listing this skill's reminders (_forget)."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            user.update(lambda record: records.with_reminder(_needs_record(record), reminder_id))
            return
        except NoRecord:   # forgotten meanwhile: nothing to keep it in
            return
        except PersistenceException:
            logger.warning("could not keep the reminder id (attempt %d of %d)", attempt + 1,
                           WRITE_ATTEMPTS, exc_info=True)


def _start_watch(handler_input: HandlerInput, user: Optional[UserRecords], content: Content,
                 state: ScreenState, values: Mapping[str, str]) -> str:
    """The daily watch (daily_check.py): a daily reminder from tomorrow to the review date, and
    the watch kept in the record (its last day, the reminder's id). Kept without a reminder
    when reminders are not allowed or the API fails: the person can still ask each day. If the
    watch cannot be kept, its reminder is deleted again: a reminder to a check that would say
    "not set up" helps nobody, and "forget me" could not find it."""
    try:
        until = date.fromisoformat(values["review_date"])
        first_day = date.fromisoformat(state.today) + timedelta(days=1)
    except (KeyError, TypeError, ValueError):
        return FAILED
    if user is None or state.consent != "remembered" or first_day > until:
        return FAILED
    result = reminders.create_reminder(handler_input, lambda: reminders.daily_reminder_request(
        first_day, until, content.daily_watch["reminder_text"], content.locale))
    try:
        user.update(lambda record: records.with_watch(
            _needs_record(record), until.isoformat(), result.reminder_id))
    except (NoRecord, PersistenceException):   # a broken store must not break the conversation
        logger.exception("could not keep the daily watch")
        reminders.delete_reminder(handler_input, result.reminder_id)
        return FAILED
    if result.created:
        return OK
    logger.warning("daily reminder not created: %s", result.reason)
    return {reminders.ReminderStatus.NO_PERMISSION: NO_PERMISSION,
            reminders.ReminderStatus.REFUSED: REFUSED}.get(result.status, NO_REMINDER)


def watch_until(user: Optional[UserRecords]) -> Optional[str]:
    """The stored daily watch's last day, or None (none kept, memory off, store unreadable: the
    daily check then runs the full check, the safe direction)."""
    if user is None:
        return None
    try:
        return records.watch_until(user.read())
    except PersistenceException:
        logger.exception("could not read the daily watch")
        return None


def _forget(handler_input: HandlerInput, user: Optional[UserRecords]) -> str:
    """Delete the record and every reminder of this skill for this user. The reminders come
    from the Reminders API's own list, and from the record when it can be read; the record is
    deleted whether or not it can be read (a record that is not valid JSON once made "forget
    me" fail for ever)."""
    # The API lists the account's reminders, not a person's: on a shared account only this
    # person's kept ids are theirs to delete (hazard H17).
    shared = _reminders_may_be_anothers(handler_input, user)
    reminder_ids = [] if shared else list(reminders.list_reminder_ids(handler_input) or [])
    stored = {}
    if user is not None:
        try:
            stored = user.read()
        except PersistenceException:
            logger.warning("forgetting a record that cannot be read", exc_info=True)
    for kept in (stored.get("reminder_id"), records.watch_reminder_id(stored)):
        if isinstance(kept, str) and kept and kept not in reminder_ids:
            reminder_ids.append(kept)
    deadline = time.monotonic() + FORGET_REMINDERS_BUDGET_S
    for reminder_id in reminder_ids:
        if time.monotonic() > deadline:
            logger.warning("forget me: %d reminders left undeleted (time budget)",
                           len(reminder_ids) - reminder_ids.index(reminder_id))
            break
        reminders.delete_reminder(handler_input, reminder_id)
    if user is None:   # this deployment keeps nothing
        return OK if reminder_ids else NOTHING_STORED
    try:
        existed = user.forget()
    except PersistenceException:
        logger.exception("could not forget the user")
        return FAILED
    return OK if existed or reminder_ids else NOTHING_STORED


def _reminders_may_be_anothers(handler_input: HandlerInput, user: Optional[UserRecords]) -> bool:
    """Whether the account's reminders may include another person's: the speaker is a
    recognised person, or the account has person records; a store that fails to say counts
    as shared. Without a store there are only the account's."""
    if person_id(handler_input.request_envelope) is not None:
        return True
    if user is None:
        return False
    try:
        return user.has_person_records()
    except PersistenceException:
        return True


def forget_quietly(user: Optional[UserRecords]) -> None:
    """For the skill-disabled event: delete whatever is stored for the account, each recognised
    person's record too (store.delete_account); nobody is listening."""
    if user is None:   # this deployment keeps nothing
        return
    try:
        user.delete_account()
    except PersistenceException:
        logger.exception("could not delete the data of a user who disabled the skill")


def speaker_unrecognised_among_people(handler_input: HandlerInput,
                                      user: Optional[UserRecords]) -> bool:
    """Whether the speaker is not recognised on an account where recognised people have records
    (hazard log H17): then nothing is read or kept for them, as the speaker could be anyone in
    the household. When the check fails the store is unreadable: False, and the record's own
    read then fails too and says so (recall_failed), reading nothing."""
    if user is None or person_id(handler_input.request_envelope) is not None:
        return False
    try:
        return user.has_person_records()
    except PersistenceException:
        logger.exception("could not tell whether the account has person records")
        return False
