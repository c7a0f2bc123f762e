"""Nothing unplaceable is ignored (hazard log H23), shown by sending Alexa's own requests in every
locale, with no NLU in between: whatever Alexa made of the words, the person stays safe.

Three routes that lost or stalled a serious sign before: an unresolved symptom report at a
question (it looped), an unresolved report or a fallback during the advice and the offers after
it (it was dropped), and words the model does not hold (the keyword backstop)."""
import pytest

from dialog import Dialog
# Every test here runs in every locale, with test_dialogs' per-locale fixtures.
from test_dialogs import content, dialog, locale, said  # noqa: F401 - fixtures
from skill.content.loader import load_content

FALLBACK = "AMAZON.FallbackIntent"
# Words each locale's model does not hold, naming a cauda equina sign (bladder) and an urgent
# one (cancer): only the keyword backstop can place them.
BLADDER_IN_OTHER_WORDS = {"en": "my waterworks have gone strange",
                          "es": "algo raro me pasa con la orina"}
CANCER_IN_PASSING = {"en": "oh and i had a tumour years ago", "es": "ah y tuve un tumor hace años"}
NOISE = {"en": "the dog is barking", "es": "el perro está ladrando"}


def words(table, locale):
    return table[locale.split("-")[0]]


def first_urgent(content):
    """The first question after the cauda equina block (fever, in content 2.0)."""
    return next(q for q in content.screen_questions if q.outcome_if_yes != "emergency")


def emergency_action(content):
    return said(content, content.outcomes["emergency"].speech[0])


def unresolved(dialog, heard):
    return dialog.symptom(heard, None)


def to_self_care_advice(dialog, content):
    turn = dialog.launch()
    for _ in content.screen_questions:
        turn = dialog.no()
    assert turn.outcome == "self_care"
    return turn


def test_unresolved_reports_at_the_bladder_question_reach_the_emergency(dialog, content):
    """Issue 12's repro: ReportSymptomIntent with ER_SUCCESS_NO_MATCH, three times, at the
    bladder question. Re-asked once in other words, then the "not sure" rule of a cauda
    equina question: the emergency, never a loop."""
    dialog.launch()
    first = unresolved(dialog, "yes and something else")
    assert said(content, content.question("bladder").clarify) in first.text
    second = unresolved(dialog, "yes and something else")
    assert second.outcome == "emergency" and second.text.startswith(emergency_action(content))


def test_unresolved_report_at_an_urgent_question_is_asked_again_then_counts_as_yes(dialog, content):
    dialog.launch()
    for _ in range(len(content.emergency_questions)):
        dialog.no()
    first = unresolved(dialog, "purple elbows")
    assert said(content, first_urgent(content).clarify) in first.text
    second = unresolved(dialog, "purple elbows")
    assert second.outcome == "urgent"


@pytest.mark.parametrize("how", ["fallback", "unresolved report"])
@pytest.mark.parametrize("then", ["yes", "not sure twice", "no"])
def test_unplaced_words_during_the_advice_bring_the_cauda_equina_signs_back(
        dialog, content, locale, how, then):
    tip = to_self_care_advice(dialog, content)
    turn = dialog.intent(FALLBACK) if how == "fallback" else unresolved(dialog, words(NOISE, locale))
    read_back = content.read_back_question
    assert turn.text.startswith(said(content, content.speech["unplaced_check"]))
    assert turn.text.endswith(said(content, read_back.ask)) and not turn.ends_session
    if then == "yes":
        turn = dialog.yes()
        assert turn.outcome == "emergency" and turn.text.startswith(emergency_action(content))
    elif then == "not sure twice":
        dialog.not_sure()
        turn = dialog.not_sure()
        assert turn.outcome == "emergency"
    else:   # carries on where the person was: the same tip
        turn = dialog.no()
        assert turn.outcome == "self_care"
        assert turn.text == said(content, content.speech["resume"]) + " " + tip.text.split(
            said(content, content.outcomes["self_care"].speech[-1]) + " ")[-1]


@pytest.mark.parametrize("offer", ["consent", "reminder", "urgent tips"])
def test_a_fallback_at_the_offers_after_the_advice_brings_the_signs_back(skill, locale, offer):
    content = load_content(locale)
    dialog = Dialog(skill, locale=locale, user_id=f"amzn1.ask.account.offers-{locale}-{offer}")
    if offer == "urgent tips":
        dialog.launch()
        for _ in range(len(content.emergency_questions)):
            dialog.no()
        assert dialog.yes().outcome == "urgent"   # worsening weakness: the offer of tips
    else:
        to_self_care_advice(dialog, content)
        while "wrap_up" not in str(dialog.turns[-1].response.get("sessionAttributes")) or \
                dialog.turns[-1].response["sessionAttributes"]["screen"]["wrap_up"] is None:
            dialog.intent("AMAZON.NextIntent")
        if offer == "reminder":
            dialog.no()   # no to remembering: the reminder is offered next
    before = dialog.turns[-1]
    turn = dialog.intent(FALLBACK)
    assert turn.text.endswith(said(content, content.read_back_question.ask))
    assert dialog.yes().outcome == "emergency"
    assert before.outcome in ("self_care", "urgent")


def test_a_fallback_at_the_check_in_trend_question_brings_the_signs_back(skill, locale):
    from datetime import date

    from skill.alexa.app import build_skill
    content = load_content(locale)
    today = iter([date(2026, 11, 1), date(2026, 11, 15)])
    remembering = build_skill(clock=lambda: next(today))
    user = f"amzn1.ask.account.trend-{locale}"
    first = Dialog(remembering, locale=locale, user_id=user)
    to_self_care_advice(first, content)
    turn = first.turns[-1]
    while turn.response["sessionAttributes"]["screen"]["wrap_up"] != "consent":
        turn = first.intent("AMAZON.NextIntent")
    first.yes()
    check_in = Dialog(remembering, locale=locale, user_id=user)
    check_in.launch()
    turn = check_in.intent(FALLBACK)
    assert turn.text.endswith(said(content, content.read_back_question.ask))
    turn = check_in.no()
    assert turn.text.endswith(said(content, content.check_in["trend_question"]))


def test_a_cauda_equina_sign_in_other_words_during_the_advice_asks_its_question(
        dialog, content, locale):
    to_self_care_advice(dialog, content)
    turn = unresolved(dialog, words(BLADDER_IN_OTHER_WORDS, locale))
    bladder = content.question("bladder")
    assert turn.text == said(content, bladder.mentioned) + " " + said(content, bladder.ask)
    turn = dialog.yes()
    assert turn.outcome == "emergency" and turn.text.startswith(emergency_action(content))


def test_an_urgent_sign_in_passing_at_another_question_asks_its_own_then_goes_back(
        dialog, content, locale):
    dialog.launch()
    for _ in range(len(content.emergency_questions)):
        dialog.no()
    turn = unresolved(dialog, words(CANCER_IN_PASSING, locale))   # at the fever question
    cancer = content.question("cancer")
    assert turn.text == said(content, cancer.mentioned) + " " + said(content, cancer.ask)
    turn = dialog.no()
    assert turn.text.endswith(said(content, first_urgent(content).ask))
    assert turn.outcome is None


def test_yes_with_words_alexa_could_not_resolve_at_the_bladder_question(dialog, content, locale):
    """`yes {symptom}` with an unresolved value: the yes is lost, the words name the bladder
    (the question in hand), so it is asked again, never skipped."""
    dialog.launch()
    turn = unresolved(dialog, words(BLADDER_IN_OTHER_WORDS, locale))
    bladder = content.question("bladder")
    assert turn.text == said(content, bladder.mentioned) + " " + said(content, bladder.clarify)
    assert dialog.yes().outcome == "emergency"


def test_keywords_never_lower_a_tier(dialog, content, locale):
    dialog.launch()
    for _ in range(len(content.emergency_questions)):
        dialog.no()
    assert dialog.yes().outcome == "urgent"    # fever: the emergency department today
    turn = unresolved(dialog, "fever" if locale.startswith("en") else "fiebre")
    assert said(content, content.speech["symptom_noted"]) in turn.text   # already counted
    assert turn.outcome == "urgent"


ANSWER_WORDS = r"(?:yes|yeah|yep|yup|no|nope|nah|sí|si|claro)"


def test_every_sample_that_can_swallow_a_yes_or_no_is_in_the_hazard_log():
    """H23 lists each sample that opens with an answer word and goes on to the symptom slot,
    so the mitigation is reviewed for every one of them, in every model."""
    import re

    from skill.review.hazards import load_hazard_log
    from skill.language.interaction_model import build_interaction_model, model_locales

    h23 = next(h for h in load_hazard_log().hazards if h.id == "H23")
    cause = " ".join(h23.cause.split())
    swallowing = {sample for locale in model_locales()
                  for intent in build_interaction_model(locale)["interactionModel"][
                      "languageModel"]["intents"]
                  for sample in intent.get("samples", [])
                  if "{symptom}" in sample and re.match(ANSWER_WORDS + r"\b", sample)}
    assert swallowing
    missing = sorted(s for s in swallowing if f'"{s.replace("{symptom}", "SYMPTOM")}"' not in cause)
    assert not missing, f"add to H23's cause in safety/hazard-log.yaml: {missing}"
