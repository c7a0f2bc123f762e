"""What a screen device shows (APL): the current question or exam step, the checklist as it
fills in, and the outcome in large type, the emergency number biggest of all.

Only for devices that say they support APL; everyone hears the same speech and gets the same
card. The document is data (content/apl/screen.json); its labels are per locale
(content/<locale>.screen.yaml): a locale without labels shows no screen rather than the wrong
language."""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional

import yaml
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces

from skill.content import CONTENT_DIR, SAFE_LOADER, Content, companion_file, fill, load_content
from skill.schema import ContentError, MapOf, Problem, Record, Text, Version
from skill.state import ScreenState
from skill.questions import questions_for

if TYPE_CHECKING:   # imported when a screen is drawn: APL's models are a tenth of a cold start
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

DOCUMENT_PATH = CONTENT_DIR / "apl" / "screen.json"
TOKEN = "sciatica-check-screen"
STATUSES = ("yes", "no", "not_sure", "reported", "pending")


def supports_apl(handler_input: HandlerInput) -> bool:
    try:
        return get_supported_interfaces(handler_input).alexa_presentation_apl is not None
    except AttributeError:   # no context, device or interfaces in the request
        return False


@functools.lru_cache(maxsize=None)
def apl_document() -> Mapping:
    return json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def screen_labels(locale: str) -> Optional[Mapping]:
    """The checked labels for a locale's screens, or None where there are none."""
    path = companion_file(locale, "screen")
    if path is None:
        return None
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    content = load_content(locale)
    schema = Record(required={
        "locale": Text(), "version": Version(), "title": Text(), "clinician_title": Text(), "checklist_title": Text(),
        "exam_title": Text(), "number_caption": Text(),
        "statuses": Record(required={status: Text() for status in STATUSES}),
        "outcomes": Record(required={name: Text(placeholders=frozenset(content.facts))
                                     for name in ("emergency", "urgent", "soon", "self_care")}),
        "labels": MapOf(Text())})
    problems = list(schema.check(raw, ()))
    if not problems:
        problems = [Problem(("labels",), f"no label for question {q.id!r}")
                    for q in content.questions if q.id not in raw["labels"]]
    if problems:
        raise ContentError(str(path), problems)
    return raw


def directive(datasource: Mapping) -> RenderDocumentDirective:
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    return RenderDocumentDirective(token=TOKEN, document=dict(apl_document()),
                                   datasources={"payload": {"screen": dict(datasource)}})


def patient_screen(content: Content, state: ScreenState, body: str) -> Optional[Mapping]:
    labels = screen_labels(content.locale)
    if labels is None:
        return None
    answers = dict(state.answers)
    checklist = [{"label": labels["labels"][q.id],
                  "status": labels["statuses"][answers.get(q.id, "pending")],
                  "flagged": answers.get(q.id) in ("yes", "not_sure", "reported")}
                 for q in questions_for(content, state.mode)]
    return _screen(content, labels, labels["title"], body, checklist, state.outcome)


def clinician_screen(content: Content, checklist_rows, body: str,
                     outcome: Optional[str]) -> Optional[Mapping]:
    """checklist_rows: (label, finding name or None, flagged) for each exam step."""
    labels = screen_labels(content.locale)
    if labels is None:
        return None
    checklist = [{"label": label, "status": finding or labels["statuses"]["pending"],
                  "flagged": flagged} for label, finding, flagged in checklist_rows]
    return _screen(content, labels, labels["clinician_title"], body, checklist, outcome,
                   checklist_title=labels["exam_title"])


def _screen(content: Content, labels: Mapping, title: str, body: str, checklist: list,
            outcome: Optional[str], checklist_title: Optional[str] = None) -> dict:
    emergency = outcome == "emergency"
    return {"title": title, "body": body, "checklist": checklist,
            "checklistTitle": checklist_title or labels["checklist_title"],
            "outcome": fill(labels["outcomes"][outcome], content.facts) if outcome else "",
            "emergency": emergency,
            "number": content.facts["emergency_number"] if emergency else "",
            "numberCaption": labels["number_caption"]}


def screen_paths() -> list:
    return sorted(Path(CONTENT_DIR).glob("*.screen.yaml"))
