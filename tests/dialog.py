"""A test conversation: Alexa JSON envelopes in, JSON responses out, with readable accessors;
and the helpers tests share for one response (text_of, outcome_of) and for a stored user
(RAW_USER_ID, RECORD, envelope)."""
from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Callable, Optional

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.alexa.app import handle_event
from skill.alexa.speech import speech_text
from skill.alexa.envelopes import (Conversation, intent_request, launch_request, request_envelope,
                                   resolved_slot, symptom_slot)

YES, NO, NOT_SURE = "AMAZON.YesIntent", "AMAZON.NoIntent", "NotSureIntent"

# A user id no store may keep as it is (the stores keep a salted hash), and a record to keep.
RAW_USER_ID = "amzn1.ask.account.RAWUSERIDTHATMUSTNOTBESTORED"
RECORD = {"version": 1, "visits": [{"date": "2026-11-26", "outcome": "self_care", "trend": None}],
          "episode_start": "2026-11-26", "review_date": "2026-12-10", "reminder_id": None}


def envelope(user_id: str = RAW_USER_ID, request: dict = None) -> RequestEnvelope:
    """A request from `user_id` as ask-sdk hands it to a persistence adapter."""
    body = request_envelope(request or launch_request(), user_id=user_id)
    return DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)


def text_of(response: dict) -> str:
    """What the response says, without SSML ("" when it says nothing)."""
    speech = response["response"].get("outputSpeech")
    return speech_text(speech) if speech else ""


def outcome_of(response: dict) -> Optional[str]:
    return (response.get("sessionAttributes") or {}).get("outcome")


@dataclass
class Turn:
    response: dict

    @property
    def body(self) -> dict:
        return self.response["response"]

    @property
    def ssml(self) -> str:
        return self.body["outputSpeech"]["ssml"]

    @property
    def text(self) -> str:
        return text_of(self.response)

    @property
    def reprompt(self) -> str:
        reprompt = (self.body.get("reprompt") or {}).get("outputSpeech")
        return speech_text(reprompt) if reprompt else ""

    @property
    def ends_session(self) -> bool:
        return self.body.get("shouldEndSession") is True

    @property
    def outcome(self) -> Optional[str]:
        return outcome_of(self.response)

    @property
    def card(self) -> Optional[dict]:
        return self.body.get("card")


class Dialog:
    def __init__(self, skill, locale: str = "en-US",
                 send: Optional[Callable[[dict], dict]] = None, user_id: Optional[str] = None,
                 system: Optional[dict] = None):
        """`system` is merged into every envelope's context.System (API endpoint, tokens)."""
        self.conversation = Conversation(locale=locale, user_id=user_id)
        self._send = send or (lambda envelope: handle_event(skill, envelope))
        self._system = system or {}
        self.turns: list = []

    MAX_TURNS = 200   # a conversation that never ends is a bug, not a slow test

    def request(self, request: dict) -> Turn:
        assert len(self.turns) < self.MAX_TURNS, "the conversation did not end"
        envelope = json.loads(json.dumps(self.conversation.envelope(request)))
        envelope["context"]["System"].update(json.loads(json.dumps(self._system)))
        response = self._send(envelope)
        self.conversation.absorb(response)
        turn = Turn(response)
        self.turns.append(turn)
        return turn

    def launch(self) -> Turn:
        return self.request(launch_request())

    def intent(self, name: str, slots: Optional[dict] = None) -> Turn:
        return self.request(intent_request(name, slots))

    def yes(self) -> Turn:
        return self.intent(YES)

    def no(self) -> Turn:
        return self.intent(NO)

    def not_sure(self) -> Turn:
        return self.intent(NOT_SURE)

    def symptom(self, words: str, symptom_id: Optional[str]) -> Turn:
        return self.intent("ReportSymptomIntent", symptom_slot(words, symptom_id))

    def trend(self, trend: Optional[str]) -> Turn:
        return self.intent("PainTrendIntent",
                           resolved_slot("trend", "TrendType", trend or "purple", trend))


def free_port() -> int:
    """A loopback port nothing listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
