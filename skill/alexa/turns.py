"""One conversational turn through the SDK: the request's session, clock, effects and kept exam
handed to the core's turn (conversation/converse.py), and the Alexa response built from it. The
handlers differ only in which event a request means; everything they share is here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Callable, Optional

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale
from ask_sdk_model import Response

from skill.alexa import apl, effects
from skill.alexa.responses import build_response, placeholder_values
from skill.conversation import clinician, triage
from skill.conversation.converse import ExamPlace, Exchange, converse
from skill.content.loader import Content
from skill.memory.settings import Settings
from skill.alexa.speech import render_text

if TYPE_CHECKING:
    from skill.memory.exam_store import ExamKeeper

ContentFor = Callable[[Optional[str]], Content]


@dataclass(frozen=True)
class SkillContext:
    """What every handler needs, built once in build_skill()."""

    content_for: ContentFor
    settings: Settings
    clock: Callable[[], date]
    exams: Optional["ExamKeeper"] = None   # where an exam in progress is kept; None: nowhere


def take_turn(handler_input: HandlerInput, context: SkillContext, event,
              lead: Optional[str] = None) -> Response:
    """`lead`: words to say first (a stale touch on the screen), unless the answer is the
    emergency, whose action always comes first. The turn itself, patient or clinician, is
    conversation/converse.py's; the session attributes are what it keeps."""
    content = context.content_for(get_locale(handler_input))
    session = handler_input.request_envelope.session
    attributes = handler_input.attributes_manager.session_attributes
    exchange = converse(content, attributes, session is None or session.new, event,
                        lambda: context.clock().isoformat(), context.settings.memory_enabled,
                        effects.AlexaEffects(handler_input), exams_for(handler_input, context),
                        lead)
    attributes.clear()
    attributes.update(exchange.kept)
    prompt, display = exchange.prompt, None
    if exchange.clinician is not None and apl.supports_apl(handler_input):
        display = _checklist_display(content, exchange)
    elif exchange.screen is not None and apl.supports_apl(handler_input):
        prompt = apl.with_touch_offer(content, exchange.before, exchange.screen, prompt)
        display = apl.patient_display(content, exchange.screen,
                                      _screen_body(content, exchange.screen, prompt))
    return build_response(handler_input, content, prompt, display)


def exams_for(handler_input: HandlerInput, context: SkillContext) -> Optional[ExamPlace]:
    """This device and user's kept exam, or None where nothing is kept."""
    if context.exams is None:
        return None
    return context.exams.for_request(handler_input.request_envelope)


def _screen_body(content: Content, state, prompt: triage.Prompt) -> str:
    """What the screen shows: the question or tip in hand (the last thing said), or the whole
    emergency instruction."""
    whole = prompt.card and (prompt.end_session or state.outcome == "emergency")
    parts = prompt.card.body if whole else prompt.speech[-1:]
    return render_text(parts, placeholder_values(content, prompt))


def _checklist_display(content: Content, exchange: Exchange) -> dict:
    """Clinician mode on a display: the exam's checklist so far beside the last thing said."""
    clinical, state, prompt = exchange.clinical, exchange.clinician, exchange.prompt
    rows = [(step.label, clinician.finding_words(clinical, state, step, value) if value else None,
             value == "positive")
            for step, value in clinician.checklist(clinical, state)]
    body = prompt.speech[-1] if prompt.speech else ""
    return apl.clinician_display(content, rows, body, state.outcome)
