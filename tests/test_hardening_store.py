"""Issue 18, the store and the Reminders API: a held lock, a record that is not JSON, files
others can read, freed pages that keep a forgotten user, an API that drips or floods. Each
attack reproduced on the real SQLite file and the local HTTPS stand-in for the Alexa API.
Times asserted are the issue's bounds (answers well inside Alexa's 8 s), with margin."""
from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from contextlib import contextmanager

import pytest
from ask_sdk_core.exceptions import PersistenceException

from alexa_api import api  # noqa: F401 - api is a fixture
from days import clock, remembering_skill  # noqa: F401 - clock is a fixture
from dialog import RECORD, Dialog, envelope
from skill.alexa import effects
from skill.alexa.reminders import ReminderApiClient, ReminderStatus
from skill.memory.store import SQLitePersistenceAdapter, hashed_user_id
from test_memory import (CES_COUNT, USER, first_screen_to_consent, remember_a_first_visit,
                         rows, visit)
from test_reminders import create
from test_reminders import envelope as reminder_envelope

WELL_INSIDE_ALEXA_S = 6.0   # Alexa waits 8 s


@contextmanager
def held_lock(database, seconds: float = 10.0):
    """Another process's writer holding the file's write lock, as the red team did."""
    connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    connection.execute("BEGIN IMMEDIATE")
    release = threading.Timer(seconds, connection.rollback)
    release.start()
    try:
        yield
    finally:
        release.cancel()
        connection.rollback()
        connection.close()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


# --------------------------------------------------------------------------- the lock

def test_a_write_waits_about_a_second_for_a_held_lock_then_fails_cleanly(database):
    store = SQLitePersistenceAdapter(database)
    store.save_attributes(envelope(), RECORD)
    with held_lock(database):
        started = time.monotonic()
        with pytest.raises(PersistenceException, match="locked"):
            store.save_attributes(envelope(), RECORD)
        assert time.monotonic() - started < 3.0   # was 5 s for each operation


def check_in_up_to_its_last_answer(database, clock, trend: str) -> Dialog:
    """A remembered user's check-in four days on, answered up to its last question."""
    skill = remembering_skill(database, clock)
    remember_a_first_visit(skill)
    clock.move_to(4)
    dialog = visit(skill)
    dialog.launch()
    dialog.trend(trend)
    for _ in range(CES_COUNT):
        dialog.no()
    dialog.no()
    return dialog


def test_a_check_in_under_a_held_lock_answers_well_inside_8_s_and_says_it_was_not_kept(
        database, clock):
    dialog = check_in_up_to_its_last_answer(database, clock, "better")
    with held_lock(database):
        turn, elapsed = timed(dialog.no)   # the last answer: the visit is kept now
    assert turn.outcome == "self_care"
    assert elapsed < WELL_INSIDE_ALEXA_S
    assert "I couldn't save that, so I won't remember today." in turn.text
    (_, record), = rows(database)
    assert len(record["visits"]) == 1   # the check-in really was not kept: and they were told


def test_a_check_in_kept_on_the_second_try_is_not_lost(database, clock):
    dialog = check_in_up_to_its_last_answer(database, clock, "same")
    with held_lock(database, seconds=1.3):   # freed during the second try
        turn = dialog.no()
    assert "couldn't save" not in turn.text
    (_, record), = rows(database)
    assert len(record["visits"]) == 2


def test_an_emergency_under_a_held_lock_is_said_at_once_and_in_full(database, clock):
    skill = remembering_skill(database, clock)
    remember_a_first_visit(skill)
    clock.move_to(2)
    dialog = visit(skill)
    with held_lock(database):
        dialog.launch()
        turn, elapsed = timed(lambda: dialog.symptom("i've wet myself", "bladder"))
        assert turn.outcome == "emergency"
        assert turn.text.startswith("Go to the nearest emergency room now, or call 911.")
        assert "couldn't save" not in turn.text
        # The lock waits about 1 s a try: the answer does not wait for it at all.
        assert elapsed < 0.8, elapsed
    # Written beside the answer, once the lock is free: nothing lost.
    assert effects.wait_for_background_writes(timeout=10)
    (_, record), = rows(database)
    assert [visit["outcome"] for visit in record["visits"]] == ["self_care", "emergency"]


def test_a_dripping_reminders_api_and_a_held_lock_stay_well_inside_8_s(database, clock,
                                                                          api):
    skill = remembering_skill(database, clock)
    dialog = visit(skill, system=api.envelope_context(granted=True, user_id=USER))
    first_screen_to_consent(dialog)
    dialog.yes()
    api.fail_with(201, {"alertToken": "late", "status": "ON"}, drip=0.5)
    with held_lock(database):
        turn, elapsed = timed(dialog.yes)   # yes to the reminder
    assert elapsed < WELL_INSIDE_ALEXA_S   # was 7.98 s: per-read timeouts never fired
    assert "couldn't set the reminder" in turn.text


# --------------------------------------------------------------------------- the Reminders API

def test_a_reminders_call_is_bounded_in_total_not_per_read(api):
    api.fail_with(201, {"alertToken": "x" * 40, "status": "ON"}, drip=0.5)
    result, elapsed = timed(lambda: create(reminder_envelope(api),
                                           api_client=ReminderApiClient()))
    assert result.status is ReminderStatus.FAILED
    assert elapsed < 4.5   # total 3 s; each byte came well within the 3 s read timeout


def test_a_huge_reminders_answer_is_not_read(api):
    api.fail_with(201, {"alertToken": "t", "padding": "x" * (2 * 1024 * 1024)})
    result = create(reminder_envelope(api), api_client=ReminderApiClient())
    assert result.status is ReminderStatus.FAILED and "larger than" in result.reason


def test_forget_me_deletes_a_reminder_whose_id_the_store_lost(database, clock, api):
    skill = remembering_skill(database, clock)
    remember_a_first_visit(skill)
    api.reminders["lost-id"] = {"set": "while the store was locked"}
    forget = visit(skill, system=api.envelope_context(granted=True, user_id=USER))
    forget.launch()
    turn = forget.intent("ForgetMeIntent")
    assert turn.text.startswith("Done.")
    assert api.reminders == {} and rows(database) == []
    assert any(r.method == "DELETE" and r.path.endswith("/lost-id") for r in api.requests)


# --------------------------------------------------------------------------- forgetting

def test_forget_me_deletes_a_record_that_is_not_valid_json(database, clock):
    skill = remembering_skill(database, clock)
    remember_a_first_visit(skill)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE user_records SET record = '{not json'")
    dialog = visit(skill)
    dialog.launch()
    turn = dialog.intent("ForgetMeIntent")
    assert turn.text.startswith("Done. I've deleted everything I remembered about you.")
    assert rows(database) == []


def test_a_forgotten_user_leaves_nothing_in_free_pages(database):
    store = SQLitePersistenceAdapter(database)
    secret = "WEIRD-MARKER-" * 50
    store.save_attributes(envelope(), {**RECORD, "note": secret})
    for other in range(30):   # enough rows that the freed space is a page SQLite keeps
        store.save_attributes(envelope(f"amzn1.ask.account.OTHER{other}"), RECORD)
    assert store.delete_user(hashed_user_id(envelope()))
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = b"".join(path.read_bytes() for path in database.parent.iterdir()
                    if path.name.startswith(database.name))
    assert b"WEIRD-MARKER-" not in data
    assert hashed_user_id(envelope()).encode() not in data


# --------------------------------------------------------------------------- permissions

def test_the_database_is_readable_by_its_owner_only(tmp_path):
    old_umask = os.umask(0o022)
    try:
        database = tmp_path / "new-dir" / "memory.sqlite3"
        store = SQLitePersistenceAdapter(database)
        store.save_attributes(envelope(), RECORD)
        with sqlite3.connect(database) as reader:   # a reader keeps -wal and -shm in place
            reader.execute("SELECT COUNT(*) FROM user_records").fetchall()
            modes = {path.name: stat.S_IMODE(path.stat().st_mode)
                     for path in database.parent.iterdir()}
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
    assert modes[database.name] == 0o600
    assert {name for name in modes} >= {database.name + "-wal", database.name + "-shm"}
    assert set(modes.values()) == {0o600}, modes


def test_an_existing_world_readable_database_is_narrowed(tmp_path):
    database = tmp_path / "memory.sqlite3"
    SQLitePersistenceAdapter(database).save_attributes(envelope(), RECORD)
    os.chmod(database, 0o644)
    SQLitePersistenceAdapter(database).get_attributes(envelope())
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
