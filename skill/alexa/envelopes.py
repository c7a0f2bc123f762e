"""Alexa request envelopes as Alexa sends them (JSON-ready dicts), for the text chat and tests."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Optional

from skill import DEFAULT_SKILL_ID


class Conversation:
    """One Alexa session as a sequence of envelopes: carries the session id, the user and the
    session attributes from each response into the next request, as the Alexa service does."""

    def __init__(self, locale: str = "en-US", application_id: str = DEFAULT_SKILL_ID,
                 user_id: Optional[str] = None):
        self.locale = locale
        self.application_id = application_id
        self.user_id = user_id or f"amzn1.ask.account.{uuid.uuid4().hex}"
        self.session_id: Optional[str] = None
        self.attributes: dict = {}

    def envelope(self, request: dict) -> dict:
        """The next request; a LaunchRequest, or any request when no session is open, starts
        a new session."""
        new = self.session_id is None or request.get("type") == "LaunchRequest"
        if new:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
            self.attributes = {}
        return request_envelope(request, locale=self.locale, new=new,
                                session_id=self.session_id, attributes=self.attributes,
                                application_id=self.application_id, user_id=self.user_id)

    def absorb(self, response: dict) -> None:
        """Take the session attributes back, and close the session if the skill ended it."""
        self.attributes = dict(response.get("sessionAttributes") or {})
        if response.get("response", {}).get("shouldEndSession", True) is not False:
            self.session_id = None


def request_envelope(request: dict, *, locale: str = "en-US", new: bool = True,
                     session_id: Optional[str] = None, attributes: Optional[dict] = None,
                     application_id: str = DEFAULT_SKILL_ID,
                     user_id: str = "amzn1.ask.account.TEST") -> dict:
    request = dict(request)
    request.setdefault("requestId", f"amzn1.echo-api.request.{uuid.uuid4()}")
    request.setdefault("timestamp", now_timestamp())
    request.setdefault("locale", locale)
    application = {"applicationId": application_id}
    user = {"userId": user_id}
    return {
        "version": "1.0",
        "session": {"new": new, "sessionId": session_id or f"amzn1.echo-api.session.{uuid.uuid4()}",
                    "application": application, "attributes": dict(attributes or {}),
                    "user": user},
        "context": {"System": {"application": application, "user": user,
                               "device": {"deviceId": "amzn1.ask.device.TEST",
                                          "supportedInterfaces": {}},
                               "apiEndpoint": "https://api.amazonalexa.com"}},
        "request": request,
    }


def launch_request() -> dict:
    return {"type": "LaunchRequest"}


def intent_request(name: str, slots: Optional[dict] = None) -> dict:
    return {"type": "IntentRequest",
            "intent": {"name": name, "confirmationStatus": "NONE", "slots": slots or {}}}


def symptom_slot(words: str, symptom_id: Optional[str],
                 application_id: str = DEFAULT_SKILL_ID) -> dict:
    """The `symptom` slot as Alexa fills it, resolved to `symptom_id` (None: no match)."""
    return resolved_slot("symptom", "SymptomType", words, symptom_id, application_id)


def resolved_slot(name: str, slot_type: str, words: str, value_id: Optional[str],
                  application_id: str = DEFAULT_SKILL_ID) -> dict:
    """A custom slot as Alexa fills it after entity resolution (value_id None: no match)."""
    status = "ER_SUCCESS_MATCH" if value_id else "ER_SUCCESS_NO_MATCH"
    authority = {"authority": f"amzn1.er-authority.echo-sdk.{application_id}.{slot_type}",
                 "status": {"code": status}}
    if value_id:
        authority["values"] = [{"value": {"name": words, "id": value_id}}]
    return {name: {"name": name, "value": words, "confirmationStatus": "NONE", "source": "USER",
                   "resolutions": {"resolutionsPerAuthority": [authority]}}}


def session_ended_request(reason: str = "USER_INITIATED") -> dict:
    return {"type": "SessionEndedRequest", "reason": reason}


def now_timestamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
