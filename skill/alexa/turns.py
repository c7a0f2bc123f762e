"""One conversational turn through the SDK: the request's session, clock, effects and kept exam
handed to the core's turn (conversation/converse.py), and the Alexa response built from it. The
handlers differ only in which event a request means; everything they share is here.

The content a turn speaks with is the locale's words with the values of where the device
stands (device_country.py, content/countries.py): looked up at a session's first request,
kept in the session, the locale's own values on any failure."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Callable, Optional

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, is_request_type
from ask_sdk_model import Response

from skill.alexa import apl, device_country, effects
from skill.alexa.responses import build_response, placeholder_values
from skill.conversation import clinician, triage
from skill.conversation.converse import ExamPlace, Exchange, converse
from skill.content.countries import Countries
from skill.content.loader import Content
from skill.memory.settings import Settings
from skill.alexa.speech import render_text

if TYPE_CHECKING:
    from skill.memory.exam_store import ExamKeeper

ContentFor = Callable[[Optional[str]], Content]
# (the locale's content, the device's country or None, the device's locale) -> the content to
# speak with (content/countries.py's content_resolver_for_country).
ContentIn = Callable[[Content, Optional[str], Optional[str]], Content]


@dataclass(frozen=True)
class SkillContext:
    """What every handler needs, built once in build_skill()."""

    content_for: ContentFor
    settings: Settings
    clock: Callable[[], date]
    exams: Optional["ExamKeeper"] = None   # where an exam in progress is kept; None: nowhere
    # Where users' records are kept (store.py or storage.py); None: this deployment keeps none.
    store: Optional[object] = None
    # Where the device stands (issue 15): the table and the resolver; None: the locale's values.
    countries: Optional[Countries] = None
    content_in: Optional[ContentIn] = None
    country_timeout: float = device_country.LOOKUP_TIMEOUT


def take_turn(handler_input: HandlerInput, context: SkillContext, event,
              lead: Optional[str] = None) -> Response:
    """`lead`: words to say first (a stale touch on the screen), unless the answer is the
    emergency, whose action always comes first. Around the turn: the device's country, and the
    permission card for it, kept in the session."""
    content, place = content_and_place(handler_input, context)
    response = _turn(handler_input, context, content, event, lead)
    attributes = handler_input.attributes_manager.session_attributes
    # Kept beside a state only: an answer that keeps nothing (another region's) sends none.
    if handler_input.request_envelope.session is not None and attributes:
        if device_country.consent_card_due(place, attributes.get("outcome"),
                                           response.card is not None):
            response.card = device_country.consent_card()
            place = replace(place, card_sent=True)
        if place != device_country.UNKNOWN:   # nothing asked, nothing to keep
            attributes[device_country.DEVICE_COUNTRY_KEY] = place.to_dict()
    return response


def _turn(handler_input: HandlerInput, context: SkillContext, content: Content,
          event, lead: Optional[str]) -> Response:
    """The turn itself, patient or clinician: conversation/converse.py's; the session
    attributes are what it keeps."""
    session = handler_input.request_envelope.session
    attributes = handler_input.attributes_manager.session_attributes
    unrecognised = _unrecognised_speaker(handler_input, context)
    exchange = converse(content, attributes, session is None or session.new, event,
                        lambda: context.clock().isoformat(),
                        context.settings.memory_enabled and not unrecognised,
                        effects.AlexaEffects(handler_input, records_for(handler_input, context)),
                        exams_for(handler_input, context),
                        lead)
    attributes.clear()
    attributes.update(exchange.kept)
    prompt, display = exchange.prompt, None
    if unrecognised and exchange.screen is not None and exchange.screen.outcome != "emergency":
        # After the welcome, before the first question: why nothing is remembered, and how to
        # be. Never in front of, or beside, an emergency instruction.
        note = content.memory["not_recognised"]
        prompt = replace(prompt, speech=prompt.speech[:1] + (note,) + prompt.speech[1:])
    if exchange.clinician is not None and apl.supports_apl(handler_input):
        display = _checklist_display(content, exchange)
    elif exchange.screen is not None and apl.supports_apl(handler_input):
        prompt = apl.with_touch_offer(content, exchange.before, exchange.screen, prompt)
        display = apl.patient_display(content, exchange.screen,
                                      _screen_body(content, exchange.screen, prompt))
    return build_response(handler_input, content, prompt, display)


def records_for(handler_input: HandlerInput,
                context: SkillContext) -> Optional[effects.UserRecords]:
    """This request's user's record in the deployment's store, or None where nothing is kept."""
    if context.store is None or not context.settings.memory_enabled:
        return None
    return effects.UserRecords(context.store, handler_input.request_envelope)


def exams_for(handler_input: HandlerInput, context: SkillContext) -> Optional[ExamPlace]:
    """This device and user's kept exam, or None where nothing is kept."""
    if context.exams is None:
        return None
    return context.exams.for_request(handler_input.request_envelope)


def content_and_place(handler_input: HandlerInput, context: SkillContext, *,
                      look: bool = True):
    """The content to speak with and what the session knows of the device's country. When a
    session opens with a launch (and `look`) the Device Address API is asked, within the
    context's timeout; later requests read the session's kept answer. A session that opens
    with anything else is not asked: a one-shot ("tell Sciatica Check I've wet myself") can be
    the emergency instruction itself, which the lookup must never delay (issue 15), so it
    keeps the locale's values, as before. Only where the device's language has content: a
    country cannot give a French device English words."""
    locale = get_locale(handler_input)
    content = context.content_for(locale)
    if context.countries is None or context.content_in is None:
        return content, device_country.UNKNOWN
    session = handler_input.request_envelope.session
    same_language = isinstance(locale, str) and \
        locale.split("-")[0].lower() == content.locale.split("-")[0].lower()
    if session is None or not same_language:
        place = device_country.UNKNOWN
    elif session.new and look and is_request_type("LaunchRequest")(handler_input):
        place = device_country.look_up(handler_input, context.countries,
                                       context.country_timeout)
    else:
        place = device_country.from_session(
            handler_input.attributes_manager.session_attributes, context.countries)
    return context.content_in(content, place.country, locale), place


def _unrecognised_speaker(handler_input: HandlerInput, context: SkillContext) -> bool:
    """At a new session only: whether Alexa did not recognise the speaker on an account where
    recognised people keep records (hazard log H17). Then the session is treated as new and
    nothing is read or kept: the speaker could be anyone in the household. Later turns carry
    the decision in the kept state (consent off)."""
    session = handler_input.request_envelope.session
    if not context.settings.memory_enabled or session is None or not session.new:
        return False
    return effects.speaker_unrecognised_among_people(handler_input,
                                                     records_for(handler_input, context))


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
