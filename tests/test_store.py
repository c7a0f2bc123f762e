"""The SQLite user-record store: round trip, hashed keys, clean failures, and no lost writes
under several threads and several processes sharing one file."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from dialog import RAW_USER_ID, RECORD, envelope
from skill.alexa.envelopes import launch_request, request_envelope
from skill.memory.storage import build_persistence_adapter
from skill.memory.store import SQLitePersistenceAdapter, default_database_path, hashed_user_id


@pytest.fixture
def store(tmp_path) -> SQLitePersistenceAdapter:
    return SQLitePersistenceAdapter(tmp_path / "nested" / "dir" / "memory.sqlite3")


def test_round_trip_and_missing_record_is_empty(store):
    assert store.get_attributes(envelope()) == {}
    store.save_attributes(envelope(), RECORD)
    assert store.get_attributes(envelope()) == RECORD
    assert store.get_attributes(envelope("amzn1.ask.account.SOMEONEELSE")) == {}
    changed = {**RECORD, "review_date": "2026-12-24"}
    store.save_attributes(envelope(), changed)
    assert store.get_attributes(envelope()) == changed
    assert store.count_rows() == 1


def test_the_database_holds_a_hash_never_the_raw_user_id(store):
    store.save_attributes(envelope(), RECORD)
    store.save_attributes(envelope("amzn1.ask.account.SECOND"), RECORD)
    with sqlite3.connect(store.path) as connection:
        keys = {row[0] for row in connection.execute("SELECT user_key FROM user_records")}
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file
    assert keys == {hashed_user_id(envelope()), hashed_user_id(envelope("amzn1.ask.account.SECOND"))}
    assert all(len(key) == 64 and int(key, 16) >= 0 for key in keys)
    for file in store.path.parent.iterdir():
        data = file.read_bytes()
        for needle in (RAW_USER_ID, "RAWUSERIDTHATMUSTNOTBESTORED", "amzn1.ask.account"):
            assert needle.encode() not in data, file
            assert needle.encode("utf-16-le") not in data, file


def test_the_key_depends_on_the_salt_and_falls_back_to_the_session_user(monkeypatch):
    default_key = hashed_user_id(envelope())
    monkeypatch.setenv("SCIATICA_USER_KEY_SALT", "a deployment's own secret")
    assert hashed_user_id(envelope()) != default_key
    body = request_envelope(launch_request(), user_id=RAW_USER_ID)
    del body["context"]["System"]["user"]
    only_session = DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)
    assert hashed_user_id(only_session) == hashed_user_id(envelope())


def test_no_user_id_is_a_persistence_exception(store):
    body = request_envelope(launch_request())
    del body["context"]["System"]["user"], body["session"]
    anonymous = DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)
    for operation in (store.get_attributes, store.delete_attributes,
                      lambda env: store.save_attributes(env, RECORD)):
        with pytest.raises(PersistenceException, match="no Alexa user id"):
            operation(anonymous)


def test_delete_leaves_no_row_even_on_the_skill_disabled_event(store):
    store.save_attributes(envelope(), RECORD)
    store.save_attributes(envelope("amzn1.ask.account.KEEP"), RECORD)
    disabled = envelope(request={"type": "AlexaSkillEvent.SkillDisabled"})
    store.delete_attributes(disabled)
    assert store.get_attributes(envelope()) == {}
    with sqlite3.connect(store.path) as connection:
        keys = [row[0] for row in connection.execute("SELECT user_key FROM user_records")]
    assert keys == [hashed_user_id(envelope("amzn1.ask.account.KEEP"))]
    assert store.delete_user(hashed_user_id(envelope())) is False
    store.delete_attributes(envelope())  # deleting nothing is fine


def test_wal_mode_and_schema(store):
    store.get_attributes(envelope())
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        columns = [(row[1], row[2], row[3], row[5])
                   for row in connection.execute("PRAGMA table_info(user_records)")]
    assert columns == [("user_key", "TEXT", 0, 1), ("record", "TEXT", 1, 0),
                       ("updated_at", "TEXT", 1, 0)]


def test_records_that_are_not_json_dicts_are_refused(store):
    for bad in (["a list"], {"when": object()}, {"x": float("nan")}):
        with pytest.raises(PersistenceException):
            store.save_attributes(envelope(), bad)
    assert store.count_rows() == 0


@pytest.mark.parametrize("junk", ["not json", "[1, 2]", "null", "{\"cut off"])
def test_a_junk_row_is_a_persistence_exception(store, junk):
    store.get_attributes(envelope())  # creates the schema
    with sqlite3.connect(store.path) as connection:
        connection.execute("INSERT INTO user_records VALUES (?, ?, '2026-01-01')",
                           (hashed_user_id(envelope()), junk))
    with pytest.raises(PersistenceException, match="stored user record"):
        store.get_attributes(envelope())


def broken_locations(tmp_path: Path):
    random_bytes = tmp_path / "random.sqlite3"
    random_bytes.write_bytes(bytes(range(256)) * 64)
    directory = tmp_path / "a-directory.sqlite3"
    directory.mkdir()
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    return {"random bytes": random_bytes, "a directory": directory,
            "under a file": a_file / "memory.sqlite3",
            # Read-only even for root, which ignores permission bits.
            "read-only /proc": Path("/proc/sciatica-check-test.sqlite3")}


@pytest.mark.parametrize("kind", ["random bytes", "a directory", "under a file",
                                  "read-only /proc"])
def test_an_unusable_database_is_a_persistence_exception(tmp_path, kind):
    path = broken_locations(tmp_path)[kind]
    if not path.parent.exists():
        pytest.skip(f"no {path.parent} here")
    store = SQLitePersistenceAdapter(path)
    for operation in (store.get_attributes, store.delete_attributes,
                      lambda env: store.save_attributes(env, RECORD)):
        with pytest.raises(PersistenceException, match="user-record database") as caught:
            operation(envelope())
        assert not isinstance(caught.value, sqlite3.Error)
        assert str(path) in str(caught.value)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root ignores file permissions")
def test_a_read_only_location_is_a_persistence_exception(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(PersistenceException):
        SQLitePersistenceAdapter(locked / "sub" / "memory.sqlite3").save_attributes(envelope(), RECORD)


def test_default_path_and_the_factory(tmp_path, monkeypatch):
    assert default_database_path({"XDG_DATA_HOME": "/data"}) == \
        Path("/data/sciatica-check/memory.sqlite3")
    assert default_database_path({"XDG_DATA_HOME": "relative"}) == \
        Path.home() / ".local/share/sciatica-check/memory.sqlite3"
    assert default_database_path({"SCIATICA_DB_PATH": str(tmp_path / "x.db")}) == tmp_path / "x.db"
    adapter = build_persistence_adapter({"SCIATICA_DB_PATH": str(tmp_path / "x.db"),
                                         "SCIATICA_USER_KEY_SALT": "own secret"})
    assert isinstance(adapter, SQLitePersistenceAdapter) and adapter.path == tmp_path / "x.db"
    adapter.save_attributes(envelope(), RECORD)
    assert SQLitePersistenceAdapter(tmp_path / "x.db").get_attributes(envelope()) == {}  # other salt
    for environ, variable in (({"SCIATICA_DYNAMODB_TABLE": "no spaces allowed"}, "TABLE"),
                              ({"SCIATICA_DYNAMODB_TABLE": "t_1",
                                "SCIATICA_DYNAMODB_CREATE_TABLE": "maybe"}, "CREATE_TABLE"),
                              ({"SCIATICA_DYNAMODB_TABLE": "t_1",
                                "SCIATICA_DYNAMODB_ENDPOINT": "localhost:8000"}, "ENDPOINT")):
        with pytest.raises(ValueError, match=f"SCIATICA_DYNAMODB_{variable}="):
            build_persistence_adapter(environ)


def increment(record: dict) -> dict:
    return {**record, "count": record.get("count", 0) + 1}


def test_many_threads_at_once_lose_nothing(store):
    store.get_attributes(envelope())
    start = threading.Barrier(8)

    def worker(number: int) -> None:
        start.wait()
        for index in range(40):
            store.save_attributes(envelope(f"amzn1.ask.account.T{number}-{index}"), RECORD)
            store.update_attributes(envelope("amzn1.ask.account.SHARED"), increment)
            store.get_attributes(envelope(f"amzn1.ask.account.T{number}-{index}"))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(worker, range(8)))  # re-raises any worker's exception
    assert store.count_rows() == 8 * 40 + 1
    assert store.get_attributes(envelope("amzn1.ask.account.SHARED")) == {"count": 8 * 40}


WRITER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope
    from skill.alexa.envelopes import launch_request, request_envelope
    from skill.memory.store import SQLitePersistenceAdapter

    path, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    serializer = DefaultSerializer()
    def envelope(user):
        body = request_envelope(launch_request(), user_id=user)
        return serializer.deserialize(json.dumps(body), RequestEnvelope)
    own = [envelope(f"amzn1.ask.account.{name}-{i}") for i in range(200)]
    shared = envelope("amzn1.ask.account.SHARED")
    store = SQLitePersistenceAdapter(path)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    errors = []
    for i in range(200):
        try:
            store.save_attributes(own[i], {"writer": name, "i": i})
            if i % 2 == 0:
                store.update_attributes(shared, lambda r: {**r, "count": r.get("count", 0) + 1})
        except Exception as problem:
            errors.append(repr(problem))
    print(json.dumps(errors))
""")


def test_two_processes_at_once_lose_nothing(tmp_path):
    path, go = tmp_path / "shared" / "memory.sqlite3", tmp_path / "go"
    root = Path(__file__).resolve().parent.parent
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(go)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=root) for name in ("A", "B")]
    for writer in writers:  # both have imported everything: start them together
        assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
    go.touch()
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1]) == [], out  # no "database is locked"
    store = SQLitePersistenceAdapter(path)
    assert store.count_rows() == 2 * 200 + 1
    for name in ("A", "B"):
        for i in (0, 77, 199):
            assert store.get_attributes(envelope(f"amzn1.ask.account.{name}-{i}")) == \
                {"writer": name, "i": i}
    assert store.get_attributes(envelope("amzn1.ask.account.SHARED")) == {"count": 2 * 100}


def test_on_lambda_without_a_dynamodb_table_nothing_is_kept():
    from skill.memory.storage import build_persistence_adapter

    assert build_persistence_adapter({"AWS_LAMBDA_FUNCTION_NAME": "sciatica-check"}) is None
