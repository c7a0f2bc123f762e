"""The DynamoDB store, through ask-sdk's adapter contract, against a local DynamoDB-compatible
server (moto in server mode on loopback) that the test starts: no AWS account, no network."""
from __future__ import annotations

import json
import uuid

import pytest
from ask_sdk_core.exceptions import PersistenceException

from dialog import RECORD, envelope
from skill.memory.storage import PlainNumbersAdapter, build_persistence_adapter
from skill.memory.store import hashed_user_id

WHY = "the DynamoDB tests need the test extra: pip install -e '.[test]'"
boto3 = pytest.importorskip("boto3", reason=WHY)
pytest.importorskip("ask_sdk_dynamodb", reason=WHY)
moto_server = pytest.importorskip("moto.server", reason=WHY)

SALT = "this deployment's own secret"

@pytest.fixture(scope="module")
def endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def environ(endpoint, monkeypatch):
    """Dummy credentials and a region in the process environment too: ask_sdk_dynamodb builds
    a default boto3 resource when first imported, and nothing may reach real AWS."""
    for variable in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE",
                     "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(variable, raising=False)
    fake = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    for variable, value in fake.items():
        monkeypatch.setenv(variable, value)
    return {**fake, "SCIATICA_DYNAMODB_TABLE": f"sciatica-{uuid.uuid4().hex[:12]}",
            "SCIATICA_DYNAMODB_CREATE_TABLE": "true", "SCIATICA_DYNAMODB_ENDPOINT": endpoint,
            "SCIATICA_USER_KEY_SALT": SALT}


def table_items(environ) -> list:
    resource = boto3.resource("dynamodb", endpoint_url=environ["SCIATICA_DYNAMODB_ENDPOINT"])
    return resource.Table(environ["SCIATICA_DYNAMODB_TABLE"]).scan(ConsistentRead=True)["Items"]


def test_store_read_back_and_delete_under_the_hashed_key(environ):
    adapter = build_persistence_adapter(environ)
    assert isinstance(adapter, PlainNumbersAdapter)
    client = boto3.client("dynamodb", endpoint_url=environ["SCIATICA_DYNAMODB_ENDPOINT"])
    assert environ["SCIATICA_DYNAMODB_TABLE"] in client.list_tables()["TableNames"]

    assert adapter.get_attributes(envelope()) == {}
    adapter.save_attributes(envelope(), RECORD)
    back = adapter.get_attributes(envelope())
    # Same dict, and the same JSON: numbers come back as int, not DynamoDB's Decimal.
    assert back == RECORD and json.dumps(back, sort_keys=True) == json.dumps(RECORD, sort_keys=True)

    items = table_items(environ)
    assert [item["id"] for item in items] == [hashed_user_id(envelope(), salt=SALT)]
    assert "amzn1.ask.account" not in repr(items) and "RAWUSERID" not in repr(items)

    adapter.delete_attributes(envelope())
    assert adapter.get_attributes(envelope()) == {}
    assert table_items(environ) == []


def test_skill_disabled_event_deletes_only_that_user(environ):
    adapter = build_persistence_adapter(environ)
    adapter.save_attributes(envelope(), RECORD)
    adapter.save_attributes(envelope("amzn1.ask.account.KEEP"), {"version": 1, "score": 2.5})
    adapter.delete_attributes(envelope(request={"type": "AlexaSkillEvent.SkillDisabled"}))
    assert adapter.get_attributes(envelope()) == {}
    assert adapter.get_attributes(envelope("amzn1.ask.account.KEEP")) == {"version": 1, "score": 2.5}
    # Building again on an existing table with create_table true is fine.
    assert build_persistence_adapter(environ).get_attributes(envelope()) == {}


def test_a_missing_table_without_create_is_a_persistence_exception(environ):
    adapter = build_persistence_adapter({**environ, "SCIATICA_DYNAMODB_CREATE_TABLE": "false"})
    with pytest.raises(PersistenceException):
        adapter.get_attributes(envelope())
    with pytest.raises(PersistenceException):
        adapter.save_attributes(envelope(), RECORD)


def test_overlapping_requests_for_one_user_never_lose_a_visit(environ):
    from datetime import timedelta
    from test_memory import FIRST_DAY, overlapping_visits_are_all_kept
    kept = overlapping_visits_are_all_kept(build_persistence_adapter(environ))
    assert kept == [(FIRST_DAY + timedelta(days=index)).isoformat() for index in range(6)]


# --- people on one account, as on SQLite (issue 15 part 2, hazard H17) -----------------------

ACCOUNT = "amzn1.ask.account.SHARED-HOUSEHOLD-ACCOUNT"
ANNA, BEN = "amzn1.ask.person.ANNA-VOICE-PROFILE", "amzn1.ask.person.BEN-VOICE-PROFILE"


def spoken_by(person=None):
    """A request from the shared account, by a recognised person or by someone unrecognised."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from skill.alexa.envelopes import launch_request, request_envelope

    body = request_envelope(launch_request(), user_id=ACCOUNT)
    if person:
        body["context"]["System"]["person"] = {"personId": person}
    return DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)


def test_recognised_people_on_one_account_have_records_of_their_own(environ):
    adapter = build_persistence_adapter(environ)
    assert not adapter.has_person_records(spoken_by())
    adapter.update_attributes(spoken_by(ANNA), lambda record: {**record, "who": "anna"})
    adapter.update_attributes(spoken_by(BEN), lambda record: {**record, "who": "ben"})
    assert adapter.get_attributes(spoken_by(ANNA))["who"] == "anna"
    assert adapter.get_attributes(spoken_by(BEN))["who"] == "ben"
    assert adapter.get_attributes(spoken_by()) == {}   # the account itself keeps nothing
    assert adapter.has_person_records(spoken_by())
    stored = repr(table_items(environ))
    assert "ANNA" not in stored and "BEN" not in stored and "HOUSEHOLD" not in stored


def test_forget_me_takes_one_person_off_and_disabling_the_skill_takes_everyone(environ):
    adapter = build_persistence_adapter(environ)
    for person in (ANNA, BEN, None):
        adapter.update_attributes(spoken_by(person), lambda record: {**record, "visits": [1]})
    assert adapter.forget(spoken_by(ANNA)) is True
    assert adapter.forget(spoken_by(ANNA)) is False   # nothing left to forget
    assert adapter.get_attributes(spoken_by(BEN)) == {"visits": [1]}
    assert adapter.has_person_records(spoken_by())
    assert adapter.delete_account(spoken_by()) == 3   # Ben's, the account's, the list
    assert table_items(environ) == []


def test_two_peoples_first_visits_at_once_are_both_listed(environ):
    from concurrent.futures import ThreadPoolExecutor

    adapter = build_persistence_adapter(environ)
    people = [f"amzn1.ask.person.P{n}" for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda person: adapter.update_attributes(
            spoken_by(person), lambda record: {**record, "visits": [1]}), people))
    assert adapter.delete_account(spoken_by()) == len(people) + 1   # each, and the list
    assert table_items(environ) == []


def test_a_whole_household_conversation_over_dynamodb(environ):
    """The dialog test of SQLite (tests/test_person_records.py), once, over DynamoDB: Ben does
    not hear Anna's check-in, an unrecognised speaker is told how to be recognised."""
    from days import FIRST_DAY, DayClock
    from dialog import Dialog
    from skill.alexa.app import build_skill
    from skill.content.loader import load_content
    from skill.memory.settings import Settings

    clock = DayClock(FIRST_DAY)
    skill = build_skill(settings=Settings("local", True),
                        persistence_adapter=build_persistence_adapter(environ), clock=clock)
    anna = Dialog(skill, user_id=ACCOUNT, system={"person": {"personId": ANNA}})
    turn = anna.launch()
    for _ in load_content().screen_questions:
        turn = anna.no()
    assert "Shall I remember them" in anna.no().text
    assert anna.yes().text.startswith("Okay, I'll remember it.")
    clock.move_to(4)
    assert Dialog(skill, user_id=ACCOUNT, system={"person": {"personId": ANNA}}) \
        .launch().text.startswith("Welcome back to Sciatica Check.")
    ben = Dialog(skill, user_id=ACCOUNT, system={"person": {"personId": BEN}}).launch()
    assert ben.text.startswith("Sciatica Check, for adults")
    someone = Dialog(skill, user_id=ACCOUNT).launch()
    assert load_content().memory["not_recognised"] in someone.text
