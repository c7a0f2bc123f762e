"""A clinician-mode turn through the SDK: the clinician state lives in its own session
attribute, beside (never mixed with) the patient screen's, and an exam in progress is also kept
for a few minutes (exam_store.ExamKeeper, clinician_progress.py) so that it can be resumed."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

from ask_sdk_core.handler_input import HandlerInput

from skill.alexa import apl
from skill.alexa.responses import build_response
from skill.conversation import clinician, clinician_progress
from skill.conversation.clinician import ClinicalTopic, EnterClinicianMode, Finding
from skill.content.clinician import load_clinician_content
from skill.content.loader import Content
from skill.conversation.state import InvalidState, Event, SymptomReport

if TYPE_CHECKING:
    from skill.memory.exam_store import ExamKeeper

logger = logging.getLogger(__name__)

CLINICIAN_EVENTS = (EnterClinicianMode, ClinicalTopic, Finding)


def means_go_back(event) -> bool:
    """Whether a clinician-mode event is "go back", which a patient may say too."""
    return event == Finding(clinician.GO_BACK)
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
                              "pierna", "piernas", "positivo", "positiva", "es"}) | frozenset(SIDE_WORDS)


def wants_clinician_mode(handler_input: HandlerInput, content: Content, event) -> bool:
    """Enter, or stay in, clinician mode, where the locale has it. A patient screen that has
    reached an emergency keeps saying so: switching modes must not soften it."""
    if load_clinician_content(content.locale) is None:
        return False
    session = handler_input.request_envelope.session
    attributes = handler_input.attributes_manager.session_attributes
    in_session = session is not None and not session.new
    if in_session and attributes.get("outcome") == "emergency" and "clinician" not in attributes:
        return False
    if isinstance(event, EnterClinicianMode):
        return True
    return in_session and "clinician" in attributes and event != Event.LAUNCH


def kept_exam(handler_input: HandlerInput, content: Content, event,
              exams: "Optional[ExamKeeper]") -> Optional[clinician.ClinicianState]:
    """The exam in progress to resume, if one is kept for this device and user: asked for by
    opening the skill ("Alexa, open sciatica check") or by asking for clinician mode."""
    clinical = load_clinician_content(content.locale)
    if exams is None or clinical is None:
        return None
    if event == Event.LAUNCH or (isinstance(event, EnterClinicianMode)
                                 and wants_clinician_mode(handler_input, content, event)):
        return exams.load(handler_input.request_envelope, clinical)
    return None


def take_clinician_turn(handler_input: HandlerInput, content: Content, event,
                        exams: "Optional[ExamKeeper]" = None,
                        kept: Optional[clinician.ClinicianState] = None):
    clinical = load_clinician_content(content.locale)
    session = handler_input.request_envelope.session
    attributes = handler_input.attributes_manager.session_attributes
    in_session = session is not None and not session.new
    refused = False
    if kept is not None:
        state, prompt = clinician_progress.resume(clinical, kept)
    elif isinstance(event, EnterClinicianMode):
        state, prompt = clinician.begin(clinical, entered=in_session)
    elif in_session and attributes.get("resumed") is True and event == Event.START_OVER:
        # "Start again" answered to the resume, as it offered: a new patient's exam.
        state, prompt = clinician_progress.new_exam(clinical)
    else:
        try:
            state = clinician.clinician_state_from_dict(clinical, attributes.get("clinician"))
            state, prompt = clinician.step(clinical, state, _side_named(event))
        except InvalidState as problem:
            logger.warning("restarting clinician mode: stored state refused (%s)", problem)
            state, prompt = clinician.begin(clinical, cauda_equina=_was_emergency(attributes))
            refused = True   # the kept exam, if any, is left as it is: it was not refused
    attributes.clear()
    attributes.update({"clinician": state.to_dict(), "outcome": state.outcome})
    if kept is not None:
        attributes["resumed"] = True
    if exams is not None and not refused:
        # "Stop" said the summary so far: the exam is over, not kept (hazard H30).
        if prompt.end_session:
            exams.drop(handler_input.request_envelope)
        else:
            exams.keep(handler_input.request_envelope, clinical, state)
    display = None
    if apl.supports_apl(handler_input):
        rows = [(step.label, clinician.finding_words(clinical, state, step, value) if value else None,
                 value == "positive")
                for step, value in clinician.checklist(clinical, state)]
        body = prompt.speech[-1] if prompt.speech else ""
        display = apl.clinician_display(content, rows, body, state.outcome)
    return build_response(handler_input, content, prompt, display)


def _side_named(event):
    """An unresolved report whose words name one side and nothing else ("both", "the left
    one") is that side, as if FindingType had resolved it; any other event is itself."""
    if not isinstance(event, SymptomReport) or event.symptom_id is not None:
        return event
    words = set((event.heard or "").lower().replace(",", " ").replace(".", " ").split())
    named = {SIDE_WORDS[word] for word in words if word in SIDE_WORDS}
    return Finding(named.pop()) if len(named) == 1 and words <= SIDE_REPLY_WORDS else event


def _was_emergency(attributes) -> bool:
    """Whether a stored state that was refused had reached the emergency: a restart keeps it
    (and says the action again) rather than softening it."""
    stored = attributes.get("clinician")
    return attributes.get("outcome") == "emergency" or \
        (isinstance(stored, dict) and stored.get("cauda_equina") is True)


def keep_on_session_end(handler_input: HandlerInput, content: Content,
                        exams: "Optional[ExamKeeper]") -> None:
    """A session that ends without "stop" (silence, "exit", an error): keep the exam the
    session was in, timed from now. Its attributes are checked like any turn's; anything else
    is left alone."""
    clinical = load_clinician_content(content.locale)
    stored = handler_input.attributes_manager.session_attributes.get("clinician")
    if exams is None or clinical is None or stored is None:
        return
    try:
        state = clinician.clinician_state_from_dict(clinical, stored)
    except InvalidState as problem:
        logger.warning("not keeping the exam of an ended session: state refused (%s)", problem)
        return
    if state.section == "exam":
        exams.keep(handler_input.request_envelope, clinical, state)
