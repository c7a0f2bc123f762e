"""One transcript through the core: the words to an event (language/nlu.py, then the one intent
table, conversation/intents.py), the conversation's kept state in and out (conversations.py), the
turn itself (conversation/converse.py, the same as Alexa's), and the prompt as plain text for a
room speaker. Synchronous and free of asyncio: service.py runs it on its worker thread, and the
benchmarks and tests call it directly.

What Alexa puts on a card is spoken or left out as suits a room speaker: a sentence pointing to
the Alexa app is replaced by the content's room_speaker words; the emergency card's handover
(what to tell the dispatcher) is said in its place, so the emergency is said in full.

The region is the deployment's (--locale: the room is where the service runs); a transcript's
language only chooses among the locales of that region (en-US and es-US in the US). A language
the region has no content for hears region_not_supported, which names no number (hazard H05)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from typing import Callable, Dict, List, Optional

from skill.content.clinician import load_clinician_content
from skill.content.loader import (DEFAULT_LOCALE, ROOM_SPEAKER_KEYS, Content,
                                  available_locales, load_content)
from skill.conversation.converse import ExamPlace, Exchange, converse, end_conversation
from skill.conversation.state import Event
from skill.conversation.intents import event_for_request
from skill.language.interaction_model import build_interaction_model
from skill.language.nlu import resolve
from skill.content.plain_speech import render_spoken
from skill.memory.device_records import DeviceRecords, device_key
from skill.memory.exam_store import ExamKeeper
from skill.memory.settings import Settings
from skill.wyoming.conversations import Conversations, Kept
from skill.wyoming.effects import SpeakerEffects

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Heard:
    """One transcript as Home Assistant sends it: the words, and its context."""

    text: str
    conversation_id: Optional[str] = None
    device: Optional[str] = None        # satellite_id, else device_id
    language: Optional[str] = None


@dataclass(frozen=True)
class SpeakerResponse:
    """What the room speaker says back to one transcript."""

    text: str
    ended: bool                         # the conversation is over: nothing kept for it
    outcome: Optional[str] = None


class SpeakerSkill:
    """The skill for a room speaker, built once: content and interaction models for the
    region's locales, the conversations, and where memory is kept (None: nowhere)."""

    def __init__(self, locale: str = DEFAULT_LOCALE, settings: Optional[Settings] = None,
                 records: Optional[DeviceRecords] = None,
                 clock: Callable[[], date] = date.today,
                 conversations: Optional[Conversations] = None, salt: Optional[str] = None):
        if locale not in available_locales():
            raise ValueError(f"no content for locale {locale!r}: one of "
                             f"{', '.join(available_locales())}")
        self.locale = locale
        region = _region(locale)
        self.contents: Dict[str, Content] = {
            name: load_content(name) for name in available_locales() if _region(name) == region}
        for name in self.contents:
            load_clinician_content(name)   # checked at start, like Alexa's companion files
        self.models = {name: build_interaction_model(name) for name in self.contents}
        self._also = {other.lower(): name for name, content in self.contents.items()
                      for other in content.also_serves}
        settings = settings or Settings()
        self.memory_enabled = settings.memory_enabled and records is not None
        self.records = records if self.memory_enabled else None
        self.exams: Optional[ExamKeeper] = (self.records.exam_keeper(salt)
                                            if self.records is not None else None)
        self.salt = salt
        self.clock = clock
        self.conversations = conversations if conversations is not None else Conversations()

    def languages(self) -> Dict[str, List[str]]:
        """Per locale served, the language codes a transcript may carry for it."""
        served = {name: [name] for name in self.contents}
        for name in sorted(self.contents, key=lambda name: name != self.locale):
            language = name.split("-")[0]
            if not any(language in codes for codes in served.values()):
                served[name].append(language)
        return served

    def answer(self, heard: Heard) -> SpeakerResponse:
        """One turn. Raises only for a bug: the service then says the safe answer."""
        self.sweep()
        found = self.conversations.take(heard.conversation_id) \
            if heard.conversation_id else None
        content = self._content(found.locale if found else self._locale_for(heard.language))
        device = found.device if found and found.device else heard.device
        key = device_key(device, self.salt) if self.records is not None and device else None
        effects = SpeakerEffects(self.records, key)
        new = found is None
        if content.serves_region:
            request = resolve(self.models[content.locale], heard.text, in_session=not new,
                              locale=content.locale)
            event = event_for_request(request, effects.watch_until)
        else:
            event = Event.LAUNCH
        if event is None:   # "exit": here as "stop", so a room speaker still says goodbye
            event = Event.STOP
        exchange = converse(content, found.kept if found else {}, new, event,
                            lambda: self.clock().isoformat(), key is not None, effects,
                            self._exam_place(device))
        ended = exchange.prompt.end_session or not exchange.kept
        if heard.conversation_id and not ended:
            for evicted in self.conversations.keep(
                    heard.conversation_id, Kept(exchange.kept, content.locale, device)):
                self.end(evicted)
        elif found is not None and not exchange.prompt.end_session:
            self.end(Kept(exchange.kept, content.locale, device))
        outcome = exchange.kept.get("outcome") if exchange.kept else None
        return SpeakerResponse(spoken_text(content, exchange), ended, outcome)

    def sweep(self) -> None:
        """End every conversation idle too long (keeping a clinician's exam in progress)."""
        for ended in self.conversations.purge():
            self.end(ended)

    def end(self, conversation: Kept) -> None:
        """A conversation over without "stop": its exam in progress is kept, as on Alexa."""
        try:
            end_conversation(self._content(conversation.locale), conversation.kept,
                             self._exam_place(conversation.device))
        except Exception:  # noqa: BLE001 - ending one conversation must not fail another turn
            logger.exception("could not end a conversation cleanly")

    def safe_answer(self, language: Optional[str] = None) -> str:
        """The words for a transcript that went wrong: the emergency number where known."""
        content = self._content(self._locale_for(language))
        key = "error" if content.serves_region else "region_not_supported"
        return render_spoken((content.speech[key],), content.values, content.locale)

    def _exam_place(self, device: Optional[str]) -> Optional[ExamPlace]:
        if self.exams is None or not device:
            return None
        return self.exams.at(lambda: device_key("exam-in-progress\n" + device, self.salt))

    def _content(self, locale: str) -> Content:
        if locale in self.contents:
            return self.contents[locale]
        return replace(self.contents[self.locale], serves_region=False)

    def _locale_for(self, language: Optional[str]) -> str:
        """The served locale for a transcript's language: the same locale, one it also serves,
        or the region's locale of that language; otherwise a locale with no content here."""
        if not isinstance(language, str) or not language.strip():
            return self.locale
        wanted = language.strip().replace("_", "-")
        for name in self.contents:
            if name.lower() == wanted.lower():
                return name
        if wanted.lower() in self._also:
            return self._also[wanted.lower()]
        code = wanted.split("-")[0].lower()
        same = sorted((name for name in self.contents if name.split("-")[0].lower() == code),
                      key=lambda name: name != self.locale)
        return same[0] if same else wanted


def spoken_text(content: Content, exchange: Exchange) -> str:
    """A prompt as plain text for a room speaker (see the module docstring)."""
    prompt = exchange.prompt
    values = {**content.values, **dict(prompt.values)}
    said = set(prompt.speech)
    card_only = tuple(line for line in prompt.card.body if line not in said) \
        if prompt.card is not None else ()
    replaced = {content.speech[key]: content.room_speaker.get(key) for key in ROOM_SPEAKER_KEYS}
    parts: List[str] = []
    for text in prompt.speech:
        if content.serves_region and text == content.speech["emergency_card"]:
            parts.extend(card_only)    # the handover, said instead of "it's in your app"
        elif text in replaced:
            if replaced[text]:
                parts.append(replaced[text])
        else:
            parts.append(text)
    return render_spoken(parts, values, content.locale)


def _region(locale: str) -> str:
    return locale.split("-")[-1].upper()
