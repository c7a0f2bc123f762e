"""One turn of a whole conversation, whatever the voice platform: the patient screen
(turn.run_turn) or clinician mode, chosen from what the platform kept for this conversation.

A platform keeps one mapping per conversation between turns (Alexa: its session attributes; the
Wyoming service: a table by conversation id) and hands it back with the next event. This module
decides which mode the event belongs to, steps that mode's pure state machine, and returns the
mapping to keep: `screen` (a patient's ScreenState) or `clinician` (a ClinicianState), never
both, with `outcome` beside it. No ask-sdk here: alexa/turns.py and wyoming/ are the adapters.

Why the routing lives here and not in an adapter: a patient screen that has reached the
emergency must keep saying so whatever mode is asked for next (hazard H30), and that rule must
hold on every platform."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Protocol

from skill.content.clinician import ClinicianContent, load_clinician_content
from skill.content.loader import Content
from skill.conversation import clinician, clinician_progress, turn
from skill.conversation.clinician import ClinicalTopic, ClinicianState, EnterClinicianMode, Finding
from skill.conversation.state import Event, InvalidState, Prompt, ScreenState, SymptomReport

logger = logging.getLogger(__name__)

CLINICIAN_EVENTS = (EnterClinicianMode, ClinicalTopic, Finding)
# Words that name a side in a report the platform could not place ("both", "bilateral": the
# keyword backstop's, not FindingType's), and the only other words such a reply may hold:
# anything else ("my left leg hurts") is not read as a finding.
SIDE_WORDS = {"left": "left", "right": "right", "both": "both", "bilateral": "both",
              "bilaterally": "both",
              # es-US: "ambos lados", "las dos", "bilateral" are the keyword backstop's there
              "izquierda": "left", "izquierdo": "left", "derecha": "right", "derecho": "right",
              "ambos": "both", "ambas": "both", "dos": "both", "bilateralmente": "both"}
SIDE_REPLY_WORDS = frozenset({"on", "the", "side", "sides", "sided", "one", "leg", "legs",
                              "positive", "it", "it's", "its", "is",
                              "lado", "lados", "el", "la", "los", "las", "en", "de", "del", "a",
                              "pierna", "piernas", "positivo", "positiva", "es"}) \
    | frozenset(SIDE_WORDS)


class ExamPlace(Protocol):
    """Where this device's exam in progress is kept for a few minutes (memory/exam_store.py),
    already bound to the device and user. None of these raises for a failing store."""

    def load(self, content: ClinicianContent) -> Optional[ClinicianState]: ...

    def keep(self, content: ClinicianContent, state: ClinicianState) -> None: ...

    def drop(self) -> None: ...


@dataclass(frozen=True)
class Exchange:
    """A turn's result: the mapping to keep for the next turn, what to say, and the state of
    the mode that answered (for a display): `screen` and `before` for the patient screen,
    `clinician` and `clinical` for clinician mode; all None for a region without content."""

    kept: dict
    prompt: Prompt
    screen: Optional[ScreenState] = None
    before: Optional[ScreenState] = None
    clinician: Optional[ClinicianState] = None
    clinical: Optional[ClinicianContent] = None


def converse(content: Content, kept: Mapping, new: bool, event, today: Callable[[], str],
             memory_enabled: bool, effects: turn.Effects, exams: Optional[ExamPlace] = None,
             lead: Optional[str] = None) -> Exchange:
    """`kept`: what the platform kept from this conversation's last turn; `new`: whether this
    is the conversation's first turn (then `kept` is ignored). `today`: the platform's clock
    (an ISO date); `memory_enabled`: whether this deployment may remember anyone."""
    refused = turn.region_prompt(content)
    if refused is not None:
        return Exchange({}, refused)
    kept = {} if new else dict(kept)
    clinical = load_clinician_content(content.locale)
    resumable = _kept_exam(clinical, kept, event, exams)
    if resumable is not None or _wants_clinician_mode(clinical, kept, event):
        return _clinician_turn(clinical, kept, new, event, exams, resumable)
    if isinstance(event, CLINICIAN_EVENTS):   # not said in clinician mode
        # "Go back" is one of the exam's words (a FindingType value); to a patient it means
        # the previous question.
        event = Event.GO_BACK if event == Finding(clinician.GO_BACK) else Event.UNCLEAR
    stored = None if new else kept.get("screen")
    result = turn.run_turn(content, turn.Session(stored, today, memory_enabled), event, effects,
                           lead)
    if result.state is None:
        return Exchange({}, result.prompt)
    return Exchange({"screen": result.state.to_dict(), "outcome": result.state.outcome},
                    result.prompt, result.state, result.before)


def end_conversation(content: Content, kept: Mapping, exams: Optional[ExamPlace]) -> None:
    """A conversation that ends without "stop" (silence, "exit", an error, an idle timeout):
    keep the exam it was in, timed from now. The kept state is checked like any turn's;
    anything else is left alone."""
    clinical = load_clinician_content(content.locale)
    stored = kept.get("clinician")
    if exams is None or clinical is None or stored is None or not content.serves_region:
        return
    try:
        state = clinician.clinician_state_from_dict(clinical, stored)
    except InvalidState as problem:
        logger.warning("not keeping the exam of an ended conversation: state refused (%s)",
                       problem)
        return
    if state.section == "exam":
        exams.keep(clinical, state)


def _wants_clinician_mode(clinical: Optional[ClinicianContent], kept: Mapping, event) -> bool:
    """Enter, or stay in, clinician mode, where the locale has it. A patient screen that has
    reached an emergency keeps saying so: switching modes must not soften it."""
    if clinical is None:
        return False
    if kept.get("outcome") == "emergency" and "clinician" not in kept:
        return False
    if isinstance(event, EnterClinicianMode):
        return True
    return "clinician" in kept and event != Event.LAUNCH


def _kept_exam(clinical: Optional[ClinicianContent], kept: Mapping, event,
               exams: Optional[ExamPlace]) -> Optional[ClinicianState]:
    """The exam in progress to resume, if one is kept for this device and user: asked for by
    opening the skill or by asking for clinician mode."""
    if exams is None or clinical is None:
        return None
    if event == Event.LAUNCH or (isinstance(event, EnterClinicianMode)
                                 and _wants_clinician_mode(clinical, kept, event)):
        return exams.load(clinical)
    return None


def _clinician_turn(clinical: ClinicianContent, kept: Mapping, new: bool, event,
                    exams: Optional[ExamPlace], resumable: Optional[ClinicianState]) -> Exchange:
    refused = False
    if resumable is not None:
        state, prompt = clinician_progress.resume(clinical, resumable)
    elif isinstance(event, EnterClinicianMode):
        state, prompt = clinician.begin(clinical, entered=not new)
    elif kept.get("resumed") is True and event == Event.START_OVER:
        # "Start again" answered to the resume, as it offered: a new patient's exam.
        state, prompt = clinician_progress.new_exam(clinical)
    else:
        try:
            state = clinician.clinician_state_from_dict(clinical, kept.get("clinician"))
            state, prompt = clinician.step(clinical, state, _side_named(event))
        except InvalidState as problem:
            logger.warning("restarting clinician mode: stored state refused (%s)", problem)
            state, prompt = clinician.begin(clinical, cauda_equina=_was_emergency(kept))
            refused = True   # the kept exam, if any, is left as it is: it was not refused
    now_kept = {"clinician": state.to_dict(), "outcome": state.outcome}
    if resumable is not None:
        now_kept["resumed"] = True
    if exams is not None and not refused:
        # "Stop" said the summary so far: the exam is over, not kept (hazard H30).
        if prompt.end_session:
            exams.drop()
        else:
            exams.keep(clinical, state)
    return Exchange(now_kept, prompt, clinician=state, clinical=clinical)


def _side_named(event):
    """An unresolved report whose words name one side and nothing else ("both", "the left
    one") is that side, as if FindingType had resolved it; any other event is itself."""
    if not isinstance(event, SymptomReport) or event.symptom_id is not None:
        return event
    words = set((event.heard or "").lower().replace(",", " ").replace(".", " ").split())
    named = {SIDE_WORDS[word] for word in words if word in SIDE_WORDS}
    return Finding(named.pop()) if len(named) == 1 and words <= SIDE_REPLY_WORDS else event


def _was_emergency(kept: Mapping) -> bool:
    """Whether a stored state that was refused had reached the emergency: a restart keeps it
    (and says the action again) rather than softening it."""
    stored = kept.get("clinician")
    return kept.get("outcome") == "emergency" or \
        (isinstance(stored, dict) and stored.get("cauda_equina") is True)
