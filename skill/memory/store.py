"""A small per-user record in SQLite, behind ask-sdk's persistence adapter interface.

The skill keeps, with the user's consent, one JSON object per user (visit dates, outcomes,
a review date). This module neither reads nor shapes that record; it only keeps it safely:

- the key is an HMAC of the Alexa user id, never the id itself, so the file alone does not
  tie a record to an Amazon account; where Alexa recognises the speaker (a voice profile:
  context.System.person.personId), that person's record has a key of its own (an HMAC of the
  person id keyed with the account's key), and the account keeps a list of its people's keys
  (already hashed) so that disabling the skill can delete them all (hazard log H17);
- one short-lived connection per operation, WAL mode, a busy timeout and BEGIN IMMEDIATE for
  writes, so several server threads and several server processes can share one file;
- a write waits at most about 1 s for another's lock (BUSY_TIMEOUT_MS): a turn's store work
  then stays well inside the 8 s Alexa waits, even with the file held locked (issue 18);
- secure_delete on, so a forgotten user's key and record are overwritten, not left in free
  pages; a directory it creates is 0700 and the file (with its -wal and -shm, which SQLite
  creates with the file's mode) 0600;
- every failure (no user id, unreadable or corrupt file, a stored record that is not a JSON
  object) surfaces as ask-sdk's PersistenceException, never as a raw sqlite3 error.

Why over 300 lines: the keys (account, person, the account's list of people) and the
transactions that keep them consistent are one concern; split, a reader would lose which write
updates the list.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

SALT_VARIABLE = "SCIATICA_USER_KEY_SALT"
# Only a fallback so a fresh install works. Anyone who can read this source can recompute keys
# from known user ids with it: every real deployment should set SCIATICA_USER_KEY_SALT to its
# own long random secret (and keep it: changing it orphans every stored record).
DEFAULT_SALT = "sciatica-check/user-key/v1/set-SCIATICA_USER_KEY_SALT-in-production"

BUSY_TIMEOUT_MS = 1000
SCHEMA = """CREATE TABLE IF NOT EXISTS user_records (
    user_key TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL
)"""


def hashed_user_id(request_envelope: RequestEnvelope, salt: Optional[str] = None) -> str:
    """Partition key: hex HMAC-SHA256 of the Alexa user id, keyed with `salt` (default: env
    SCIATICA_USER_KEY_SALT, else DEFAULT_SALT). The user id comes from context.System.user
    (present on every request, including the skill-disabled event), else from session.user."""
    user_id = _user_id(request_envelope)
    if not user_id:
        raise PersistenceException("no Alexa user id in the request envelope "
                                   "(context.System.user.userId or session.user.userId)")
    salt = salt or os.environ.get(SALT_VARIABLE) or DEFAULT_SALT
    return hmac.new(salt.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()


def person_id(request_envelope: RequestEnvelope) -> Optional[str]:
    """The recognised speaker's person id (context.System.person.personId), or None."""
    system = getattr(getattr(request_envelope, "context", None), "system", None)
    person = getattr(getattr(system, "person", None), "person_id", None)
    return person if isinstance(person, str) and person else None


def person_key(account_key: str, person: str) -> str:
    """A recognised person's row: an HMAC of the person id keyed with the account's own
    (already salted) key, so neither id is stored and people of different accounts differ."""
    return hmac.new(account_key.encode("utf-8"), person.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def people_index_key(account_key: str) -> str:
    """The row that lists an account's people's keys."""
    return hmac.new(account_key.encode("utf-8"), b"people-index", hashlib.sha256).hexdigest()


def _user_id(request_envelope: RequestEnvelope) -> Optional[str]:
    system = getattr(getattr(request_envelope, "context", None), "system", None)
    for holder in (getattr(system, "user", None),
                   getattr(getattr(request_envelope, "session", None), "user", None)):
        user_id = getattr(holder, "user_id", None)
        if isinstance(user_id, str) and user_id:
            return user_id
    return None


def default_database_path(environ: Mapping[str, str] = os.environ) -> Path:
    """SCIATICA_DB_PATH if set, else $XDG_DATA_HOME/sciatica-check/memory.sqlite3
    (XDG_DATA_HOME defaults to ~/.local/share; a relative value is ignored, as the spec says)."""
    explicit = environ.get("SCIATICA_DB_PATH")
    if explicit:
        return Path(explicit).expanduser()
    data_home = environ.get("XDG_DATA_HOME")
    base = Path(data_home) if data_home and os.path.isabs(data_home) \
        else Path.home() / ".local" / "share"
    return base / "sciatica-check" / "memory.sqlite3"


class SQLitePersistenceAdapter(AbstractPersistenceAdapter):
    """ask-sdk persistence adapter: one row per hashed user id, the record as JSON text."""

    def __init__(self, path: "os.PathLike[str] | str",
                 partition_keygen: Callable[[RequestEnvelope], str] = hashed_user_id):
        self.path = Path(path)
        self.partition_keygen = partition_keygen
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    # --- ask-sdk interface -------------------------------------------------------------
    def get_attributes(self, request_envelope: RequestEnvelope) -> dict:
        """The stored record, or {} when this user (or recognised person) has none."""
        user_key = self._key(request_envelope)
        with self._connection() as connection:
            row = connection.execute("SELECT record FROM user_records WHERE user_key = ?",
                                     (user_key,)).fetchone()
        return {} if row is None else _decode(row[0])

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict) -> None:
        """Replace this user's record with `attributes` (a JSON-able dict)."""
        user_key = self._key(request_envelope)
        text = _encode(attributes)
        with self._write() as connection:
            _put(connection, user_key, text)
            self._list_person(connection, request_envelope, user_key)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget this user, or this recognised person only (consent withdrawn)."""
        self.forget(request_envelope)

    # --- helpers beyond the interface ----------------------------------------------------
    def forget(self, request_envelope: RequestEnvelope) -> bool:
        """delete_attributes, without reading the record (one that is not valid JSON must
        still go); True when there was one."""
        user_key = self._key(request_envelope)
        with self._write() as connection:
            cursor = connection.execute("DELETE FROM user_records WHERE user_key = ?",
                                        (user_key,))
            if person_id(request_envelope) is not None:
                index = people_index_key(self.partition_keygen(request_envelope))
                people = [key for key in _people(connection, index) if key != user_key]
                _put_people(connection, index, people)
            return cursor.rowcount > 0

    def update_attributes(self, request_envelope: RequestEnvelope,
                          change: Callable[[dict], dict]) -> dict:
        """Read, change and write this user's record in one transaction, so two requests for
        the same user at once cannot lose each other's change. Returns the new record."""
        user_key = self._key(request_envelope)
        with self._write() as connection:
            row = connection.execute("SELECT record FROM user_records WHERE user_key = ?",
                                     (user_key,)).fetchone()
            record = change({} if row is None else _decode(row[0]))
            _put(connection, user_key, _encode(record))
            self._list_person(connection, request_envelope, user_key)
        return record

    # --- recognised people (hazard log H17) --------------------------------------------
    def _key(self, request_envelope: RequestEnvelope) -> str:
        account = self.partition_keygen(request_envelope)
        person = person_id(request_envelope)
        return account if person is None else person_key(account, person)

    def _list_person(self, connection: sqlite3.Connection, request_envelope: RequestEnvelope,
                     user_key: str) -> None:
        """In the write's own transaction: a person's key joins the account's list."""
        if person_id(request_envelope) is None:
            return
        index = people_index_key(self.partition_keygen(request_envelope))
        people = _people(connection, index)
        if user_key not in people:
            _put_people(connection, index, people + [user_key])

    def has_person_records(self, request_envelope: RequestEnvelope) -> bool:
        """Whether anyone recognised on this account has a record."""
        index = people_index_key(self.partition_keygen(request_envelope))
        with self._connection() as connection:
            return bool(_people(connection, index))

    def delete_account(self, request_envelope: RequestEnvelope) -> int:
        """Everything kept for the account (the skill-disabled event): its own record, each
        recognised person's, and the list of them. Returns the rows deleted."""
        account = self.partition_keygen(request_envelope)
        index = people_index_key(account)
        with self._write() as connection:
            keys = [account, index] + _people(connection, index)
            return sum(connection.execute("DELETE FROM user_records WHERE user_key = ?",
                                          (key,)).rowcount for key in keys)

    def delete_user(self, user_key: str) -> bool:
        """Delete the row for an already hashed key; True if there was one."""
        with self._write() as connection:
            cursor = connection.execute("DELETE FROM user_records WHERE user_key = ?",
                                        (user_key,))
            return cursor.rowcount > 0

    def count_rows(self) -> int:
        with self._connection() as connection:
            return connection.execute("SELECT COUNT(*) FROM user_records").fetchone()[0]

    # --- connections -----------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        """A new connection in autocommit mode (we issue BEGIN ourselves) with the busy
        timeout set. sqlite3 connections are not shared between threads, hence one each time."""
        try:
            _private_file(self.path)
            connection = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000,
                                         isolation_level=None)
        except (OSError, sqlite3.Error) as problem:
            raise self._failure("cannot open", problem) from None
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # NORMAL is corruption-safe in WAL mode and saves an fsync per write; at worst a
            # power cut loses the last few saves, never the file.
            connection.execute("PRAGMA synchronous = NORMAL")
            # Deleted rows are overwritten with zeros: "forget me" leaves nothing in free pages
            # (off by default in most SQLite builds).
            connection.execute("PRAGMA secure_delete = ON")
            self._ensure_schema(connection)
        except sqlite3.Error as problem:
            connection.close()
            raise self._failure("cannot use", problem) from None
        return connection

    def _ensure_schema(self, connection: sqlite3.Connection) -> None:
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            _switch_to_wal(connection)
            connection.execute(SCHEMA)
            self._schema_ready = True

    def _connection(self):
        return self._session(write=False)

    def _write(self):
        return self._session(write=True)

    @contextmanager
    def _session(self, write: bool) -> Iterator[sqlite3.Connection]:
        """One connection for one operation. Writes take the write lock up front with BEGIN
        IMMEDIATE, so the busy timeout applies (a read upgraded to a write mid-transaction
        would fail at once with "database is locked" instead of waiting)."""
        connection = self._open()
        try:
            if write:
                connection.execute("BEGIN IMMEDIATE")
            yield connection
            if write:
                connection.execute("COMMIT")
        except sqlite3.Error as problem:
            _roll_back(connection)
            raise self._failure("cannot use", problem) from None
        except BaseException:
            _roll_back(connection)
            raise
        finally:
            connection.close()

    def _failure(self, action: str, problem: BaseException) -> PersistenceException:
        return PersistenceException(f"{action} the user-record database {self.path}: "
                                    f"{type(problem).__name__}: {problem}")


def _private_file(path: Path) -> None:
    """Create the database's directory (0700) and file (0600) for this user only, before
    SQLite opens it; SQLite gives the -wal and -shm files the database file's mode. An existing
    directory is left as the deployer made it; an existing file readable by others is narrowed."""
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(path.parent, 0o700)   # mkdir's mode is filtered by the umask
    descriptor = os.open(path, os.O_RDONLY | os.O_CREAT, 0o600)
    try:
        if os.fstat(descriptor).st_mode & 0o077:
            try:
                os.fchmod(descriptor, 0o600)
            except PermissionError:   # another user's file: theirs to narrow
                pass
    finally:
        os.close(descriptor)


def _roll_back(connection: sqlite3.Connection) -> None:
    if connection.in_transaction:
        try:
            connection.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # closing the connection rolls back anyway


def _switch_to_wal(connection: sqlite3.Connection) -> None:
    """WAL lets readers go on while one process writes. The mode is kept in the file, so only
    the first process to use a new file switches it. That switch needs the file to itself and
    SQLite does not wait for it (no busy handler), so when several processes start on a new
    file at once, retry until another has switched it or the busy timeout has passed."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            break
        except sqlite3.OperationalError as problem:
            if "locked" not in str(problem) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    if str(mode).lower() != "wal":
        raise sqlite3.OperationalError(f"could not switch to WAL (got {mode!r})")


def _put(connection: sqlite3.Connection, user_key: str, text: str) -> None:
    updated_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    # INSERT OR REPLACE rather than an upsert: works on the older SQLite of Python 3.9 builds.
    connection.execute("INSERT OR REPLACE INTO user_records (user_key, record, updated_at) "
                       "VALUES (?, ?, ?)", (user_key, text, updated_at))


def _people(connection: sqlite3.Connection, index: str) -> list:
    row = connection.execute("SELECT record FROM user_records WHERE user_key = ?",
                             (index,)).fetchone()
    people = _decode(row[0]).get("people") if row is not None else None
    return [key for key in people if isinstance(key, str)] if isinstance(people, list) else []


def _put_people(connection: sqlite3.Connection, index: str, people: list) -> None:
    if people:
        _put(connection, index, _encode({"people": people}))
    else:
        connection.execute("DELETE FROM user_records WHERE user_key = ?", (index,))


def _encode(attributes: object) -> str:
    if not isinstance(attributes, dict):
        raise PersistenceException(f"the user record must be a dict, not "
                                   f"{type(attributes).__name__}")
    try:
        return json.dumps(attributes, allow_nan=False, separators=(",", ":"), sort_keys=True)
    except (TypeError, ValueError) as problem:
        raise PersistenceException(f"the user record is not JSON-able: {problem}") from None


def _decode(text: object) -> dict:
    try:
        record = json.loads(text)
    except (TypeError, ValueError) as problem:
        raise PersistenceException(f"a stored user record is not valid JSON: {problem}") from None
    if not isinstance(record, dict):
        raise PersistenceException(f"a stored user record is a JSON {type(record).__name__}, "
                                   f"not an object")
    return record
