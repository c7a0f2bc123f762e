"""The Wyoming handle service: `describe` gets an `info` naming a handle program and the languages
it serves; a `transcript` gets `handled` (plain text) or, after a failure, `not-handled` with the
safe answer; anything it cannot take gets an `error` event. The protocol is the `wyoming`
package's (AsyncServer, AsyncEventHandler, async_read_event and the event classes); this module
adds only the limits a service on a clinic's network needs:

- an event (header line, data and payload) of at most MAX_EVENT_BYTES, a transcript of at most
  MAX_TEXT_CHARS: beyond that an `error`, and for an event too large to read, a closed connection;
- a connection silent for `idle_seconds` is closed, and beyond `max_connections` a new one gets
  an `error` and is closed, so idle sockets cannot starve the rest;
- bytes that are not UTF-8 JSON, a header without a type, a client gone mid-event: an `error`
  where the socket still takes one, then the connection is closed; the service goes on.

Turns run one at a time on one worker thread, which alone touches the conversations and the
store (turns.SpeakerSkill): the event loop stays free to answer everyone else, and no state can
cross conversations through a race."""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Optional

from wyoming.asr import Transcript
from wyoming.error import Error
from wyoming.event import Event, async_read_event
from wyoming.handle import Handled, NotHandled
from wyoming.info import Attribution, Describe, HandleModel, HandleProgram, Info
from wyoming.ping import Ping, Pong
from wyoming.server import AsyncEventHandler, AsyncServer

from skill.wyoming.turns import Heard, SpeakerSkill

logger = logging.getLogger(__name__)

MAX_EVENT_BYTES = 64 * 1024          # far above any transcript; asyncio's line limit too
MAX_TEXT_CHARS = 1000                # a spoken answer is a sentence or two
MAX_ID_CHARS = 256                   # conversation, device and satellite ids
DEFAULT_IDLE_SECONDS = 10.0          # Home Assistant writes its transcript at once
DEFAULT_MAX_CONNECTIONS = 128
PROGRAM = "sciatica-check"
ATTRIBUTION = Attribution(name="Sciatica Check", url="https://pypi.org/project/sciatica-check/")


class EventRefused(ValueError):
    """Raised inside async_read_event (which answers a ValueError with "no event"), with the
    reason the service then sends as an `error` before closing."""

    def __init__(self, code: str, text: str):
        super().__init__(text)
        self.code, self.text = code, text


class LimitedReader:
    """The connection's StreamReader as async_read_event uses it (readline, readexactly), with
    the idle time and the event size enforced. `refused` holds why the last event was not read."""

    def __init__(self, reader: asyncio.StreamReader, idle_seconds: float, max_bytes: int):
        self._reader, self._idle, self._max = reader, idle_seconds, max_bytes
        self._left = max_bytes
        self.refused: Optional[EventRefused] = None

    async def readline(self) -> bytes:
        self.refused = None
        try:
            line = await asyncio.wait_for(self._reader.readline(), self._idle)
        except asyncio.TimeoutError:
            raise self._refuse("idle", "no event within the idle time: closing") from None
        except ValueError:   # asyncio's line limit: a header line beyond MAX_EVENT_BYTES
            raise self._refuse("too-large", "event header too large") from None
        self._left = self._max - len(line)
        if line and not line.rstrip(b"\r\n"):
            raise self._refuse("not-an-event", "an empty line is not a Wyoming event")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            raise self._refuse("not-utf-8", "the event header is not UTF-8") from None
        return line

    async def readexactly(self, count: int) -> bytes:
        if not isinstance(count, int) or count > self._left:
            raise self._refuse("too-large", f"event larger than {self._max} bytes")
        self._left -= count
        try:
            return await asyncio.wait_for(self._reader.readexactly(count), self._idle)
        except asyncio.TimeoutError:
            raise self._refuse("idle", "event cut short: closing") from None

    def at_eof(self) -> bool:
        return self._reader.at_eof()

    def feed_eof(self) -> None:
        self._reader.feed_eof()

    def _refuse(self, code: str, text: str) -> EventRefused:
        self.refused = EventRefused(code, text)
        return self.refused


class SciaticaHandler(AsyncEventHandler):
    """One client connection (Home Assistant opens one per transcript)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 service: "SciaticaService"):
        super().__init__(LimitedReader(reader, service.idle_seconds, MAX_EVENT_BYTES), writer)
        self.service = service

    async def run(self) -> None:
        """AsyncEventHandler.run, with every way a read can fail answered, never raised."""
        service = self.service
        try:
            if service.connections >= service.max_connections:
                await self._error("busy", "too many connections: try again")
                return
            service.connections += 1
            try:
                while True:
                    try:
                        event = await async_read_event(self.reader)
                    except (ConnectionError, asyncio.IncompleteReadError):
                        return   # the client went away mid-event: nobody to answer
                    except Exception as problem:  # noqa: BLE001 - e.g. a header without "type"
                        await self._error("not-an-event", f"not a Wyoming event ({problem!r})")
                        return
                    if event is None:
                        refused = self.reader.refused
                        if refused is not None and refused.code != "idle":
                            await self._error(refused.code, refused.text)
                        elif refused is None and not self.reader.at_eof():
                            await self._error("not-an-event", "not a Wyoming event (not JSON)")
                        return
                    if not await self.handle_event(event):
                        return
            finally:
                service.connections -= 1
        except (ConnectionError, OSError):
            pass   # the socket is gone: nothing to say, nothing kept for this connection
        except Exception:  # noqa: BLE001 - one connection must never stop the service
            logger.exception("connection failed")
        finally:
            try:
                self.writer.close()
            except Exception:  # noqa: BLE001
                pass

    async def handle_event(self, event: Event) -> bool:
        if not isinstance(event.data, dict) or not isinstance(event.type, str):
            await self._error("not-an-event", "an event's data must be a JSON object")
            return False
        if Describe.is_type(event.type):
            await self.write_event(self.service.info().event())
            return True
        if Ping.is_type(event.type):
            await self.write_event(Pong(text=Ping.from_event(event).text).event())
            return True
        if Transcript.is_type(event.type):
            heard = heard_from(event)
            if isinstance(heard, Error):
                await self.write_event(heard.event())
                return True
            await self.write_event(await self.service.answer(heard))
            return True
        await self._error("unknown-event", f"not handled here: {event.type[:40]!r} "
                                           "(this service takes describe and transcript)")
        return True

    async def _error(self, code: str, text: str) -> None:
        try:
            await self.write_event(Error(text=text, code=code).event())
        except (ConnectionError, OSError):
            pass


def heard_from(event: Event):
    """A transcript's words and context as Heard, or the Error that says what is wrong."""
    data = event.data
    text, language, context = data.get("text"), data.get("language"), data.get("context")
    if not isinstance(text, str) or not text.strip():
        return Error(text="a transcript needs text", code="no-text")
    if len(text) > MAX_TEXT_CHARS:
        return Error(text=f"transcript longer than {MAX_TEXT_CHARS} characters: not a spoken "
                          "answer", code="text-too-long")
    if context is None:
        context = {}
    if not isinstance(context, dict) or (language is not None and not _short(language)):
        return Error(text="a transcript's context must be an object and its language a short "
                          "string", code="bad-context")
    ids = {name: context.get(name) for name in ("conversation_id", "satellite_id", "device_id")}
    if any(value is not None and not _short(value) for value in ids.values()):
        return Error(text=f"conversation, satellite and device ids must be strings of at most "
                          f"{MAX_ID_CHARS} characters", code="bad-context")
    return Heard(text=text.strip(), conversation_id=ids["conversation_id"] or None,
                 device=ids["satellite_id"] or ids["device_id"] or None, language=language)


def _short(value) -> bool:
    return isinstance(value, str) and len(value) <= MAX_ID_CHARS


class SciaticaService:
    """The skill and its worker thread, shared by every connection."""

    def __init__(self, skill: SpeakerSkill, idle_seconds: float = DEFAULT_IDLE_SECONDS,
                 max_connections: int = DEFAULT_MAX_CONNECTIONS):
        self.skill = skill
        self.idle_seconds, self.max_connections = idle_seconds, max_connections
        self.connections = 0
        # One worker: turns in arrival order, the conversations and store touched by it alone.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sciatica-turn")
        self._info = _info(skill)

    def info(self) -> Info:
        return self._info

    async def answer(self, heard: Heard) -> Event:
        loop = asyncio.get_running_loop()
        try:
            reply = await loop.run_in_executor(self._worker, self.skill.answer, heard)
            # Home Assistant reads only the text; the outcome and whether the conversation is
            # over are for logs and tests, as Alexa's sessionAttributes.outcome is.
            context = {**(_context(heard) or {}), "outcome": reply.outcome, "ended": reply.ended}
            return Handled(text=reply.text, context=context).event()
        except Exception:  # noqa: BLE001 - whatever broke, the person hears the number
            logger.exception("could not answer a transcript")
            text = await loop.run_in_executor(self._worker, self.skill.safe_answer,
                                              heard.language)
            return NotHandled(text=text, context=_context(heard)).event()

    async def sweep_forever(self, every: float) -> None:
        """End idle conversations even when nobody speaks (their exams kept on time)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(every)
            await loop.run_in_executor(self._worker, self.skill.sweep)

    def handler(self, reader: asyncio.StreamReader,
                writer: asyncio.StreamWriter) -> SciaticaHandler:
        return SciaticaHandler(reader, writer, self)

    def close(self) -> None:
        self._worker.shutdown(wait=True)


def _context(heard: Heard) -> Optional[dict]:
    return {"conversation_id": heard.conversation_id} if heard.conversation_id else None


def _info(skill: SpeakerSkill) -> Info:
    models = [HandleModel(name=f"{PROGRAM}-{locale}", attribution=ATTRIBUTION, installed=True,
                          description=f"Sciatica Check red-flag screen ({locale})",
                          version=skill.contents[locale].version, languages=codes)
              for locale, codes in skill.languages().items()]
    program = HandleProgram(name=PROGRAM, attribution=ATTRIBUTION, installed=True,
                            description="Sciatica Check: a spoken red-flag screen for sciatica, "
                                        "and a clinician's checklist",
                            version=None, models=models)
    return Info(handle=[program])


async def serve(skill: SpeakerSkill, uri: str, idle_seconds: float = DEFAULT_IDLE_SECONDS,
                max_connections: int = DEFAULT_MAX_CONNECTIONS) -> None:
    """Run the service at `uri` (tcp://host:port, unix://path) until stopped."""
    service = SciaticaService(skill, idle_seconds, max_connections)
    server = AsyncServer.from_uri(uri)
    sweeper = asyncio.ensure_future(
        service.sweep_forever(max(1.0, skill.conversations.idle_seconds / 4)))
    logger.info("Sciatica Check Wyoming service at %s", uri)
    try:
        await server.run(partial(SciaticaService.handler, service))
    finally:
        sweeper.cancel()
        service.close()
