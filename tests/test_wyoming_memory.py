"""Memory on the clinic's machine through the Wyoming service (issue 14): with a profile that
keeps memory, a satellite's visit is kept under a salted hash of its id, only after a yes to the
same consent question as on Alexa; the next conversation from that satellite is a check-in;
"forget me" deletes it; another satellite is a stranger."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid

from wyoming.handle import Handled

from skill.memory.device_records import device_key
from wyoming_service import run, running_service, say

SALT = "a-clinic-own-salt-for-the-test"


def _said(port, text, conversation, satellite):
    event = run(say(port, text, conversation, satellite=satellite))
    assert Handled.is_type(event.type), event
    return Handled.from_event(event)


def _screen_with_consent(port, satellite, consent: str) -> list:
    conversation = str(uuid.uuid4())
    replies = [_said(port, "start sciatica check", conversation, satellite)]
    for _ in range(40):
        if replies[-1].context["ended"]:
            return replies
        word = consent if "Shall I remember" in replies[-1].text else "no"
        replies.append(_said(port, word, conversation, satellite))
    raise AssertionError(replies[-1].text)


def _rows(database):
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT user_key, record FROM user_records").fetchall()


def test_consent_keeps_a_visit_under_a_salted_key_then_a_check_in_then_forget_me(tmp_path):
    database = tmp_path / "clinic.sqlite3"
    satellite = "assist_satellite.exam_room_3"
    with running_service("--profile", "local", "--db", str(database),
                         environ={"SCIATICA_USER_KEY_SALT": SALT}) as service:
        replies = _screen_with_consent(service.port, satellite, "yes")
        assert any("Shall I remember" in reply.text for reply in replies)
        assert any(reply.text.startswith("Okay, I'll remember it.") for reply in replies)
        (key, record), = _rows(database)
        assert key == device_key(satellite, SALT)
        assert satellite not in database.read_bytes().decode("latin-1")
        assert '"outcome":"self_care"' in record

        conversation = str(uuid.uuid4())
        back = _said(service.port, "start sciatica check", conversation, satellite)
        assert back.text.startswith("Welcome back to Sciatica Check.")

        stranger = _said(service.port, "start sciatica check", str(uuid.uuid4()),
                         "assist_satellite.waiting_room")
        assert stranger.text.startswith("Sciatica Check, for adults")

        forgotten = _said(service.port, "forget me", conversation, satellite)
        assert "deleted everything" in forgotten.text
        assert _rows(database) == []


def test_no_to_consent_keeps_nothing(tmp_path):
    database = tmp_path / "clinic.sqlite3"
    with running_service("--profile", "local", "--db", str(database),
                         environ={"SCIATICA_USER_KEY_SALT": SALT}) as service:
        replies = _screen_with_consent(service.port, "assist_satellite.exam_room_4", "no")
        assert any("Shall I remember" in reply.text for reply in replies)
        assert not database.exists() or _rows(database) == []


def test_a_transcript_without_a_satellite_or_device_is_never_remembered(tmp_path):
    database = tmp_path / "clinic.sqlite3"
    with running_service("--profile", "local", "--db", str(database)) as service:
        replies = _screen_with_consent(service.port, None, "yes")
        assert not any("Shall I remember" in reply.text for reply in replies)
        assert not database.exists() or _rows(database) == []


def test_the_public_profile_never_asks_to_remember(tmp_path):
    database = tmp_path / "clinic.sqlite3"
    with running_service("--profile", "public", "--db", str(database)) as service:
        replies = _screen_with_consent(service.port, "assist_satellite.exam_room_5", "yes")
        assert not any("Shall I remember" in reply.text for reply in replies)
        assert not database.exists()


def test_a_clinic_profile_without_its_own_salt_refuses_to_start(tmp_path):
    """As the Alexa endpoint does (issue 18, point 7): a record key recomputable from the
    public default salt must never be written on a clinic's machine."""
    for salt in ("", "short-salt"):
        environ = {**os.environ, "SCIATICA_USER_KEY_SALT": salt}
        ran = subprocess.run([sys.executable, "-m", "skill.tools.cli", "wyoming", "--profile",
                              "clinic", "--db", str(tmp_path / "records.sqlite3"), "--uri",
                              "tcp://127.0.0.1:1"], env=environ, capture_output=True, text=True,
                             timeout=60)
        assert ran.returncode == 2 and "SCIATICA_USER_KEY_SALT" in ran.stderr, ran.stderr
    assert not (tmp_path / "records.sqlite3").exists()
