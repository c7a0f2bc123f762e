"""Private answers on a screen (hazard log H29): Yes / No / Not sure touched on an Echo Show
instead of said aloud. Whole conversations as JSON envelopes: a LaunchRequest from a device
with APL, then APL UserEvent requests as the document's SendEvent makes them."""
import json
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from dialog import Dialog
from skill.alexa.app import build_skill
from skill.content.loader import CONTENT_DIR, available_locales, load_content
from skill.content.schema import ContentError
from skill.alexa.apl import (DOCUMENT_PATH, PRIVATE_QUESTIONS, TOKEN, TOUCH_ANSWERS, USER_EVENT,
                                 apl_document, load_screen_labels, apl_labels)
from skill.memory.settings import Settings
from skill.conversation.state import OUTCOME_RANK
from skill.memory.store import SQLitePersistenceAdapter

APL_DEVICE = {"device": {"deviceId": "amzn1.ask.device.SHOW",
                         "supportedInterfaces": {"Alexa.Presentation.APL": {
                             "runtime": {"maxVersion": "1.6"}}}}}
CONTENT = load_content("en-US")
OFFER = "You can touch your answers on the screen instead."
STALE = "That touch was for an earlier question, so I haven't counted it."
ENDED = "That touch was from a check that has ended, so I haven't counted it."
QUESTION_IDS = sorted(CONTENT.question_ids)
SPOKEN = {"yes": Dialog.yes, "no": Dialog.no, "not_sure": Dialog.not_sure}


def user_event(arguments, token=TOKEN) -> dict:
    """An APL UserEvent request as Alexa sends it for a TouchWrapper's SendEvent."""
    return {"type": USER_EVENT, "token": token, "arguments": arguments,
            "source": {"type": "TouchWrapper", "handler": "Press", "id": ""}, "components": {}}


def touch(dialog: Dialog, answer, question_id):
    return dialog.request(user_event(["answer", answer, question_id]))


def screen(turn) -> dict:
    (directive,) = [d for d in turn.body.get("directives") or []
                    if d["type"] == "Alexa.Presentation.APL.RenderDocument"]
    return directive["datasources"]["payload"]["screen"]


def on_screen(turn) -> str:
    """The question id the screen was drawn for ('' when no buttons are shown)."""
    return screen(turn)["questionId"]


def answers(turn) -> dict:
    return dict((turn.response.get("sessionAttributes") or {}).get("screen", {}).get("answers", {}))


def screen_device(skill, locale="en-US") -> Dialog:
    return Dialog(skill, locale=locale, system=APL_DEVICE)


# --- a touch is the same answer as the spoken one ---------------------------------------------

@pytest.mark.parametrize("question_index", range(len(CONTENT.emergency_questions)))
def test_touching_yes_at_a_cauda_equina_question_is_the_emergency_exactly_as_a_spoken_yes(
        skill, question_index):
    touched, spoken = screen_device(skill), screen_device(skill)
    turn = touched.launch()
    spoken.launch()
    for _ in range(question_index):
        turn = touch(touched, "no", on_screen(turn))
        spoken.no()
    assert on_screen(turn) == CONTENT.emergency_questions[question_index].id
    by_touch, by_voice = touch(touched, "yes", on_screen(turn)), spoken.yes()
    assert by_touch.outcome == by_voice.outcome == "emergency"
    assert by_touch.text == by_voice.text and by_touch.text.startswith(
        "Go to the nearest emergency room now, or call 911.")
    assert by_touch.card == by_voice.card and by_touch.reprompt == by_voice.reprompt
    assert screen(by_touch)["number"] == "911" and on_screen(by_touch) == ""   # no more buttons


def test_touching_no_to_every_question_goes_through_the_whole_screen(skill):
    dialog = screen_device(skill)
    turn = dialog.launch()
    asked = []
    while on_screen(turn):
        asked.append(on_screen(turn))
        assert [b["label"] for b in screen(turn)["answers"]] == ["Yes", "No", "Not sure"]
        turn = touch(dialog, "no", on_screen(turn))
    assert asked == [q.id for q in CONTENT.screen_questions]
    assert turn.outcome == "self_care" and set(answers(turn).values()) == {"no"}
    assert screen(turn)["answers"] == []   # the tips and the offers after them: no buttons


def test_touching_not_sure_at_a_cauda_equina_question_asks_it_again_then_counts_as_yes(skill):
    dialog = screen_device(skill)
    bladder = on_screen(dialog.launch())
    again = touch(dialog, "not_sure", bladder)
    assert again.text.strip().endswith(CONTENT.question(bladder).clarify.strip())
    assert on_screen(again) == bladder and answers(again) == {}
    assert touch(dialog, "not_sure", bladder).outcome == "emergency"


def test_an_urgent_sign_touched_is_the_urgent_outcome(skill):
    dialog = screen_device(skill)
    turn = dialog.launch()
    while on_screen(turn) != "fever":
        turn = touch(dialog, "no", on_screen(turn))
    assert touch(dialog, "yes", "fever").outcome == "urgent"


def test_the_read_back_and_both_legs_have_buttons_too(skill):
    """One rule: every yes-or-no question in hand has them, the read-back included."""
    dialog = screen_device(skill)
    turn, seen = dialog.launch(), []
    while on_screen(turn):
        seen.append(on_screen(turn))
        turn = touch(dialog, "no", on_screen(turn))
    assert seen[:len(CONTENT.emergency_questions)] == [q.id for q in CONTENT.emergency_questions]
    assert {"both_legs", "cauda_equina_check"} <= set(seen)


# --- a touch is never recorded against another question ---------------------------------------

def test_a_touch_from_an_earlier_question_is_not_counted_and_the_question_is_asked_again(skill):
    dialog = screen_device(skill)
    touch(dialog, "no", on_screen(dialog.launch()))   # bladder: no; saddle now in hand
    stale = touch(dialog, "yes", "bladder")   # the bladder screen, touched late
    assert stale.text.startswith(STALE)
    assert stale.text.strip().endswith(CONTENT.question("saddle").ask.strip())
    assert answers(stale) == {"bladder": "no"} and stale.outcome is None
    assert on_screen(stale) == "saddle" and not stale.ends_session


def test_a_touch_for_a_later_question_is_not_counted_either(skill):
    dialog = screen_device(skill)
    dialog.launch()
    turn = touch(dialog, "yes", "fever")
    assert turn.text.startswith(STALE) and answers(turn) == {} and turn.outcome is None


def test_a_touch_after_the_session_ended_says_so_and_starts_afresh(skill):
    dialog = screen_device(skill)
    turn = touch(dialog, "yes", "bladder")   # no session: nothing is in hand
    assert turn.text.startswith(ENDED) and "call 911 now" in turn.text
    assert answers(turn) == {} and turn.outcome is None and on_screen(turn) == "bladder"


def test_a_touch_left_over_from_the_questions_changes_nothing_at_the_offers_after_them(skill):
    dialog = screen_device(skill)
    turn = dialog.launch()
    while on_screen(turn):
        last, turn = on_screen(turn), touch(dialog, "yes" if on_screen(turn) == "fever" else "no",
                                            on_screen(turn))
    assert turn.outcome == "urgent" and screen(turn)["answers"] == []   # the offer of tips
    again = touch(dialog, "no", last)
    assert again.text.startswith(STALE) and again.outcome == "urgent"
    assert answers(again) == answers(turn) and again.reprompt == turn.reprompt


def test_a_touch_after_the_emergency_says_the_emergency_again(skill):
    dialog = screen_device(skill)
    touch(dialog, "yes", on_screen(dialog.launch()))
    again = touch(dialog, "no", "saddle")
    assert again.outcome == "emergency" and again.text.startswith("Go to the nearest emergency")


def test_a_touch_in_clinician_mode_records_no_patient_answer(skill):
    dialog = screen_device(skill)
    dialog.intent("ClinicianModeIntent")
    turn = touch(dialog, "yes", "bladder")
    assert "screen" not in turn.response["sessionAttributes"] and not turn.ends_session


def test_a_touch_from_another_document_is_not_an_answer(skill):
    dialog = screen_device(skill)
    bladder = on_screen(dialog.launch())
    turn = dialog.request(user_event(["answer", "no", bladder], token="someone-elses-screen"))
    assert answers(turn) == {} and turn.text.startswith("Sorry, I didn't catch that.")


# --- malformed touches -------------------------------------------------------------------------

def json_values():
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
                        st.floats(allow_nan=False, allow_infinity=False))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=10)


def malformed_arguments():
    answer = st.sampled_from(TOUCH_ANSWERS)
    question = st.sampled_from(QUESTION_IDS)
    return st.one_of(
        st.lists(json_values(), max_size=6),
        st.tuples(st.just("answer"), json_values(), question).map(list),
        st.tuples(st.just("answer"), answer, json_values()).map(list),
        st.tuples(st.sampled_from(["Answer", "", "press", None]), answer, question).map(list),
        st.tuples(st.just("answer"), answer).map(list),
        st.tuples(st.just("answer"), answer, question, json_values()).map(list),
        st.tuples(st.just("answer"), answer, st.just("x" * 100_000)).map(list),
        st.tuples(st.just("answer"), st.just("yes" * 30_000), question).map(list),
        st.just(["answer", "yes", "bladder"] * 10_000))


def well_formed_for(arguments, question_id) -> bool:
    return (isinstance(arguments, list) and len(arguments) == 3 and arguments[0] == "answer"
            and arguments[1] in TOUCH_ANSWERS and arguments[2] == question_id)


spoken_answers = st.lists(st.sampled_from(sorted(SPOKEN)), max_size=20)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                     HealthCheck.data_too_large])
@given(before=spoken_answers, arguments=malformed_arguments())
def test_a_malformed_touch_never_crashes_never_lowers_the_tier_and_only_ever_doubts(
        skill, before, arguments):
    dialog = screen_device(skill)
    turn = dialog.launch()
    for answer in before:
        if turn.ends_session:
            break
        turn = SPOKEN[answer](dialog)
    assume(not turn.ends_session)
    in_hand, was = on_screen(turn), answers(turn)
    assume(not well_formed_for(arguments, in_hand))
    after = dialog.request(user_event(arguments))
    assert after.text and "outputSpeech" in after.body
    assert OUTCOME_RANK[after.outcome] >= OUTCOME_RANK[turn.outcome]
    now = answers(after)
    assert {q: now[q] for q in was} == was   # nothing answered before is changed
    assert set(now) - set(was) <= {in_hand}   # only the question in hand, and only as a doubt
    assert all(now[q] == "not_sure" for q in set(now) - set(was))
    if not after.ends_session:
        assert after.reprompt


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=spoken_answers, answer=st.sampled_from(TOUCH_ANSWERS),
       question_id=st.sampled_from(QUESTION_IDS + ["bladder " * 3, "BLADDER", "x" * 64]))
def test_a_touch_for_any_other_question_changes_nothing(skill, before, answer, question_id):
    dialog = screen_device(skill)
    turn = dialog.launch()
    for spoken in before:
        if turn.ends_session:
            break
        turn = SPOKEN[spoken](dialog)
    assume(not turn.ends_session and question_id != on_screen(turn))
    after = touch(dialog, answer, question_id)
    assert answers(after) == answers(turn) and after.outcome == turn.outcome
    assert on_screen(after) == on_screen(turn)


def test_arguments_that_are_not_a_list_get_the_safe_answer_with_the_emergency_number(skill):
    dialog = screen_device(skill)
    dialog.launch()
    turn = dialog.request(user_event(5))
    assert "911" in turn.text


# --- said up front, on screens only ------------------------------------------------------------

def test_a_screen_device_hears_once_that_it_can_touch_its_answers(skill):
    dialog = screen_device(skill)
    welcome = dialog.launch()
    assert OFFER in welcome.text
    assert welcome.text.strip().endswith(CONTENT.screen_questions[0].ask.strip())   # ends on it
    assert OFFER not in dialog.intent("AMAZON.RepeatIntent").text
    assert OFFER not in dialog.not_sure().text and OFFER not in dialog.no().text


def test_spanish_screens_offer_and_label_the_buttons_in_spanish(skill):
    dialog = screen_device(skill, locale="es-US")
    welcome = dialog.launch()
    assert "También puede tocar su respuesta en la pantalla" in welcome.text
    assert [b["label"] for b in screen(welcome)["answers"]] == ["Sí", "No", "Tal vez"]
    assert touch(dialog, "yes", on_screen(welcome)).outcome == "emergency"


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "es-US"])
def test_a_device_without_a_screen_never_hears_the_offer_or_gets_buttons(skill, locale):
    dialog = Dialog(skill, locale=locale)
    turn = dialog.launch()
    while not turn.ends_session:
        assert "touch" not in turn.text and "tocar" not in turn.text
        assert not turn.body.get("directives")
        turn = dialog.no()


@pytest.fixture
def remembering_skill(tmp_path):
    return build_skill(settings=Settings("local", True),
                       persistence_adapter=SQLitePersistenceAdapter(tmp_path / "memory.sqlite3"))


def test_a_check_in_offers_the_buttons_with_its_first_cauda_equina_question(remembering_skill):
    user = "amzn1.ask.account.PRIVATE-ANSWERS"
    first = Dialog(remembering_skill, user_id=user, system=APL_DEVICE)
    turn = first.launch()
    while on_screen(turn):
        turn = touch(first, "no", on_screen(turn))
    turn = first.no()   # no tips, thanks
    first.yes()         # remember me
    visit = Dialog(remembering_skill, user_id=user, system=APL_DEVICE)
    welcome = visit.launch()
    assert welcome.text.startswith("Welcome back") and OFFER not in welcome.text
    assert on_screen(welcome) == ""   # how is the pain: not a yes or no
    turn = visit.trend("same")
    assert OFFER in turn.text and on_screen(turn) == "bladder"
    assert touch(visit, "yes", "bladder").outcome == "emergency"


# --- a shared screen never shows the intimate answers ------------------------------------------

def test_the_checklist_says_an_intimate_question_was_answered_never_what(skill):
    dialog = screen_device(skill)
    turn = dialog.launch()
    while on_screen(turn) != "both_legs":
        turn = touch(dialog, "no", on_screen(turn))
    emergency = touch(dialog, "yes", "both_legs")
    rows = {row["label"]: row for row in screen(emergency)["checklist"]}
    labels = {q.id: label for q, label in zip(CONTENT.screen_questions, rows)}
    for question_id in ("bladder", "saddle", "bowel"):
        assert rows[labels[question_id]] == {"label": labels[question_id], "status": "Answered",
                                             "flagged": False}
    assert rows["Both legs"] == {"label": "Both legs", "status": "Yes", "flagged": True}
    assert screen(emergency)["outcome"] == "Call 911 now"   # the emergency is always shown


def test_the_private_questions_are_the_intimate_ones_and_the_read_back():
    assert set(PRIVATE_QUESTIONS) == {"bladder", "saddle", "bowel", "sexual_function",
                                      "cauda_equina_check"}
    assert all(CONTENT.question(q).outcome_if_yes == "emergency" for q in PRIVATE_QUESTIONS)


# --- the document and the handler agree --------------------------------------------------------

def touch_wrappers(item):
    if item.get("type") == "TouchWrapper":
        yield item
    for key in ("items", "item"):
        children = item.get(key, [])
        for child in children if isinstance(children, list) else [children]:
            yield from touch_wrappers(child)


def press(wrapper, data: dict, screen_data: dict) -> list:
    """The SendEvent arguments a press makes, with the document's ${...} bindings evaluated
    the way APL does for these plain paths."""
    (command,) = wrapper["onPress"]
    assert command["type"] == "SendEvent"
    values = {"data": data, "payload": {"screen": screen_data}}

    def bind(text):
        match = re.fullmatch(r"\$\{(\w+)\.([\w.]+)\}", text)
        if not match:
            return text
        value = values[match.group(1)]
        for part in match.group(2).split("."):
            value = value[part]
        return value
    return [bind(argument) for argument in command["arguments"]]


def test_each_button_the_document_draws_lands_as_its_answer(skill):
    document = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    assert document == apl_document()
    (wrapper,) = [w for item in document["mainTemplate"]["items"] for w in touch_wrappers(item)]
    assert wrapper["accessibilityLabel"] == "${data.label}" and wrapper["role"] == "button"
    expected = {"yes": "emergency", "not_sure": None, "no": None}
    for button in range(3):
        dialog = screen_device(skill)
        drawn = screen(dialog.launch())
        data = drawn["answers"][button]
        turn = dialog.request(user_event(press(wrapper, data, drawn)))
        assert turn.outcome == expected[data["answer"]], data
        if data["answer"] == "no":
            assert answers(turn) == {"bladder": "no"}


# --- the words ---------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", available_locales())
def test_every_locale_has_checked_touch_words(locale):
    touch_words = apl_labels(locale)["touch"]
    assert set(touch_words["buttons"]) == set(TOUCH_ANSWERS)


def test_a_screen_file_with_a_broken_touch_block_is_refused_naming_every_problem(tmp_path):
    text = (CONTENT_DIR / "en-US.screen.yaml").read_text(encoding="utf-8")
    broken = text.replace('    not_sure: Not sure\n', "").replace(
        "  offer: You can touch your answers on the screen instead.",
        "  offer: You can touch your answers on the screen instead of saying them aloud, "
        "whenever you like, at any time at all.")
    assert broken != text
    path = tmp_path / "en-US.screen.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_screen_labels(path, CONTENT)
    assert "touch.buttons.not_sure: is missing" in str(error.value)
    assert "touch.offer: has 21 words, more than 15" in str(error.value)
