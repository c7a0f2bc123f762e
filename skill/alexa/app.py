"""build_skill(): the one place handlers are registered. The Flask server, the Lambda entry
point and the text chat all wrap the skill this returns."""
from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import replace
from datetime import date
from typing import Any, Callable, Mapping, Optional

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope

from skill.alexa import handlers, apl
from skill.content.clinician import load_clinician_content
from skill.content.countries import content_resolver_for_country, load_countries
from skill.content.loader import (DEFAULT_LOCALE, Content, available_locales, companion_file,
                                  load_content)
from skill.memory.exam_store import ExamKeeper, ExamStore
from skill.alexa.reminders import ReminderApiClient
from skill.alexa.serializer import EnvelopeSerializer
from skill.memory.settings import Settings, require_own_salt, settings_from_env
from skill.alexa.speech import render_ssml
from skill.memory.store import DEFAULT_SALT, SALT_VARIABLE, SQLitePersistenceAdapter
from skill.alexa.turns import SkillContext
from skill.alexa.device_country import LOOKUP_TIMEOUT

logger = logging.getLogger(__name__)


_FROM_ENVIRONMENT = object()


def build_skill(contents: Optional[Mapping[str, Content]] = None,
                default_locale: str = DEFAULT_LOCALE, *,
                settings: Optional[Settings] = None,
                persistence_adapter: Any = _FROM_ENVIRONMENT,
                clock: Callable[[], date] = date.today,
                now: Callable[[], float] = time.time,
                api_client: Any = None,
                country_timeout: float = LOOKUP_TIMEOUT,
                environ: Optional[Mapping[str, str]] = None) -> CustomSkill:
    """A ready skill. Content is loaded and checked here, once, not per request.

    settings: deployment settings (default: from the environment, see skill/memory/settings.py).
    persistence_adapter: where remembered users are kept (default: from the environment, see
        skill/memory/storage.py; None keeps nothing). Only used when the settings allow memory.
    clock: today's date; tests and `sciatica-skill chat --today` move it.
    now: the time in seconds, for how long a clinician's exam in progress is kept (minutes, in
        the SQLite store only; see clinician_progress.py); tests move it.
    environ: where settings and storage are read from (default: the process environment).
    api_client: for the Alexa service APIs (reminders, the device's country); default: the
        SDK's, with a timeout.
    country_timeout: the most a session's launch waits for the device's country."""
    if contents is None:
        contents = {locale: load_content(locale) for locale in available_locales()}
    for content in contents.values():
        check_companion_content(content.locale)
    environ = os.environ if environ is None else environ
    settings = settings or settings_from_env(environ)
    if not settings.memory_enabled:
        persistence_adapter = None
    elif persistence_adapter is _FROM_ENVIRONMENT:
        from skill.memory.storage import build_persistence_adapter
        persistence_adapter = build_persistence_adapter(environ)
    # Memory needs somewhere to keep it: without a store, the skill never offers to remember.
    settings = replace(settings, memory_enabled=settings.memory_enabled and persistence_adapter is not None)
    require_own_salt(settings, environ)   # refuses to start: see skill/memory/settings.py
    content_for = handlers.content_resolver(contents, default_locale)
    countries = load_countries()
    context = SkillContext(content_for=content_for, settings=settings, clock=clock,
                           exams=_exam_keeper(persistence_adapter, now, environ),
                           store=persistence_adapter,
                           countries=countries,
                           content_in=content_resolver_for_country(countries, contents),
                           country_timeout=country_timeout)
    builder = CustomSkillBuilder(persistence_adapter=persistence_adapter,
                                 api_client=api_client or ReminderApiClient())
    # Registration order is priority: specific handlers first, catch-alls last.
    for handler_class in (handlers.LaunchRequestHandler, handlers.AnswerIntentHandler,
                          handlers.TouchedAnswerHandler,
                          handlers.ReportSymptomIntentHandler, handlers.PainTrendIntentHandler,
                          handlers.DailyCheckIntentHandler,
                          handlers.ClinicianModeIntentHandler,
                          handlers.ClinicalQuestionIntentHandler, handlers.ExamFindingIntentHandler,
                          handlers.NavigationIntentHandler, handlers.StopIntentHandler,
                          handlers.FallbackIntentHandler):
        builder.add_request_handler(handler_class(context))
    builder.add_request_handler(handlers.SessionEndedRequestHandler(context))
    builder.add_request_handler(handlers.SkillDisabledEventHandler(context))
    builder.add_request_handler(handlers.OtherRequestHandler())
    builder.add_exception_handler(handlers.SafeExceptionHandler(content_for, context))
    skill = builder.create()
    skill.serializer = EnvelopeSerializer()   # the SDK's, with cheap timestamps: see the module
    return skill


def check_companion_content(locale: str) -> tuple:
    """Load and check a locale's screen labels and clinician content (the files it uses, its own
    or its language's shared one); their loaders keep them, so a request never meets a broken
    file: a ContentError names file, key and problem here. Returns the files checked."""
    apl.apl_labels(locale)
    load_clinician_content(locale)
    return tuple(path for path in (companion_file(locale, kind) for kind in ("screen", "clinician"))
                 if path is not None)


def _exam_keeper(persistence_adapter: Any, now: Callable[[], float],
                 environ: Mapping[str, str]) -> Optional[ExamKeeper]:
    """Where a clinician's exam in progress is kept: beside the remembered users in their SQLite
    file, where the deployment allows memory. Elsewhere (DynamoDB, or memory off) nowhere: the
    exam lives in the session only, as before."""
    if not isinstance(persistence_adapter, SQLitePersistenceAdapter):
        return None
    return ExamKeeper(ExamStore(persistence_adapter.path), now=now,
                      salt=environ.get(SALT_VARIABLE) or DEFAULT_SALT)


def handle_event(skill: CustomSkill, event: Any, context: Any = None) -> dict:
    """Run one Alexa request envelope (a dict, as Lambda passes it) through the skill and
    return the response envelope as a dict. Never raises: anything it cannot understand gets
    a short spoken safe answer with the emergency number."""
    try:
        # Why allow_nan=False: NaN/Infinity are not JSON; let in, they could be echoed back in
        # sessionAttributes and make the response unparseable for Alexa (ValueError -> safe answer).
        envelope = skill.serializer.deserialize(payload=json.dumps(event, allow_nan=False),
                                                obj_type=RequestEnvelope)
        if envelope is None or envelope.request is None:
            raise SerializationException("no request in the envelope")
        response = skill.invoke(request_envelope=envelope, context=context)
        return skill.serializer.serialize(response)
    except SerializationException as problem:
        logger.warning("refused an event that is not an Alexa request: %s", problem)
        return safe_response(_locale_of(event))
    except Exception:  # noqa: BLE001 - the entry point must always answer
        logger.exception("could not handle the event")
        return safe_response(_locale_of(event))


def safe_response(locale: Optional[str] = None) -> dict:
    """A complete Alexa response that says the error text, with the emergency number, for
    requests too broken to reach the skill's own exception handler."""
    contents = {name: load_content(name) for name in available_locales()}
    content = handlers.content_resolver(contents, DEFAULT_LOCALE)(locale)
    return {"version": "1.0", "sessionAttributes": {},
            "response": {"outputSpeech": {"type": "SSML",
                                          "ssml": render_ssml((handlers.safe_answer(content),),
                                                              content.values)},
                         "shouldEndSession": True}}


def _locale_of(event: Any) -> Optional[str]:
    request = event.get("request") if isinstance(event, dict) else None
    locale = request.get("locale") if isinstance(request, dict) else None
    return locale if isinstance(locale, str) else None
