"""The red-flag screen as a pure state machine: step(content, state, event) -> (state, Prompt).

No ask-sdk here: handlers translate Alexa requests into events and prompts into responses, so
the safety rules below can be tested exhaustively on their own.

Safety rules, in the order they are applied:
1. Once the outcome is an emergency, every event gets the emergency instruction again. Nothing
   said later can soften it, not even "start over".
2. Any positive answer to a cauda equina question (yes, a second "not sure", or the symptom
   volunteered at any time) is an emergency at once, with no confirmation turn.
3. "Not sure" never lowers urgency: on a cauda equina question it earns one clarification and
   then counts as yes; on any other red-flag question it counts as yes straight away. An answer
   that cannot be placed is re-asked once in other words, then treated like "not sure".
4. The outcome only ever rises: self-care < urgent < emergency.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Mapping, Optional, Tuple, Union

from skill.content import Content, Question, fill

STATE_VERSION = 1


class Reply(str, Enum):
    LAUNCH = "launch"
    YES = "yes"
    NO = "no"
    NOT_SURE = "not_sure"
    UNCLEAR = "unclear"        # Alexa heard something we can't place
    NEXT = "next"
    REPEAT = "repeat"
    HELP = "help"
    START_OVER = "start_over"
    STOP = "stop"


@dataclass(frozen=True)
class SymptomReport:
    """A symptom the user volunteered; symptom_id is None when it could not be resolved."""

    symptom_id: Optional[str]


Event = Union[Reply, SymptomReport]

YES, NO, NOT_SURE, REPORTED = "yes", "no", "not_sure", "reported"
ANSWERS = (YES, NO, NOT_SURE, REPORTED)
POSITIVE = frozenset({YES, NOT_SURE, REPORTED})   # "not sure" counts as yes
_RANK = {None: 0, "self_care": 1, "urgent": 2, "emergency": 3}


@dataclass(frozen=True)
class Card:
    title: str
    body: Tuple[str, ...]


@dataclass(frozen=True)
class Prompt:
    """What to say next. Texts may still hold {fact} placeholders: speech.py fills them."""

    speech: Tuple[str, ...]
    reprompt: Tuple[str, ...] = ()
    end_session: bool = False
    card: Optional[Card] = None


@dataclass(frozen=True)
class ScreenState:
    answers: Tuple[Tuple[str, str], ...] = ()   # (question id, answer), in question order
    doubts: int = 0                              # "not sure"/unclear replies to the current question
    outcome: Optional[str] = None
    advice_step: Optional[int] = None            # None: not reading advice (yet)
    started: bool = False                        # the user has heard the welcome

    def answer_to(self, question_id: str) -> Optional[str]:
        return dict(self.answers).get(question_id)

    def to_dict(self) -> dict:
        return {"version": STATE_VERSION, "started": self.started, "answers": dict(self.answers),
                "doubts": self.doubts, "outcome": self.outcome, "advice_step": self.advice_step}


class InvalidState(ValueError):
    """Stored session state that this version cannot trust (old, tampered or corrupt)."""


def step(content: Content, state: ScreenState, event: Event) -> Tuple[ScreenState, Prompt]:
    """Advance the conversation by one user turn."""
    if state.outcome == "emergency":
        return state, _emergency(content)
    if event == Reply.LAUNCH:
        return begin(content)
    if event == Reply.START_OVER:
        return begin(content, lead=content.speech["start_over"])
    if event == Reply.STOP:
        return state, Prompt((content.speech["goodbye"],), end_session=True)
    if isinstance(event, SymptomReport):
        return _on_symptom(content, state, event.symptom_id)
    if not state.started:
        return begin(content)
    if state.outcome is None:
        return _on_screen_reply(content, state, event)
    return _on_advice_reply(content, state, event)


def initial_state() -> ScreenState:
    return ScreenState()


def current_prompt(content: Content, state: ScreenState) -> Prompt:
    """What the user last heard, rebuilt from the state (used for Repeat)."""
    if state.outcome == "emergency":
        return _emergency(content)
    if not state.started:
        return begin(content)[1]
    if state.outcome is None:
        return _ask(next_question(content, state))
    if state.outcome == "urgent" and state.advice_step is None:
        return _urgent(content)
    return _advice(content, state)


def next_question(content: Content, state: ScreenState) -> Optional[Question]:
    """The next unanswered question, or None when the answers already decide the outcome."""
    if outcome_for(content, state.answers) is not None:
        return None
    for question in content.questions:
        if state.answer_to(question.id) is None:
            return question
    return None


def outcome_for(content: Content, answers) -> Optional[str]:
    """The outcome the answers decide, or None while questions that matter remain.
    Cauda equina questions all come first, so every one is asked before an urgent outcome."""
    given = dict(answers)
    emergency = [q for q in content.questions if q.tier == "emergency"]
    if any(given.get(q.id) in POSITIVE for q in emergency):
        return "emergency"
    if any(q.id not in given for q in emergency):
        return None
    if any(answer in POSITIVE for answer in given.values()):
        return "urgent"
    if any(q.id not in given for q in content.questions):
        return None
    return "self_care"


def state_from_dict(content: Content, data: Mapping) -> ScreenState:
    """Rebuild a stored state, refusing anything this version could misread."""
    if not isinstance(data, Mapping) or type(data.get("version")) is not int \
            or data["version"] != STATE_VERSION:
        raise InvalidState("missing or different state version")
    answers, started = data.get("answers"), data.get("started")
    doubts, outcome, advice_step = data.get("doubts"), data.get("outcome"), data.get("advice_step")
    known = {question.id for question in content.questions}
    if not isinstance(answers, Mapping) or not isinstance(started, bool):
        raise InvalidState("answers or started has the wrong type")
    if any(not isinstance(key, str) or key not in known
           or not isinstance(value, str) or value not in ANSWERS
           for key, value in answers.items()):
        raise InvalidState("unknown question or answer")
    if type(doubts) is not int or doubts not in (0, 1) \
            or not (outcome is None or isinstance(outcome, str)) or outcome not in _RANK:
        raise InvalidState("bad doubts or outcome")
    ordered = tuple((q.id, answers[q.id]) for q in content.questions if q.id in answers)
    decided = outcome_for(content, ordered)
    # A stored outcome must be the one its answers decide: a tampered "self_care" must never
    # skip questions. A stored emergency is kept whatever the answers say (the safe direction).
    if outcome != "emergency" and outcome != decided:
        raise InvalidState("outcome does not follow from the answers")
    if outcome in ("urgent", "self_care") and advice_step is not None:
        if type(advice_step) is not int or not 0 <= advice_step < len(content.advice_for(outcome)):
            raise InvalidState("advice step out of range")
    elif advice_step is not None or outcome == "self_care":
        raise InvalidState("advice step does not fit the outcome")
    if answers and not started:
        raise InvalidState("answers before the welcome")
    return ScreenState(answers=ordered, doubts=doubts, outcome=outcome,
                       advice_step=advice_step, started=started)


# --- screening ---------------------------------------------------------------------------

def begin(content: Content, lead: Optional[str] = None) -> Tuple[ScreenState, Prompt]:
    """A fresh screen: the welcome (or `lead`) and the first question."""
    state = ScreenState(started=True)
    return state, _ask(content.questions[0], lead=lead or content.speech["welcome"])


def _ask(question: Question, lead: Optional[str] = None, text: Optional[str] = None) -> Prompt:
    speech = ((lead,) if lead else ()) + (text or question.ask,)
    return Prompt(speech, reprompt=(question.reprompt,))


def _on_screen_reply(content: Content, state: ScreenState, reply: Reply):
    question = next_question(content, state)
    if reply == Reply.YES:
        return _record(content, state, question.id, YES)
    if reply == Reply.NO:
        return _record(content, state, question.id, NO)
    if reply in (Reply.NOT_SURE, Reply.UNCLEAR):
        return _on_doubt(content, state, question, reply)
    if reply == Reply.HELP:
        position = content.questions.index(question) + 1
        help_text = fill(content.speech["help_screening"],
                         {"position": position, "total": len(content.questions)})
        return state, Prompt((question.help, help_text, question.reprompt),
                             reprompt=(question.reprompt,))
    if reply == Reply.NEXT:   # never skip a question
        return state, _ask(question, lead=content.speech["answer_needed"])
    return state, _ask(question)   # Repeat


def _on_doubt(content: Content, state: ScreenState, question: Question, reply: Reply):
    if state.doubts == 0 and (question.tier == "emergency" or reply == Reply.UNCLEAR):
        lead = content.speech["not_understood"] if reply == Reply.UNCLEAR else None
        return replace(state, doubts=1), _ask(question, lead=lead, text=question.clarify)
    return _record(content, state, question.id, NOT_SURE, lead=content.speech["counted_as_yes"])


def _record(content: Content, state: ScreenState, question_id: str, answer: str,
            lead: Optional[str] = None):
    answers = dict(state.answers)
    answers[question_id] = answer
    ordered = tuple((q.id, answers[q.id]) for q in content.questions if q.id in answers)
    state = replace(state, answers=ordered, doubts=0)
    decided = outcome_for(content, ordered)
    if decided is not None:
        return _reach(content, state, decided, lead)
    return state, _ask(next_question(content, state), lead=lead)


def _on_symptom(content: Content, state: ScreenState, symptom_id: Optional[str]):
    known = {question.id for question in content.questions}
    if symptom_id in known:
        if state.answer_to(symptom_id) in POSITIVE:
            return _noted(content, state, content.speech["symptom_noted"])
        started = replace(state, started=True)
        was_started = state.started
        new_state, prompt = _record(content, started, symptom_id, REPORTED,
                                    lead=content.speech["symptom_noted"])
        if new_state.outcome is None and not was_started:   # one-shot: still owe the welcome
            prompt = replace(prompt, speech=(prompt.speech[0], content.speech["welcome"])
                             + prompt.speech[1:])
        return new_state, prompt
    if symptom_id in content.common_symptoms:
        return _noted(content, state, content.common_symptoms[symptom_id])
    return _noted(content, state, content.speech["symptom_not_recognised"])


def _noted(content: Content, state: ScreenState, lead: str):
    """Acknowledge, then say again what the user was last asked."""
    if not state.started:
        state, prompt = begin(content)
    else:
        prompt = current_prompt(content, state)
    return state, replace(prompt, speech=(lead,) + prompt.speech)


# --- outcomes and advice -----------------------------------------------------------------

def _reach(content: Content, state: ScreenState, decided: str, lead: Optional[str]):
    outcome = max(decided, state.outcome, key=_RANK.__getitem__)
    if outcome == state.outcome:      # e.g. a second urgent symptom during the urgent advice
        prompt = current_prompt(content, state)
        return state, replace(prompt, speech=((lead,) if lead else ()) + prompt.speech)
    lead_speech = (lead,) if lead and outcome != "emergency" else ()   # the action comes first
    if outcome == "emergency":
        return replace(state, outcome=outcome, advice_step=None), _emergency(content)
    if outcome == "urgent":
        prompt = _urgent(content)
        return replace(state, outcome=outcome, advice_step=None), replace(
            prompt, speech=lead_speech + prompt.speech)
    state = replace(state, outcome=outcome, advice_step=0)
    prompt = _advice(content, state)
    intro = content.outcomes["self_care"].speech
    return state, replace(prompt, speech=lead_speech + intro + prompt.speech)


def _emergency(content: Content) -> Prompt:
    outcome = content.outcomes["emergency"]
    # The session ends: the person should be on the phone, not talking to a speaker.
    return Prompt(outcome.speech, end_session=True, card=Card(outcome.card_title, outcome.speech))


def _urgent(content: Content) -> Prompt:
    outcome = content.outcomes["urgent"]
    return Prompt(outcome.speech + (outcome.offer,), reprompt=(outcome.offer_reprompt,),
                  card=Card(outcome.card_title, outcome.speech))


def _advice(content: Content, state: ScreenState) -> Prompt:
    chunks = content.advice_for(state.outcome)
    chunk = chunks[state.advice_step]
    if state.advice_step == len(chunks) - 1:
        outcome = content.outcomes[state.outcome]
        body = (outcome.speech if state.outcome == "urgent" else ()) + tuple(c.text for c in chunks)
        return Prompt((chunk.text, content.speech["advice_end"]), end_session=True,
                      card=Card(outcome.card_title, body))
    return Prompt((chunk.text, content.speech["advice_prompt"]),
                  reprompt=(content.speech["advice_reprompt"],))


def _on_advice_reply(content: Content, state: ScreenState, reply: Reply):
    offer_pending = state.advice_step is None
    if reply in (Reply.YES, Reply.NEXT):
        following = 0 if offer_pending else state.advice_step + 1
        last = len(content.advice_for(state.outcome)) - 1
        state = replace(state, advice_step=min(following, last))
        return state, _advice(content, state)
    if reply == Reply.NO:
        return state, Prompt((content.speech["goodbye"],), end_session=True)
    if reply == Reply.REPEAT:
        return state, current_prompt(content, state)
    if reply == Reply.HELP:
        text = content.speech["help_offer" if offer_pending else "help_advice"]
        return state, replace(current_prompt(content, state), speech=(text,))
    text = content.outcomes["urgent"].offer_reprompt if offer_pending \
        else content.speech["advice_not_understood"]
    return state, replace(current_prompt(content, state), speech=(text,))
