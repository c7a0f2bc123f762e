"""Bad input and load against the Wyoming service (issue 14): each gets an `error` event or a
closed connection, never a crash; other clients go on being answered; no state crosses
conversations. Raw sockets where the wyoming client would refuse to send the bytes."""
from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.event import Event, async_read_event
from wyoming.handle import Handled
from wyoming.info import Describe, Info

from skill.wyoming.conversations import Conversations, Kept
from skill.wyoming.service import MAX_EVENT_BYTES, MAX_TEXT_CHARS
from wyoming_service import exchange, run, running_service, say, transcript


@pytest.fixture(scope="module")
def service():
    with running_service("--profile", "public", "--max-connections", "12",
                         "--connection-idle", "2", "--max-conversations", "10") as running:
        yield running


def _error_code(event) -> str:
    assert event is not None and Error.is_type(event.type), event
    return Error.from_event(event).code


async def _raw(port: int, data: bytes, close_write: bool = False):
    """Send raw bytes; return (the first event back or None, whether the server then closed)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    if close_write:
        writer.write_eof()
    event = await asyncio.wait_for(async_read_event(reader), 10)
    closed = await asyncio.wait_for(reader.read(), 10) == b""
    writer.close()
    return event, closed


def _still_answers(service) -> None:
    info = run(exchange(service.port, Describe().event()))
    assert Info.is_type(info.type)
    reply = run(say(service.port, "hello", str(uuid.uuid4())))
    assert Handled.is_type(reply.type) and "9 1 1" in Handled.from_event(reply).text
    assert service.process.poll() is None


@pytest.mark.parametrize("data, code", [
    ({"type": "transcript", "data": {}}, "no-text"),
    ({"type": "transcript", "data": {"text": ""}}, "no-text"),
    ({"type": "transcript", "data": {"text": "   "}}, "no-text"),
    ({"type": "transcript", "data": {"text": 42}}, "no-text"),
    ({"type": "transcript", "data": {"text": "yes " * (MAX_TEXT_CHARS // 4 + 1)}}, "text-too-long"),
    ({"type": "transcript", "data": {"text": "yes", "context": "room 2"}}, "bad-context"),
    ({"type": "transcript", "data": {"text": "yes", "context": {"conversation_id": 7}}},
     "bad-context"),
    ({"type": "transcript", "data": {"text": "yes", "context": {"conversation_id": "x" * 300}}},
     "bad-context"),
    ({"type": "transcript", "data": {"text": "yes", "language": ["en"]}}, "bad-context"),
    ({"type": "synthesize", "data": {"text": "hello"}}, "unknown-event"),
    ({"type": "audio-chunk", "data": {"rate": 16000}}, "unknown-event"),
])
def test_a_request_it_cannot_take_gets_an_error_and_the_connection_goes_on(service, data, code):
    async def twice():
        async with AsyncTcpClient("127.0.0.1", service.port) as client:
            await client.write_event(Event(type=data["type"], data=data["data"]))
            first = await asyncio.wait_for(client.read_event(), 10)
            await client.write_event(Describe().event())
            return first, await asyncio.wait_for(client.read_event(), 10)
    first, then = run(twice())
    assert _error_code(first) == code
    assert Info.is_type(then.type)


@pytest.mark.parametrize("data, code", [
    (b"this is not json\n", "not-an-event"),
    (b"\xff\xfe{\"type\": \"transcript\"}\n", "not-utf-8"),
    (b'{"type": "transcript", "data": {"text": "\xe9t\xe9"}}\n', "not-utf-8"),
    (b'{"data": {"text": "yes"}}\n', "not-an-event"),
    (b'[1, 2, 3]\n', "not-an-event"),
    (b'{"type": "transcript", "data": [1]}\n', "not-an-event"),
    (b'{"type": "transcript", "data_length": 5}\n[1,2]', "not-an-event"),
    (json.dumps({"type": "transcript", "data_length": MAX_EVENT_BYTES * 16}).encode() + b"\n",
     "too-large"),
    (b'{"type": "transcript", "data": {"text": "' + b"a" * (MAX_EVENT_BYTES * 2) + b'"}}\n',
     "too-large"),
])
def test_bytes_that_are_not_a_wyoming_event_get_an_error_and_a_closed_connection(service, data,
                                                                              code):
    event, closed = run(_raw(service.port, data))
    assert _error_code(event) == code and closed
    _still_answers(service)


def test_a_client_gone_mid_event_is_forgotten_and_the_service_goes_on(service):
    async def gone():
        for cut in (b'{"type": "transcript", "data_length": 100}\n{"text": "y',
                    b'{"type": "transcr', b'{"type": "transcript", "payload_length": 9}\n'):
            reader, writer = await asyncio.open_connection("127.0.0.1", service.port)
            writer.write(cut)
            await writer.drain()
            writer.close()
        # And one that disconnects while its answer is being worked out.
        reader, writer = await asyncio.open_connection("127.0.0.1", service.port)
        from wyoming.event import async_write_event
        await async_write_event(transcript("hello", str(uuid.uuid4())), writer)
        writer.close()
        await asyncio.sleep(0.5)
    run(gone())
    _still_answers(service)


def test_idle_connections_are_closed_and_a_flood_of_them_is_refused_not_queued(service):
    async def flood():
        idle = [await asyncio.open_connection("127.0.0.1", service.port) for _ in range(8)]
        # Below the limit: another client is answered at once, beside the idle ones.
        reply = await say(service.port, "hello", str(uuid.uuid4()))
        more = [await asyncio.open_connection("127.0.0.1", service.port) for _ in range(4)]
        refused, _ = await _raw(service.port, b"")
        # The idle ones are closed after --connection-idle (2 s) with nothing said.
        ends = await asyncio.gather(*(asyncio.wait_for(reader.read(), 10)
                                      for reader, _ in idle + more))
        for _, writer in idle + more:
            writer.close()
        return reply, refused, ends
    reply, refused, ends = run(flood())
    assert Handled.is_type(reply.type)
    assert _error_code(refused) == "busy"
    assert ends == [b""] * 12
    _still_answers(service)


def test_a_flood_of_new_conversations_keeps_the_newest_and_never_crosses(service):
    async def flood():
        ids = [f"flood-{index}-{uuid.uuid4()}" for index in range(40)]
        for start in range(0, len(ids), 8):   # eight at a time: within --max-connections
            await asyncio.gather(*(say(service.port, "hello", conversation)
                                   for conversation in ids[start:start + 8]))
        # --max-conversations 10: the newest still answer; the first were ended to make room.
        newest = await say(service.port, "yes", ids[-1])
        oldest = await say(service.port, "yes", ids[0])
        return newest, oldest
    newest, oldest = run(flood())
    assert Handled.from_event(newest).context["outcome"] == "emergency"   # its own answer
    # The oldest was ended: its "yes" starts a new conversation, never an answer to another's.
    assert Handled.from_event(oldest).context["outcome"] is None
    _still_answers(service)


def test_the_conversation_table_is_bounded_and_forgets_the_idle():
    clock = [0.0]
    table = Conversations(idle_seconds=10, limit=3, now=lambda: clock[0])
    ended = []
    for index in range(5):
        clock[0] += 1
        ended += table.keep(f"c{index}", Kept({"screen": index}, "en-US"))
    assert len(table) == 3 and [kept.kept["screen"] for kept in ended] == [0, 1]
    assert table.take("c0") is None and table.take("c4").kept == {"screen": 4}
    clock[0] += 11
    assert [kept.kept["screen"] for kept in table.purge()] == [2, 3]
    assert len(table) == 0


def test_two_conversations_on_one_satellite_keep_their_own_answers(service):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    run(say(service.port, "hello", first))
    run(say(service.port, "hello", second))
    no = Handled.from_event(run(say(service.port, "no", first)))
    yes = Handled.from_event(run(say(service.port, "yes", second)))
    assert no.context["outcome"] is None and yes.context["outcome"] == "emergency"


def test_a_turn_that_fails_still_says_the_emergency_number_as_not_handled():
    """Whatever breaks inside a turn (here: a bug stood in for by an exception), the person
    hears the safe answer with the number, as not-handled, and the service goes on."""
    from wyoming.handle import NotHandled

    from skill.memory.settings import Settings
    from skill.wyoming.service import SciaticaService
    from skill.wyoming.turns import Heard, SpeakerSkill

    skill = SpeakerSkill("en-US", Settings(profile="public", memory_enabled=False))
    broken = {"yes": True}

    def answer(heard):
        if broken["yes"]:
            raise TypeError("a bug")
        return SpeakerSkill.answer(skill, heard)

    skill.answer = answer
    service = SciaticaService(skill)
    try:
        failed = run(service.answer(Heard("hello", "c1", "satellite.x", "en")))
        broken["yes"] = False
        then = run(service.answer(Heard("hello", "c1", "satellite.x", "en")))
    finally:
        service.close()
    assert NotHandled.is_type(failed.type) and "9 1 1" in NotHandled.from_event(failed).text
    assert Handled.is_type(then.type)
