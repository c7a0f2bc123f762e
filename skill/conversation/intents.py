"""Which core event an intent of the interaction model means: the one table every adapter reads
(alexa/handlers.py with the SDK's request objects, wyoming/turns.py with the JSON request the
offline NLU, language/nlu.py, resolves transcribed words to), so a second voice platform has no
second copy of the mapping. Here in the core rather than in language/: the Lambda zip ships the
core and not language/, and the Alexa handlers read this table on Lambda too.

A slot counts as resolved only under the interaction model's own authority: a keyword guess of
the NLU (backstop.KEYWORD_AUTHORITY) is heard words, so the skill asks about them (hazard H23)."""
from __future__ import annotations

from typing import Callable, Mapping, Optional

from skill.content.backstop import KEYWORD_AUTHORITY
from skill.conversation.clinician import ClinicalTopic, EnterClinicianMode, Finding
from skill.conversation.daily_check import DailyCheck
from skill.conversation.state import Event, SymptomReport, TrendReport

ANSWER_INTENTS = {"AMAZON.YesIntent": Event.YES, "AMAZON.NoIntent": Event.NO,
                  "NotSureIntent": Event.NOT_SURE}
NAVIGATION_INTENTS = {"AMAZON.HelpIntent": Event.HELP, "AMAZON.RepeatIntent": Event.REPEAT,
                      "AMAZON.StartOverIntent": Event.START_OVER, "AMAZON.NextIntent": Event.NEXT,
                      "ForgetMeIntent": Event.FORGET,
                      # Said beside an answer (asides.py): each gets help, never an answer.
                      "WhereToGoIntent": Event.WHERE, "ThanksIntent": Event.THANKS,
                      "NotApplicableIntent": Event.NOT_APPLICABLE,
                      "SetReminderIntent": Event.SET_REMINDER}
STOP_INTENTS = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")
SYMPTOM_INTENT, SYMPTOM_SLOT = "ReportSymptomIntent", "symptom"
TREND_INTENT, TREND_SLOT = "PainTrendIntent", "trend"
CLINICIAN_MODE_INTENT = "ClinicianModeIntent"
DAILY_CHECK_INTENT = "DailyCheckIntent"
CLINICAL_QUESTION_INTENT, TOPIC_SLOT = "ClinicalQuestionIntent", "topic"
EXAM_FINDING_INTENT, FINDING_SLOT = "ExamFindingIntent", "finding"


def event_for_intent(name: str, resolved: Callable[[str], Optional[str]],
                     heard: Callable[[str], Optional[str]],
                     watch_until: Callable[[], Optional[str]]):
    """The core event for intent `name`. `resolved(slot)`: the slot's resolved id (None when
    unresolved); `heard(slot)`: its words as heard; `watch_until()`: the stored daily watch's
    last day, read only for the daily check. An intent this version does not know is
    Event.UNCLEAR: asked again, never skipped."""
    if name in ANSWER_INTENTS:
        return ANSWER_INTENTS[name]
    if name == SYMPTOM_INTENT:
        return SymptomReport(resolved(SYMPTOM_SLOT), heard=heard(SYMPTOM_SLOT))
    if name == TREND_INTENT:
        return TrendReport(resolved(TREND_SLOT))
    if name == DAILY_CHECK_INTENT:
        return DailyCheck(watch_until())
    if name == CLINICIAN_MODE_INTENT:
        return EnterClinicianMode()
    if name == CLINICAL_QUESTION_INTENT:
        return ClinicalTopic(resolved(TOPIC_SLOT))
    if name == EXAM_FINDING_INTENT:
        return Finding(resolved(FINDING_SLOT))
    if name in NAVIGATION_INTENTS:
        return NAVIGATION_INTENTS[name]
    if name in STOP_INTENTS:
        return Event.STOP
    return Event.UNCLEAR


def event_for_request(request: Mapping, watch_until: Callable[[], Optional[str]]):
    """The core event for a request in Alexa's JSON shape (what nlu.resolve returns): a launch
    is Event.LAUNCH, an intent its event; None for a request that ends the conversation
    ("exit": Alexa's SessionEndedRequest)."""
    kind = request.get("type")
    if kind == "LaunchRequest":
        return Event.LAUNCH
    if kind != "IntentRequest":
        return None
    intent = request.get("intent") or {}
    slots = intent.get("slots") or {}
    return event_for_intent(str(intent.get("name")),
                            lambda slot: resolved_id(slots.get(slot)),
                            lambda slot: _heard(slots.get(slot)), watch_until)


def resolved_id(slot: Optional[Mapping]) -> Optional[str]:
    """A JSON slot's entity-resolved id, or None; a keyword guess is not a resolution."""
    if not isinstance(slot, Mapping):
        return None
    for authority in (slot.get("resolutions") or {}).get("resolutionsPerAuthority") or []:
        if (authority.get("status") or {}).get("code") != "ER_SUCCESS_MATCH" or \
                str(authority.get("authority", "")).startswith(KEYWORD_AUTHORITY):
            continue
        for wrapper in authority.get("values") or []:
            value = (wrapper or {}).get("value") or {}
            if isinstance(value.get("id"), str):
                return value["id"]
    return None


def _heard(slot: Optional[Mapping]) -> Optional[str]:
    value = slot.get("value") if isinstance(slot, Mapping) else None
    return value if isinstance(value, str) else None
