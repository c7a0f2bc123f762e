"""Voice 2.0 (issue 17, points 6 to 10): a conversation a frightened person can follow.

Driven the way Alexa drives the skill (envelopes in, responses out), in every locale where the
point is about structure, and in en-US where it is about the exact English words."""
import re

import pytest
from hypothesis import given, settings, strategies as st

from dialog import Dialog
from skill.conversation.state import CREATE_REMINDER, OK, POSITIVE, OUTCOME_RANK, EffectResult, Event
from skill.conversation.triage import initial_state, step
from skill.content.loader import available_locales, fill, load_content
from skill.alexa.speech import render_text

LOCALES = available_locales()
INTIMATE = ("bladder", "saddle", "bowel", "sexual_function")


@pytest.fixture(params=LOCALES)
def locale(request):
    return request.param


def heard(content, text, **values):
    return render_text((text,), {**content.values, **values})


def through_the_cauda_equina_questions(dialog, content):
    dialog.launch()
    for _ in content.emergency_questions:
        dialog.no()


# --- 6. The welcome, in one breath ----------------------------------------------------

def test_the_welcome_says_how_long_that_some_questions_are_personal_and_nothing_is_stored():
    welcome = load_content("en-US").speech["welcome"].lower()
    assert "few minutes" in welcome
    assert "personal" in welcome
    assert "aren't stored" in welcome


def test_the_privacy_reassurance_comes_before_the_first_intimate_question_not_after(skill, locale):
    """The welcome (with the reassurance) is in the turn that asks the first question, which is
    an intimate one; no later question carries it any more."""
    content = load_content(locale)
    first = Dialog(skill, locale).launch()
    assert content.screen_questions[0].id in INTIMATE
    assert first.text.startswith(heard(content, content.speech["welcome"]))
    welcome_sentences = [s for s in re.split(r"(?<=[.;])\s+", content.speech["welcome"]) if s]
    for question in content.questions[1:]:
        assert welcome_sentences[-2] not in question.ask, question.id


# --- 7. At most three items in a spoken list -------------------------------------------

OPENERS = re.compile(r"^(.*?(started|began|example|words|way|month|recently|simply),\s*|[^:]*:\s*)")


def spoken_list_items(sentence: str) -> int:
    """The items of a sentence's list: its comma-separated parts after any opening clause,
    plus one where the last part is itself "x or y" (no comma before the "or")."""
    parts = OPENERS.sub("", sentence.strip(), count=1).split(", ")
    last = parts[-1]
    return len(parts) + (1 if " or " in last and not last.startswith("or ") and len(parts) > 1 else 0)


def test_the_list_counter_counts_what_a_listener_hears():
    assert spoken_list_items("Do you have a, b, c or d?") == 4
    assert spoken_list_items("Since this pain started, is it a, b, or c?") == 3
    assert spoken_list_items("Is it a or b?") == 1


def test_no_english_question_lists_more_than_three_things():
    content = load_content("en-US")
    for question in content.questions:
        for text in (question.ask, question.reprompt):
            for sentence in re.split(r"(?<=[?.])\s+", text):
                assert spoken_list_items(sentence) <= 3, (question.id, sentence)


def test_the_read_back_names_what_the_cauda_equina_questions_asked():
    content = load_content("en-US")
    read_back = content.read_back_question.ask.lower()
    for named in ("peeing", "pooing", "sex", "numbness between your legs", "both legs"):
        assert named in read_back
    asked = " ".join(q.ask.lower() for q in content.questions
                     if q.outcome_if_yes == "emergency" and not q.read_back)
    for word in ("peeing", "poop", "sex", "numbness between your legs", "both legs", "sciatica",
                 "weak"):
        assert word in asked   # nothing in the read-back that no question asked


def test_the_tips_list_at_most_three_cautions():
    tips = load_content("en-US").advice_by_id
    for sentence in re.split(r"(?<=[?.])\s+", tips["pain_relief"].text):
        assert spoken_list_items(sentence) <= 3, sentence


# --- 8. The urgent outcome: its own reason, one action, "what number?" answered ---------

URGENT_REASONS = {"fever": "fever", "injury": "injury", "cancer": "cancer",
                  "worsening_weakness": "weakness", "fragile_bones": "thin bones"}


@pytest.mark.parametrize("question_id", sorted(URGENT_REASONS))
def test_the_urgent_outcome_gives_the_reason_of_the_sign_said(skill, question_id):
    content = load_content("en-US")
    dialog = Dialog(skill, "en-US")
    outcome = answer_no_until_then_yes(dialog, content, question_id)
    assert outcome.outcome == "urgent"
    assert heard(content, content.question(question_id).help) in outcome.text
    assert heard(content, content.outcomes["urgent"].speech[1]) not in outcome.text
    others = set(URGENT_REASONS) - {question_id}
    for other in others:
        assert heard(content, content.question(other).help) not in outcome.text


def answer_no_until_then_yes(dialog, content, question_id):
    dialog.launch()
    for question in content.screen_questions:
        if question.id == question_id:
            return dialog.yes()
        dialog.no()
    raise AssertionError(question_id)


def test_a_fever_no_longer_hears_about_cancer_and_the_warning_signs_are_said_once(skill, locale):
    content = load_content(locale)
    dialog = Dialog(skill, locale)
    outcome = answer_no_until_then_yes(dialog, content, "fever")
    said = [outcome]
    while not said[-1].ends_session:   # no tips, nothing remembered
        said.append(dialog.no())
    words = " ".join(turn.text for turn in said)
    assert words.count(heard(content, content.outcomes["urgent"].speech[2])) == 1
    assert heard(content, content.question("cancer").help) not in words
    action = heard(content, content.outcomes["urgent"].routes["emergency_department"])
    assert said[-1].text.split(action)[-1] == " " + heard(content, content.speech["referral_end"])
    assert said[-1].ends_session   # the action, nearly last


@pytest.mark.parametrize("at", ["offer", "tips", "question"])
def test_what_number_is_answered_where_it_is_asked(skill, locale, at):
    content = load_content(locale)
    dialog = Dialog(skill, locale)
    if at == "question":
        dialog.launch()
        turn = dialog.intent("WhereToGoIntent")
        assert turn.text.startswith(heard(content, content.speech["where_to_go"]))
        assert turn.text.endswith(heard(content, content.screen_questions[0].ask))
        assert turn.outcome is None
        return
    answer_no_until_then_yes(dialog, content, "fever")
    if at == "tips":
        dialog.yes()
    turn = dialog.intent("WhereToGoIntent")
    action = heard(content, content.outcomes["urgent"].routes["emergency_department"])
    assert turn.text.startswith(action)
    assert not turn.ends_session and turn.outcome == "urgent"
    if at == "offer":
        assert turn.text.endswith(heard(content, content.outcomes["urgent"].offer))


# --- 9. Sameness: variants, and instructions dropped once known --------------------------

def test_the_tips_do_not_say_the_same_prompt_every_time(skill, locale):
    content = load_content(locale)
    dialog = Dialog(skill, locale)
    dialog.launch()
    for _ in content.screen_questions:
        last = dialog.no()
    turns = [last] + [dialog.intent("AMAZON.NextIntent") for _ in range(4)]
    endings = [turn.text.rsplit(". ", 1)[-1] for turn in turns]
    first_prompt = heard(content, content.speech["advice_prompt"])
    assert turns[0].text.endswith(first_prompt)
    assert not any(turn.text.endswith(first_prompt) for turn in turns[1:])
    assert len(set(endings[1:])) >= 2


def test_the_choices_are_in_the_reprompt_until_two_answers_show_they_are_known(skill, locale):
    content = load_content(locale)
    dialog = Dialog(skill, locale)
    choices = heard(content, content.speech["answer_choices"])
    assert choices in dialog.launch().reprompt
    assert choices in dialog.no().reprompt
    for _ in range(3):
        assert choices not in dialog.no().reprompt
    assert dialog.not_sure().text.endswith(heard(content, content.screen_questions[4].clarify))


# --- 10. Dead ends -----------------------------------------------------------------------

def test_go_back_asks_the_previous_question_again_and_its_answer_can_change(skill, locale):
    content = load_content(locale)
    dialog = Dialog(skill, locale)
    dialog.launch()
    dialog.no()
    back = dialog.intent("ExamFindingIntent", {"finding": slot("go back", "go_back")})
    assert back.text == heard(content, content.speech["went_back"]) + " " + \
        heard(content, content.screen_questions[0].ask)
    assert dialog.yes().outcome == "emergency"


def test_go_back_never_takes_back_a_not_sure(skill):
    content = load_content("en-US")
    dialog = Dialog(skill, "en-US")
    dialog.launch()
    for question in content.screen_questions:
        if question.outcome_if_yes == "urgent":
            break
        dialog.no()
    dialog.not_sure()                                    # fever: counts as yes, screen goes on
    turn = dialog.intent("ExamFindingIntent", {"finding": slot("go back", "go_back")})
    assert heard(content, content.speech["went_back"]) not in turn.text
    for _ in range(12):
        if turn.outcome is not None:
            break
        turn = dialog.no()
    assert turn.outcome == "urgent"


def test_go_back_at_the_first_question_says_so(skill):
    content = load_content("en-US")
    dialog = Dialog(skill, "en-US")
    dialog.launch()
    turn = dialog.intent("ExamFindingIntent", {"finding": slot("go back", "go_back")})
    assert turn.text.startswith(heard(content, content.speech["first_question"]))


def slot(heard_words, value_id):
    return {"name": "finding", "value": heard_words, "resolutions": {"resolutionsPerAuthority": [{
        "authority": "amzn1.er-authority.echo-sdk.x.FindingType",
        "status": {"code": "ER_SUCCESS_MATCH"},
        "values": [{"value": {"name": heard_words, "id": value_id}}]}]}}


def test_okay_thanks_after_a_tip_goes_on_and_at_a_question_asks_again(skill, locale):
    content = load_content(locale)
    dialog = Dialog(skill, locale)
    dialog.launch()
    turn = dialog.intent("ThanksIntent")
    assert turn.text.startswith(heard(content, content.speech["thanks_reply"]))
    assert heard(content, content.speech["answer_needed"]) in turn.text
    assert dialog.no().text == heard(content, content.screen_questions[1].ask)   # nothing recorded
    for _ in content.screen_questions[1:]:
        dialog.no()
    tip = dialog.intent("ThanksIntent")
    assert heard(content, content.advice_for("self_care")[1].text) in tip.text


def test_i_am_a_woman_at_the_sexual_function_question_asks_it_for_anyone(skill, locale):
    content = load_content(locale)
    dialog = Dialog(skill, locale)
    dialog.launch()
    for question in content.screen_questions:
        if question.id == "sexual_function":
            break
        dialog.no()
    turn = dialog.intent("NotApplicableIntent")
    question = content.question("sexual_function")
    assert turn.text == heard(content, question.not_applicable)
    assert dialog.yes().outcome == "emergency"     # its answer is the question's answer


def test_set_a_reminder_before_a_result_says_when_it_can_and_asks_on(skill, locale):
    content = load_content(locale)
    dialog = Dialog(skill, locale)
    dialog.launch()
    early = dialog.intent("SetReminderIntent")
    assert early.text.startswith(heard(content, content.speech["reminder_after_questions"]))
    assert early.text.endswith(heard(content, content.screen_questions[0].ask))
    assert early.outcome is None


@pytest.mark.parametrize("where", ["offer", "tips", "returning"])
def test_set_a_reminder_once_there_is_a_review_date_sets_it(where):
    """At the reminder offer it is a yes; during the self-care tips, or from a remembered user
    back after turning reminders on (the permission message asked them to), it sets the
    reminder for the review date."""
    content = load_content("en-US")
    if where == "returning":
        state = initial_state("2026-12-03", consent="remembered", episode_start="2026-11-30")
    else:
        state, _ = step(content, initial_state("2026-12-03"), Event.LAUNCH)
        for _ in content.screen_questions:
            state, _ = step(content, state, Event.NO)
        if where == "offer":
            while state.wrap_up != "reminder":
                state, _ = step(content, state, Event.NEXT)
    state, prompt = step(content, state, Event.SET_REMINDER)
    assert prompt.effect == CREATE_REMINDER
    assert dict(prompt.values)["review_date"] == ("2026-12-14" if where == "returning" else "2026-12-17")
    state, prompt = step(content, state, EffectResult(CREATE_REMINDER, OK))
    assert prompt.end_session and prompt.speech[0] == content.memory["reminder_created"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([Event.NO, Event.YES, Event.NOT_SURE, Event.GO_BACK]), max_size=30))
def test_going_back_never_lowers_what_the_answers_mean(replies):
    """Whatever the mix of answers and "go back", no positive answer is ever taken back and
    the outcome never falls."""
    content = load_content("en-US")
    state, _ = step(content, initial_state("2026-12-03"), Event.LAUNCH)
    for reply in replies:
        before = state
        state, _ = step(content, state, reply)
        positive_before = {q for q, a in before.answers if a in POSITIVE}
        assert positive_before <= {q for q, a in state.answers if a in POSITIVE}
        assert OUTCOME_RANK[state.outcome] >= OUTCOME_RANK[before.outcome]


def test_every_new_aside_leaves_the_emergency_as_it_was(skill, locale):
    """After the emergency each aside hears the action first and last (the emergency's own, or
    the call after the teach-back, hazard H32), never an aside's words."""
    content = load_content(locale)
    dialog = Dialog(skill, locale)
    dialog.launch()
    actions = (heard(content, content.outcomes["emergency"].speech[0]),
               heard(content, content.handover["call_now"]))
    assert dialog.yes().text.startswith(actions[0])
    for name in ("WhereToGoIntent", "ThanksIntent", "NotApplicableIntent", "SetReminderIntent"):
        turn = dialog.intent(name)
        assert turn.outcome == "emergency"
        assert turn.text.startswith(actions) and turn.text.endswith(actions), name
