"""Follow-up that remembers: consent, check-ins over a month, reminders, forget me, and a store
that fails. Whole conversations as JSON envelopes, a real SQLite file, a clock the test moves."""
import json
import sqlite3
from datetime import timedelta

import pytest

from alexa_api import api, reminder_requests  # noqa: F401 - api is a fixture
from dialog import Dialog
from days import FIRST_DAY, clock, remembering_skill, skill  # noqa: F401 - fixtures
from skill.alexa.app import build_skill, handle_event
from skill.content.loader import load_content
from skill.alexa.envelopes import request_envelope
from skill.memory.settings import Settings
from skill.memory.store import SQLitePersistenceAdapter

USER = "amzn1.ask.account.PATIENT-ONE"
CONSENT = "Shall I remember them"
QUESTION_COUNT = len(load_content().screen_questions)
CES_COUNT = len(load_content().emergency_questions)   # with the read-back
NEW_RED_FLAGS = load_content().question("new_red_flags")
NEW_SOON_SIGNS = load_content().question("new_soon_signs")




def rows(database) -> list:
    if not database.exists():
        return []
    with sqlite3.connect(database) as connection:
        return [(key, json.loads(record)) for key, record in
                connection.execute("SELECT user_key, record FROM user_records")]


def visit(skill, **kwargs) -> Dialog:
    return Dialog(skill, user_id=USER, **kwargs)


def first_screen_to_consent(dialog):
    dialog.launch()
    for _ in range(QUESTION_COUNT):
        turn = dialog.no()
    assert turn.outcome == "self_care"
    turn = dialog.no()   # no more tips, thanks
    assert CONSENT in turn.text
    return turn


def remember_a_first_visit(skill) -> Dialog:
    """A first screen with no red flags, and yes to being remembered."""
    first = visit(skill)
    first_screen_to_consent(first)
    first.yes()
    return first


def check_in(dialog, trend: str):
    welcome = dialog.launch()
    assert welcome.text.startswith("Welcome back to Sciatica Check.")
    assert "call 911 now" in welcome.text and "better, the same, or worse" in welcome.text.lower()
    turn = dialog.trend(trend)
    assert "Now the most important safety questions again." in turn.text
    for _ in range(CES_COUNT):   # the cauda equina questions, asked again
        turn = dialog.no()
    assert turn.text.endswith(NEW_RED_FLAGS.ask.strip())   # then the others: today's first
    if trend == "worse":   # a doctor today already; only the emergency department's signs matter
        turn = dialog.no()
        assert turn.outcome == "urgent"
        return turn
    turn = dialog.no()
    assert turn.text.endswith(NEW_SOON_SIGNS.ask.strip())   # then the ones for within days
    return dialog.no()


def test_yes_to_remembering_keeps_only_dates_and_outcome_under_a_hashed_key(skill, database):
    dialog = visit(skill)
    first_screen_to_consent(dialog)
    turn = dialog.yes()
    assert turn.text.startswith("Okay, I'll remember it.")
    assert "Would you like an Alexa reminder on December 10" in turn.text
    ((key, record),) = rows(database)
    assert USER not in key and USER not in database.read_bytes().decode("latin-1")
    assert record["visits"] == [{"date": "2026-11-26", "outcome": "self_care", "trend": None}]
    assert record["review_date"] == "2026-12-10" and record["episode_start"] == "2026-11-26"
    assert set(record) == {"version", "visits", "episode_start", "review_date", "reminder_id"}


@pytest.mark.parametrize("answer", ["AMAZON.NoIntent", "NotSureIntent"])
def test_anything_but_yes_to_remembering_stores_nothing(skill, database, answer):
    dialog = visit(skill)
    first_screen_to_consent(dialog)
    turn = dialog.intent(answer)
    assert turn.text.startswith("Okay, I won't keep anything.")
    assert "reminder" in turn.text   # Alexa keeps reminders itself, so it is still offered
    assert dialog.no().ends_session
    assert rows(database) == []


def test_a_check_in_asks_every_cauda_equina_question_in_full(skill, database, clock):
    # Cauda equina often develops between visits: the full question, with its examples and
    # its sensory items, never the short reprompt form (clinical review 2.0).
    remember_a_first_visit(skill).no()
    clock.move_to(5)
    dialog = visit(skill)
    dialog.launch()
    turn = dialog.trend("same")
    for question in load_content().emergency_questions:
        assert turn.text.endswith(question.ask.strip()), question.id
        turn = dialog.no()


def test_not_sure_how_the_pain_is_counts_as_the_same(skill, database, clock):
    # The more careful advice: at two weeks "the same" means book a review.
    remember_a_first_visit(skill).no()
    clock.move_to(15)
    dialog = visit(skill)
    dialog.launch()
    turn = dialog.not_sure()
    assert "Now the most important safety questions again." in turn.text
    for _ in range(CES_COUNT + 2):
        turn = dialog.no()
    assert "please book a review with your doctor" in turn.text
    ((_, record),) = rows(database)
    assert record["visits"][-1]["trend"] == "same"


def check_in_up_to(skill, clock, question):
    """A check-in five days on, pain better, "no" to every question before `question`."""
    clock.move_to(5)
    dialog = visit(skill)
    dialog.launch()
    turn = dialog.trend("better")
    for _ in range(load_content().check_in_questions.index(question)):
        turn = dialog.no()
    assert turn.text.endswith(question.ask.strip()) and turn.outcome is None
    return dialog, turn


def test_a_new_red_flag_at_a_check_in_is_urgent(skill, database, clock):
    remember_a_first_visit(skill).no()
    dialog, turn = check_in_up_to(skill, clock, NEW_RED_FLAGS)
    turn = dialog.yes()
    assert turn.text.startswith("Please go to the nearest emergency room today")
    assert turn.outcome == "urgent"
    ((_, record),) = rows(database)
    assert record["visits"][-1] == {"date": "2026-12-01", "outcome": "urgent", "trend": "better"}


def test_weight_loss_or_night_pain_new_at_a_check_in_is_a_doctor_within_days(
        skill, database, clock):
    remember_a_first_visit(skill).no()
    dialog, turn = check_in_up_to(skill, clock, NEW_SOON_SIGNS)
    turn = dialog.yes()
    assert turn.text.startswith("Please book to see your doctor within the next few days")
    assert turn.outcome == "soon"
    ((_, record),) = rows(database)
    assert record["visits"][-1] == {"date": "2026-12-01", "outcome": "soon", "trend": "better"}


def test_a_month_of_visits_is_guided_to_the_right_next_step(skill, database, clock):
    remember_a_first_visit(skill).no()

    clock.move_to(5)
    turn = check_in(visit(skill), "same")
    assert "keep going with the self-care" in turn.text and "December 10" in turn.text

    clock.move_to(15)
    turn = check_in(visit(skill), "same")
    assert "please book a review with your doctor" in turn.text

    clock.move_to(20)
    turn = check_in(visit(skill), "better")
    assert turn.text.startswith("Good to hear it's getting better.")

    clock.move_to(30)
    turn = check_in(visit(skill), "same")
    assert "ask about further tests such as a scan, and a referral to a specialist" in turn.text

    clock.move_to(33)
    dialog = visit(skill)
    turn = check_in(dialog, "worse")
    assert dialog.turns[1].text.startswith("Because the pain is getting worse")
    assert turn.text.startswith("Please see a doctor today") and turn.outcome == "urgent"

    ((_, record),) = rows(database)
    # Each check-in is kept as soon as it reaches its outcome: the user may walk away after.
    assert [v["date"] for v in record["visits"]] == ["2026-11-26", "2026-12-01", "2026-12-11",
                                                     "2026-12-16", "2026-12-26", "2026-12-29"]
    assert record["visits"][-1] == {"date": "2026-12-29", "outcome": "urgent", "trend": "worse"}
    assert record["episode_start"] == "2026-11-26"


def finish_check_in(dialog):
    turn = dialog.turns[-1]
    while not turn.ends_session:
        turn = dialog.no()
    return turn


def test_check_in_is_remembered_without_asking_again(skill, database, clock):
    remember_a_first_visit(skill)
    clock.move_to(6)
    dialog = visit(skill)
    check_in(dialog, "better")
    assert finish_check_in(dialog).text.endswith("Take care.")
    assert CONSENT not in " ".join(t.text for t in dialog.turns)
    ((_, record),) = rows(database)
    assert record["visits"][-1] == {"date": "2026-12-02", "outcome": "self_care", "trend": "better"}


def test_red_flag_at_a_check_in_is_the_same_emergency(skill, clock):
    remember_a_first_visit(skill)
    clock.move_to(10)
    dialog = visit(skill)
    dialog.launch()
    dialog.trend("better")
    dialog.no()
    turn = dialog.yes()   # numbness between the legs
    assert turn.text.startswith("Go to the nearest emergency room now, or call 911.")
    assert not turn.ends_session and turn.outcome == "emergency"


def test_volunteered_cauda_equina_symptom_before_the_trend_is_an_emergency(skill, clock):
    remember_a_first_visit(skill)
    clock.move_to(3)
    dialog = visit(skill)
    dialog.launch()
    assert dialog.symptom("i've wet myself", "bladder").outcome == "emergency"


def test_a_visit_after_a_long_gap_is_a_new_screen(skill, database, clock):
    remember_a_first_visit(skill)
    clock.move_to(120)
    dialog = visit(skill)
    assert dialog.launch().text.startswith("Sciatica Check, for adults")
    for _ in range(QUESTION_COUNT):
        dialog.no()
    finish_check_in(dialog)
    ((_, record),) = rows(database)
    assert record["episode_start"] == (FIRST_DAY + timedelta(days=120)).isoformat()


def test_forget_me_deletes_everything_and_the_next_launch_is_a_first_visit(skill, database, clock):
    remember_a_first_visit(skill)
    clock.move_to(4)
    dialog = visit(skill)
    dialog.launch()
    turn = dialog.intent("ForgetMeIntent")
    assert turn.text.startswith("Done. I've deleted everything I remembered about you.")
    assert turn.ends_session and rows(database) == []
    assert visit(skill).launch().text.startswith("Sciatica Check, for adults")
    again = visit(skill)
    again.launch()
    assert again.intent("ForgetMeIntent").text.startswith("I don't have anything stored about you.")


def test_disabling_the_skill_deletes_the_users_data(skill, database):
    remember_a_first_visit(skill)
    assert rows(database)
    event = request_envelope({"type": "AlexaSkillEvent.SkillDisabled",
                              "body": {"userInformation": {"persistenceStatus": "NOT_PERSISTED"}}},
                             user_id=USER)
    response = handle_event(skill, event)
    assert "outputSpeech" not in response["response"]
    assert rows(database) == []


def test_an_unreadable_store_never_breaks_the_screen(tmp_path, clock):
    database = tmp_path / "memory.sqlite3"
    database.write_bytes(b"this is not a database" * 100)
    skill = remembering_skill(database, clock)
    dialog = visit(skill)
    launch = dialog.launch()
    assert launch.text.startswith("Sorry, I couldn't recall your last visit")
    assert "call 911 now" in launch.text and "is peeing new and different" in launch.text
    for _ in range(QUESTION_COUNT):
        turn = dialog.no()
    assert turn.outcome == "self_care"
    assert CONSENT not in finish_check_in(dialog).text   # nowhere safe to keep it


def test_public_store_profile_keeps_nothing_but_still_offers_the_reminder(database, clock):
    skill = build_skill(settings=Settings("public", False),
                        persistence_adapter=SQLitePersistenceAdapter(database), clock=clock)
    dialog = visit(skill)
    dialog.launch()
    for _ in range(QUESTION_COUNT):
        dialog.no()
    turn = dialog.no()
    assert CONSENT not in turn.text and "Would you like an Alexa reminder" in turn.text
    assert dialog.intent("ForgetMeIntent").text.startswith("I don't have anything stored")
    assert not database.exists() or rows(database) == []


def test_reminder_is_set_through_the_reminders_api_and_forgotten_with_the_user(
        skill, database, api):
    dialog = visit(skill, system=api.envelope_context(token="token-1", granted=True))
    first_screen_to_consent(dialog)
    dialog.yes()
    turn = dialog.yes()
    assert turn.text.startswith("Done. I'll remind you on December 10.")
    assert "a short daily check" in turn.text   # then the daily watch's offer (H31)
    turn = dialog.no()
    assert turn.ends_session
    (created,) = reminder_requests(api)
    assert created.method == "POST" and created.authorization == "Bearer token-1"
    assert created.body["trigger"]["scheduledTime"] == "2026-12-10T10:00:00"
    ((_, record),) = rows(database)
    assert record["reminder_id"] in api.reminders

    forget = visit(skill, system=api.envelope_context(token="token-2", granted=True))
    forget.launch()
    forget.intent("ForgetMeIntent")
    assert reminder_requests(api)[-1].method == "DELETE" and rows(database) == []


def test_reminder_without_permission_sends_the_permissions_card(skill, api):
    dialog = visit(skill, system=api.envelope_context(granted=False))
    first_screen_to_consent(dialog)
    dialog.no()
    turn = dialog.yes()
    assert "I need your permission" in turn.text and turn.ends_session
    assert turn.card["type"] == "AskForPermissionsConsent"
    assert turn.card["permissions"] == ["alexa::alerts:reminders:skill:readwrite"]
    assert reminder_requests(api) == []


def test_failed_reminder_call_has_a_spoken_fallback(skill, api):
    api.fail_with(500, {"code": "INTERNAL_ERROR", "message": "down"})
    dialog = visit(skill, system=api.envelope_context(granted=True))
    first_screen_to_consent(dialog)
    dialog.no()
    turn = dialog.yes()
    assert turn.text.startswith("Sorry, I couldn't set the reminder.")
    assert "December 10" in turn.text and turn.ends_session


def slow_reads(store, seconds: float = 0.05):
    """The store, its plain reads slowed down (a busy disk or network), so that requests that
    overlap read the record before any of them writes it back."""
    import time
    read = store.get_attributes

    def slow(request_envelope):
        record = read(request_envelope)
        time.sleep(seconds)
        return record
    store.get_attributes = slow
    return store


def overlapping_visits_are_all_kept(store, users: int = 6) -> list:
    """One user on several devices, on different days (each device's skill has its own clock),
    says yes to being remembered at the same moment: the record keeps every visit."""
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from skill.alexa.envelopes import intent_request
    days = [FIRST_DAY + timedelta(days=index) for index in range(users)]
    pending = []
    for day in days:
        skill = build_skill(settings=Settings("local", True), persistence_adapter=store,
                            clock=lambda day=day: day)
        dialog = visit(skill)
        first_screen_to_consent(dialog)
        envelope = json.loads(json.dumps(dialog.conversation.envelope(
            intent_request("AMAZON.YesIntent"))))
        pending.append((skill, envelope))
    slow_reads(store)
    start = threading.Barrier(users)

    def say_yes(skill_and_envelope):
        skill, envelope = skill_and_envelope
        start.wait()
        return handle_event(skill, envelope)

    with ThreadPoolExecutor(users) as pool:
        responses = list(pool.map(say_yes, pending))
    for response in responses:
        assert "Okay, I'll remember it." in json.dumps(response)
    return sorted(visit["date"] for visit in store.get_attributes(_envelope_of_user())["visits"])


def _envelope_of_user():
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope
    from skill.alexa.envelopes import launch_request
    body = request_envelope(launch_request(), user_id=USER)
    return DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)


def test_overlapping_requests_for_one_user_never_lose_a_visit(database):
    kept = overlapping_visits_are_all_kept(SQLitePersistenceAdapter(database))
    assert kept == [(FIRST_DAY + timedelta(days=index)).isoformat() for index in range(6)]


def test_a_programming_error_while_saving_is_a_failure_not_a_could_not_save(
        skill, database, monkeypatch, caplog):
    """Only the store's own errors (PersistenceException) mean "couldn't save": a bug in the
    skill (here a TypeError in records.add_visit) reaches the skill's exception handler, which
    logs it as an error and still says the safe answer with the emergency number."""
    import logging
    from skill.conversation import record as records

    def broken(*args, **kwargs):
        raise TypeError("add_visit() got an unexpected keyword argument")

    dialog = visit(skill)
    first_screen_to_consent(dialog)
    monkeypatch.setattr(records, "add_visit", broken)
    with caplog.at_level(logging.ERROR, logger="skill.alexa.handlers"):
        turn = dialog.yes()
    from skill.content.loader import fill
    content = load_content()
    assert turn.text == fill(content.speech["error"], content.values) and turn.ends_session
    assert "call 911 now" in turn.text
    assert content.memory["save_failed"].strip() not in turn.text
    assert [(record.levelname, record.exc_info[0]) for record in caplog.records
            if record.name == "skill.alexa.handlers"] == [("ERROR", TypeError)]
    assert rows(database) == []   # nothing half-written
