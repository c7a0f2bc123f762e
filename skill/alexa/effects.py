"""Carry out what the pure conversation asks for (remember, remind, forget) with the SDK's
persistence adapter and Reminders service client: AlexaEffects, the core's Effects
(conversation/turn.py), whose statuses decide what the user hears.

Every failure of the store or the Reminders API becomes a status the conversation has words
for. Only their own errors are caught (STORE_ERRORS; reminders.py never raises): a bug in the
skill (a TypeError in record.py) is not a failed save but reaches the skill's exception
handler, which logs it and says the safe answer."""
from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Callable, Mapping, Optional

from ask_sdk_core.exceptions import AttributesManagerException, PersistenceException
from ask_sdk_core.handler_input import HandlerInput

from skill.conversation import record as records
from skill.alexa import reminders
from skill.content.loader import Content
from skill.conversation.daily_check import NO_REMINDER
from skill.conversation.state import (FAILED, NO_PERMISSION, NOTHING_STORED, OK, REFUSED,
                                      ScreenState)
from skill.conversation.turn import Capabilities, StoreUnavailable
from skill.memory.store import person_id

logger = logging.getLogger(__name__)

# What the store raises when it cannot read or write (store.py, storage.py, ask-sdk's
# adapters), and what the SDK raises where this deployment keeps nothing.
STORE_ERRORS = (PersistenceException, AttributesManagerException)


class AlexaEffects:
    """The core's Effects (conversation/turn.py) for one Alexa request: the SDK's persistence
    adapter for the record, the Reminders API for reminders."""

    capabilities = Capabilities(reminders=True)

    def __init__(self, handler_input: HandlerInput):
        self._handler_input = handler_input

    def read_record(self) -> Mapping:
        try:
            return load_record(self._handler_input)
        except STORE_ERRORS as problem:
            raise StoreUnavailable(str(problem)) from problem

    def remember_visit(self, state: ScreenState) -> str:
        return _remember(self._handler_input, state)

    def create_reminder(self, content: Content, state: ScreenState, review_date: str) -> str:
        return _remind(self._handler_input, content, state, {"review_date": review_date})

    def start_watch(self, content: Content, state: ScreenState, until: str) -> str:
        return _start_watch(self._handler_input, content, state, {"review_date": until})

    def forget_user(self) -> str:
        return _forget(self._handler_input)


def load_record(handler_input: HandlerInput) -> Optional[Mapping]:
    """The stored record ({} when none); raises when the store can't be read."""
    return dict(handler_input.attributes_manager.persistent_attributes or {})


class NoRecord(LookupError):
    """Raised by a change that needs a stored record when there is none: nothing is written."""


def update_record(handler_input: HandlerInput, change: Callable[[dict], dict]) -> dict:
    """Change the user's record in one step of the store (update_attributes: one SQLite
    transaction, or DynamoDB's conditional write), never a read here and a save there, so two
    requests for one user at once cannot lose each other's change. Returns the new record."""
    manager = handler_input.attributes_manager
    # The SDK's AttributesManager keeps its adapter private and offers only get, save and
    # delete; the atomic change is the adapter's own (store.py, storage.py).
    adapter = getattr(manager, "_persistence_adapter", None)
    if adapter is None:
        raise AttributesManagerException("no persistence adapter: this deployment keeps nothing")
    record = adapter.update_attributes(handler_input.request_envelope, change)
    manager.persistent_attributes = record   # what this request reads from now on
    return record


def _needs_record(record: dict) -> dict:
    if not record:
        raise NoRecord("no record")
    return record


def _remember(handler_input: HandlerInput, state: ScreenState) -> str:
    try:
        update_record(handler_input, lambda record: records.add_visit(
            record, state.today, state.outcome, state.trend, state.episode_start))
        return OK
    except STORE_ERRORS:   # a broken store must not break the conversation
        logger.exception("could not remember the visit")
        return FAILED


def _remind(handler_input: HandlerInput, content: Content, state: ScreenState,
            values: Mapping[str, str]) -> str:
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
    if state.consent == "remembered":
        _keep_reminder_id(handler_input, result.reminder_id)
    return OK


def _keep_reminder_id(handler_input: HandlerInput, reminder_id: str) -> None:
    """So that "forget me" can delete the reminder too. Best effort: the reminder is set."""
    try:
        update_record(handler_input, lambda record: records.with_reminder(
            _needs_record(record), reminder_id))
    except NoRecord:   # forgotten meanwhile: nothing to keep it in
        pass
    except STORE_ERRORS:
        logger.exception("could not keep the reminder id")


def _start_watch(handler_input: HandlerInput, content: Content, state: ScreenState,
                 values: Mapping[str, str]) -> str:
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
    if state.consent != "remembered" or first_day > until:
        return FAILED
    result = reminders.create_reminder(handler_input, lambda: reminders.daily_reminder_request(
        first_day, until, content.daily_watch["reminder_text"], content.locale))
    try:
        update_record(handler_input, lambda record: records.with_watch(
            _needs_record(record), until.isoformat(), result.reminder_id))
    except (NoRecord, *STORE_ERRORS):   # a broken store must not break the conversation
        logger.exception("could not keep the daily watch")
        reminders.delete_reminder(handler_input, result.reminder_id)
        return FAILED
    if result.created:
        return OK
    logger.warning("daily reminder not created: %s", result.reason)
    return {reminders.ReminderStatus.NO_PERMISSION: NO_PERMISSION,
            reminders.ReminderStatus.REFUSED: REFUSED}.get(result.status, NO_REMINDER)


def watch_until(handler_input: HandlerInput, memory_enabled: bool) -> Optional[str]:
    """The stored daily watch's last day, or None (none kept, memory off, store unreadable: the
    daily check then runs the full check, the safe direction)."""
    if not memory_enabled:
        return None
    try:
        return records.watch_until(load_record(handler_input))
    except STORE_ERRORS:
        logger.exception("could not read the daily watch")
        return None


def _forget(handler_input: HandlerInput) -> str:
    try:
        stored = load_record(handler_input)
        if not stored:
            return NOTHING_STORED
        reminder_id = stored.get("reminder_id")
        if isinstance(reminder_id, str) and reminder_id:
            reminders.delete_reminder(handler_input, reminder_id)
        reminders.delete_reminder(handler_input, records.watch_reminder_id(stored))
        handler_input.attributes_manager.delete_persistent_attributes()
        return OK
    except AttributesManagerException:   # this deployment keeps nothing
        return NOTHING_STORED
    except PersistenceException:
        logger.exception("could not forget the user")
        return FAILED


def forget_quietly(handler_input: HandlerInput) -> None:
    """For the skill-disabled event: delete whatever is stored for the account, each recognised
    person's record too (a store that keeps people apart: store.delete_account); nobody is
    listening."""
    try:
        adapter = _adapter(handler_input)
        if adapter is not None and hasattr(adapter, "delete_account"):
            adapter.delete_account(handler_input.request_envelope)
        else:
            handler_input.attributes_manager.delete_persistent_attributes()
    except AttributesManagerException:   # this deployment keeps nothing
        pass
    except PersistenceException:
        logger.exception("could not delete the data of a user who disabled the skill")


def speaker_unrecognised_among_people(handler_input: HandlerInput) -> bool:
    """Whether the speaker is not recognised on an account where recognised people have records
    (hazard log H17): then nothing is read or kept for them, as the speaker could be anyone in
    the household. A store that cannot say (DynamoDB for now) answers False, as before. When
    the check fails the store is unreadable: False, and the record's own read then fails too
    and says so (recall_failed), reading nothing."""
    adapter = _adapter(handler_input)
    if adapter is None or not hasattr(adapter, "has_person_records") \
            or person_id(handler_input.request_envelope) is not None:
        return False
    try:
        return adapter.has_person_records(handler_input.request_envelope)
    except STORE_ERRORS:
        logger.exception("could not tell whether the account has person records")
        return False


def _adapter(handler_input: HandlerInput):
    # The SDK's AttributesManager keeps its adapter private (see update_record).
    return getattr(handler_input.attributes_manager, "_persistence_adapter", None)
