"""Whole conversations through the real skill: Alexa JSON envelopes in, JSON responses out.

Every conversation runs in every locale: the assertions read what the listener should hear
from that locale's content (with its facts filled in), never a literal English sentence. A few
en-US tests at the end also check the exact English wording."""
import pytest

from dialog import NOT_SURE, Dialog
from skill.alexa.app import handle_event
from skill.alexa.speech import speech_text
from skill.content.loader import available_locales, fill, load_content
from skill.alexa.envelopes import (intent_request, request_envelope, session_ended_request,
                                   symptom_slot)
from skill.content.schema import count_words
from skill.alexa.speech import render_text

LOCALES = available_locales()
CES_IDS = ["bladder", "saddle", "bowel", "both_legs", "sexual_function", "cauda_equina_check"]
# Every locale asks the same questions in the same order (tests/test_locales.py).
QUESTION_COUNT = len(load_content().screen_questions)   # 14: 5 cauda equina, the read-back, 6 today, 2 within days
CES_COUNT = len(CES_IDS)
EMERGENCY_ACTION = "Go to the nearest emergency room now, or call 911."


@pytest.fixture(params=LOCALES)
def locale(request):
    return request.param


@pytest.fixture
def content(locale):
    return load_content(locale)


@pytest.fixture
def dialog(skill, locale):
    """A fresh conversation in `locale` (this module's own: every test runs in every locale)."""
    return Dialog(skill, locale)


def said(content, text, **values):
    """What the listener hears for a content text: facts and `values` filled in."""
    return render_text((text,), {**content.values, **values})


def action(content):
    """The first words of the emergency answer: call the number now."""
    return said(content, content.outcomes["emergency"].speech[0])


def emergency_said(content, unsure=False):
    """The whole emergency answer: the action, the reason (a sign reported, or an answer that
    could not be made sure of), what to do, where the card is, and the action again, asked as
    the one teach-back question (hazard log H32)."""
    emergency = content.outcomes["emergency"]
    reason = content.speech["unsure_of_sign"] if unsure else emergency.speech[1]
    parts = (emergency.speech[0], reason, *emergency.speech[2:], content.speech["emergency_card"],
             content.handover["question"])
    return " ".join(said(content, part) for part in parts)


def teach_back(content):
    """The last words of the emergency answer: the action, asked as the teach-back question."""
    return said(content, content.handover["question"])


def handover_said(content, signs, unsure=False, call=False):
    """The turn after the teach-back question: the action (or, after a no, a "not sure" or
    words that can't be placed, the call), the handover naming `signs`, the action again."""
    first = content.handover["call_now"] if call else content.outcomes["emergency"].speech[0]
    handover = content.handover["unsure" if unsure else "sure"].replace("{signs}", signs)
    return " ".join(said(content, part) for part in (first, handover, first))


def number_ssml(content):
    return f'<say-as interpret-as="digits">{content.values["emergency_number"]}</say-as>'


def where_today(content, question_id):
    """The urgent outcome's first sentence for a yes to this question: its route's place."""
    urgent, route = content.outcomes["urgent"], content.question(question_id).route
    return said(content, urgent.routes[route] if route else urgent.speech[0])


def advice(content, chunk_id):
    return said(content, next(chunk.text for chunk in content.advice if chunk.id == chunk_id))


def answer_no_until(dialog, question_index):
    turn = dialog.launch()
    for _ in range(question_index):
        turn = dialog.no()
    return turn


def test_launch_gives_disclaimer_emergency_number_and_first_question(dialog, content):
    turn = dialog.launch()
    assert turn.text.startswith(said(content, content.speech["welcome"]))
    assert content.values["emergency_number"] in turn.text and number_ssml(content) in turn.ssml
    assert turn.text.endswith(content.questions[0].ask.strip())
    assert count_words(turn.text) <= 60
    assert not turn.ends_session and turn.reprompt
    assert turn.outcome is None


def test_no_red_flags_reaches_self_care_after_one_answer_a_question(dialog, content):
    dialog.launch()
    answers = 0
    turn = None
    while turn is None or turn.outcome is None:
        turn = dialog.no()
        answers += 1
    assert answers == QUESTION_COUNT
    assert turn.outcome == "self_care"
    assert said(content, content.outcomes["self_care"].speech[0]) in turn.text
    assert advice(content, "keep_moving") in turn.text
    assert not turn.ends_session


def test_self_care_says_the_warning_signs_with_the_result_then_every_tip_and_the_card_has_the_safety_net(
        dialog, content):
    """The warning signs come with the result, once (issue 17); the tips follow, each once;
    the safety net, the signs in full with the early ones, is on the card."""
    consent = said(content, content.memory["consent_question"])
    turn = answer_no_until(dialog, QUESTION_COUNT)
    heard = [turn.text]
    warning = said(content, content.speech["result_warning"])
    assert heard[0].index(said(content, content.outcomes["self_care"].speech[0])) \
        < heard[0].index(warning) < heard[0].index(advice(content, "keep_moving"))
    while consent not in turn.text:
        turn = dialog.intent("AMAZON.NextIntent")
        heard.append(turn.text)
        assert turn.outcome == "self_care" and not turn.ends_session
    spoken = " ".join(heard)
    for chunk in content.advice_for("self_care"):
        assert spoken.count(said(content, chunk.text)) == (0 if chunk.id == "safety_net" else 1)
    assert spoken.count(warning) == 1
    assert advice(content, "pain_relief") in turn.card["content"]
    assert advice(content, "safety_net") in turn.card["content"]


def test_repeat_during_advice_says_the_same_tip_again(dialog):
    dialog_turn = answer_no_until(dialog, QUESTION_COUNT)
    second = dialog.intent("AMAZON.NextIntent")
    again = dialog.intent("AMAZON.RepeatIntent")
    assert again.text == second.text != dialog_turn.text


@pytest.mark.parametrize("position", range(CES_COUNT))
def test_any_cauda_equina_yes_is_an_emergency_at_once(dialog, content, position):
    answer_no_until(dialog, position)
    turn = dialog.yes()
    emergency = content.outcomes["emergency"]
    assert turn.text.startswith(action(content))
    # The last words are the action, asked as the one teach-back question (hazard log H32).
    assert turn.text == emergency_said(content) and turn.text.endswith(teach_back(content))
    assert number_ssml(content) in turn.ssml
    # Open for the answer, "repeat" or "what number?"; silence hears the action, the handover
    # naming the sign, and the action again.
    assert not turn.ends_session and turn.outcome == "emergency"
    sign = content.handover_signs[CES_IDS[position]]
    assert turn.reprompt == handover_said(content, sign)
    assert turn.card["title"] == said(content, emergency.card_title)
    assert turn.card["content"].startswith(action(content)) and sign in turn.card["content"]


def test_emergency_cannot_be_softened_by_a_later_answer(skill, locale, content):
    dialog = Dialog(skill, locale)
    dialog.launch()
    emergency = dialog.yes()
    # The session stays open after the emergency: whatever is said next hears the action first
    # (a no: the call, hazard log H32), and "stop" hears the action once more before the
    # session ends.
    call = said(content, content.handover["call_now"])
    for intent, first in (("AMAZON.NoIntent", call), ("AMAZON.StartOverIntent", action(content)),
                          ("AMAZON.StopIntent", action(content))):
        envelope = request_envelope(intent_request(intent), new=False, locale=locale,
                                    attributes=emergency.response["sessionAttributes"])
        response = handle_event(skill, envelope)
        assert response["sessionAttributes"]["outcome"] == "emergency"
        assert speech_text(response["response"]["outputSpeech"]).startswith(first)
        assert bool(response["response"].get("shouldEndSession")) == (intent == "AMAZON.StopIntent")


def test_not_sure_on_cauda_equina_question_clarifies_once_then_counts_as_yes(dialog, content):
    dialog.launch()
    clarified = dialog.not_sure()
    assert clarified.text == content.question("bladder").clarify.strip()
    assert not clarified.ends_session and clarified.outcome is None
    turn = dialog.not_sure()
    assert turn.text.startswith(action(content)) and turn.outcome == "emergency"


def test_not_sure_then_no_after_clarification_moves_on(dialog, content):
    dialog.launch()
    dialog.not_sure()
    turn = dialog.no()
    assert turn.text == content.question("saddle").ask.strip()


def test_not_sure_on_other_red_flag_counts_as_yes(dialog, content):
    answer_no_until(dialog, CES_COUNT)
    turn = dialog.not_sure()
    assert turn.text.startswith(said(content, content.speech["counted_as_yes"]))
    assert where_today(content, content.screen_questions[CES_COUNT].id) in turn.text
    assert turn.outcome == "urgent"


def test_unplaceable_answer_re_asks_with_clarification_and_never_skips(dialog, content):
    dialog.launch()
    turn = dialog.intent("AMAZON.FallbackIntent")
    assert turn.text.startswith(said(content, content.speech["not_understood"]))
    assert content.question("bladder").clarify.strip() in turn.text
    skipped = dialog.intent("AMAZON.NextIntent")
    assert content.question("bladder").ask.strip() in skipped.text


def test_second_unplaceable_answer_on_cauda_equina_question_is_treated_as_yes(dialog):
    dialog.launch()
    dialog.intent("AMAZON.FallbackIntent")
    turn = dialog.intent("SomeIntentFromANewerModel")
    assert turn.outcome == "emergency"


def test_other_red_flag_gives_same_day_advice_with_warning_signs_and_offers_tips(dialog, content):
    urgent = content.outcomes["urgent"]
    answer_no_until(dialog, CES_COUNT + 1)
    turn = dialog.yes()   # infection risk: the emergency department today
    assert turn.text.startswith(where_today(content, content.screen_questions[CES_COUNT + 1].id))
    # The reason is the sign's own (issue 17), not a generic one.
    assert said(content, content.screen_questions[CES_COUNT + 1].help) in turn.text
    assert said(content, urgent.speech[1]) not in turn.text
    assert said(content, urgent.speech[-1]) in turn.text   # the cauda equina signs and the number
    assert content.values["emergency_number"] in turn.text and number_ssml(content) in turn.ssml
    assert turn.outcome == "urgent" and not turn.ends_session
    assert turn.card["title"] == said(content, urgent.card_title)
    tips = dialog.yes()
    assert advice(content, "keep_moving") in tips.text and tips.outcome == "urgent"
    assert advice(content, "no_scan") not in tips.text
    consent = dialog.no()   # no more tips
    assert said(content, content.memory["consent_question"]) in consent.text
    assert not consent.ends_session
    goodbye = dialog.no()
    assert goodbye.text.startswith(said(content, content.memory["not_remembered"]))
    assert goodbye.ends_session and goodbye.outcome == "urgent"
    # The action again, nearly last (issue 17); the signs were said with the outcome.
    assert where_today(content, content.screen_questions[CES_COUNT + 1].id) in goodbye.text
    assert goodbye.text.endswith(said(content, content.speech["referral_end"]))


def test_urgent_outcome_waits_for_remaining_cauda_equina_questions(dialog, content):
    dialog.launch()
    turn = dialog.symptom("a fever", "fever")
    assert turn.text.startswith(said(content, content.speech["symptom_noted"]))
    assert content.question("bladder").ask.strip() in turn.text
    for _ in range(CES_COUNT - 1):
        turn = dialog.no()
        assert turn.outcome is None
    turn = dialog.no()   # to the read-back: the cauda equina questions are done
    assert turn.outcome == "urgent"


@pytest.mark.parametrize("symptom_id", CES_IDS)
def test_one_shot_cauda_equina_symptom_is_an_emergency(dialog, content, symptom_id):
    turn = dialog.symptom("i can't control my bladder", symptom_id)
    assert turn.text == emergency_said(content)
    assert not turn.ends_session and turn.outcome == "emergency"


def test_volunteered_saddle_numbness_mid_screen_is_an_emergency(dialog, content):
    answer_no_until(dialog, 3)
    turn = dialog.symptom("gone numb down there", "saddle")
    assert turn.text.startswith(action(content)) and turn.outcome == "emergency"


def test_leaking_urine_during_the_advice_turns_self_care_into_emergency(dialog, content):
    answer_no_until(dialog, QUESTION_COUNT)
    dialog.intent("AMAZON.NextIntent")
    turn = dialog.symptom("started leaking urine", "bladder")
    assert turn.text.startswith(action(content)) and turn.outcome == "emergency"


def test_new_red_flag_during_self_care_advice_raises_it_to_urgent(dialog, content):
    answer_no_until(dialog, QUESTION_COUNT)
    turn = dialog.symptom("hot and shivery", "fever")
    assert where_today(content, "fever") in turn.text
    assert turn.outcome == "urgent"


def test_common_sciatica_symptom_is_acknowledged_and_the_question_asked_in_other_words(
        dialog, content):
    """Where a yes or no was due, "yes, shooting pain down my leg" may reach the skill as the
    symptom alone: acknowledged, and the question counts as unplaced (asked again in other
    words, then "not sure")."""
    answer_no_until(dialog, 2)
    turn = dialog.symptom("shooting pain down my leg", "one_leg_pain")
    assert said(content, content.common_symptoms["one_leg_pain"]) in turn.text
    assert turn.text.endswith(said(content, content.questions[2].clarify))


def test_unresolved_symptom_is_an_unplaced_answer_asked_again_in_other_words(dialog, content):
    answer_no_until(dialog, 1)
    turn = dialog.symptom("purple elbows", None)
    assert turn.text.startswith(said(content, content.speech["not_understood"]))
    assert turn.text.endswith(said(content, content.questions[1].clarify))


def test_help_explains_and_says_where_we_are(dialog, content):
    answer_no_until(dialog, 2)
    turn = dialog.intent("AMAZON.HelpIntent")
    assert said(content, fill(content.speech["help_screening"], {"position": 3, "total": QUESTION_COUNT})) in turn.text
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
def test_stop_and_cancel_end_with_a_safety_reminder(dialog, content, intent):
    answer_no_until(dialog, 3)
    turn = dialog.intent(intent)
    assert turn.ends_session and said(content, content.speech["goodbye"]) in turn.text
    assert number_ssml(content) in turn.ssml


def test_session_ended_request_gets_an_empty_response(dialog):
    dialog.launch()
    turn = dialog.request(session_ended_request("EXCEEDED_MAX_REPROMPTS"))
    assert "outputSpeech" not in turn.body


def test_tampered_outcome_restarts_the_screen_instead_of_giving_self_care(skill, locale, content):
    attributes = {"screen": {"version": 1, "started": True, "answers": {"bladder": "yes"},
                             "doubts": 0, "outcome": "self_care", "advice_index": 0},
                  "outcome": "self_care"}
    response = handle_event(skill, request_envelope(intent_request("AMAZON.NextIntent"), new=False,
                                                    locale=locale, attributes=attributes))
    speech = speech_text(response["response"]["outputSpeech"])
    assert said(content, content.speech["restart_notice"]) in speech
    assert content.questions[0].ask.strip() in speech
    assert response["sessionAttributes"]["outcome"] is None


def test_state_from_an_older_version_restarts_but_honours_a_volunteered_symptom(skill, locale):
    attributes = {"screen": {"version": 0, "question": 3}}
    response = handle_event(skill, request_envelope(
        intent_request("ReportSymptomIntent", symptom_slot("leaking pee", "bladder")),
        new=False, locale=locale, attributes=attributes))
    assert response["sessionAttributes"]["outcome"] == "emergency"


def test_exception_inside_the_skill_still_gives_the_emergency_number(skill, locale, content):
    envelope = request_envelope({"type": "IntentRequest"}, locale=locale)   # no intent: handlers fail
    response = handle_event(skill, envelope)
    speech = response["response"]["outputSpeech"]
    assert speech_text(speech) == said(content, content.speech["error"])
    assert number_ssml(content) in speech["ssml"]
    assert response["response"]["shouldEndSession"] is True


def test_outcome_is_kept_in_every_later_response_of_the_session(dialog):
    answer_no_until(dialog, CES_COUNT + 1)
    dialog.yes()
    for name in ("AMAZON.HelpIntent", "AMAZON.RepeatIntent", "AMAZON.FallbackIntent", NOT_SURE):
        assert dialog.intent(name).outcome == "urgent"


# ---- Locale fallback: a request's locale picks the content it hears. ----

def test_es_mx_gets_the_es_us_screen_its_facts_hold_there(skill):
    content = load_content("es-US")
    turn = Dialog(skill, "es-MX").launch()
    assert turn.text.startswith(said(content, content.speech["welcome"]))
    emergency = Dialog(skill, "es-MX")
    emergency.launch()
    assert emergency.yes().text.startswith(action(content))


# ---- en-US: the exact English wording. ----

def test_en_us_launch_in_words(skill):
    turn = Dialog(skill).launch()
    assert "not a doctor" in turn.text and "can't diagnose" in turn.text
    assert "few minutes" in turn.text and "aren't stored" in turn.text
    assert "call 911 now" in turn.text


def test_en_us_emergency_in_words(skill):
    dialog = Dialog(skill)
    dialog.launch()
    turn = dialog.yes()
    assert turn.text.startswith(EMERGENCY_ACTION)
    assert "cauda equina syndrome" in turn.text and "within hours" in turn.text
    assert "Don't drive yourself, and don't wait to see if it gets better." in turn.text
    assert turn.card["title"] == "Emergency: go to the nearest emergency room or call 911 now"


def test_en_us_self_care_topics_in_words(skill):
    dialog = Dialog(skill)
    turn = answer_no_until(dialog, QUESTION_COUNT)
    heard = [turn.text]
    while "Shall I remember them" not in turn.text:
        turn = dialog.intent("AMAZON.NextIntent")
        heard.append(turn.text)
    spoken = " ".join(heard)
    for topic in ("Keep moving", "Bed rest", "ibuprofen", "pregnant", "other medicines",
                  "Opioid", "scan", "four to six weeks", "about two weeks",
                  "tests or a specialist", "wiping", "even if mild", "feel faint"):
        assert topic in spoken
    # The warning signs with the result (issue 17), not at the end of the tips.
    assert "call 911" in heard[0] and "numbness between your legs" in heard[0].lower()


def test_en_us_urgent_and_help_in_words(skill):
    dialog = Dialog(skill)
    answer_no_until(dialog, 2)
    assert f"question 3 of {QUESTION_COUNT}" in dialog.intent("AMAZON.HelpIntent").text
    dialog = Dialog(skill)
    answer_no_until(dialog, CES_COUNT + 1)
    turn = dialog.yes()   # a fever: the emergency room today
    assert turn.text.startswith("Please go to the nearest emergency room today")
    assert "call 911 at once" in turn.text and turn.card["title"] == "See a doctor today"
    assert dialog.intent("AMAZON.StopIntent").text.count("call 911 at once") == 1


# ---- Voice 2.0 (issue 17): safety in the conversation itself ----

def test_a_no_at_the_first_tip_has_still_heard_the_warning_signs(dialog, content):
    turn = answer_no_until(dialog, QUESTION_COUNT)
    warning = said(content, content.speech["result_warning"])
    assert turn.outcome == "self_care" and warning in turn.text
    assert turn.text.index(warning) < turn.text.index(advice(content, "keep_moving"))
    assert content.values["emergency_number"] in turn.text


def test_every_cauda_equina_reprompt_carries_the_warning_with_the_number(dialog, content):
    """Silence after a reprompt ends the session without another word from the skill."""
    warning = said(content, content.speech["reprompt_warning"])
    turn = dialog.launch()
    for question in content.emergency_questions:
        # The warning first; the turn still ends on its question.
        assert turn.reprompt.startswith(warning), question.id
        # ... then the choices, until two answers show they are known (issue 17).
        choices = said(content, content.speech["answer_choices"])
        asked = said(content, question.reprompt)
        assert turn.reprompt.endswith(asked) or turn.reprompt.endswith(asked + " " + choices), question.id
        assert content.values["emergency_number"] in turn.reprompt
        turn = dialog.no()
    assert warning not in turn.reprompt   # the other red flags: their own reprompt only


@pytest.mark.parametrize("then, call", [("AMAZON.FallbackIntent", True),
                                        ("AMAZON.RepeatIntent", False),
                                        ("AMAZON.HelpIntent", False)])
def test_what_number_or_repeat_after_the_emergency_hears_the_action_and_the_handover(
        dialog, content, then, call):
    """"What number?" (words the skill can't place) hears the call; "repeat" the action again.
    Either way the handover, and never the teach-back question a second time (H32)."""
    dialog.launch()
    assert dialog.yes().text == emergency_said(content)
    again = dialog.intent(then)
    assert again.text == handover_said(content, content.handover_signs["bladder"], call=call)
    assert not again.ends_session and again.outcome == "emergency"
    assert dialog.intent("AMAZON.RepeatIntent").text == again.text


def test_two_unplaced_answers_are_an_emergency_in_honest_words(dialog, content):
    dialog.launch()
    dialog.intent("AMAZON.FallbackIntent")
    turn = dialog.intent("AMAZON.FallbackIntent")   # "what? / what?": nothing was reported
    assert turn.outcome == "emergency" and turn.text == emergency_said(content, unsure=True)
    assert said(content, content.outcomes["emergency"].speech[1]) not in turn.text


def test_a_one_shot_sign_hears_hello_before_thanks(dialog, content):
    """"Ask sciatica check, I've got a fever": the welcome, then the thanks, then the first
    question; never thanks before hello (issue 17)."""
    turn = dialog.symptom("a fever", "fever")
    welcome = said(content, content.speech["welcome"])
    noted = said(content, content.speech["symptom_noted"])
    assert turn.text.startswith(welcome) and turn.text.index(noted) > len(welcome) - 1
    assert turn.text.endswith(said(content, content.question("bladder").ask))
