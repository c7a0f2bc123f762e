"""The daily watch for the first weeks (hazard log H31): the offer after the review reminder,
the recurring reminder through the Reminders API (a local HTTPS stand-in), the daily check as
whole conversations of JSON envelopes, "forget me", and properties of the pure core."""
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from alexa_api import api, reminder_requests  # noqa: F401 - api is a fixture
from dialog import Dialog
from days import FIRST_DAY, clock, skill  # noqa: F401 - clock, skill: fixtures
from skill.alexa import effects
from skill.alexa.app import build_skill
from skill.content.loader import available_locales, load_content
from skill.conversation.daily_check import DailyCheck
from skill.memory.settings import Settings
from skill.conversation.state import POSITIVE, Event, SymptomReport
from skill.memory.store import SQLitePersistenceAdapter
from skill.conversation.triage import begin, initial_state, step
from skill.conversation.questions import question_in_hand

REVIEW = "2026-12-10"
USER = "amzn1.ask.account.PATIENT-WATCH"
CONTENT = load_content("en-US")
QUESTION_COUNT = len(CONTENT.screen_questions)
DAILY = CONTENT.daily_check_questions
OFFER = "Would you like a short daily check of the three most serious signs, until December 10?"
SAY = "Say: Alexa, ask sciatica check for my daily check."
BETWEEN_CHECKS = ("If a sign appears between checks, don't wait for the next one: go to the "
                  "nearest emergency room or call 911.")




def record(database) -> dict:
    with sqlite3.connect(database) as connection:
        ((key, text),) = connection.execute("SELECT user_key, record FROM user_records")
    assert USER not in key
    return json.loads(text)


def visit(skill, api=None, granted=True, locale="en-US") -> Dialog:
    system = api.envelope_context(granted=granted, user_id=USER) if api else None
    return Dialog(skill, locale=locale, user_id=USER, system=system)


def to_the_watch_offer(dialog, remind_review: bool = False):
    """A first screen with no red flag, no more tips, yes to being remembered, then the review
    reminder answered: the watch's offer."""
    dialog.launch()
    for _ in range(QUESTION_COUNT):
        turn = dialog.no()
    assert turn.outcome == "self_care"
    dialog.no()                         # no more tips
    turn = dialog.yes()                 # remember me
    assert "Would you like an Alexa reminder on December 10" in turn.text
    turn = dialog.yes() if remind_review else dialog.no()
    assert turn.text.endswith(OFFER + " I'd set a daily Alexa reminder.")
    assert not turn.ends_session and "until December 10? Yes or no?" in turn.reprompt
    return turn


def set_up_a_watch(skill, api, granted=True):
    dialog = visit(skill, api, granted)
    to_the_watch_offer(dialog)
    return dialog.yes()


def daily_check(skill, api=None) -> Dialog:
    dialog = visit(skill, api)
    dialog.intent("DailyCheckIntent")
    return dialog


# --- the offer and the recurring reminder ------------------------------------------------

def test_yes_to_the_watch_sets_a_daily_reminder_until_the_review_date(skill, database, api):
    dialog = visit(skill, api)
    to_the_watch_offer(dialog, remind_review=True)
    turn = dialog.yes()
    assert turn.text.startswith("Done. Alexa will remind you each morning until December 10. "
                                "Then say: Alexa, ask sciatica check for my daily check. "
                                + BETWEEN_CHECKS)
    assert turn.ends_session
    review, daily = [request.body for request in reminder_requests(api)]
    assert review["trigger"] == {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": f"{REVIEW}T10:00:00"}
    assert daily["trigger"] == {"type": "SCHEDULED_ABSOLUTE", "recurrence": {
        "startDateTime": "2026-11-27T10:00:00", "endDateTime": f"{REVIEW}T10:00:00",
        "recurrenceRules": ["FREQ=DAILY;BYHOUR=10;BYMINUTE=0;BYSECOND=0"]}}
    (spoken,) = daily["alertInfo"]["spokenInfo"]["content"]
    assert spoken["locale"] == "en-US" and spoken["text"].endswith(SAY)
    kept = record(database)
    watch_id = kept["daily_watch"]["reminder_id"]
    assert kept["daily_watch"] == {"until": REVIEW, "reminder_id": watch_id}
    assert {kept["reminder_id"], watch_id} == set(api.reminders)


@pytest.mark.parametrize("answer", ["AMAZON.NoIntent", "NotSureIntent"])
def test_anything_but_yes_to_the_watch_sets_nothing(skill, database, api, answer):
    dialog = visit(skill, api)
    to_the_watch_offer(dialog)
    turn = dialog.intent(answer)
    assert turn.ends_session and turn.text.endswith("Take care.")
    assert reminder_requests(api) == [] and "daily_watch" not in record(database)


def test_the_watch_is_only_offered_to_someone_who_agreed_to_be_remembered(skill, database, api):
    dialog = visit(skill, api)
    dialog.launch()
    for _ in range(QUESTION_COUNT + 1):
        dialog.no()
    dialog.no()                          # don't remember me
    turn = dialog.no()                   # no review reminder either
    assert turn.ends_session and "daily check" not in turn.text
    assert not database.exists() or not sqlite3.connect(database).execute(
        "SELECT * FROM user_records").fetchall()


def test_without_reminder_permission_the_watch_is_kept_and_the_card_says_how(
        skill, database, api, clock):
    turn = set_up_a_watch(skill, api, granted=False)
    assert turn.text.startswith("To remind you each day, I need your permission")
    assert SAY.replace("Say", "say") + " " + BETWEEN_CHECKS in turn.text and turn.ends_session
    assert turn.card["type"] == "AskForPermissionsConsent"
    assert reminder_requests(api) == []
    assert record(database)["daily_watch"] == {"until": REVIEW, "reminder_id": None}
    clock.move_to(1)
    assert daily_check(skill).turns[0].text.startswith("Your daily check.")


def test_a_failed_reminder_call_keeps_the_watch_and_says_how_to_ask(skill, database, api):
    dialog = visit(skill, api)
    to_the_watch_offer(dialog)
    api.fail_with(500, {"code": "INTERNAL_ERROR", "message": "down"})
    turn = dialog.yes()
    assert turn.text.startswith("Sorry, I couldn't set the daily reminder. Each day until "
                                "December 10, say: Alexa, ask sciatica check for my daily check. "
                                + BETWEEN_CHECKS)
    assert record(database)["daily_watch"] == {"until": REVIEW, "reminder_id": None}


# --- the daily check ---------------------------------------------------------------------

def test_daily_check_asks_each_question_in_full_and_all_no_is_all_clear(skill, api, clock):
    set_up_a_watch(skill, api)
    clock.move_to(3)
    dialog = daily_check(skill, api)
    turn = dialog.turns[0]
    assert turn.text.startswith("Your daily check. If this could be an emergency, call 911 now.")
    for question in DAILY:
        assert turn.text.endswith(question.ask.strip()) and not turn.ends_session, question.id
        # The question's reprompt, then the choices while they may not be known (issue 17).
        assert question.reprompt in turn.reprompt
        turn = dialog.no()
    assert [q.id for q in DAILY] == ["bladder", "saddle", "bowel", "cauda_equina_check"]
    assert turn.text == " ".join((
        "All clear for today.",
        "Remember, day or night, even if mild: if peeing, pooing or wiping feels different, or "
        "you get numbness between your legs, or pain or weakness in both legs, go to the nearest "
        "emergency room or call 911.",
        "I'll ask again tomorrow."))
    assert turn.ends_session and turn.outcome is None
    assert turn.card["title"] == "Warning signs: act at once"


def test_the_last_days_check_says_it_was_the_last(skill, api, clock):
    set_up_a_watch(skill, api)
    clock.move_to(14)
    dialog = daily_check(skill, api)
    for _ in DAILY:
        turn = dialog.no()
    assert turn.text.endswith("That was your last daily check. If you're not better, "
                              "book a review with your doctor.")


def test_daily_check_yes_at_bowel_is_the_emergency_at_once(skill, database, api, clock):
    set_up_a_watch(skill, api)
    clock.move_to(5)
    dialog = daily_check(skill, api)
    dialog.no()
    turn = dialog.no()
    assert turn.text.endswith(CONTENT.question("bowel").ask.strip())
    turn = dialog.yes()
    assert turn.text.startswith("Go to the nearest emergency room now, or call 911.")
    assert turn.outcome == "emergency" and not turn.ends_session
    # Never softened: after the emergency, anything but a yes hears the call (H32).
    assert dialog.intent("DailyCheckIntent").text.startswith("Call 911 now")
    assert effects.wait_for_background_writes(timeout=10)   # written beside the answer
    kept = record(database)
    assert kept["visits"][-1] == {"date": "2026-12-01", "outcome": "emergency", "trend": None}
    assert kept["daily_watch"]["until"] == REVIEW   # the watch goes on


def test_an_unplaced_answer_is_asked_again_then_counts_as_not_sure(skill, api, clock):
    set_up_a_watch(skill, api)
    clock.move_to(2)
    dialog = daily_check(skill, api)
    turn = dialog.intent("AMAZON.FallbackIntent")
    assert turn.text.startswith("Sorry, I didn't catch that.")
    assert turn.text.endswith(CONTENT.question("bladder").clarify.strip())
    turn = dialog.not_sure()
    assert turn.outcome == "emergency"


def test_a_sign_the_daily_check_does_not_ask_is_still_the_emergency(skill, api, clock):
    set_up_a_watch(skill, api)
    clock.move_to(2)
    dialog = daily_check(skill, api)
    turn = dialog.symptom("both my legs have gone weak", "both_legs")
    assert turn.outcome == "emergency"


def test_daily_check_after_its_end_date_runs_the_full_check_in(skill, api, clock):
    set_up_a_watch(skill, api)
    clock.move_to(15)
    turn = daily_check(skill, api).turns[0]
    assert turn.text.startswith("Your daily check has ended, so let's go through the full "
                                "check. Welcome back to Sciatica Check.")
    assert turn.text.endswith("Better, the same, or worse?")


def test_daily_check_without_a_watch_runs_the_full_screen(skill):
    turn = daily_check(skill).turns[0]
    assert turn.text.startswith("You don't have a daily check set up, so let's go through the "
                                "full check. Sciatica Check, for adults")
    assert turn.text.endswith(CONTENT.question("bladder").ask.strip())


def test_daily_check_in_a_session_starts_it_but_mid_screen_is_not_an_answer(skill, api, clock):
    set_up_a_watch(skill, api)
    clock.move_to(4)
    dialog = visit(skill, api)
    dialog.launch()                                  # the check-in's trend question
    turn = dialog.intent("DailyCheckIntent")
    assert turn.text.startswith("Your daily check.")
    turn = dialog.no()
    assert turn.text.endswith(CONTENT.question("saddle").ask.strip())
    turn = dialog.intent("DailyCheckIntent")         # a yes or no was due: asked again
    assert turn.text.endswith(CONTENT.question("saddle").clarify.strip())


def test_forget_me_deletes_the_watch_and_its_reminder(skill, database, api):
    dialog = visit(skill, api)
    to_the_watch_offer(dialog, remind_review=True)
    dialog.yes()
    assert len(api.reminders) == 2
    forget = visit(skill, api)
    forget.launch()
    assert forget.intent("ForgetMeIntent").text.startswith("Done. I've deleted everything")
    assert api.reminders == {} and [r.method for r in reminder_requests(api)[-2:]] == ["DELETE", "DELETE"]
    assert sqlite3.connect(database).execute("SELECT * FROM user_records").fetchall() == []
    assert daily_check(skill).turns[0].text.startswith("You don't have a daily check set up")


def test_the_daily_watch_in_spanish(skill, database, api, clock):
    dialog = visit(skill, api, locale="es-US")
    dialog.launch()
    for _ in range(len(load_content("es-US").screen_questions) + 1):
        dialog.no()
    dialog.yes()
    turn = dialog.no()
    assert turn.text.startswith("¿Quiere una revisión diaria breve de las tres señales más graves")
    turn = dialog.yes()
    assert "pídele a revisión de ciática mi revisión diaria" in turn.text
    (created,) = reminder_requests(api)
    assert created.body["alertInfo"]["spokenInfo"]["content"][0]["locale"] == "es-US"
    clock.move_to(1)
    dialog = visit(skill, api, locale="es-US")
    turn = dialog.intent("DailyCheckIntent")
    assert turn.text.startswith("Su revisión diaria. Si puede ser una emergencia, llame al 911")
    for _ in DAILY:
        turn = dialog.no()
    assert turn.text.startswith("Todo bien por hoy. Recuerde,")
    assert turn.text.endswith("Mañana le pregunto otra vez.")


@pytest.mark.parametrize("locale", available_locales())
def test_every_locale_listens_for_the_daily_check(locale):
    from skill.language.interaction_model import build_interaction_model

    model = build_interaction_model(locale)["interactionModel"]["languageModel"]
    samples = {intent["name"]: intent.get("samples", []) for intent in model["intents"]}
    first = "mi revisión diaria" if locale.startswith("es") else "my daily check"
    assert first in samples["DailyCheckIntent"]
    assert load_content(locale).daily_check_ids == CONTENT.daily_check_ids


# --- properties of the pure core ---------------------------------------------------------

ANSWERS = [Event.YES, Event.NO, Event.NOT_SURE, Event.UNCLEAR, Event.REPEAT, Event.HELP,
           Event.NEXT]
WATCH = DailyCheck(watch_until=REVIEW)
answers = st.lists(st.one_of(st.sampled_from(ANSWERS),
                             st.builds(SymptomReport, st.sampled_from(
                                 [None, "one_leg_pain", "back_pain", "unknown"]))), max_size=30)
days = st.integers(min_value=0, max_value=14)


def daily_session(day: int):
    today = (FIRST_DAY + timedelta(days=day)).isoformat()
    state = initial_state(today, "remembered", FIRST_DAY.isoformat())
    state, prompt = step(CONTENT, state, WATCH)
    assert state.mode == "daily_check" and prompt.speech[0] == CONTENT.daily_watch["intro"]
    return state


def run_daily(state, events):
    """Each step as (state before, event, state after, prompt), up to the session's end."""
    trace = []
    for event in events:
        before = state
        state, prompt = step(CONTENT, state, event)
        trace.append((before, event, state, prompt))
        if prompt.end_session:
            break
    return trace


@settings(max_examples=500, deadline=None)
@given(answers, days)
def test_a_yes_or_a_standing_not_sure_in_a_daily_check_ends_in_emergency(events, day):
    """A yes to a question in hand, or a "not sure" (or an unplaced answer) said again when it
    is asked in other words, is the emergency at once, and stays it."""
    trace = run_daily(daily_session(day), events)
    for index, (before, event, after, prompt) in enumerate(trace):
        in_hand = question_in_hand(CONTENT, before)
        if before.outcome is None and in_hand is not None and (
                event == Event.YES or
                (event in (Event.NOT_SURE, Event.UNCLEAR) and before.doubts == 1)):
            assert after.outcome == "emergency"
            assert prompt.speech[0] == CONTENT.outcomes["emergency"].speech[0]
            assert all(later.outcome == "emergency" for _, _, later, _ in trace[index:])
            return


@settings(max_examples=500, deadline=None)
@given(answers, days)
def test_nothing_unplaceable_is_ignored_and_all_clear_needs_a_no_to_every_question(events, day):
    trace = run_daily(daily_session(day), events)
    for before, event, after, prompt in trace:
        in_hand = question_in_hand(CONTENT, before)
        if in_hand is None:
            continue
        if event in (Event.NOT_SURE, Event.UNCLEAR) or isinstance(event, SymptomReport):
            # asked again in other words (the same question, one doubt), or counted as yes
            assert after.outcome == "emergency" or (
                question_in_hand(CONTENT, after) == in_hand and after.doubts == 1), event
        if event in (Event.REPEAT, Event.HELP, Event.NEXT):
            assert question_in_hand(CONTENT, after) == in_hand   # never skipped
        if prompt.end_session:
            assert prompt.speech[0] == CONTENT.daily_watch["all_clear"]
            assert event == Event.NO and dict(before.answers) == {
                q.id: "no" for q in DAILY if q.id != in_hand.id}
            assert not any(answer in POSITIVE for _, answer in before.answers)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ANSWERS), max_size=12), st.sampled_from(DAILY))
def test_a_daily_check_never_softens_an_emergency(events, question):
    state = begin(CONTENT, initial_state("2026-11-30", "remembered", "2026-11-26"))[0]
    state, _ = step(CONTENT, state, SymptomReport(question.id if question.names_one_symptom
                                                  else "bladder"))
    assert state.outcome == "emergency"
    for event in [WATCH] + events + [WATCH, DailyCheck(None)]:
        state, prompt = step(CONTENT, state, event)
        assert state.outcome == "emergency"
        # The emergency's action, or after the teach-back the call (hazard H32), first.
        assert prompt.speech[0] in (CONTENT.outcomes["emergency"].speech[0],
                                    CONTENT.handover["call_now"])


class SavesFailLater(SQLitePersistenceAdapter):
    """The real SQLite store, whose saves start failing when told (a full or locked disk)."""

    failing = False

    def save_attributes(self, request_envelope, attributes):
        if self.failing:
            from ask_sdk_core.exceptions import PersistenceException
            raise PersistenceException("disk full")
        super().save_attributes(request_envelope, attributes)

    def update_attributes(self, request_envelope, change):
        if self.failing:
            from ask_sdk_core.exceptions import PersistenceException
            raise PersistenceException("disk full")
        return super().update_attributes(request_envelope, change)


def test_a_watch_that_cannot_be_kept_deletes_its_reminder_and_says_so(database, clock, api):
    store = SavesFailLater(database)
    skill = build_skill(settings=Settings("local", True), persistence_adapter=store, clock=clock)
    dialog = visit(skill, api)
    to_the_watch_offer(dialog)
    store.failing = True
    turn = dialog.yes()
    assert turn.text.startswith("Sorry, I couldn't set up the daily check.") and turn.ends_session
    assert [r.method for r in reminder_requests(api)] == ["POST", "DELETE"] and api.reminders == {}
    assert "daily_watch" not in record(database)   # what was kept before is still there
    clock.move_to(1)
    assert daily_check(skill).turns[0].text.startswith("You don't have a daily check set up")


@pytest.mark.parametrize("locale", available_locales())
def test_what_the_reminder_tells_people_to_say_reaches_the_daily_check(locale):
    """The reminder's own words ("Say: Alexa, ask sciatica check for my daily check."), through
    the locale's interaction model the way Alexa resolves a one-shot (skill/language/nlu.py)."""
    from skill.language.nlu import resolve

    text = load_content(locale).daily_watch["reminder_text"]
    said = text.split("Alexa, ", 1)[1].rstrip(".")
    model = json.loads((Path(__file__).resolve().parent.parent / "interaction_model" /
                        f"{locale}.json").read_text(encoding="utf-8"))
    request = resolve(model, said, in_session=False, locale=locale)
    assert request["intent"]["name"] == "DailyCheckIntent", said
