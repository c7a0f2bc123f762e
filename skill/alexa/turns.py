"""One conversational turn through the SDK: restore the session's state, step the pure core,
carry out its effects, and build the Alexa response. The handlers differ only in which event a
request means; everything they share is here."""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Callable, Optional

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale
from ask_sdk_model import Response

from skill.alexa import clinician_turns, effects, screens
from skill.alexa.responses import build_response, facts_and_values
from skill.conversation import triage
from skill.conversation import record as records
from skill.content.loader import Content
from skill.memory.settings import Settings
from skill.alexa.speech import render_text
from skill.conversation.state import Reply, SymptomReport

if TYPE_CHECKING:
    from skill.memory.exam_store import ExamKeeper

logger = logging.getLogger(__name__)

ContentFor = Callable[[Optional[str]], Content]
MAX_EFFECTS_PER_TURN = 3


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
    emergency, whose action always comes first."""
    content = context.content_for(get_locale(handler_input))
    if not content.serves_region:
        return region_not_supported(handler_input, content)
    kept = clinician_turns.kept_exam(handler_input, content, event, context.exams)
    if kept is not None or clinician_turns.wants_clinician_mode(handler_input, content, event):
        return clinician_turns.take_clinician_turn(handler_input, content, event, context.exams,
                                                   kept)
    if isinstance(event, clinician_turns.CLINICIAN_EVENTS):   # not said in clinician mode
        # "Go back" is one of the exam's words (a FindingType value); to a patient it means
        # the previous question.
        event = Reply.GO_BACK if clinician_turns.means_go_back(event) else Reply.UNCLEAR
    state, notice = restore_state(handler_input, context, content)
    before = state
    if notice is not None and not isinstance(event, SymptomReport) and event != Reply.STOP:
        # The user may have missed the welcome: say what happened, then the welcome.
        state, prompt = triage.begin(content, state)
        prompt = replace(prompt, speech=(notice,) + prompt.speech)
    else:
        state, prompt = triage.step(content, state, event)
    spoken, keep_visit = (), prompt.keep_visit
    for _ in range(MAX_EFFECTS_PER_TURN):
        if prompt.effect is None:
            break
        result = effects.run_effect(handler_input, content, state, prompt.effect,
                                    dict(prompt.values))
        spoken += prompt.speech
        state, prompt = triage.step(content, state, result)
        keep_visit = keep_visit or prompt.keep_visit
    if keep_visit:
        effects.keep_visit(handler_input, state)
    if spoken:
        prompt = replace(prompt, speech=spoken + prompt.speech)
    if lead is not None and state.outcome != "emergency":
        prompt = replace(prompt, speech=(lead,) + prompt.speech)
    if screens.supports_apl(handler_input):
        prompt = screens.with_touch_offer(content, before, state, prompt)
    return respond(handler_input, content, state, prompt)


def region_not_supported(handler_input: HandlerInput, content: Content) -> Response:
    """The whole answer for a region without content of its own: the cauda equina signs and
    "your local emergency number", never a number that may be another region's."""
    handler_input.attributes_manager.session_attributes.clear()
    return build_response(handler_input, content,
                          triage.Prompt((content.speech["region_not_supported"],),
                                        end_session=True))


def restore_state(handler_input: HandlerInput, context: SkillContext, content: Content):
    """The session's state and a notice to say first, if any. A state we can't trust restarts
    the screen (with a notice) rather than guessing."""
    session = handler_input.request_envelope.session
    stored = handler_input.attributes_manager.session_attributes.get("screen")
    if session is None or session.new or stored is None:
        return new_session_state(handler_input, context, content)
    try:
        return triage.state_from_dict(content, stored), None
    except triage.InvalidState as problem:
        logger.warning("restarting the screen: stored state refused (%s)", problem)
        state, _ = new_session_state(handler_input, context, content)
        return state, content.speech["restart_notice"]


def new_session_state(handler_input: HandlerInput, context: SkillContext, content: Content):
    today = context.clock().isoformat()
    stored, read_failed = None, False
    if context.settings.memory:
        try:
            stored = effects.load_record(handler_input)
        except effects.STORE_ERRORS:   # a broken store must never break the screen
            logger.exception("could not read the user's record")
            read_failed = True
    start = records.session_start(stored, today, context.settings.memory, read_failed)
    notice = content.memory["recall_failed"] if start.recall_failed else None
    return triage.initial_state(today, start.memory, start.episode_start), notice


def respond(handler_input: HandlerInput, content: Content, state: triage.ScreenState,
            prompt: triage.Prompt) -> Response:
    attributes = handler_input.attributes_manager.session_attributes
    attributes.clear()
    attributes.update({"screen": state.to_dict(), "outcome": state.outcome})
    screen = None
    if screens.supports_apl(handler_input):
        screen = screens.patient_screen(content, state, _screen_body(content, state, prompt))
    return build_response(handler_input, content, prompt, screen)


def _screen_body(content: Content, state, prompt: triage.Prompt) -> str:
    """What the screen shows: the question or tip in hand (the last thing said), or the whole
    emergency instruction."""
    whole = prompt.card and (prompt.end_session or state.outcome == "emergency")
    parts = prompt.card.body if whole else prompt.speech[-1:]
    return render_text(parts, facts_and_values(content, prompt))
