"""Two people on one Amazon account do not hear each other's check-ins (issue 15 part 2, hazard
log H17): a recognised speaker (context.System.person.personId) has a record of their own; an
unrecognised speaker on an account whose people have records is treated as new and told how to
be recognised; "forget me" is per person; disabling the skill deletes every record of the
account. Whole conversations, a real SQLite file, a clock the test moves."""
from __future__ import annotations

import json
import sqlite3

import pytest

from alexa_api import REMINDERS_PATH, FakeAlexaApi
from days import clock, skill  # noqa: F401 - clock and skill are fixtures
from dialog import Dialog, envelope
from skill.alexa.app import handle_event
from skill.alexa.envelopes import request_envelope
from skill.content.loader import load_content
from skill.memory.store import SQLitePersistenceAdapter
from ask_sdk_model import Person

ACCOUNT = "amzn1.ask.account.SHARED-HOUSEHOLD-ACCOUNT"
ANNA, BEN = "amzn1.ask.person.ANNA-VOICE-PROFILE", "amzn1.ask.person.BEN-VOICE-PROFILE"
QUESTION_COUNT = len(load_content().screen_questions)
NOT_RECOGNISED = load_content().memory["not_recognised"]
WELCOME_BACK = "Welcome back to Sciatica Check."
FIRST_WELCOME = "Sciatica Check, for adults"


def rows(database) -> dict:
    if not database.exists():
        return {}
    with sqlite3.connect(database) as connection:
        return {key: json.loads(record) for key, record in
                connection.execute("SELECT user_key, record FROM user_records")}


def records(database) -> list:
    """The users' records (the account's list of people left out)."""
    return [record for record in rows(database).values() if "people" not in record]


def speaker(skill, person=None, **system) -> Dialog:
    if person is not None:
        system["person"] = {"personId": person}
    return Dialog(skill, user_id=ACCOUNT, system=system)


def remember_a_first_visit(dialog: Dialog):
    dialog.launch()
    for _ in range(QUESTION_COUNT):
        turn = dialog.no()
    assert turn.outcome == "self_care"
    assert "Shall I remember them" in dialog.no().text
    assert dialog.yes().text.startswith("Okay, I'll remember it.")


def test_two_recognised_people_on_one_account_keep_separate_timelines(skill, database, clock):
    remember_a_first_visit(speaker(skill, ANNA))
    clock.move_to(4)
    ben = speaker(skill, BEN)
    assert ben.launch().text.startswith(FIRST_WELCOME)   # not Anna's check-in
    ben.conversation.session_id = None
    remember_a_first_visit(ben)
    clock.move_to(8)
    anna_back = speaker(skill, ANNA).launch().text
    assert anna_back.startswith(WELCOME_BACK) and "November 26" in anna_back
    ben_back = speaker(skill, BEN).launch().text
    assert ben_back.startswith(WELCOME_BACK) and "November 30" in ben_back
    starts = sorted(record["episode_start"] for record in records(database))
    assert starts == ["2026-11-26", "2026-11-30"]


def test_an_unrecognised_speaker_on_an_account_with_person_records_is_new_and_told_how(
        skill, database, clock):
    remember_a_first_visit(speaker(skill, ANNA))
    before = rows(database)
    clock.move_to(4)
    someone = speaker(skill)
    welcome = someone.launch()
    assert welcome.text.startswith(FIRST_WELCOME) and "November 26" not in welcome.text
    assert NOT_RECOGNISED in welcome.text and "voice profile" in welcome.text
    assert welcome.text.index("call 911 now") < welcome.text.index(NOT_RECOGNISED)
    turn = welcome
    for _ in range(QUESTION_COUNT):
        turn = someone.no()
    assert turn.outcome == "self_care"
    while not turn.ends_session:
        assert "Shall I remember them" not in turn.text   # nothing is kept for them
        turn = someone.no()
    assert rows(database) == before


def test_an_unrecognised_speaker_never_hears_the_note_beside_an_emergency(skill, database):
    remember_a_first_visit(speaker(skill, ANNA))
    someone = speaker(skill)
    turn = someone.symptom("I can't feel my bottom", "saddle")
    assert NOT_RECOGNISED not in turn.text
    emergency = someone.yes()
    assert emergency.outcome == "emergency" and NOT_RECOGNISED not in emergency.text


def test_an_account_without_person_records_is_remembered_as_before(skill, database, clock):
    remember_a_first_visit(speaker(skill))
    clock.move_to(4)
    assert speaker(skill).launch().text.startswith(WELCOME_BACK)


def test_forget_me_from_a_recognised_person_deletes_only_their_record_and_reminder(
        skill, database, monkeypatch):
    remember_a_first_visit(speaker(skill, ANNA))
    remember_a_first_visit(speaker(skill, BEN))
    adapter = SQLitePersistenceAdapter(database)
    for person, reminder in ((ANNA, "anna-reminder"), (BEN, "ben-reminder")):
        adapter.update_attributes(person_envelope(person),
                                  lambda record, r=reminder: {**record, "reminder_id": r})
    with FakeAlexaApi() as api:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", api.ca_file)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        anna = speaker(skill, ANNA, **api.envelope_context(user_id=ACCOUNT))
        anna.launch()
        assert anna.intent("ForgetMeIntent").text.startswith("Done.")
        deleted = [r.path for r in api.requests if r.method == "DELETE"]
    assert deleted == [f"{REMINDERS_PATH}/anna-reminder"]
    assert [record["reminder_id"] for record in records(database)] == ["ben-reminder"]
    assert speaker(skill, ANNA).launch().text.startswith(FIRST_WELCOME)
    assert speaker(skill, BEN).launch().text.startswith(WELCOME_BACK)


def test_when_every_person_has_forgotten_the_account_has_no_person_records(skill, database):
    remember_a_first_visit(speaker(skill, ANNA))
    anna = speaker(skill, ANNA)
    anna.launch()
    anna.intent("ForgetMeIntent")
    assert rows(database) == {}
    assert NOT_RECOGNISED not in speaker(skill).launch().text


def test_disabling_the_skill_deletes_every_record_of_the_account(skill, database):
    remember_a_first_visit(speaker(skill))          # the account's own, from before profiles
    remember_a_first_visit(speaker(skill, ANNA))
    remember_a_first_visit(speaker(skill, BEN))
    other = Dialog(skill, user_id="amzn1.ask.account.SOMEONE-ELSE")
    remember_a_first_visit(other)
    assert len(records(database)) == 4
    event = request_envelope({"type": "AlexaSkillEvent.SkillDisabled",
                              "body": {"userInformation": {"persistenceStatus": "NOT_PERSISTED"}}},
                             user_id=ACCOUNT)
    assert "outputSpeech" not in handle_event(skill, event)["response"]
    assert len(rows(database)) == 1   # only the other account's record is left


def test_nothing_raw_is_stored_for_a_person(skill, database):
    remember_a_first_visit(speaker(skill, ANNA))
    stored = database.read_bytes().decode("latin-1")
    for wal in database.parent.glob(database.name + "-wal"):
        stored += wal.read_bytes().decode("latin-1")
    for raw in (ACCOUNT, ANNA, "ANNA-VOICE-PROFILE", "SHARED-HOUSEHOLD"):
        assert raw not in stored
    assert all(ANNA not in key and ACCOUNT not in key for key in rows(database))


def test_a_person_key_differs_from_the_accounts_and_between_accounts(database):
    adapter = SQLitePersistenceAdapter(database)
    keys = {adapter._key(person_envelope(ANNA)), adapter._key(envelope(ACCOUNT)),
            adapter._key(person_envelope(ANNA, account="amzn1.ask.account.OTHER"))}
    assert len(keys) == 3


def person_envelope(person, account=ACCOUNT):
    """A request from `person` on `account`, as ask-sdk hands it to a persistence adapter."""
    event = envelope(account)
    event.context.system.person = Person(person_id=person)
    return event
