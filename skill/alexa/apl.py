"""What a screen device shows (APL): the current question or exam step, the checklist as it
fills in, and the outcome in large type, the emergency number biggest of all. While a yes-or-no
question is in hand, three large buttons (Yes, No, Not sure) let a person in a shared room touch
an answer rather than say it (hazard log H29).

Only for devices that say they support APL; everyone hears the same speech and gets the same
card. The document is data (content/apl/screen.json); its labels are per locale
(content/<locale>.screen.yaml): a locale without labels shows no screen rather than the wrong
language."""
from __future__ import annotations

import functools
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional

import yaml
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces

from skill._paths import CONTENT_DIR
from skill.content.loader import OUTCOMES, SAFE_LOADER, Content, companion_file, fill, load_content
from skill.content.schema import ContentError, MapOf, Problem, Record, Text, Version
from skill.conversation.state import ANSWERS, NO, NOT_SURE, POSITIVE, YES, ScreenState
from skill.conversation.questions import question_in_hand, questions_for

if TYPE_CHECKING:   # imported when a screen is drawn: APL's models are a tenth of a cold start
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

DOCUMENT_PATH = CONTENT_DIR / "apl" / "screen.json"
TOKEN = "sciatica-check-screen"
STATUSES = ANSWERS + ("pending",)
USER_EVENT = "Alexa.Presentation.APL.UserEvent"
# What a touch sends (the document's SendEvent): ["answer", one of TOUCH_ANSWERS, the id of the
# question the screen was drawn for]. Anything else is not a touch this skill can place.
TOUCH_KIND, TOUCH_ANSWERS, MAX_TOUCH_TEXT = "answer", (YES, NO, NOT_SURE), 64
# The intimate questions (and the read-back that names them all): their rows show that they
# were answered, never what, so a screen in a shared room does not tell the room (H29). The
# outcome itself is always shown: the emergency must be seen.
PRIVATE_QUESTIONS = ("bladder", "saddle", "bowel", "sexual_function", "cauda_equina_check")
MAX_OFFER_WORDS = 15   # said on top of the welcome and its question: keep it short


def supports_apl(handler_input: HandlerInput) -> bool:
    try:
        return get_supported_interfaces(handler_input).alexa_presentation_apl is not None
    except AttributeError:   # no context, device or interfaces in the request
        return False


@functools.lru_cache(maxsize=None)
def apl_document() -> Mapping:
    return json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def apl_labels(locale: str) -> Optional[Mapping]:
    """The checked labels for a locale's screens, or None where there are none."""
    path = companion_file(locale, "screen")
    if path is None:
        return None
    return load_screen_labels(path, load_content(locale))


def _modified(path) -> int:
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return 0   # read below, which names the problem


@functools.lru_cache(maxsize=None)
def _parsed(path: str, modified: int):
    # Parsed once per file and version, not once per locale it serves (five English locales
    # share one); `modified` makes an edited file a new one.
    try:
        return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(str(path), [Problem((), f"cannot be read: {error}")]) from error


def load_screen_labels(path: Path, content: Content) -> Mapping:
    """One screen file, checked against its schema and the content it labels; a ContentError
    lists every problem."""
    raw = _parsed(str(path), _modified(path))
    schema = Record(required={
        "locale": Text(), "version": Version(), "title": Text(), "clinician_title": Text(), "checklist_title": Text(),
        "exam_title": Text(), "number_caption": Text(),
        "statuses": Record(required={status: Text() for status in STATUSES}),
        "outcomes": Record(required={name: Text(placeholders=frozenset(content.values))
                                     for name in OUTCOMES}),
        "labels": MapOf(Text()),
        "touch": Record(required={
            "offer": Text(max_words=MAX_OFFER_WORDS), "stale": Text(max_words=MAX_OFFER_WORDS),
            "ended": Text(max_words=MAX_OFFER_WORDS),
            "answered": Text(),
            "buttons": Record(required={answer: Text() for answer in TOUCH_ANSWERS})})})
    problems = list(schema.check(raw, ()))
    if not problems:
        problems = [Problem(("labels",), f"no label for question {q.id!r}")
                    for q in content.questions if q.id not in raw["labels"]]
        problems += [Problem(("touch",), f"private question {name!r} is not a question")
                     for name in PRIVATE_QUESTIONS if name not in content.question_ids]
    if problems:
        raise ContentError(str(path), problems)
    return raw


def directive(datasource: Mapping) -> RenderDocumentDirective:
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    return RenderDocumentDirective(token=TOKEN, document=dict(apl_document()),
                                   datasources={"payload": {"screen": dict(datasource)}})


def patient_display(content: Content, state: ScreenState, body: str) -> Optional[Mapping]:
    labels = apl_labels(content.locale)
    if labels is None:
        return None
    answers = dict(state.answers)
    checklist = [_row(labels, q.id, answers.get(q.id)) for q in questions_for(content, state.mode)]
    screen = _screen(content, labels, labels["title"], body, checklist, state.outcome)
    asked = question_on_screen(content, state)
    if asked is not None:
        screen.update(questionId=asked.id,
                      answers=[{"answer": answer, "label": labels["touch"]["buttons"][answer]}
                               for answer in TOUCH_ANSWERS])
    return screen


def _row(labels: Mapping, question_id: str, answer: Optional[str]) -> dict:
    if answer is not None and question_id in PRIVATE_QUESTIONS:
        return {"label": labels["labels"][question_id], "status": labels["touch"]["answered"],
                "flagged": False}
    return {"label": labels["labels"][question_id],
            "status": labels["statuses"][answer or "pending"],
            "flagged": answer in POSITIVE}


def question_on_screen(content: Content, state: ScreenState):
    """The question a touched Yes, No or Not sure answers: the one in hand, while the outcome is
    not the emergency (nothing is asked after it). The buttons are drawn for it, and a touch
    counts only if it names it."""
    if not state.started or state.outcome == "emergency":
        return None
    return question_in_hand(content, state)


def touch_offer_due(content: Content, before: ScreenState, after: ScreenState) -> bool:
    """Whether this turn, on a screen device, says once that answers can be touched: the turn
    that brings the first cauda equina question into hand (the welcome's, on a first screen; the
    one after "how is the pain", on a check-in), before any of them is answered."""
    def in_hand_tier(state):
        question = question_on_screen(content, state)
        return question.outcome_if_yes if question is not None else None

    def any_answered(state):
        return any(content.question(q).outcome_if_yes == "emergency" for q, _ in state.answers)

    return (in_hand_tier(after) == "emergency" and not any_answered(after)
            and not any_answered(before) and in_hand_tier(before) != "emergency")


def with_touch_offer(content: Content, before: ScreenState, after: ScreenState, prompt):
    """The prompt with the offer to touch an answer said just before its question, when due
    (touch_offer_due) and the locale has screen labels."""
    labels = apl_labels(content.locale)
    if labels is None or not prompt.speech or not touch_offer_due(content, before, after):
        return prompt
    speech = prompt.speech[:-1] + (labels["touch"]["offer"],) + prompt.speech[-1:]
    return replace(prompt, speech=speech)


def touched(arguments) -> tuple:
    """(answer, question id) from a touch's SendEvent arguments, each None where it is missing
    or malformed. Untrusted input: only short strings count."""
    if not isinstance(arguments, list) or len(arguments) != 3 or arguments[0] != TOUCH_KIND:
        return None, None
    answer, question_id = (value if isinstance(value, str) and 0 < len(value) <= MAX_TOUCH_TEXT
                           else None for value in arguments[1:])
    return (answer if answer in TOUCH_ANSWERS else None), question_id


def clinician_display(content: Content, checklist_rows, body: str,
                     outcome: Optional[str]) -> Optional[Mapping]:
    """checklist_rows: (label, finding name or None, flagged) for each exam step."""
    labels = apl_labels(content.locale)
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
            "outcome": fill(labels["outcomes"][outcome], content.values) if outcome else "",
            "emergency": emergency,
            "number": content.values["emergency_number"] if emergency else "",
            "numberCaption": labels["number_caption"], "questionId": "", "answers": []}


def screen_paths() -> list:
    return sorted(Path(CONTENT_DIR).glob("*.screen.yaml"))
