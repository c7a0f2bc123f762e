"""Thin ask-sdk handlers: each says which conversation event an Alexa request means;
turns.take_turn() does the rest. Nothing clinical is decided here: the rules live in triage.py
and the words in YAML.

Why over 300 lines: one small class per intent, and every intent the models declare needs one:
split by intent they would be thirty files of ten lines.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Mapping, Optional

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_locale, is_intent_name, is_request_type
from ask_sdk_model import IntentRequest

from skill.alexa import apl, effects
from skill.conversation import triage
from skill.content.loader import Content
from skill.alexa.speech import render_ssml
from skill.content.backstop import KEYWORD_AUTHORITY
from skill.conversation.state import Event
# The intent -> event table is platform-neutral (the Wyoming adapter reads it too).
from skill.conversation.intents import (  # noqa: F401 - names the handlers and tests use
    ANSWER_INTENTS, CLINICAL_QUESTION_INTENT, CLINICIAN_MODE_INTENT, DAILY_CHECK_INTENT,
    EXAM_FINDING_INTENT, FINDING_SLOT, NAVIGATION_INTENTS, STOP_INTENTS, SYMPTOM_INTENT,
    SYMPTOM_SLOT, TOPIC_SLOT, TREND_INTENT, TREND_SLOT, event_for_intent)
from skill.alexa.turns import (ContentFor, SkillContext, content_and_place, exams_for,
                               records_for, take_turn)
from skill.conversation.converse import end_conversation

logger = logging.getLogger(__name__)

TOUCH_INTENTS = {"yes": "AMAZON.YesIntent", "no": "AMAZON.NoIntent", "not_sure": "NotSureIntent"}
SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"


class _TurnHandler(AbstractRequestHandler):
    """Shared translation: every subclass only says which event a request means."""

    def __init__(self, context: SkillContext):
        self._context = context

    def event_for(self, handler_input: HandlerInput) -> triage.AnyEvent:
        raise NotImplementedError

    def handle(self, handler_input: HandlerInput):
        return take_turn(handler_input, self._context, self.event_for(handler_input))


class LaunchRequestHandler(_TurnHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)

    def event_for(self, handler_input):
        return Event.LAUNCH


class AnswerIntentHandler(_TurnHandler):
    def can_handle(self, handler_input):
        return _intent_in(handler_input, ANSWER_INTENTS)

    def event_for(self, handler_input):
        return intent_event(handler_input, self._context)


class TouchedAnswerHandler(_TurnHandler):
    """Yes, No or Not sure touched on the screen (APL SendEvent, hazard log H29): the same event
    as the spoken answer, for the question the screen was drawn for and no other. A touch from a
    screen the conversation has left (a later question, an ended session) is never placed
    against the question now in hand: that question is asked again. A touch that cannot be read
    is an answer the skill cannot place: asked again, then "not sure"."""

    def can_handle(self, handler_input):
        return is_request_type(apl.USER_EVENT)(handler_input)

    def handle(self, handler_input):
        request = handler_input.request_envelope.request
        answer, question_id = apl.touched(getattr(request, "arguments", None))
        if getattr(request, "token", None) != apl.TOKEN:
            answer, question_id = None, None   # not from the document this skill drew
        content = self._context.content_for(get_locale(handler_input))
        state = self._screen_in_progress(handler_input, content)
        asked = apl.question_on_screen(content, state) if state is not None else None
        if question_id is not None and (asked is None or question_id != asked.id):
            labels = apl.apl_labels(content.locale) if content.serves_region else None
            lead = labels["touch"]["stale" if state is not None else "ended"] if labels else None
            return take_turn(handler_input, self._context, Event.REPEAT, lead=lead)
        if answer is None or question_id is None:
            return take_turn(handler_input, self._context, Event.UNCLEAR)
        return take_turn(handler_input, self._context, ANSWER_INTENTS[TOUCH_INTENTS[answer]])

    @staticmethod
    def _screen_in_progress(handler_input: HandlerInput, content: Content):
        """This session's patient screen, as take_turn will restore it; None if there is none
        (a new session, clinician mode, or state that cannot be trusted)."""
        session = handler_input.request_envelope.session
        stored = handler_input.attributes_manager.session_attributes.get("screen")
        if session is None or session.new or stored is None:
            return None
        try:
            return triage.state_from_dict(content, stored)
        except triage.InvalidState:
            return None


class ReportSymptomIntentHandler(_TurnHandler):
    def can_handle(self, handler_input):
        return is_intent_name(SYMPTOM_INTENT)(handler_input)

    def event_for(self, handler_input):
        return intent_event(handler_input, self._context)


class PainTrendIntentHandler(_TurnHandler):
    def can_handle(self, handler_input):
        return is_intent_name(TREND_INTENT)(handler_input)

    def event_for(self, handler_input):
        return intent_event(handler_input, self._context)


class DailyCheckIntentHandler(_TurnHandler):
    """"My daily check": the stored watch's last day goes with the event (daily_check.py)."""

    def can_handle(self, handler_input):
        return is_intent_name(DAILY_CHECK_INTENT)(handler_input)

    def event_for(self, handler_input):
        return intent_event(handler_input, self._context)


class ClinicianModeIntentHandler(_TurnHandler):
    def can_handle(self, handler_input):
        return is_intent_name(CLINICIAN_MODE_INTENT)(handler_input)

    def event_for(self, handler_input):
        return intent_event(handler_input, self._context)


class ClinicalQuestionIntentHandler(_TurnHandler):
    def can_handle(self, handler_input):
        return is_intent_name(CLINICAL_QUESTION_INTENT)(handler_input)

    def event_for(self, handler_input):
        return intent_event(handler_input, self._context)


class ExamFindingIntentHandler(_TurnHandler):
    def can_handle(self, handler_input):
        return is_intent_name(EXAM_FINDING_INTENT)(handler_input)

    def event_for(self, handler_input):
        return intent_event(handler_input, self._context)


class NavigationIntentHandler(_TurnHandler):
    def can_handle(self, handler_input):
        return _intent_in(handler_input, NAVIGATION_INTENTS)

    def event_for(self, handler_input):
        return intent_event(handler_input, self._context)


class StopIntentHandler(_TurnHandler):
    def can_handle(self, handler_input):
        return _intent_in(handler_input, STOP_INTENTS)

    def event_for(self, handler_input):
        return intent_event(handler_input, self._context)


class FallbackIntentHandler(_TurnHandler):
    """AMAZON.FallbackIntent and any intent this version does not know: re-ask, never skip."""

    def can_handle(self, handler_input):
        return is_request_type("IntentRequest")(handler_input)

    def event_for(self, handler_input):
        return Event.UNCLEAR


class SessionEndedRequestHandler(AbstractRequestHandler):
    def __init__(self, context: Optional[SkillContext] = None):
        self._context = context

    def can_handle(self, handler_input):
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input):
        request = handler_input.request_envelope.request
        logger.info("session ended: %s %s", getattr(request, "reason", None),
                    getattr(request, "error", None))
        # Alexa accepts no speech here. A clinician's exam in progress is kept for a few
        # minutes, so that opening the skill again resumes it (hazard H30); nothing else is
        # stored beyond the session attributes Alexa discards itself.
        if self._context is not None and self._context.exams is not None:
            content = self._context.content_for(get_locale(handler_input))
            if content.serves_region:
                end_conversation(content, handler_input.attributes_manager.session_attributes,
                                 exams_for(handler_input, self._context))
        _drop_unchecked_attributes(handler_input)
        return handler_input.response_builder.response


class SkillDisabledEventHandler(AbstractRequestHandler):
    """The user disabled the skill in their account: delete what we keep about them."""

    def __init__(self, context: SkillContext):
        self._context = context

    def can_handle(self, handler_input):
        return is_request_type(SKILL_DISABLED)(handler_input)

    def handle(self, handler_input):
        effects.forget_quietly(records_for(handler_input, self._context))
        return handler_input.response_builder.response


class OtherRequestHandler(AbstractRequestHandler):
    """Requests with no conversation (System.ExceptionEncountered, skill events): answer
    empty, as Alexa expects, rather than failing."""

    def can_handle(self, handler_input):
        return True

    def handle(self, handler_input):
        logger.info("ignored request type %s",
                    type(handler_input.request_envelope.request).__name__)
        _drop_unchecked_attributes(handler_input)
        return handler_input.response_builder.response


def _drop_unchecked_attributes(handler_input: HandlerInput) -> None:
    """Why: the SDK copies the request's session attributes into the response. These requests
    never pass them through _restore_state, so tampered ones (e.g. "outcome": "self_care" with
    questions unanswered, or any junk) came back as if the skill had said them. Send none; a
    later turn in the same session then starts the screen again, the safe direction."""
    if handler_input.request_envelope.session is not None:
        handler_input.attributes_manager.session_attributes.clear()


class SafeExceptionHandler(AbstractExceptionHandler):
    """Whatever broke, the user still hears the emergency number."""

    def __init__(self, content_for: ContentFor, context: Optional[SkillContext] = None):
        self._content_for = content_for
        self._context = context

    def can_handle(self, handler_input, exception):
        return True

    def handle(self, handler_input, exception):
        logger.error("unhandled error in the skill", exc_info=exception)
        try:
            content = self._content_for(get_locale(handler_input))
            if self._context is not None:   # the number where the device stands, if kept
                content, _ = content_and_place(handler_input, self._context, look=False)
        except Exception:  # noqa: BLE001 - a broken locale must not hide the safe answer
            content = self._content_for(None)
        prompt = triage.Prompt((safe_answer(content),), end_session=True)
        # The session ends here; its attributes are whatever the request carried (possibly a
        # tampered "outcome"), so send none back rather than echo them as the skill's own.
        _drop_unchecked_attributes(handler_input)
        builder = handler_input.response_builder
        builder.speak(render_ssml(prompt.speech, content.values)).set_should_end_session(True)
        return builder.response


def intent_event(handler_input: HandlerInput, context: SkillContext):
    """The core event an intent request means, from the one table (conversation/intents.py)."""
    request = handler_input.request_envelope.request
    return event_for_intent(
        get_intent_name(handler_input), lambda slot: resolved_slot_id(request, slot),
        lambda slot: slot_words(request, slot),
        lambda: _watch_until(handler_input, context))


def _watch_until(handler_input: HandlerInput, context: SkillContext) -> Optional[str]:
    # An unrecognised speaker among recognised people reads no one's watch (hazard H17).
    user = records_for(handler_input, context)
    if effects.speaker_unrecognised_among_people(handler_input, user):
        return None
    return effects.watch_until(user)


def resolved_slot_id(request, slot_name: str) -> Optional[str]:
    """The entity-resolved id of a slot, or None if Alexa could not resolve it. A keyword guess
    by our own NLU (backstop.KEYWORD_AUTHORITY) is not a resolution: the skill asks about it."""
    slot = _slot(request, slot_name)
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        code = getattr(getattr(authority, "status", None), "code", None)
        if getattr(code, "value", code) != "ER_SUCCESS_MATCH" or \
                str(getattr(authority, "authority", "")).startswith(KEYWORD_AUTHORITY):
            continue
        for wrapper in authority.values or []:
            value = getattr(wrapper, "value", None)
            if value is not None and isinstance(value.id, str):
                return value.id
    return None


def slot_words(request, slot_name: str) -> Optional[str]:
    """What the person said in a slot, as heard (read by the keyword backstop)."""
    value = getattr(_slot(request, slot_name), "value", None)
    return value if isinstance(value, str) else None


def _slot(request, slot_name: str):
    if not isinstance(request, IntentRequest) or request.intent is None:
        return None
    slots = request.intent.slots
    return slots.get(slot_name) if isinstance(slots, dict) else None


def _intent_in(handler_input: HandlerInput, names) -> bool:
    return (is_request_type("IntentRequest")(handler_input)
            and get_intent_name(handler_input) in names)


def safe_answer(content: Content) -> str:
    """The words for a request that went wrong: the emergency number where it is known."""
    return content.speech["error" if content.serves_region else "region_not_supported"]


def content_resolver(contents: Mapping[str, Content], default_locale: str) -> ContentFor:
    """Choose a locale's content: its own, or one whose file says it also serves that locale
    (its facts are right there). Any other locale is a region whose emergency number we can't
    vouch for (hazard log H05): it gets its language's content (else the default's) marked
    `serves_region=False`, which the skill answers with `region_not_supported`, naming no
    number. A request without a locale gets the default: the deployment's own region."""
    served = dict(contents)
    for content in contents.values():
        for other in content.also_serves:
            served.setdefault(other, content)
    elsewhere = {}   # worked out once, not per request: per language, content for elsewhere
    for name in sorted(contents):
        language = name.split("-")[0].lower()
        same = sorted(other for other in contents if other.split("-")[0].lower() == language)
        base = contents[default_locale if default_locale in same else same[0]]
        elsewhere[language] = replace(base, serves_region=False)
    default_elsewhere = replace(contents[default_locale], serves_region=False)

    def content_for(locale: Optional[str]) -> Content:
        if not isinstance(locale, str) or not locale:
            return contents[default_locale]
        return served.get(locale) or elsewhere.get(locale.split("-")[0].lower(),
                                                   default_elsewhere)
    return content_for
