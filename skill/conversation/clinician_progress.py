"""A clinician's exam kept in progress between sessions, for minutes: what is kept, when it has
expired, and what the skill says when it resumes. Pure: no ask-sdk, no store (exam_store.py
keeps the record; converse.py decides when).

Why keep it at all (issue 17): Alexa closes a session after a silence, and a clinician examining
a patient is often silent for longer than Alexa waits; reopening used to start again at step 1
with every finding gone.

What is kept is the exam and nothing else: the step in hand, each step's finding (positive,
negative, not done) with its side, and whether cauda equina is suspected. No patient
identifier, nothing anyone said in their own words, no Alexa id (the store keys it by a hash).
Hazard H30: an exam kept too long could be resumed for the next patient, so the window is short,
the resume says the step and how many steps are recorded, a suspected cauda equina is said
again out loud, and "start again" begins a new exam with nothing carried over."""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Optional, Tuple

from skill.conversation import clinician
from skill.conversation.clinician import ClinicianState
from skill.content.clinician import ClinicianContent
from skill.content.loader import fill
from skill.conversation.state import InvalidState, Prompt

# Ten minutes from the last exam turn (or the session's end). Why: long enough to reopen the
# skill after Alexa has closed a silent session, or after a pause for a chaperone or a bladder
# scan; shorter than a consultation slot, so the next patient's exam in the same room normally
# finds nothing kept. Whatever the window, the resume sentence is the control for the rest.
KEEP_EXAM_SECONDS = 10 * 60
PROGRESS_VERSION = 1


def progress_record(content: ClinicianContent, state: ClinicianState) -> Optional[dict]:
    """The record to keep for an exam in progress, or None when there is none to keep (the
    menu, or the summary: a finished exam is not kept)."""
    if state.section != "exam":
        return None
    return {"version": PROGRESS_VERSION, "locale": content.locale,
            "step_id": clinician.steps_for(content, state)[state.exam_index].id,
            "clinician": state.to_dict()}


def exam_from_record(content: ClinicianContent, record: Mapping) -> ClinicianState:
    """The kept exam, checked like any stored state; InvalidState when this version cannot
    resume it (another version or locale, a step that moved since, not an exam, or junk)."""
    if not isinstance(record, Mapping) or type(record.get("version")) is not int \
            or record["version"] != PROGRESS_VERSION:
        raise InvalidState("missing or different exam-in-progress version")
    if record.get("locale") != content.locale:
        raise InvalidState("an exam kept in another locale's clinician content")
    state = clinician.clinician_state_from_dict(content, record.get("clinician"))
    if state.section != "exam":
        raise InvalidState("a kept exam that is not in progress")
    if clinician.steps_for(content, state)[state.exam_index].id != record.get("step_id"):
        # The content changed under it: resuming at "step 4" could be another step now.
        raise InvalidState("the kept step is not the step at that index")
    return state


def is_live(saved_at: float, now: float) -> bool:
    """Whether a record saved at `saved_at` may still be resumed at `now` (seconds). A record
    from the future (a clock set back) is not: an exam that cannot be dated is not resumed."""
    return 0 <= now - saved_at < KEEP_EXAM_SECONDS


def resume(content: ClinicianContent, state: ClinicianState) -> Tuple[ClinicianState, Prompt]:
    """The kept exam at the step where it stopped: the step and how many steps are recorded,
    the cauda equina action again if it is suspected (never carried over silently), how to
    begin a new patient's exam, then the step's question (or the side question, asked afresh)."""
    state = replace(state, side_asks=min(state.side_asks, 1))
    exam_step = clinician.steps_for(content, state)[state.exam_index]
    said = fill(content.speech["resumed"], {"step": exam_step.label,
                                            "count": len(state.findings)})
    action = (content.cauda_equina_action,) if state.cauda_equina else ()
    question = clinician.current_prompt(content, state)
    return state, replace(question, speech=(said,) + action + (content.speech["resumed_new"],)
                          + question.speech)


def new_exam(content: ClinicianContent) -> Tuple[ClinicianState, Prompt]:
    """"Start again" answered to a resume: another patient's exam from step 1, with nothing
    carried over (the kept one's cauda equina action was said at the resume)."""
    state = ClinicianState(section="exam")
    question = clinician.current_prompt(content, state)
    return state, replace(question, speech=(content.speech["new_exam"],) + question.speech)
