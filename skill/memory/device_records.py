"""Remembered users keyed by a device rather than an Alexa account: the Wyoming service's entry
point to the same SQLite store (store.SQLitePersistenceAdapter: its file, table, transactions
and JSON checks), and the same exam store, with no request envelope in sight.

The key is an HMAC-SHA256, with the deployment's SCIATICA_USER_KEY_SALT (store.py's salt and
fallback), of "wyoming-device" and the satellite or device id Home Assistant sends: the file
alone does not name the room, and no device key can equal an Alexa user's key (store.py hashes
the bare user id). Every store failure reaches the caller as RecordsUnavailable, never as
ask-sdk's exception, so the adapter above needs no SDK import."""
from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Callable, Optional

from ask_sdk_core.exceptions import PersistenceException

from skill.memory.exam_store import ExamKeeper, ExamStore
from skill.memory.store import DEFAULT_SALT, SALT_VARIABLE, SQLitePersistenceAdapter

KEY_PREFIX = "wyoming-device"


class RecordsUnavailable(Exception):
    """The store could not be read or written (the cause is chained)."""


def device_key(device_id: str, salt: Optional[str] = None) -> str:
    """The salted hash a device's record is kept under."""
    if not isinstance(device_id, str) or not device_id:
        raise ValueError("a device key needs a device id")
    salt = salt or os.environ.get(SALT_VARIABLE) or DEFAULT_SALT
    message = f"{KEY_PREFIX}\n{device_id}".encode("utf-8")
    return hmac.new(salt.encode("utf-8"), message, hashlib.sha256).hexdigest()


class DeviceRecords:
    """The per-device record: read, change in one transaction, delete. The key passed in is
    already hashed (device_key); it is used as it is."""

    def __init__(self, path: "os.PathLike[str] | str"):
        # The key handed to the adapter is the hashed key itself: no envelope to read one from.
        self.store = SQLitePersistenceAdapter(Path(path), partition_keygen=lambda key: key)

    @property
    def path(self) -> Path:
        return self.store.path

    def read(self, key: str) -> dict:
        return self._safely(lambda: self.store.get_attributes(key))

    def update(self, key: str, change: Callable[[dict], dict]) -> dict:
        return self._safely(lambda: self.store.update_attributes(key, change))

    def delete(self, key: str) -> bool:
        """True if a record was there."""
        return self._safely(lambda: self.store.delete_user(key))

    def exam_keeper(self, salt: Optional[str] = None) -> ExamKeeper:
        """Where a clinician's exam in progress is kept, in the same file (exam_store.py)."""
        return ExamKeeper(ExamStore(self.store.path), salt=salt)

    @staticmethod
    def _safely(operation):
        try:
            return operation()
        except PersistenceException as problem:
            raise RecordsUnavailable(str(problem)) from problem
