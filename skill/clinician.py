"""Clinician mode as a pure state machine: step(content, state, event) -> (state, Prompt).

A clinician examining a patient asks for the red flags, walks through the exam one step at a
time (recording positive, negative or not done), or asks a direct question. The safety rule is
the patient screen's: a finding or report that suggests cauda equina gets the emergency action
at once, and the mode's outcome is an emergency from then on. Nothing here is stored."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Optional, Tuple

from skill.clinician_content import FINDINGS, TOPICS, ClinicianContent
from skill.content import fill
from skill.state import Card, InvalidState, Prompt, Reply, SymptomReport

CLINICIAN_VERSION = 1
SECTIONS = ("menu", "exam", "summary")
CAUDA_EQUINA_SYMPTOMS = frozenset({"bladder", "saddle", "bowel", "both_legs", "sexual_function"})


@dataclass(frozen=True)
class EnterClinicianMode:
    """"Clinician mode", "the clinician checklist"."""


@dataclass(frozen=True)
class ClinicalTopic:
    """What the clinician asked for: an answer topic, "red_flags" or "exam" (None: unknown)."""

    topic: Optional[str]


@dataclass(frozen=True)
class Finding:
    value: Optional[str]    # "positive", "negative", "not_done", or None if unresolved


@dataclass(frozen=True)
class ClinicianState:
    section: str = "menu"
    step: int = 0                                   # index into the steps that apply
    findings: Tuple[Tuple[str, str], ...] = ()
    cauda_equina: bool = False                      # suspected: the action has been given

    @property
    def outcome(self) -> Optional[str]:
        return "emergency" if self.cauda_equina else None

    def to_dict(self) -> dict:
        return {"version": CLINICIAN_VERSION, "section": self.section, "step": self.step,
                "findings": dict(self.findings), "cauda_equina": self.cauda_equina}


def clinician_state_from_dict(content: ClinicianContent, data: Mapping) -> ClinicianState:
    if not isinstance(data, Mapping) or type(data.get("version")) is not int \
            or data["version"] != CLINICIAN_VERSION:
        raise InvalidState("missing or different clinician state version")
    section, step, findings = data.get("section"), data.get("step"), data.get("findings")
    cauda_equina = data.get("cauda_equina")
    known = {exam_step.id for exam_step in content.exam}
    if not (isinstance(section, str) and section in SECTIONS and type(step) is int
            and step >= 0 and isinstance(findings, Mapping) and isinstance(cauda_equina, bool)):
        raise InvalidState("bad clinician state")
    if any(not isinstance(key, str) or key not in known or not isinstance(value, str)
           or value not in FINDINGS for key, value in findings.items()):
        raise InvalidState("bad finding")
    state = ClinicianState(section, step, tuple(findings.items()), cauda_equina)
    if section == "exam" and step >= len(steps_for(content, state)):
        raise InvalidState("exam step out of range")
    return state


def steps_for(content: ClinicianContent, state: ClinicianState) -> tuple:
    return tuple(step for step in content.exam
                 if not step.only_when_cauda_equina_suspected or state.cauda_equina)


def begin(content: ClinicianContent, entered: bool = False) -> Tuple[ClinicianState, Prompt]:
    """Clinician mode from the start; `entered` when switching from the patient screen."""
    text = content.speech["entered" if entered else "welcome"]
    return ClinicianState(), Prompt((text,), reprompt=(content.speech["menu_reprompt"],))


def step(content: ClinicianContent, state: ClinicianState, event) -> Tuple[ClinicianState, Prompt]:
    speech = content.speech
    if event == Reply.STOP:
        return state, Prompt((speech["goodbye"],), end_session=True)
    if event in (Reply.LAUNCH, Reply.START_OVER):
        return replace(begin(content)[0], cauda_equina=state.cauda_equina), begin(content)[1]
    if isinstance(event, SymptomReport) and event.symptom_id in CAUDA_EQUINA_SYMPTOMS:
        state = replace(state, cauda_equina=True)
        return state, _prefixed(content.cauda_equina_action, current_prompt(content, state))
    if isinstance(event, ClinicalTopic):
        return _on_topic(content, state, event.topic)
    if event == Reply.HELP:
        if state.section == "exam":
            text = fill(speech["help_exam"], {"step": state.step + 1,
                                              "total": len(steps_for(content, state))})
            return state, _prefixed(text, current_prompt(content, state))
        return state, _menu(content, speech["help"])
    if event == Reply.REPEAT:
        return state, current_prompt(content, state)
    if state.section == "exam":
        return _on_exam_reply(content, state, event)
    return state, _menu(content, speech["not_understood"])


def current_prompt(content: ClinicianContent, state: ClinicianState) -> Prompt:
    if state.section == "exam":
        exam_step = steps_for(content, state)[state.step]
        return Prompt((exam_step.prompt,), reprompt=(content.speech["finding_needed"],))
    if state.section == "summary":
        return _summary(content, state)
    return _menu(content, None)


def checklist(content: ClinicianContent, state: ClinicianState) -> list:
    """Each exam step that applies, with what was recorded (None while not yet examined)."""
    recorded = dict(state.findings)
    return [(exam_step, recorded.get(exam_step.id)) for exam_step in steps_for(content, state)]


def _menu(content: ClinicianContent, lead: Optional[str]) -> Prompt:
    reprompt = content.speech["menu_reprompt"]
    return Prompt(((lead,) if lead else ()) + (reprompt,), reprompt=(reprompt,))


def _prefixed(text: str, prompt: Prompt) -> Prompt:
    return replace(prompt, speech=(text,) + prompt.speech)


def _on_topic(content: ClinicianContent, state: ClinicianState, topic: Optional[str]):
    if topic == "exam":
        state = replace(state, section="exam", step=0, findings=())
        return state, current_prompt(content, state)
    text = content.red_flags if topic == "red_flags" else content.answers.get(topic)
    if text is None:
        return state, _prefixed(content.speech["not_understood"], current_prompt(content, state))
    if state.section == "exam":   # answer, then back to the step in hand
        return state, _prefixed(text, current_prompt(content, state))
    return state, _menu(content, text)


def _on_exam_reply(content: ClinicianContent, state: ClinicianState, event):
    value = {Reply.YES: "positive", Reply.NO: "negative", Reply.NEXT: "not_done"}.get(event)
    if isinstance(event, Finding):
        value = event.value
    if value not in FINDINGS:
        lead = content.speech["finding_needed"]
        return state, _prefixed(lead, current_prompt(content, state))
    exam_step = steps_for(content, state)[state.step]
    findings = dict(state.findings)
    findings[exam_step.id] = value
    suspected = state.cauda_equina or (exam_step.suggests_cauda_equina and value == "positive")
    newly_suspected = suspected and not state.cauda_equina
    state = replace(state, findings=tuple(findings.items()), cauda_equina=suspected,
                    step=state.step + 1)
    if state.step >= len(steps_for(content, state)):
        state, prompt = replace(state, section="summary", step=0), None
        prompt = _summary(content, state)
    else:
        prompt = current_prompt(content, state)
    if newly_suspected:   # the action first, before anything else is examined
        prompt = _prefixed(content.cauda_equina_action, prompt)
    return state, prompt


def _summary(content: ClinicianContent, state: ClinicianState) -> Prompt:
    recorded = [f"{exam_step.label} {content.findings[value]}"
                for exam_step, value in checklist(content, state) if value is not None]
    text = fill(content.speech["summary"], {
        "recorded": ", ".join(recorded) or content.speech["nothing_recorded"],
        "points_to": _points_to(content, state)})
    return Prompt((text, content.speech["after_summary"]),
                  reprompt=(content.speech["menu_reprompt"],),
                  card=Card(content.speech["summary_title"], (text,)))


def _points_to(content: ClinicianContent, state: ClinicianState) -> str:
    positive = [exam_step for exam_step, value in checklist(content, state) if value == "positive"]
    if state.cauda_equina:
        return content.step("saddle_sensation").points_to + ". " + content.cauda_equina_action
    levels = [s.points_to for s in positive if s.id in ("l4", "l5", "s1")]
    if levels:
        return fill(content.points_to_radiculopathy, {"levels": " and ".join(levels)})
    if positive:
        return positive[0].points_to + "."
    return content.points_to_default


TOPIC_NAMES = TOPICS + ("red_flags", "exam")
