"""Safety as properties of the pure screen, checked with hypothesis over many conversations."""
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition,
                                 rule)

from skill.content.loader import available_locales, load_content
from skill.content.backstop import ASK_FIRST_SUFFIX
from skill.conversation.questions import question_in_hand, urgent_route
from skill.conversation.state import OUTCOME_RANK
from skill.alexa.speech import render_ssml
from skill.conversation.state import FAILED, NO_PERMISSION, NOTHING_STORED, OK, REFUSED
from skill.conversation.triage import (POSITIVE, EffectResult, InvalidState, Event, ScreenState,
                                       SymptomReport, TrendReport, begin, current_prompt,
                                       initial_state, next_question, outcome_for, state_from_dict,
                                       step)

CONTENT = load_content("en-US")
OTHER_LOCALES = [locale for locale in available_locales() if locale != "en-US"]
QUESTIONS = CONTENT.questions
CES = {q.id for q in QUESTIONS if q.outcome_if_yes == "emergency"}
TIER_OF = {q.id: q.outcome_if_yes for q in QUESTIONS}
# Every id Alexa can send for a symptom: each sign, each sign's ask-first phrases (words that
# can be long-standing: its question is asked), the common symptoms, unresolved and unknown.
SYMPTOM_IDS = [q.id for q in QUESTIONS] + [q.id + ASK_FIRST_SUFFIX for q in QUESTIONS] + \
    list(CONTENT.common_symptoms) + [None, "unknown"]
ROUTES = list(CONTENT.outcomes["urgent"].routes)

replies = st.sampled_from([r for r in Event
                           if r not in (Event.LAUNCH, Event.START_OVER)])
events = st.one_of(replies, st.builds(SymptomReport, st.sampled_from(SYMPTOM_IDS)),
                   st.builds(TrendReport, st.sampled_from(["better", "same", "worse", None])))
# How a session can begin: a first visit (memory off, offered, or already given) or a
# remembered user's check-in at some day of the episode.
session_starts = st.one_of(
    st.builds(initial_state, st.just("2026-11-26"), st.sampled_from(["off", "ask", "remembered"])),
    st.builds(initial_state, st.just("2026-11-26"), st.just("remembered"),
              st.sampled_from(["2026-11-26", "2026-11-12", "2026-10-29", "2026-11-20"])))
effect_statuses = st.sampled_from([OK, FAILED, NO_PERMISSION, REFUSED, NOTHING_STORED])


def settle(state, prompt, status=OK, content=CONTENT):
    """Carry out a prompt's effects the way the adapter does, reporting `status`."""
    spoken = prompt.speech
    while prompt.effect is not None:
        state, prompt = step(content, state, EffectResult(prompt.effect, status))
        spoken += prompt.speech
    return state, prompt.__class__(**{**prompt.__dict__, "speech": spoken})


def run(event_list, state=None, status=OK, content=CONTENT):
    state = begin(content, state)[0] if state is None or not state.started else state
    trace = []
    for event in event_list:
        before = state
        state, prompt = settle(*step(content, state, event), status, content)
        trace.append((before, event, state, prompt))
    return state, trace


def confirmed_cauda_equina(before, event, content=CONTENT):
    """Whether this event, in this state, confirms a cauda equina sign."""
    if before.outcome == "emergency":
        return False
    if isinstance(event, SymptomReport):
        return event.symptom_id in CES
    question = question_in_hand(content, before) if before.started else None
    if question is None or question.id not in CES:
        return False
    return event == Event.YES or (event in (Event.NOT_SURE, Event.UNCLEAR) and before.doubts == 1)


def assert_emergency_answer(prompt, event, content=CONTENT):
    """The emergency answer: the action first, and last asked as the one teach-back question
    (hazard log H32), the session open for the answer, "repeat" or "what number?", with a
    reprompt that starts and ends with the action; or, stopped while unsure of a cauda equina
    sign, the action and the goodbye (issue 17: the same tier either way)."""
    action = content.outcomes["emergency"].speech[0]
    if event == Event.STOP:
        assert prompt.speech[1] == action and prompt.end_session
        return
    assert prompt.speech[0] == action and prompt.speech[-1] == content.handover["question"]
    assert not prompt.end_session and prompt.reprompt[0] == action == prompt.reprompt[-1]


def assert_after_emergency(prompt, content=CONTENT):
    """Any turn after the emergency answer but "stop": the action (or the call) first and last,
    the handover between, no question (hazard log H32)."""
    actions = (content.outcomes["emergency"].speech[0], content.handover["call_now"])
    assert prompt.speech[0] in actions and prompt.speech[-1] == prompt.speech[0]
    assert not prompt.end_session and prompt.reprompt == prompt.speech[:1]


@settings(max_examples=400)
@given(st.lists(events, max_size=40), session_starts)
def test_any_confirmed_cauda_equina_sign_ends_in_emergency(event_list, start):
    state, trace = run(event_list, start)
    if any(confirmed_cauda_equina(before, event) for before, event, _, _ in trace):
        assert state.outcome == "emergency"


# Every locale: the same rule, and the emergency is said with the locale's own number. The
# screen logic is shared, so fewer examples per locale are enough to catch content that breaks it.
@pytest.mark.parametrize("locale", OTHER_LOCALES)
@settings(max_examples=60, deadline=None)
@given(event_list=st.lists(events, max_size=40), start=session_starts)
def test_every_locale_reaches_emergency_with_its_own_number(locale, event_list, start):
    content = load_content(locale)
    assert {q.id for q in content.questions if q.outcome_if_yes == "emergency"} == CES
    state, trace = run(event_list, start, content=content)
    if any(confirmed_cauda_equina(before, event, content) for before, event, _, _ in trace):
        assert state.outcome == "emergency"
    number = f'<say-as interpret-as="digits">{content.values["emergency_number"]}</say-as>'
    for before, event, after, prompt in trace:
        if after.outcome == "emergency" and before.outcome != "emergency":
            assert_emergency_answer(prompt, event, content)
            first = prompt.speech[1] if event == Event.STOP else prompt.speech[0]
            assert number in render_ssml((first,), content.values)   # in the action


@pytest.mark.parametrize("locale", available_locales())
@pytest.mark.parametrize("ces_index", range(len(CES)))
def test_a_yes_to_each_cauda_equina_question_is_the_emergency_with_the_locales_number(locale, ces_index):
    content = load_content(locale)
    state, _ = begin(content)
    for _ in range(ces_index):
        state, _ = step(content, state, Event.NO)
    state, prompt = step(content, state, Event.YES)
    assert state.outcome == "emergency"
    assert_emergency_answer(prompt, Event.YES, content)
    first = render_ssml(prompt.speech[:1], content.values)
    assert f'<say-as interpret-as="digits">{content.values["emergency_number"]}</say-as>' in first


@settings(max_examples=400)
@given(st.lists(events, max_size=40), session_starts)
def test_emergency_is_said_at_once_first_and_last_and_only_stop_ends_it(event_list, start):
    _, trace = run(event_list, start)
    for before, event, after, prompt in trace:
        if after.outcome != "emergency":
            continue
        if before.outcome == "emergency" and event == Event.STOP:
            assert prompt.speech == CONTENT.outcomes["emergency"].speech[:1] and prompt.end_session
        elif before.outcome == "emergency":
            assert_after_emergency(prompt)
        else:
            assert_emergency_answer(prompt, event)


@settings(max_examples=400)
@given(st.lists(events, max_size=40), session_starts)
def test_stopping_after_a_red_flag_always_says_to_see_a_doctor_today(event_list, start):
    """Hazard log H03: wherever the user stops, what they must do is said again first."""
    state, _ = run(event_list, start)
    _, prompt = step(CONTENT, state, Event.STOP)
    assert prompt.end_session
    if state.outcome == "emergency":
        assert prompt.speech == CONTENT.outcomes["emergency"].speech[:1]
        return
    in_hand = question_in_hand(CONTENT, state) if state.started else None
    if state.doubts and in_hand is not None and in_hand.outcome_if_yes == "emergency":
        # Unsure of a cauda equina sign: the emergency, as the same doubt said again would be.
        assert prompt.speech[1] == CONTENT.outcomes["emergency"].speech[0]
        return
    tiers = {TIER_OF[qid] for qid, answer in state.answers if answer in POSITIVE}
    if state.outcome == "urgent" or "urgent" in tiers:
        assert where_to_go_today(state) in prompt.speech and prompt.card is not None
    elif state.outcome == "soon" or "soon" in tiers:
        assert CONTENT.outcomes["soon"].speech[0] in prompt.speech and prompt.card is not None
    assert prompt.speech[-1] == CONTENT.speech["goodbye"]   # the cauda equina signs, always


def where_to_go_today(state):
    """The urgent outcome's first sentence for these answers: the most demanding route a
    positive answer names, in the content's order, else the outcome's own."""
    named = [q.route for q in QUESTIONS
             if q.outcome_if_yes == "urgent" and q.route and state.answer_to(q.id) in POSITIVE]
    route = min(named, key=ROUTES.index) if named else None
    return CONTENT.outcomes["urgent"].routes[route] if route else \
        CONTENT.outcomes["urgent"].speech[0]


@settings(max_examples=400)
@given(st.lists(events, max_size=40), session_starts)
def test_the_place_to_go_today_only_ever_gets_more_demanding(event_list, start):
    """A second urgent sign never sends the person somewhere less urgent than the first, and a
    more demanding one is said at once."""
    _, trace = run(event_list, start)
    for before, _, after, prompt in trace:
        if after.outcome != "urgent":
            continue
        rank_before = ROUTES.index(urgent_route(CONTENT, before)) \
            if before.outcome == "urgent" and urgent_route(CONTENT, before) else len(ROUTES)
        route = urgent_route(CONTENT, after)
        rank_after = ROUTES.index(route) if route else len(ROUTES)
        assert rank_after <= rank_before
        if rank_after < rank_before:
            assert where_to_go_today(after) in prompt.speech


@settings(max_examples=400)
@given(st.lists(events, max_size=40), session_starts)
def test_an_urgent_sign_is_never_left_at_a_doctor_within_days(event_list, start):
    state, trace = run(event_list, start)
    urgent = any(TIER_OF[qid] == "urgent" and answer in POSITIVE
                 for _, _, after, _ in trace for qid, answer in after.answers)
    if urgent:   # still asking, or a doctor today at least
        assert state.outcome not in ("soon", "self_care")


@settings(max_examples=400)
@given(st.lists(events, max_size=40), session_starts)
def test_no_conversation_with_a_red_flag_ends_in_self_care(event_list, start):
    state, trace = run(event_list, start)
    flagged = any(after.answer_to(q.id) in POSITIVE for _, _, after, _ in trace for q in QUESTIONS)
    if flagged:
        assert state.outcome != "self_care"


@settings(max_examples=400)
@given(st.lists(events, max_size=40), session_starts)
def test_outcome_never_falls_within_a_screen(event_list, start):
    _, trace = run(event_list, start)
    for before, _, after, _ in trace:
        assert OUTCOME_RANK[after.outcome] >= OUTCOME_RANK[before.outcome]


def answer_by_policy(policy):
    """Answer each question as `policy[question id]` says: a list of replies, used in turn
    (the last one repeats), so a "not sure" can be followed by an answer to the clarification."""
    state, _ = begin(CONTENT)
    used = {}
    for _ in range(100):
        question = next_question(CONTENT, state)
        if state.outcome is not None or question is None:
            return state.outcome
        replies_for = policy[question.id]
        index = used.get(question.id, 0)
        used[question.id] = index + 1
        state, _ = step(CONTENT, state, replies_for[min(index, len(replies_for) - 1)])
    raise AssertionError("the screen did not finish")


# A first visit's questions: a check-in-only question's answer would never be asked for.
answers = st.fixed_dictionaries({q.id: st.sampled_from([Event.YES, Event.NO])
                                 for q in CONTENT.screen_questions})


@settings(max_examples=300)
@given(answers, st.sets(st.sampled_from([q.id for q in CONTENT.screen_questions]), min_size=1),
       st.booleans())
def test_not_sure_never_lowers_the_tier(policy, doubted, still_unsure):
    """Replace answers by "not sure"; after a clarification the person either stays unsure
    or gives the answer they would have given."""
    baseline = answer_by_policy({qid: [reply] for qid, reply in policy.items()})
    doubtful = {qid: [reply] for qid, reply in policy.items()}
    for qid in doubted:
        doubtful[qid] = [Event.NOT_SURE, Event.NOT_SURE if still_unsure else policy[qid]]
    assert OUTCOME_RANK[answer_by_policy(doubtful)] >= OUTCOME_RANK[baseline]


@given(answers)
def test_every_complete_screen_reaches_an_outcome_that_matches_the_answers(policy):
    outcome = answer_by_policy({qid: [reply] for qid, reply in policy.items()})
    yes = {TIER_OF[qid] for qid, reply in policy.items() if reply == Event.YES}
    expected = next((tier for tier in ("emergency", "urgent", "soon") if tier in yes), "self_care")
    assert outcome == expected


@settings(max_examples=300)
@given(st.lists(events, max_size=30), session_starts, effect_statuses)
def test_every_state_has_speech_a_reprompt_and_help(event_list, start, status):
    _, trace = run(event_list, start, status)
    for _, _, after, prompt in trace:
        assert all(part.strip() for part in prompt.speech)
        assert prompt.end_session or prompt.reprompt
        if after.outcome != "emergency":
            assert step(CONTENT, after, Event.HELP)[1].speech
        assert current_prompt(CONTENT, after).speech


@given(st.lists(events, max_size=30), session_starts, effect_statuses)
def test_stored_state_round_trips(event_list, start, status):
    state, _ = run(event_list, start, status)
    assert state_from_dict(CONTENT, state.to_dict()) == state


class ScreenMachine(RuleBasedStateMachine):
    """Rules are what a user can say; invariants are what must hold after every turn."""

    def __init__(self):
        super().__init__()
        self.state, self.prompt = begin(CONTENT)
        self.was_emergency = False

    @initialize(start=session_starts)
    def start(self, start):
        self.state, self.prompt = begin(CONTENT, start)

    def say(self, event, status=OK):
        self.state, self.prompt = settle(*step(CONTENT, self.state, event), status)

    @rule(status=effect_statuses)
    def forget(self, status):
        self.say(Event.FORGET, status)

    @rule(reply=replies)
    def reply(self, reply):
        self.say(reply)

    @rule(symptom_id=st.sampled_from(SYMPTOM_IDS))
    def volunteer(self, symptom_id):
        self.say(SymptomReport(symptom_id))

    @precondition(lambda self: self.state.outcome != "emergency")
    @rule()
    def start_over(self):
        self.say(Event.START_OVER)

    @invariant()
    def emergency_stays_emergency(self):
        if self.was_emergency:
            assert self.state.outcome == "emergency"
        self.was_emergency = self.state.outcome == "emergency"

    @invariant()
    def cauda_equina_answer_means_emergency(self):
        if any(self.state.answer_to(qid) in POSITIVE for qid in CES):
            assert self.state.outcome == "emergency"

    @invariant()
    def self_care_only_when_every_answer_is_no(self):
        if self.state.outcome == "self_care":
            assert all(self.state.answer_to(q.id) == "no" for q in QUESTIONS)

    @invariant()
    def outcome_follows_from_answers(self):
        decided = outcome_for(CONTENT, self.state)
        if self.state.outcome != "emergency":
            assert self.state.outcome == decided


TestScreenMachine = ScreenMachine.TestCase
TestScreenMachine.settings = settings(max_examples=200, stateful_step_count=40)


def test_a_fresh_state_begins_with_the_welcome():
    state, prompt = step(CONTENT, ScreenState(), Event.YES)
    assert state.started and prompt.speech[0] == CONTENT.speech["welcome"]


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                           | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=8)


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(["version", "started", "answers", "doubts", "outcome",
                                        "advice_index"]) | st.text(max_size=5), json_values))
def test_junk_stored_state_is_refused_cleanly_or_is_consistent(data):
    try:
        state = state_from_dict(CONTENT, data)
    except InvalidState:
        return
    if state.outcome == "self_care":
        assert all(state.answer_to(q.id) == "no" for q in QUESTIONS)
