"""Clinician mode as a pure state machine: step(content, state, event) -> (state, Prompt).

A clinician examining a patient asks for the red flags, walks through the exam one step at a
time (recording positive, negative or not done, and the side of a positive finding), or asks a
direct question. The safety rule is the patient screen's: a finding or report that suggests
cauda equina, or signs on both sides, gets the emergency action at once, and the mode's outcome
is an emergency from then on. State (to_dict) lives in the session; clinician_progress keeps it.

Why over 300 lines: one state machine (its states, events and transitions) reads best in one
place; its content loader and the kept exam are already apart (content/clinician.py,
clinician_progress.py).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Optional, Tuple

from skill.content import backstop
from skill.content.clinician import FINDINGS, SIDES, TOPICS, WORDS, ClinicianContent, ExamStep
from skill.content.loader import fill
from skill.conversation.state import Card, InvalidState, Prompt, Event, SymptomReport

# 2 added the side of each finding, the side question in hand and the history flag; a state
# stored as 1 still loads, every side unknown.
CLINICIAN_VERSION = 3   # 3: "step" became "exam_index" (issue 19)
READABLE_VERSIONS = (1, 2, 3)
SECTIONS = ("menu", "exam", "summary")
HEARD_SIDES = ("left", "right", "both")
# FindingType ids: a finding ("positive"), a side alone ("left"), or both ("positive_left"); a
# clinician's word ("absent", "reduced_left") whose finding depends on the step; or a command
# ("summary", "go_back") said in the exam's own words.
POSITIVE_WITH_SIDE = {f"positive_{side}": side for side in HEARD_SIDES}
WORD_WITH_SIDE = {f"{word}_{side}": (word, side) for word in WORDS for side in HEARD_SIDES}
SUMMARY, GO_BACK = "summary", "go_back"
# Asked at most twice; after the second reply that names no side the finding is kept, its side
# "unknown". Never dropped: a positive finding matters even without its side.
MAX_SIDE_ASKS = 2


@dataclass(frozen=True)
class EnterClinicianMode:
    """"Clinician mode", "the clinician checklist"."""


@dataclass(frozen=True)
class ClinicalTopic:
    """What the clinician asked for: an answer topic, "red_flags" or "exam" (None: unknown)."""

    topic: Optional[str]


@dataclass(frozen=True)
class Finding:
    value: Optional[str]    # a FindingType id ("positive", "positive_left", "left"...), or None


@dataclass(frozen=True)
class ClinicianState:
    section: str = "menu"
    exam_index: int = 0                             # index into the steps that apply
    findings: Tuple[Tuple[str, str], ...] = ()
    cauda_equina: bool = False                      # suspected: the action has been given
    sides: Tuple[Tuple[str, str], ...] = ()         # step id -> side, for positive sided findings
    side_asks: int = 0                              # times the current step's side was asked
    history_cauda_equina: bool = False              # a cauda equina symptom was reported

    @property
    def outcome(self) -> Optional[str]:
        return "emergency" if self.cauda_equina else None

    def to_dict(self) -> dict:
        return {"version": CLINICIAN_VERSION, "section": self.section, "exam_index": self.exam_index,
                "findings": dict(self.findings), "cauda_equina": self.cauda_equina,
                "sides": dict(self.sides), "side_asks": self.side_asks,
                "history_cauda_equina": self.history_cauda_equina}


def clinician_state_from_dict(content: ClinicianContent, data: Mapping) -> ClinicianState:
    """The stored state, checked; InvalidState names what is wrong. A state stored before sides
    existed (version 1) loads with every side unknown; one stored before version 3 keeps its
    exam index under "step"."""
    if not isinstance(data, Mapping) or type(data.get("version")) is not int \
            or data["version"] not in READABLE_VERSIONS:
        raise InvalidState("missing or different clinician state version")
    section, findings = data.get("section"), data.get("findings")
    step = data.get("exam_index" if data["version"] >= 3 else "step")
    cauda_equina = data.get("cauda_equina")
    old = {"sides": {}, "side_asks": 0, "history_cauda_equina": False}   # before version 2
    sides, side_asks, history = (old[key] if data["version"] == 1 else data.get(key)
                                 for key in old)
    if not (isinstance(section, str) and section in SECTIONS and type(step) is int
            and step >= 0 and isinstance(findings, Mapping) and isinstance(cauda_equina, bool)
            and isinstance(sides, Mapping) and type(side_asks) is int
            and 0 <= side_asks <= MAX_SIDE_ASKS and isinstance(history, bool)):
        raise InvalidState("bad clinician state")
    known = {exam_step.id: exam_step for exam_step in content.exam}
    if any(not isinstance(key, str) or key not in known or not isinstance(value, str)
           or value not in FINDINGS for key, value in findings.items()):
        raise InvalidState("bad finding")
    for key, side in sides.items():
        if not isinstance(side, str) or side not in SIDES:
            raise InvalidState(f"bad side {side!r} for finding {key!r}: expected one of "
                               f"{', '.join(SIDES)}")
        if not (key in findings and findings[key] == "positive" and known[key].sided):
            raise InvalidState(f"side recorded for {key!r}, which is not a positive sided finding")
    # Every positive sided finding has a side; one stored without (version 1) is unknown.
    sides = {key: sides.get(key, "unknown") for key, value in findings.items()
             if value == "positive" and known[key].sided}
    state = ClinicianState(section, step, tuple(findings.items()), cauda_equina,
                           tuple(sides.items()), side_asks, history)
    # A stored finding that suggests cauda equina is an emergency whatever the flag says.
    state = replace(state, cauda_equina=state.cauda_equina or _suggests_cauda_equina(content, state))
    if section == "exam" and step >= len(steps_for(content, state)):
        raise InvalidState("exam step out of range")
    if side_asks and not (section == "exam" and _awaits_side(content, state)):
        raise InvalidState("a side question stored without a positive sided finding to place")
    return state


def steps_for(content: ClinicianContent, state: ClinicianState) -> tuple:
    return tuple(step for step in content.exam
                 if not step.only_when_cauda_equina_suspected or state.cauda_equina)


def begin(content: ClinicianContent, entered: bool = False,
          cauda_equina: bool = False) -> Tuple[ClinicianState, Prompt]:
    """Clinician mode from the start; `entered` when switching from the patient screen. With
    `cauda_equina` (a restart that must not lose an emergency) the action comes first."""
    prompt = Prompt((content.speech["entered" if entered else "welcome"],),
                    reprompt=(content.speech["menu_reprompt"],))
    if cauda_equina:
        return ClinicianState(cauda_equina=True), _prefixed(content.cauda_equina_action, prompt)
    return ClinicianState(), prompt


def step(content: ClinicianContent, state: ClinicianState, event) -> Tuple[ClinicianState, Prompt]:
    speech = content.speech
    if isinstance(event, SymptomReport) and backstop.asked_first(event.symptom_id):
        # A clinician's "faecal incontinence" is a finding, not a patient's maybe-old symptom.
        event = replace(event, symptom_id=backstop.asked_first(event.symptom_id))
    if event == Event.STOP:
        # Stop mid-exam says what was recorded so far (the action included) before leaving.
        before = _summary_speech(content, state) if state.section == "exam" else ()
        return state, Prompt(before + (speech["goodbye"],), end_session=True)
    if event == Finding(SUMMARY):
        return state, _summary_now(content, state)
    if event == Finding(GO_BACK):
        return _go_back(content, state)
    if event in (Event.LAUNCH, Event.START_OVER):
        fresh, prompt = begin(content)
        return replace(fresh, cauda_equina=state.cauda_equina,
                       history_cauda_equina=state.history_cauda_equina), prompt
    if isinstance(event, SymptomReport) and event.symptom_id == "both_legs" and state.side_asks:
        return _on_side_event(content, state, Finding("both"))   # "both sides", "both legs"
    if isinstance(event, SymptomReport) and event.symptom_id in content.cauda_equina_symptoms:
        state = replace(state, cauda_equina=True, history_cauda_equina=True)
        return state, _prefixed(content.cauda_equina_action, current_prompt(content, state))
    if isinstance(event, ClinicalTopic):
        return _on_topic(content, state, event.topic)
    if event == Event.HELP:
        if state.side_asks:
            return state, _prefixed(speech["help_side"], current_prompt(content, state))
        if state.section == "exam":
            text = fill(speech["help_exam"], {"step": state.exam_index + 1,
                                              "total": len(steps_for(content, state))})
            return state, _prefixed(text, current_prompt(content, state))
        return state, _menu(content, speech["help"])
    if event == Event.REPEAT:
        return state, current_prompt(content, state)
    if state.side_asks:
        return _on_side_event(content, state, event)
    if state.section == "exam":
        return _on_exam_event(content, state, event)
    return state, _menu(content, speech["not_understood"])


def current_prompt(content: ClinicianContent, state: ClinicianState) -> Prompt:
    if state.side_asks:
        question = "side_question" if state.side_asks == 1 else "side_again"
        return Prompt((content.speech[question],), reprompt=(content.speech["side_reprompt"],))
    if state.section == "exam":
        exam_step = steps_for(content, state)[state.exam_index]
        return Prompt((exam_step.prompt,), reprompt=(exam_step.reprompt,))
    if state.section == "summary":
        return _summary(content, state)
    return _menu(content, None)


def checklist(content: ClinicianContent, state: ClinicianState) -> list:
    """Each exam step that applies, with what was recorded (None while not yet examined)."""
    recorded = dict(state.findings)
    return [(exam_step, recorded.get(exam_step.id)) for exam_step in steps_for(content, state)]


def finding_words(content: ClinicianContent, state: ClinicianState, exam_step: ExamStep,
                  value: str) -> str:
    """What was recorded at a step, as said and shown: "positive on the left", "negative"."""
    side = dict(state.sides).get(exam_step.id)
    words = exam_step.said.get(value, content.findings[value])
    return f"{words} {content.sides[side]}" if side else words


def bilateral(state: ClinicianState) -> bool:
    """Signs on both sides: one finding on both, or one on the left and another on the right."""
    placed = set(dict(state.sides).values())
    return "both" in placed or {"left", "right"} <= placed


def _suggests_cauda_equina(content: ClinicianContent, state: ClinicianState) -> bool:
    recorded = dict(state.findings)
    return bilateral(state) or any(recorded.get(exam_step.id) == "positive"
                                   for exam_step in content.exam if exam_step.suggests_cauda_equina)


def _awaits_side(content: ClinicianContent, state: ClinicianState) -> bool:
    exam_step = steps_for(content, state)[state.exam_index]
    return exam_step.sided and dict(state.findings).get(exam_step.id) == "positive"


def _menu(content: ClinicianContent, lead: Optional[str], key: str = "menu_reprompt") -> Prompt:
    reprompt = content.speech[key]
    return Prompt(((lead,) if lead else ()) + (reprompt,), reprompt=(reprompt,))


def _prefixed(text: str, prompt: Prompt) -> Prompt:
    return replace(prompt, speech=(text,) + prompt.speech)


def _on_topic(content: ClinicianContent, state: ClinicianState, topic: Optional[str]):
    if topic == "exam":
        state = replace(state, section="exam", exam_index=0, findings=(), sides=(), side_asks=0)
        return state, current_prompt(content, state)
    text = content.red_flags if topic == "red_flags" else content.answers.get(topic)
    if text is None:
        return state, _prefixed(content.speech["not_understood"], current_prompt(content, state))
    if state.section == "exam":   # answer, then back to the step (or side question) in hand
        return state, _prefixed(text, current_prompt(content, state))
    # The menu's example ("like when do I refer") only in the menu and help, not every answer.
    return state, _menu(content, text, "after_answer")


def _heard(event, exam_step: Optional[ExamStep] = None) -> Tuple[Optional[str], Optional[str]]:
    """(finding, side) an exam reply names; either may be None. A clinician's word means the
    finding the step's `heard` gives it ("absent" at reflexes: positive); elsewhere, None."""
    if isinstance(event, Finding):
        if event.value in POSITIVE_WITH_SIDE:
            return "positive", POSITIVE_WITH_SIDE[event.value]
        if event.value in HEARD_SIDES:
            return None, event.value
        word, side = WORD_WITH_SIDE.get(event.value, (event.value, None))
        if word in WORDS:
            return (exam_step.heard.get(word) if exam_step else None), side
        return (event.value if event.value in FINDINGS else None), None
    return {Event.YES: "positive", Event.NO: "negative"}.get(event), None


def _on_exam_event(content: ClinicianContent, state: ClinicianState, event):
    exam_step = steps_for(content, state)[state.exam_index]
    recorded_here = dict(state.findings).get(exam_step.id)
    if event == Event.NEXT:
        # Decision (issue 17): "next" says what it records rather than asking "record not
        # done?". A confirmation doubles the turns of a hands-free exam for every skipped
        # step; "not done" is never read as normal (the summary lists it), and "go back"
        # undoes it. A step that already has a finding (after go back) keeps it.
        value = recorded_here or "not_done"
        lead = fill(content.speech["next_recorded"], {
            "step": exam_step.label, "finding": finding_words(content, state, exam_step, value)})
        kept = replace(state, findings=tuple({**dict(state.findings), exam_step.id: value}.items()))
        return _advance(content, state, kept, lead)
    value, side = _heard(event, exam_step)
    word = WORD_WITH_SIDE.get(event.value, (event.value,))[0] if isinstance(event, Finding) else None
    if value is None and word in WORDS:     # a word that means nothing certain at this step
        return state, Prompt((fill(content.speech["word_unclear"], {"word": content.words[word]}),
                              exam_step.reprompt), reprompt=(exam_step.reprompt,))
    if value is None and side is not None:
        value = "positive"      # "left" to "Any deficit?": a deficit on the left
    if value not in FINDINGS:
        return state, Prompt((content.speech["not_understood"], exam_step.reprompt),
                             reprompt=(exam_step.reprompt,))
    findings = {**dict(state.findings), exam_step.id: value}
    # Kept in the findings' order, as a kept exam is read back (clinician_state_from_dict):
    # a step re-recorded after "go back" keeps its place.
    needs_side = value == "positive" and exam_step.sided
    sides = {key: placed for key, placed in state.sides}
    if needs_side:
        sides[exam_step.id] = side or "unknown"
    else:
        sides.pop(exam_step.id, None)
    order = list(findings)
    sides = dict(sorted(sides.items(), key=lambda item: order.index(item[0])))
    recorded = replace(state, findings=tuple(findings.items()), sides=tuple(sides.items()),
                       side_asks=int(needs_side and side is None))
    if _suggests_cauda_equina(content, state) and not _suggests_cauda_equina(content, recorded):
        # Re-recorded after go back: a finding that made cauda equina suspected stays.
        lead = fill(content.speech["kept_cauda_equina"], {
            "step": exam_step.label,
            "finding": finding_words(content, state, exam_step, recorded_here)})
        return _advance(content, state, state, lead)
    if recorded.side_asks:      # ask, and stay on this step until the side is placed
        return recorded, current_prompt(content, recorded)
    return _advance(content, state, recorded)


def _on_side_event(content: ClinicianContent, state: ClinicianState, event):
    _, side = _heard(event)
    if event == Event.YES:
        # In English Alexa hears a bare "right" as AMAZON.YesIntent (a yes sample and built-in
        # phrasing), and a yes names no other answer to "left, right, or both?"; the content
        # says so (yes_names_side). In Spanish "sí" names no side: asked again.
        side = content.yes_names_side
    exam_step = steps_for(content, state)[state.exam_index]
    if side is None and event != Event.NEXT and state.side_asks < MAX_SIDE_ASKS:
        asked = replace(state, side_asks=state.side_asks + 1)
        return asked, current_prompt(content, asked)
    sides = {**dict(state.sides), exam_step.id: side or "unknown"}
    order = [key for key, _ in state.findings]
    sides = dict(sorted(sides.items(), key=lambda item: order.index(item[0])))
    placed = replace(state, sides=tuple(sides.items()), side_asks=0)
    return _advance(content, state, placed, None if side else content.speech["side_not_recorded"])


def _advance(content: ClinicianContent, before: ClinicianState, recorded: ClinicianState,
             lead: Optional[str] = None):
    """The next step (or the summary) after a finding was recorded; the emergency action first
    when the finding is the one that makes cauda equina suspected."""
    suspected = before.cauda_equina or _suggests_cauda_equina(content, recorded)
    state = replace(recorded, cauda_equina=suspected, exam_index=recorded.exam_index + 1)
    if state.exam_index >= len(steps_for(content, state)):
        state = replace(state, section="summary", exam_index=0)
    newly = suspected and not before.cauda_equina
    if state.section == "summary":   # the action just given is not said again in the summary
        prompt = _summary(content, state, action_said=newly)
    else:
        prompt = current_prompt(content, state)
    if lead:
        prompt = _prefixed(lead, prompt)
    if newly:   # the action first, before anything else
        prompt = _prefixed(content.cauda_equina_action, prompt)
    return state, prompt


def _go_back(content: ClinicianContent, state: ClinicianState):
    """The step before the one in hand (the last one from the summary), its finding kept until
    it is re-recorded. The emergency never goes back: cauda_equina is kept as it is, and the
    steps only suspicion adds stay. During a side question: that step again, the finding kept
    with its side unknown (never dropped)."""
    speech = content.speech
    if state.section == "menu":
        return state, _menu(content, speech["no_step"])
    steps = steps_for(content, state)
    if state.section == "summary":
        target = len(steps) - 1
    elif state.side_asks:
        target = state.exam_index
    elif state.exam_index == 0:
        return state, _prefixed(speech["first_step"], current_prompt(content, state))
    else:
        target = state.exam_index - 1
    back = replace(state, section="exam", exam_index=target, side_asks=0)
    exam_step = steps[target]
    value = dict(back.findings).get(exam_step.id)
    lead = fill(speech["went_back"] if value else speech["went_back_unrecorded"], {
        "step": exam_step.label,
        **({"finding": finding_words(content, back, exam_step, value)} if value else {})})
    return back, _prefixed(lead, current_prompt(content, back))


def _summary(content: ClinicianContent, state: ClinicianState,
             action_said: bool = False) -> Prompt:
    text = _summary_text(content, state, action_said)
    return Prompt((text, content.speech["after_summary"]),
                  reprompt=(content.speech["after_answer"],),
                  card=Card(content.speech["summary_title"], (text,)))


def _summary_speech(content: ClinicianContent, state: ClinicianState) -> tuple:
    """The summary as said mid-exam: marked as so far while steps remain."""
    unfinished = state.section == "exam"
    return (content.speech["summary_so_far"],) * unfinished + (_summary_text(content, state),)


def _summary_now(content: ClinicianContent, state: ClinicianState) -> Prompt:
    """"Summary" at any point: said without ending, then back to what was in hand."""
    if state.section == "summary":
        return _summary(content, state)
    card = Card(content.speech["summary_title"], (_summary_text(content, state),))
    in_hand = current_prompt(content, state)
    return replace(in_hand, speech=_summary_speech(content, state) + in_hand.speech, card=card)


def _summary_text(content: ClinicianContent, state: ClinicianState,
                  action_said: bool = False) -> str:
    """Each finding once, in the step's own words, then what they point to. An emergency says
    its reasons, then the action once (not at all when the same prompt has just said it)."""
    recorded = ", ".join(f"{exam_step.label} {finding_words(content, state, exam_step, value)}"
                         for exam_step, value in checklist(content, state) if value is not None)
    recorded = recorded or content.speech["nothing_recorded"]
    if not state.cauda_equina:
        return fill(content.speech["summary"], {"recorded": recorded,
                                                "points_to": _points_to(content, state)})
    reasons = (content.points_to_bilateral,) if bilateral(state) else ()
    if state.history_cauda_equina:
        reasons += (content.speech["history_not_overridden"],)
    reasons += () if action_said else (content.cauda_equina_action,)
    return fill(content.speech["summary_emergency"], {"recorded": recorded,
                                                      "reasons": " ".join(reasons)}).strip()


def _points_to(content: ClinicianContent, state: ClinicianState) -> str:
    positive = [exam_step for exam_step, value in checklist(content, state) if value == "positive"]
    levels = [s.points_to for s in positive if s.id in ("l4", "l5", "s1")]
    if levels:   # "an L5 and S1 radiculopathy": the word said once
        return fill(content.points_to_radiculopathy,
                    {"levels": f" {content.and_word} ".join(levels)})
    if positive:
        return positive[0].points_to + "."
    return content.points_to_default


TOPIC_NAMES = TOPICS + ("red_flags", "exam")
