"""A clinician-mode turn through the SDK: the clinician state lives in its own session
attribute, beside (never mixed with) the patient screen's."""
from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput

from skill import clinician, screens
from skill.clinician import ClinicalTopic, EnterClinicianMode, Finding
from skill.clinician_content import load_clinician_content
from skill.content import Content
from skill.state import InvalidState, Reply, SymptomReport

logger = logging.getLogger(__name__)

CLINICIAN_EVENTS = (EnterClinicianMode, ClinicalTopic, Finding)


def means_go_back(event) -> bool:
    """Whether a clinician-mode event is "go back", which a patient may say too."""
    return event == Finding(clinician.GO_BACK)
# Words that name a side in a report the platform could not place ("both", "bilateral": the
# keyword backstop's, not FindingType's), and the only other words such a reply may hold:
# anything else ("my left leg hurts") is not read as a finding.
SIDE_WORDS = {"left": "left", "right": "right", "both": "both", "bilateral": "both",
              "bilaterally": "both"}
SIDE_REPLY_WORDS = frozenset({"on", "the", "side", "sides", "sided", "one", "leg", "legs",
                              "positive", "it", "it's", "its", "is"}) | frozenset(SIDE_WORDS)


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
    return in_session and "clinician" in attributes and event != Reply.LAUNCH


def take_clinician_turn(handler_input: HandlerInput, content: Content, event):
    from skill.turns import build_response   # turns imports this module

    clinical = load_clinician_content(content.locale)
    session = handler_input.request_envelope.session
    attributes = handler_input.attributes_manager.session_attributes
    if isinstance(event, EnterClinicianMode):
        switching = session is not None and not session.new
        state, prompt = clinician.begin(clinical, entered=switching)
    else:
        try:
            state = clinician.clinician_state_from_dict(clinical, attributes.get("clinician"))
            state, prompt = clinician.step(clinical, state, _side_named(event))
        except InvalidState as problem:
            logger.warning("restarting clinician mode: stored state refused (%s)", problem)
            state, prompt = clinician.begin(clinical, cauda_equina=_was_emergency(attributes))
    attributes.clear()
    attributes.update({"clinician": state.to_dict(), "outcome": state.outcome})
    screen = None
    if screens.supports_apl(handler_input):
        rows = [(step.label, clinician.finding_words(clinical, state, step, value) if value else None,
                 value == "positive")
                for step, value in clinician.checklist(clinical, state)]
        body = prompt.speech[-1] if prompt.speech else ""
        screen = screens.clinician_screen(content, rows, body, state.outcome)
    return build_response(handler_input, content, prompt, screen)


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
