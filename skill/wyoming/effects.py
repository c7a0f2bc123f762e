"""The core's Effects (conversation/turn.py) for a room speaker: the record kept under the
device's salted key (memory/device_records.py), and no reminders, which a Wyoming pipeline
cannot set (Capabilities(reminders=False): the core then offers none, nor the daily watch).

As on Alexa, a failing store becomes a status the conversation has words for; only the
store's own error is caught, so a bug still reaches the service's safe answer."""
from __future__ import annotations

import logging
from typing import Mapping, Optional

from skill.content.loader import Content
from skill.conversation import record as records
from skill.conversation.state import FAILED, NOTHING_STORED, OK, ScreenState
from skill.conversation.turn import Capabilities, StoreUnavailable
from skill.memory.device_records import DeviceRecords, RecordsUnavailable

logger = logging.getLogger(__name__)


class SpeakerEffects:
    """One device's record, or nothing to keep (`records` or `key` None: memory is off for
    this turn, and the core never asks)."""

    capabilities = Capabilities(reminders=False)

    def __init__(self, records: Optional[DeviceRecords], key: Optional[str]):
        self._records, self._key = records, key

    def read_record(self) -> Mapping:
        if self._records is None or self._key is None:
            return {}
        try:
            return self._records.read(self._key)
        except RecordsUnavailable as problem:
            raise StoreUnavailable(str(problem)) from problem

    def remember_visit(self, state: ScreenState) -> str:
        if self._records is None or self._key is None:
            return FAILED
        try:
            self._records.update(self._key, lambda record: records.add_visit(
                record, state.today, state.outcome, state.trend, state.episode_start))
            return OK
        except RecordsUnavailable:   # a broken store must not break the conversation
            logger.exception("could not remember the visit")
            return FAILED

    def create_reminder(self, content: Content, state: ScreenState, review_date: str) -> str:
        return FAILED   # never asked: capabilities say no reminders

    def start_watch(self, content: Content, state: ScreenState, until: str) -> str:
        return FAILED

    def forget_user(self) -> str:
        if self._records is None or self._key is None:
            return NOTHING_STORED
        try:
            return OK if self._records.delete(self._key) else NOTHING_STORED
        except RecordsUnavailable:
            logger.exception("could not forget the user")
            return FAILED

    def watch_until(self) -> Optional[str]:
        """The stored daily watch's last day (none is ever set here; one kept by an older
        deployment still counts), or None: the daily check then runs in full."""
        try:
            return records.watch_until(self.read_record())
        except StoreUnavailable:
            logger.exception("could not read the daily watch")
            return None
