"""Where a clinician's exam in progress is kept for its few minutes (clinician_progress.py says
what and how long): a table of its own in the SQLite file that keeps remembered users, with the
same connections, locking and errors (store.SQLitePersistenceAdapter), and ExamKeeper, the
adapter's side: load, keep and drop for a request, none of which ever raises.

Keyed by the device and the user together, hashed: an HMAC, with the user-record salt, of the
user-record key (store.hashed_user_id) and the device id. Why the device: a clinic's rooms can
share one Amazon account, and an exam belongs to the room it was examined in; an exam stopped in
room 2 must never resume in room 3. Why the user too: a device id alone would resume an exam for
another account registered on the same device. Neither id is stored as it is."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import sqlite3
import time
from typing import Callable, Optional

from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from skill.conversation import clinician_progress
from skill.conversation.clinician import ClinicianState
from skill.content.clinician import ClinicianContent
from skill.conversation.state import InvalidState
from skill.memory.store import DEFAULT_SALT, SALT_VARIABLE, SQLitePersistenceAdapter, hashed_user_id

logger = logging.getLogger(__name__)

EXAM_SCHEMA = """CREATE TABLE IF NOT EXISTS exams_in_progress (
    exam_key TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    saved_at REAL NOT NULL
)"""


def exam_key(request_envelope: RequestEnvelope, salt: Optional[str] = None) -> str:
    """The hashed key of this device and user; PersistenceException when either id is missing."""
    salt = salt or os.environ.get(SALT_VARIABLE) or DEFAULT_SALT
    user_key = hashed_user_id(request_envelope, salt)
    system = getattr(getattr(request_envelope, "context", None), "system", None)
    device_id = getattr(getattr(system, "device", None), "device_id", None)
    if not isinstance(device_id, str) or not device_id:
        raise PersistenceException("no device id in the request envelope "
                                   "(context.System.device.deviceId)")
    message = f"exam-in-progress\n{user_key}\n{device_id}".encode("utf-8")
    return hmac.new(salt.encode("utf-8"), message, hashlib.sha256).hexdigest()


class ExamStore(SQLitePersistenceAdapter):
    """Exams in progress, one row per device and user, each with the time it was saved. Every
    read and write first purges every expired row, so findings never outlive their window by
    more than the next use of the skill."""

    def __init__(self, path, keep_seconds: float = clinician_progress.KEEP_EXAM_SECONDS):
        super().__init__(path)
        self.keep_seconds = keep_seconds
        self._exam_table_ready = False

    def load(self, key: str, now: float) -> Optional[dict]:
        """The record kept under `key` if it is still live at `now`, else None. A corrupt row
        is deleted, then reported as PersistenceException."""
        with self._connection() as connection:   # most launches: nothing kept, nothing to purge
            found = connection.execute(
                "SELECT 1 FROM exams_in_progress WHERE exam_key = ? OR saved_at <= ? LIMIT 1",
                (key, now - self.keep_seconds)).fetchone()
        if found is None:
            return None
        with self._write() as connection:
            self._purge(connection, now)
            row = connection.execute("SELECT record, saved_at FROM exams_in_progress "
                                     "WHERE exam_key = ?", (key,)).fetchone()
            if row is None:
                return None
            if not clinician_progress.is_live(row[1], now):   # saved "in the future"
                connection.execute("DELETE FROM exams_in_progress WHERE exam_key = ?", (key,))
                return None
            try:
                record = json.loads(row[0])
            except ValueError:
                record = None
            if not isinstance(record, dict):
                connection.execute("DELETE FROM exams_in_progress WHERE exam_key = ?", (key,))
        if not isinstance(record, dict):
            raise PersistenceException("a kept exam was not a JSON object: deleted")
        return record

    def save(self, key: str, record: dict, now: float) -> None:
        # Not sort_keys: the findings keep the order they were recorded in, as in the session.
        text = json.dumps(record, allow_nan=False, separators=(",", ":"))
        with self._write() as connection:
            self._purge(connection, now)
            connection.execute("INSERT OR REPLACE INTO exams_in_progress (exam_key, record, "
                               "saved_at) VALUES (?, ?, ?)", (key, text, now))

    def discard(self, key: str) -> None:
        with self._write() as connection:
            connection.execute("DELETE FROM exams_in_progress WHERE exam_key = ?", (key,))

    def count_exams(self) -> int:
        with self._connection() as connection:
            return connection.execute("SELECT COUNT(*) FROM exams_in_progress").fetchone()[0]

    def _purge(self, connection: sqlite3.Connection, now: float) -> None:
        connection.execute("DELETE FROM exams_in_progress WHERE saved_at <= ?",
                           (now - self.keep_seconds,))

    def _ensure_schema(self, connection: sqlite3.Connection) -> None:
        if self._exam_table_ready:
            return
        super()._ensure_schema(connection)   # WAL and the user-record table, as the store does
        connection.execute(EXAM_SCHEMA)      # IF NOT EXISTS: harmless when two threads race
        self._exam_table_ready = True


class ExamKeeper:
    """The exam store as the adapters use it: `at(key)` is the place of one device's exam
    (conversation/converse.py's ExamPlace). A store that fails is logged and otherwise ignored:
    the exam goes on in the session, as it did before anything was kept."""

    def __init__(self, store: ExamStore, now: Callable[[], float] = time.time,
                 salt: Optional[str] = None):
        self.store = store
        self.now = now
        self.salt = salt

    def at(self, key: Callable[[], str]) -> "KeptExam":
        """The place keyed by `key()`, called when used: it may raise (an id missing from the
        request), which counts as a failing store."""
        return KeptExam(self, key)

    def for_request(self, request_envelope: RequestEnvelope) -> "KeptExam":
        """An Alexa request's place: its device and user (exam_key)."""
        return self.at(lambda: exam_key(request_envelope, self.salt))


class KeptExam:
    """One device's exam in progress: load, keep and drop, none of which ever raises."""

    def __init__(self, keeper: ExamKeeper, key: Callable[[], str]):
        self._keeper, self._key = keeper, key

    def load(self, content: ClinicianContent) -> Optional[ClinicianState]:
        """The live exam kept here, or None. One this version cannot resume is deleted, never
        guessed at."""
        try:
            record = self._keeper.store.load(self._key(), self._keeper.now())
        except PersistenceException:   # a broken store must never break the skill
            logger.exception("could not read a kept exam")
            return None
        if record is None:
            return None
        try:
            return clinician_progress.exam_from_record(content, record)
        except (InvalidState, LookupError, TypeError, ValueError) as problem:
            logger.warning("discarding a kept exam that cannot be resumed (%s)", problem)
            self.drop()
            return None

    def keep(self, content: ClinicianContent, state: ClinicianState) -> None:
        """Keep the exam if one is in progress; otherwise make sure none is kept."""
        record = clinician_progress.progress_record(content, state)
        if record is None:
            self.drop()
            return
        try:
            self._keeper.store.save(self._key(), record, self._keeper.now())
        except PersistenceException:
            logger.exception("could not keep the exam in progress")

    def drop(self) -> None:
        try:
            self._keeper.store.discard(self._key())
        except PersistenceException:
            logger.exception("could not delete a kept exam")
