"""A test conversation: Alexa JSON envelopes in, JSON responses out, with readable accessors."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Optional

from skill.alexa.app import handle_event
from skill.alexa.speech import speech_text
from skill.alexa.envelopes import (Conversation, intent_request, launch_request, resolved_slot,
                                   symptom_slot)

YES, NO, NOT_SURE = "AMAZON.YesIntent", "AMAZON.NoIntent", "NotSureIntent"


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
        return speech_text(self.body["outputSpeech"]) if self.body.get("outputSpeech") else ""

    @property
    def reprompt(self) -> str:
        reprompt = (self.body.get("reprompt") or {}).get("outputSpeech")
        return speech_text(reprompt) if reprompt else ""

    @property
    def ends_session(self) -> bool:
        return self.body.get("shouldEndSession") is True

    @property
    def outcome(self) -> Optional[str]:
        return (self.response.get("sessionAttributes") or {}).get("outcome")

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
