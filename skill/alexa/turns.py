"""One conversational turn through the SDK: the request's session, clock and effects handed to
the core's turn (conversation/turn.py), and the Alexa response built from its prompt. The
handlers differ only in which event a request means; everything they share is here.

The content a turn speaks with is the locale's words with the values of where the device
stands (device_country.py, content/countries.py): looked up at a session's first request,
kept in the session, the locale's own values on any failure."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Callable, Optional

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale
from ask_sdk_model import Response

from skill.alexa import clinician_turns, device_country, effects, apl
from skill.alexa.responses import build_response, placeholder_values
from skill.conversation import triage, turn
from skill.content.countries import Countries
from skill.content.loader import Content
from skill.memory.settings import Settings
from skill.alexa.speech import render_text
from skill.conversation.state import Event

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
    # Where the device stands (issue 15): the table and the resolver; None: the locale's values.
    countries: Optional[Countries] = None
    content_in: Optional[ContentIn] = None
    country_timeout: float = device_country.LOOKUP_TIMEOUT


def take_turn(handler_input: HandlerInput, context: SkillContext, event,
              lead: Optional[str] = None) -> Response:
    """`lead`: words to say first (a stale touch on the screen), unless the answer is the
    emergency, whose action always comes first. The turn itself is conversation/turn.py's;
    clinician mode, whose state and kept exam live in Alexa's session, is routed here."""
    content, place = content_and_place(handler_input, context)
    response = _turn(handler_input, context, content, place, event, lead)
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
          place: device_country.DeviceCountry, event, lead: Optional[str]) -> Response:
    refused = turn.region_prompt(content)
    if refused is not None:
        handler_input.attributes_manager.session_attributes.clear()
        return build_response(handler_input, content, refused)
    kept = clinician_turns.kept_exam(handler_input, content, event, context.exams)
    if kept is not None or clinician_turns.wants_clinician_mode(handler_input, content, event):
        return clinician_turns.take_clinician_turn(handler_input, content, event, context.exams,
                                                   kept)
    if isinstance(event, clinician_turns.CLINICIAN_EVENTS):   # not said in clinician mode
        # "Go back" is one of the exam's words (a FindingType value); to a patient it means
        # the previous question.
        event = Event.GO_BACK if clinician_turns.means_go_back(event) else Event.UNCLEAR
    unrecognised = _unrecognised_speaker(handler_input, context)
    result = turn.run_turn(content, session_of(handler_input, context, unrecognised), event,
                           effects.AlexaEffects(handler_input), lead)
    prompt = result.prompt
    if unrecognised and result.state.outcome != "emergency":
        # After the welcome, before the first question: why nothing is remembered, and how to
        # be. Never in front of, or beside, an emergency instruction.
        note = content.memory["not_recognised"]
        prompt = replace(prompt, speech=prompt.speech[:1] + (note,) + prompt.speech[1:])
    if apl.supports_apl(handler_input):
        prompt = apl.with_touch_offer(content, result.before, result.state, prompt)
    return respond(handler_input, content, result.state, prompt)


def content_and_place(handler_input: HandlerInput, context: SkillContext, *,
                      look: bool = True):
    """The content to speak with and what the session knows of the device's country. At a
    session's first request (and `look`) the Device Address API is asked, within the context's
    timeout; later requests read the session's kept answer. Only where the device's language
    has content: a country cannot give a French device English words."""
    locale = get_locale(handler_input)
    content = context.content_for(locale)
    if context.countries is None or context.content_in is None:
        return content, device_country.UNKNOWN
    session = handler_input.request_envelope.session
    same_language = isinstance(locale, str) and \
        locale.split("-")[0].lower() == content.locale.split("-")[0].lower()
    if session is None or not same_language:
        place = device_country.UNKNOWN
    elif session.new and look:
        place = device_country.look_up(handler_input, context.countries,
                                       context.country_timeout)
    else:
        place = device_country.from_session(
            handler_input.attributes_manager.session_attributes, context.countries)
    return context.content_in(content, place.country, locale), place


def session_of(handler_input: HandlerInput, context: SkillContext,
               unrecognised: bool = False) -> turn.Session:
    """The kept state (None for a new session), the clock and whether memory is on: off for
    this session when the speaker is not recognised on an account whose people have records."""
    session = handler_input.request_envelope.session
    stored = handler_input.attributes_manager.session_attributes.get("screen")
    new = session is None or session.new
    return turn.Session(None if new else stored, lambda: context.clock().isoformat(),
                        context.settings.memory_enabled and not unrecognised)


def _unrecognised_speaker(handler_input: HandlerInput, context: SkillContext) -> bool:
    """At a new session only: whether Alexa did not recognise the speaker on an account where
    recognised people keep records (hazard log H17). Then the session is treated as new and
    nothing is read or kept: the speaker could be anyone in the household. Later turns carry
    the decision in the kept state (consent off)."""
    session = handler_input.request_envelope.session
    if not context.settings.memory_enabled or session is None or not session.new:
        return False
    return effects.speaker_unrecognised_among_people(handler_input)


def respond(handler_input: HandlerInput, content: Content, state: triage.ScreenState,
            prompt: triage.Prompt) -> Response:
    attributes = handler_input.attributes_manager.session_attributes
    attributes.clear()
    attributes.update({"screen": state.to_dict(), "outcome": state.outcome})
    display = None
    if apl.supports_apl(handler_input):
        display = apl.patient_display(content, state, _screen_body(content, state, prompt))
    return build_response(handler_input, content, prompt, display)


def _screen_body(content: Content, state, prompt: triage.Prompt) -> str:
    """What the screen shows: the question or tip in hand (the last thing said), or the whole
    emergency instruction."""
    whole = prompt.card and (prompt.end_session or state.outcome == "emergency")
    parts = prompt.card.body if whole else prompt.speech[-1:]
    return render_text(parts, placeholder_values(content, prompt))
