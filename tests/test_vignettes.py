"""Simulated patients, written blind to the skill's wording (tests/vignettes/<language>.yaml),
spoken through the project's own NLU and the real skill, envelope by envelope, as the local
voice pipeline would: every serious one must reach its tier, and no more than one clean one
in ten may be sent up a tier."""
from pathlib import Path

import pytest
import yaml

from dialog import Dialog
from skill.content.loader import load_content
from skill.language.interaction_model import build_interaction_model
from skill.language.nlu import resolve
from skill.conversation.questions import question_in_hand
from skill.conversation.state import OUTCOME_RANK
from skill.conversation.stored_state import state_from_dict

VIGNETTES = Path(__file__).parent / "vignettes"
LOCALE_FOR = {"en": ["en-US", "en-GB", "en-AU", "en-CA", "en-IN"], "es": ["es-US"]}
NEXT = {"en": "next", "es": "siguiente"}
DECLINE = {"en": "no thanks", "es": "no gracias"}


def load(language):
    return yaml.safe_load((VIGNETTES / f"{language}.yaml").read_text(encoding="utf-8"))


def run_vignette(skill, locale, vignette):
    """The outcome the skill reaches for this patient, and the words of the conversation."""
    language = locale.split("-")[0]
    content, model = load_content(locale), build_interaction_model(locale)
    dialog = Dialog(skill, locale=locale)
    pending = {v["before"]: v["say"] for v in vignette.get("volunteer") or ()}
    said = []

    def say(text, in_session=True):
        said.append(text)
        request = resolve(model, text, in_session, locale=locale)
        return dialog.request(request)

    turn = say(pending.pop("start"), in_session=False) if "start" in pending else dialog.launch()
    while not turn.ends_session and len(dialog.turns) < 60:
        state = state_from_dict(content, turn.response["sessionAttributes"]["screen"])
        question = question_in_hand(content, state)
        if question is not None:
            if question.id in pending:
                turn = say(pending.pop(question.id))
                continue
            answers = vignette["answers"]
            turn = say(answers.get(question.id, answers["default"]))
        elif state.outcome is None:   # a check-in's trend question: not in these vignettes
            turn = say(NEXT[language])
        elif state.wrap_up is None and state.advice_index is not None:
            if "advice" in pending:
                turn = say(pending.pop("advice"))
            elif vignette.get("after_advice") and state.advice_index == 0:
                turn = say(vignette.pop("after_advice"))
            else:
                turn = say(NEXT[language])
        else:
            turn = say(DECLINE[language])   # tips offer, remembering, a reminder
    return state_from_dict(content, turn.response["sessionAttributes"]["screen"]).outcome \
        if turn.response.get("sessionAttributes") else turn.outcome, said


CASES = [(language, locale, index) for language, locales in LOCALE_FOR.items()
         for locale in locales for index in range(len(load(language)))]


def outcome_of(skill, language, locale, index):
    vignette = load(language)[index]
    outcome, said = run_vignette(skill, locale, vignette)
    return vignette, outcome, said


@pytest.mark.parametrize("language, locale, index",
                         [case for case in CASES if load(case[0])[case[2]]["expect"] != "self_care"])
def test_every_serious_vignette_reaches_its_tier(skill, language, locale, index):
    vignette, outcome, said = outcome_of(skill, language, locale, index)
    assert OUTCOME_RANK[outcome] >= OUTCOME_RANK[vignette["expect"]], (vignette["name"], outcome, said)


@pytest.mark.parametrize("language, locale", [(language, locale) for language, locales
                                              in LOCALE_FOR.items() for locale in locales])
def test_at_most_one_clean_vignette_in_ten_is_sent_up_a_tier(skill, language, locale):
    clean = [i for i, v in enumerate(load(language)) if v["expect"] == "self_care"]
    raised = []
    for index in clean:
        vignette, outcome, said = outcome_of(skill, language, locale, index)
        if OUTCOME_RANK[outcome] > OUTCOME_RANK["self_care"]:
            raised.append((vignette["name"], outcome, said))
    assert len(raised) * 10 <= len(clean), raised


ORDINARY_SCIATICA = {"en": "the back of my left thigh is killing me",
                     "es": "me duele mucho la pantorrilla izquierda"}


@pytest.mark.parametrize("locale", [locale for locales in LOCALE_FOR.values() for locale in locales])
def test_ordinary_sciatica_guessed_by_a_keyword_is_still_no_answer(skill, locale):
    """The NLU's guess of a common symptom (keyword backstop) carries no answer: at a cauda
    equina question it is asked again in other words, then counts as "not sure"."""
    content, model = load_content(locale), build_interaction_model(locale)
    dialog = Dialog(skill, locale=locale)
    dialog.launch()
    words = ORDINARY_SCIATICA[locale.split("-")[0]]
    first = dialog.request(resolve(model, words, True, locale=locale))
    state = state_from_dict(content, first.response["sessionAttributes"]["screen"])
    assert first.outcome is None and question_in_hand(content, state).id == "bladder"
    assert dialog.request(resolve(model, words, True, locale=locale)).outcome == "emergency"


# People with long-standing bladder, prostate or nerve symptoms, answering each anchored
# cauda equina question in their own words (clinical review 2.0): none is sent to the
# emergency department.
LONG_STANDING = {
    "bladder": "no, I've had a weak stream for years, it's my prostate, nothing new",
    "saddle": "no, nothing new down there",
    "both_legs": "no, my feet have been numb for years from my diabetes, that's not changed",
    "sexual_function": "no, I've had erection trouble for years, I'm on tablets for it",
}


@pytest.mark.parametrize("locale", LOCALE_FOR["en"])
def test_long_standing_bladder_prostate_or_nerve_symptoms_are_not_an_emergency(skill, locale):
    content, model = load_content(locale), build_interaction_model(locale)
    dialog = Dialog(skill, locale=locale)
    turn = dialog.launch()
    while turn.outcome is None:
        state = state_from_dict(content, turn.response["sessionAttributes"]["screen"])
        words = LONG_STANDING.get(question_in_hand(content, state).id, "no")
        turn = dialog.request(resolve(model, words, True, locale=locale))
    assert turn.outcome == "self_care", [t.text for t in dialog.turns[-3:]]


@pytest.mark.parametrize("locale", LOCALE_FOR["en"])
def test_incontinence_volunteered_asks_whether_it_is_new_and_a_no_carries_on(skill, locale):
    content, model = load_content(locale), build_interaction_model(locale)
    dialog = Dialog(skill, locale=locale)
    turn = dialog.request(resolve(model, "ask sciatica check, I have incontinence", False,
                                  locale=locale))
    assert turn.outcome is None and content.question("bladder").mentioned in turn.text
    turn = dialog.request(resolve(model, "no, I've had that for years", True, locale=locale))
    assert turn.outcome is None
    state = state_from_dict(content, turn.response["sessionAttributes"]["screen"])
    assert state.answer_to("bladder") == "no"


ASKING_FOR_TIME = {"en": ["hang on", "give me a second", "wait"], "es": ["un momento", "espere"]}


@pytest.mark.parametrize("locale", [locale for locales in LOCALE_FOR.values() for locale in locales])
def test_asking_for_time_at_a_cauda_equina_question_is_never_counted_as_an_answer(skill, locale):
    """"Hang on" twice used to be two unplaced answers, and so the emergency (issue 17): now it
    is the question again, with nothing counted."""
    content, model = load_content(locale), build_interaction_model(locale)
    dialog = Dialog(skill, locale=locale)
    dialog.launch()
    for words in ASKING_FOR_TIME[locale.split("-")[0]]:
        turn = dialog.request(resolve(model, words, True, locale=locale))
        state = state_from_dict(content, turn.response["sessionAttributes"]["screen"])
        assert turn.outcome is None and state.doubts == 0 and not state.answers
        assert turn.text.endswith(content.question("bladder").ask.strip().split()[-1])
