"""Whole conversations through the real skill: Alexa JSON envelopes in, JSON responses out."""
import pytest

from dialog import NOT_SURE, Dialog
from skill.envelopes import intent_request, request_envelope, session_ended_request, symptom_slot
from skill.app import handle_event
from skill.cli import speech_text
from skill.schema import count_words

EMERGENCY_ACTION = "Call 911 now, or go to the nearest emergency room."
CES_IDS = ["bladder", "saddle", "bowel", "both_legs", "sexual_function"]


def answer_no_until(dialog, question_index):
    turn = dialog.launch()
    for _ in range(question_index):
        turn = dialog.no()
    return turn


def test_launch_gives_disclaimer_emergency_number_and_first_question(dialog, content):
    turn = dialog.launch()
    assert "not a doctor" in turn.text and "isn't a diagnosis" in turn.text
    assert "call 911 now" in turn.text
    assert turn.text.endswith(content.questions[0].ask.strip())
    assert count_words(turn.text) <= 60
    assert not turn.ends_session and turn.reprompt
    assert turn.outcome is None


def test_no_red_flags_reaches_self_care_in_twelve_answers(dialog):
    dialog.launch()
    answers = 0
    turn = None
    while turn is None or turn.outcome is None:
        turn = dialog.no()
        answers += 1
    assert answers <= 12
    assert turn.outcome == "self_care"
    assert "Keep moving" in turn.text and "Bed rest" in turn.text
    assert not turn.ends_session


def test_self_care_advice_steps_through_every_topic_and_ends_with_safety_net(dialog):
    turn = answer_no_until(dialog, 12)
    heard = [turn.text]
    while "Would you like me to remember" not in turn.text:
        turn = dialog.intent("AMAZON.NextIntent")
        heard.append(turn.text)
        assert turn.outcome == "self_care" and not turn.ends_session
    spoken = " ".join(heard)
    for topic in ("Keep moving", "ibuprofen", "Opioid", "scan", "four to six weeks",
                  "about two weeks", "further tests or a specialist"):
        assert topic in spoken
    assert "call 911" in heard[-1] and "numbness between your legs" in heard[-1]
    assert "ibuprofen" in turn.card["content"] and "911" in turn.card["content"]


def test_repeat_during_advice_says_the_same_tip_again(dialog):
    dialog_turn = answer_no_until(dialog, 12)
    second = dialog.intent("AMAZON.NextIntent")
    again = dialog.intent("AMAZON.RepeatIntent")
    assert again.text == second.text != dialog_turn.text


@pytest.mark.parametrize("position", range(5))
def test_any_cauda_equina_yes_is_an_emergency_at_once(dialog, position):
    answer_no_until(dialog, position)
    turn = dialog.yes()
    assert turn.text.startswith(EMERGENCY_ACTION)
    assert "cauda equina syndrome" in turn.text and "within hours" in turn.text
    assert "Don't wait to see if it gets better." in turn.text
    assert turn.ends_session and turn.outcome == "emergency"
    assert turn.card["title"] == "Emergency: call 911 now"
    assert turn.card["content"].startswith(EMERGENCY_ACTION)


def test_emergency_cannot_be_softened_by_a_later_answer(skill):
    dialog = Dialog(skill)
    dialog.launch()
    emergency = dialog.yes()
    # Alexa ends the session, but a replayed or delayed request may still carry it.
    for intent in ("AMAZON.NoIntent", "AMAZON.StartOverIntent", "AMAZON.StopIntent"):
        envelope = request_envelope(intent_request(intent), new=False,
                                    attributes=emergency.response["sessionAttributes"])
        response = handle_event(skill, envelope)
        assert response["sessionAttributes"]["outcome"] == "emergency"
        assert speech_text(response["response"]["outputSpeech"]).startswith(EMERGENCY_ACTION)
        assert response["response"]["shouldEndSession"] is True


def test_not_sure_on_cauda_equina_question_clarifies_once_then_counts_as_yes(dialog, content):
    dialog.launch()
    clarified = dialog.not_sure()
    assert clarified.text == content.question("bladder").clarify.strip()
    assert not clarified.ends_session and clarified.outcome is None
    turn = dialog.not_sure()
    assert turn.text.startswith(EMERGENCY_ACTION) and turn.outcome == "emergency"


def test_not_sure_then_no_after_clarification_moves_on(dialog, content):
    dialog.launch()
    dialog.not_sure()
    turn = dialog.no()
    assert turn.text == content.question("saddle").ask.strip()


def test_not_sure_on_other_red_flag_counts_as_yes(dialog):
    answer_no_until(dialog, 5)
    turn = dialog.not_sure()
    assert turn.text.startswith("To be safe, I'll count that as a yes.")
    assert "see a doctor today" in turn.text and turn.outcome == "urgent"


def test_unplaceable_answer_re_asks_with_clarification_and_never_skips(dialog, content):
    dialog.launch()
    turn = dialog.intent("AMAZON.FallbackIntent")
    assert turn.text.startswith("Sorry, I didn't catch that.")
    assert content.question("bladder").clarify.strip() in turn.text
    skipped = dialog.intent("AMAZON.NextIntent")
    assert content.question("bladder").ask.strip() in skipped.text


def test_second_unplaceable_answer_on_cauda_equina_question_is_treated_as_yes(dialog):
    dialog.launch()
    dialog.intent("AMAZON.FallbackIntent")
    turn = dialog.intent("SomeIntentFromANewerModel")
    assert turn.outcome == "emergency"


def test_other_red_flag_gives_same_day_advice_with_warning_signs_and_offers_tips(dialog):
    answer_no_until(dialog, 6)
    turn = dialog.yes()   # fever
    assert turn.text.startswith("Please see a doctor today")
    assert "call 911 at once" in turn.text and "bladder" in turn.text
    assert turn.outcome == "urgent" and not turn.ends_session
    assert turn.card["title"] == "See a doctor today"
    tips = dialog.yes()
    assert "Keep moving" in tips.text and tips.outcome == "urgent"
    assert "scan" not in tips.text
    consent = dialog.no()   # no more tips
    assert "Would you like me to remember" in consent.text and not consent.ends_session
    goodbye = dialog.no()
    assert goodbye.text.startswith("Okay, I won't keep anything.")
    assert goodbye.ends_session and "911" in goodbye.text and goodbye.outcome == "urgent"


def test_urgent_outcome_waits_for_remaining_cauda_equina_questions(dialog, content):
    dialog.launch()
    turn = dialog.symptom("a fever", "fever")
    assert turn.text.startswith("Thank you, I've noted that.")
    assert content.question("bladder").ask.strip() in turn.text
    for _ in range(4):
        turn = dialog.no()
        assert turn.outcome is None
    turn = dialog.no()
    assert turn.outcome == "urgent"


@pytest.mark.parametrize("symptom_id", CES_IDS)
def test_one_shot_cauda_equina_symptom_is_an_emergency(dialog, symptom_id):
    turn = dialog.symptom("i can't control my bladder", symptom_id)
    assert turn.text.startswith(EMERGENCY_ACTION)
    assert turn.ends_session and turn.outcome == "emergency"


def test_volunteered_saddle_numbness_mid_screen_is_an_emergency(dialog):
    answer_no_until(dialog, 3)
    turn = dialog.symptom("gone numb down there", "saddle")
    assert turn.text.startswith(EMERGENCY_ACTION) and turn.outcome == "emergency"


def test_leaking_urine_during_the_advice_turns_self_care_into_emergency(dialog):
    answer_no_until(dialog, 12)
    dialog.intent("AMAZON.NextIntent")
    turn = dialog.symptom("started leaking urine", "bladder")
    assert turn.text.startswith(EMERGENCY_ACTION) and turn.outcome == "emergency"


def test_new_red_flag_during_self_care_advice_raises_it_to_urgent(dialog):
    answer_no_until(dialog, 12)
    turn = dialog.symptom("hot and shivery", "fever")
    assert "see a doctor today" in turn.text and turn.outcome == "urgent"


def test_common_sciatica_symptom_is_acknowledged_and_the_question_stays(dialog, content):
    answer_no_until(dialog, 2)
    turn = dialog.symptom("shooting pain down my leg", "one_leg_pain")
    assert "Pain down one leg is what sciatica usually feels like" in turn.text
    assert turn.text.endswith(content.questions[2].ask.strip())


def test_unresolved_symptom_re_asks_the_same_question(dialog, content):
    answer_no_until(dialog, 1)
    turn = dialog.symptom("purple elbows", None)
    assert turn.text.startswith("Sorry, I didn't catch which symptom you mean.")
    assert turn.text.endswith(content.questions[1].ask.strip())


def test_help_explains_and_says_where_we_are(dialog, content):
    answer_no_until(dialog, 2)
    turn = dialog.intent("AMAZON.HelpIntent")
    assert "question 3 of 12" in turn.text
    assert content.questions[2].help in turn.text
    assert not turn.ends_session and turn.reprompt


def test_repeat_asks_the_same_question_again(dialog, content):
    answer_no_until(dialog, 4)
    turn = dialog.intent("AMAZON.RepeatIntent")
    assert turn.text == content.questions[4].ask.strip()


def test_start_over_goes_back_to_the_first_question(dialog, content):
    answer_no_until(dialog, 7)
    turn = dialog.intent("AMAZON.StartOverIntent")
    assert turn.text.endswith(content.questions[0].ask.strip())
    assert dialog.no().text == content.questions[1].ask.strip()


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_and_cancel_end_with_a_safety_reminder(dialog, intent):
    answer_no_until(dialog, 3)
    turn = dialog.intent(intent)
    assert turn.ends_session and "call 911 at once" in turn.text


def test_session_ended_request_gets_an_empty_response(dialog):
    dialog.launch()
    turn = dialog.request(session_ended_request("EXCEEDED_MAX_REPROMPTS"))
    assert "outputSpeech" not in turn.body


def test_tampered_outcome_restarts_the_screen_instead_of_giving_self_care(skill):
    attributes = {"screen": {"version": 1, "started": True, "answers": {"bladder": "yes"},
                             "doubts": 0, "outcome": "self_care", "advice_step": 0},
                  "outcome": "self_care"}
    response = handle_event(skill, request_envelope(intent_request("AMAZON.NextIntent"),
                                                    new=False, attributes=attributes))
    speech = response["response"]["outputSpeech"]["ssml"]
    assert "start the questions again" in speech and "have you had new trouble peeing" in speech
    assert response["sessionAttributes"]["outcome"] is None


def test_state_from_an_older_version_restarts_but_honours_a_volunteered_symptom(skill):
    attributes = {"screen": {"version": 0, "question": 3}}
    response = handle_event(skill, request_envelope(
        intent_request("ReportSymptomIntent", symptom_slot("leaking pee", "bladder")),
        new=False, attributes=attributes))
    assert response["sessionAttributes"]["outcome"] == "emergency"


def test_exception_inside_the_skill_still_gives_the_emergency_number(skill):
    envelope = request_envelope({"type": "IntentRequest"})   # no intent: handlers fail
    response = handle_event(skill, envelope)
    speech = response["response"]["outputSpeech"]["ssml"]
    assert "Sorry, something went wrong" in speech and ">911<" in speech
    assert response["response"]["shouldEndSession"] is True


def test_outcome_is_kept_in_every_later_response_of_the_session(dialog):
    answer_no_until(dialog, 6)
    dialog.yes()
    for name in ("AMAZON.HelpIntent", "AMAZON.RepeatIntent", "AMAZON.FallbackIntent", NOT_SURE):
        assert dialog.intent(name).outcome == "urgent"
