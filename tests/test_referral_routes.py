"""Where each red flag sends the person, in every locale (clinical content 2.0): a doctor today
at the place its route names (the emergency department, the cancer team, the spine team, or a
same-day doctor), or a doctor within days (`soon`). Alexa JSON envelopes in, responses out;
what the listener should hear is read from the locale's content, never a literal sentence."""
import pytest

from test_dialogs import content, dialog, locale, said  # noqa: F401 - per-locale fixtures

URGENT_IDS = ["fever", "infection_risk", "injury", "cancer", "worsening_weakness",
              "fragile_bones"]
SOON_IDS = ["weight_loss", "night_pain"]
# Words no model holds as a phrase but the fever keywords name (the keyword backstop asks).
FEVER_IN_PASSING = {"en": "oh and I've been running a temperature", "es": "ah y he tenido fiebre"}


def to_question(dialog, content, question_id):
    """No to every question before `question_id`; returns the turn that asks it."""
    turn = dialog.launch()
    for question in content.screen_questions:
        if question.id == question_id:
            return turn
        turn = dialog.no()
    raise AssertionError(f"{question_id} is not on the screen")


def where_today(content, question):
    urgent = content.outcomes["urgent"]
    return said(content, urgent.routes[question.route] if question.route else urgent.speech[0])


@pytest.mark.parametrize("question_id", URGENT_IDS)
def test_a_yes_to_an_urgent_sign_says_where_to_go_today_first(dialog, content, question_id):
    question = content.question(question_id)
    asked = to_question(dialog, content, question_id)
    assert said(content, question.ask) in asked.text
    turn = dialog.yes()
    assert turn.outcome == "urgent"
    assert turn.text.startswith(where_today(content, question))
    assert said(content, content.outcomes["urgent"].offer) in turn.text
    assert turn.card is not None


def test_the_urgent_signs_are_asked_most_demanding_place_first(content):
    """The first yes ends the screen, so nothing asked after it may need a more demanding
    place (content.py checks it at load; this is the same rule, seen from the screen)."""
    routes = list(content.outcomes["urgent"].routes)
    order = [routes.index(q.route) if q.route else len(routes)
             for q in content.screen_questions if q.outcome_if_yes == "urgent"]
    assert order == sorted(order)
    tiers = [q.outcome_if_yes for q in content.screen_questions]
    assert tiers == sorted(tiers, key=["emergency", "urgent", "soon"].index)


@pytest.mark.parametrize("question_id", SOON_IDS)
@pytest.mark.parametrize("reply", ["yes", "not_sure"])
def test_weight_loss_or_night_pain_is_a_doctor_within_days(dialog, content, question_id, reply):
    to_question(dialog, content, question_id)
    turn = getattr(dialog, reply)()
    if reply == "not_sure":   # not sure counts as this tier's yes: never lower
        assert turn.outcome == "soon" or turn.outcome is None
        if turn.outcome is None:
            turn = dialog.not_sure()
    assert turn.outcome == "soon"
    soon = content.outcomes["soon"]
    lead = said(content, content.speech["counted_as_yes"]) + " " if reply == "not_sure" else ""
    assert turn.text.startswith(lead + said(content, soon.speech[0]))
    assert said(content, soon.offer) in turn.text
    tips = dialog.yes()
    assert tips.outcome == "soon" and not tips.ends_session


def test_a_more_demanding_sign_said_later_moves_the_person_on_at_once(dialog, content):
    """Sent to a same-day doctor for thin bones, then a fever mentioned during the tips: the
    fever's own question, and a yes sends them to the emergency department, said first."""
    to_question(dialog, content, "fragile_bones")
    assert dialog.yes().outcome == "urgent"
    dialog.yes()   # the tips
    fever = content.question("fever")
    asked = dialog.symptom(FEVER_IN_PASSING[content.locale.split("-")[0]], None)
    assert said(content, fever.ask) in asked.text
    turn = dialog.yes()
    assert turn.outcome == "urgent"
    assert turn.text.startswith(where_today(content, fever))


def test_an_urgent_sign_said_after_a_soon_outcome_raises_it(dialog, content):
    to_question(dialog, content, "weight_loss")
    assert dialog.yes().outcome == "soon"
    turn = dialog.symptom("I had cancer", "cancer")
    assert turn.outcome == "urgent"
    assert where_today(content, content.question("cancer")) in turn.text


def test_stopping_after_a_soon_answer_says_to_see_a_doctor_within_days(dialog, content):
    to_question(dialog, content, "night_pain")
    dialog.yes()
    turn = dialog.intent("AMAZON.StopIntent")
    assert turn.ends_session
    assert said(content, content.outcomes["soon"].speech[0]) in turn.text
    assert turn.text.endswith(said(content, content.speech["goodbye"]))


def test_a_clean_screen_asks_every_sign_once_and_ends_in_self_care(dialog, content):
    turn = dialog.launch()
    asked = []
    while turn.outcome is None:
        asked.append(turn.text)
        turn = dialog.no()
    assert turn.outcome == "self_care" and len(asked) == len(content.screen_questions)


def test_the_urgent_outcome_after_a_fever_speaks_to_its_reason_and_invites_no_delay(
        dialog, content):
    """Issue 17: no mention of cancer after a yes to fever, and the tips are for after the
    person has arranged to be seen, not "meanwhile"."""
    to_question(dialog, content, "fever")
    turn = dialog.yes()
    spoken = turn.text.lower()
    assert turn.outcome == "urgent" and "cancer" not in spoken and "cáncer" not in spoken
    for delay in ("meanwhile", "in the meantime", "mientras tanto"):
        assert delay not in spoken
