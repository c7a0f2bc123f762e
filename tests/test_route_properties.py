"""Safety that does not depend on the NLU (hazard log H23), as a property of the pure core.

Each user turn means something (a yes, a no, "not sure", a red flag in the person's words, or
noise) and may reach the skill by any route Alexa could take for it: the intended intent,
AMAZON.FallbackIntent (the words are lost), ReportSymptomIntent with the words unresolved (the
keyword backstop reads them), or ReportSymptomIntent with the words resolved to their symptom.
Whatever the routes, at every state:
- the tier never drops;
- no question is asked more than three times in a row by turns that placed nothing new;
- a cauda equina sign said in words reaches the emergency instruction, or the question that
  decides it (its own, or the read-back of them all), in the next response; said through a
  fallback, whose words are lost, the next response asks the question in hand again (or, the
  second time, counts it as "not sure") or asks the read-back.
"""
import pytest
from hypothesis import given, settings, strategies as st

from skill.content.loader import available_locales, load_content
from skill.conversation.questions import question_in_hand
from skill.conversation.state import EffectResult, OK, OUTCOME_RANK, Event, SymptomReport
from skill.conversation.triage import begin, initial_state, step

LOCALES = available_locales()
NOISE = {"en": "the dog is barking again", "es": "el perro está ladrando otra vez"}
PLAIN = {"en": {"yes": "yes i have", "no": "nope", "not_sure": "hmm not sure"},
         "es": {"yes": "sí tengo", "no": "nada", "not_sure": "quién sabe"}}
REPLY_FOR = {"yes": Event.YES, "no": Event.NO, "not_sure": Event.NOT_SURE}


def sign_words(question) -> str:
    """Words that name a red flag through its first keyword (a `*` read as its stem)."""
    return "i think " + question.keywords[0].rstrip("*") + " something"


def routes(content, meaning):
    """Every plausible way a turn meaning `meaning` can reach the skill."""
    language = content.locale.split("-")[0]
    if meaning in REPLY_FOR:
        return [REPLY_FOR[meaning], Event.UNCLEAR, SymptomReport(None, PLAIN[language][meaning])]
    if meaning == "noise":
        return [Event.UNCLEAR, SymptomReport(None, NOISE[language])]
    question = content.question(meaning)
    words = sign_words(question)
    return [SymptomReport(meaning, words), SymptomReport(None, words), Event.UNCLEAR]


def meanings(content):
    signs = [q.id for q in content.questions if q.keywords]
    return st.sampled_from(["yes", "no", "not_sure", "noise"] + signs)


def settle(content, state, prompt):
    while prompt.effect is not None:
        state, prompt = step(content, state, EffectResult(prompt.effect, OK))
    return state, prompt


def asked(content, state, prompt):
    """The id of the question this response asks, or None."""
    question = question_in_hand(content, state)
    if prompt.end_session or question is None:
        return None
    # The reprompt ends on the question, or on the question and the choices (until two
    # answers have shown the person knows them, issue 17).
    choices = (question.reprompt, content.speech["answer_choices"])
    if prompt.reprompt[-1:] != (question.reprompt,) and prompt.reprompt[-2:] != choices:
        return None
    return question.id


def check_conversation(content, start, turns):
    state, prompt = begin(content, start)
    in_a_row, last = 1, asked(content, state, prompt)
    for meaning, route_index in turns:
        options = routes(content, meaning)
        event = options[route_index % len(options)]
        before = state
        state, prompt = settle(content, *step(content, state, event))
        assert OUTCOME_RANK[state.outcome] >= OUTCOME_RANK[before.outcome], (meaning, event)
        now = asked(content, state, prompt)
        placed_nothing = state.answers == before.answers and state.outcome == before.outcome
        in_a_row = in_a_row + 1 if now is not None and now == last and placed_nothing else 1
        last = now
        assert in_a_row <= 3, f"{now} asked {in_a_row} times in a row"
        if before.outcome == "emergency" or meaning in REPLY_FOR or meaning == "noise":
            continue
        sign = content.question(meaning)
        if sign.outcome_if_yes != "emergency":
            continue
        deciding = {sign.id, content.read_back_question.id}
        reached = state.outcome == "emergency" or now in deciding
        if isinstance(event, SymptomReport):
            assert reached, f"{meaning} said as {event} at {before} led to {prompt.speech}"
        else:   # a fallback: the words are lost; the question in hand is asked again, or
            # (asked twice already) counts as "not sure"
            in_hand = question_in_hand(content, before)
            assert reached or now == content.read_back_question.id or in_hand is not None and (
                now == in_hand.id or state.answer_to(in_hand.id) == "not_sure"), \
                (meaning, before, prompt.speech)


session_starts = st.one_of(
    st.builds(initial_state, st.just("2026-11-26"), st.sampled_from(["off", "ask"])),
    st.builds(initial_state, st.just("2026-11-26"), st.just("remembered"),
              st.sampled_from(["2026-11-12", "2026-10-29"])))


def turns_for(content):
    """A run of plain noes first (random turns alone rarely finish a screen), so the turns
    after it land as often in the advice and the offers as in the questions."""
    return st.builds(lambda noes, rest: [("no", 0)] * noes + rest, st.integers(0, 16),
                     st.lists(st.tuples(meanings(content), st.integers(0, 3)), max_size=30))


CONTENT = load_content("en-US")


@settings(max_examples=500, deadline=None)
@given(start=session_starts, turns=turns_for(CONTENT))
def test_every_route_keeps_the_person_safe(start, turns):
    check_conversation(CONTENT, start, turns)


@pytest.mark.parametrize("locale", [locale for locale in LOCALES if locale != "en-US"])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_every_route_keeps_the_person_safe_in_every_locale(locale, data):
    content = load_content(locale)
    check_conversation(content, data.draw(session_starts), data.draw(turns_for(content)))
