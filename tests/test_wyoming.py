"""The Wyoming service end to end: `sciatica-skill wyoming` in a subprocess, driven over TCP with
the wyoming package's AsyncTcpClient the way Home Assistant's conversation agent drives it
(issue 14): describe, whole screens to each outcome in en-US and es-US, a one-shot emergency,
the clinician checklist, concurrent conversations, and the idle expiry."""
from __future__ import annotations

import asyncio
import uuid

import pytest
from wyoming.error import Error
from wyoming.handle import Handled
from wyoming.info import Describe, Info

from skill.content.loader import load_content
from skill.content.plain_speech import render_spoken
from wyoming_service import exchange, run, running_service, say

YES = {"en": "yes", "es": "sí"}
NO = {"en": "no", "es": "no"}


@pytest.fixture(scope="module")
def service():
    with running_service("--profile", "public") as running:
        yield running


def handled(event) -> Handled:
    assert event is not None and Handled.is_type(event.type), event
    return Handled.from_event(event)


def test_describe_lists_a_handle_program_with_each_locale_and_its_language(service):
    info = Info.from_event(run(exchange(service.port, Describe().event())))
    (program,) = info.handle
    assert program.installed and program.name == "sciatica-check"
    languages = {model.name: model.languages for model in program.models}
    assert languages == {"sciatica-check-en-US": ["en-US", "en"],
                         "sciatica-check-es-US": ["es-US", "es"]}
    assert not info.asr and not info.tts and not info.intent


def _asked(content, text: str):
    """The screen question whose words are in `text`, if any."""
    for question in content.screen_questions:
        if render_spoken((question.ask,), content.values, content.locale) in text:
            return question
    return None


async def _screen_to(port: int, locale: str, target: str) -> list:
    """A whole screen: yes to the first question that leads to `target`, no to the rest and to
    every offer after it, until the conversation ends. Returns the Handled replies."""
    content = load_content(locale)
    language = locale.split("-")[0]
    wanted = next((q.id for q in content.screen_questions if q.outcome_if_yes == target), None)
    conversation = str(uuid.uuid4())
    replies = [handled(await say(port, "start sciatica check" if language == "en"
                                 else "abre revisión de ciática", conversation,
                                 language=locale))]
    for _ in range(40):
        if replies[-1].context["ended"]:
            return replies
        question = _asked(content, replies[-1].text)
        word = YES[language] if question is not None and question.id == wanted else NO[language]
        replies.append(handled(await say(port, word, conversation, language=locale)))
    raise AssertionError(f"the conversation did not end: {replies[-1].text}")


@pytest.mark.parametrize("locale", ["en-US", "es-US"])
@pytest.mark.parametrize("target", ["emergency", "urgent", "soon", "self_care"])
def test_a_whole_screen_reaches_each_outcome_in_plain_text(service, locale, target):
    if target == "emergency":   # the emergency conversation goes on (the handover), then stop
        content = load_content(locale)
        conversation = str(uuid.uuid4())
        first = handled(run(say(service.port, "hola" if locale == "es-US" else "hello",
                                conversation, language=locale)))
        assert "9 1 1" in first.text
        answer = handled(run(say(service.port, YES[locale[:2]], conversation, language=locale)))
        assert answer.context["outcome"] == "emergency"
        assert answer.text.startswith(render_spoken(content.outcomes["emergency"].speech[:1],
                                                    content.values, locale))
        assert content.speech["emergency_card"] not in answer.text   # no Alexa app here
        stop = handled(run(say(service.port, "stop" if locale == "en-US" else "para",
                               conversation, language=locale)))
        assert stop.context["ended"] and "9 1 1" in stop.text
        return
    replies = run(_screen_to(service.port, locale, target))
    outcomes = [reply.context["outcome"] for reply in replies if reply.context["outcome"]]
    assert outcomes and set(outcomes) == {target}
    for reply in replies:
        assert "<" not in reply.text and "Alexa" not in reply.text, reply.text   # plain, no SSML
    assert "9 1 1" in " ".join(reply.text for reply in replies)


def test_a_one_shot_emergency_says_the_action_first_with_the_number(service):
    """The first words of a new conversation name a cauda equina sign: as on Alexa, the
    emergency at once, its action first, with the number, in full (the handover spoken, no
    pointer to an app), and the conversation stays open for the teach-back."""
    reply = handled(run(say(service.port, "I can't control my bladder", str(uuid.uuid4()))))
    assert reply.context["outcome"] == "emergency" and not reply.context["ended"]
    assert reply.text.startswith("Go to the nearest emergency room now, or call 9 1 1.")
    content = load_content("en-US")
    assert "Tell them your age" in reply.text and content.speech["emergency_card"] not in reply.text


def test_the_clinician_checklist_runs_in_english(service):
    conversation = str(uuid.uuid4())
    said = [handled(run(say(service.port, words, conversation))).text
            for words in ("clinician mode", "red flags", "stop")]
    assert said[0].startswith("Clinician mode.")
    assert "Alexa" not in " ".join(said)
    assert said[1] != said[0]


def test_twenty_conversations_at_once_never_cross(service):
    """Half answer yes to the first question (an emergency), half no: each conversation's
    second answer must follow from its own first, however the turns interleave."""
    async def one(index: int):
        conversation = f"concurrent-{index}-{uuid.uuid4()}"
        first = handled(await say(service.port, "hello", conversation,
                                  satellite=f"satellite.room_{index}"))
        word = "yes" if index % 2 else "no"
        second = handled(await say(service.port, word, conversation,
                                   satellite=f"satellite.room_{index}"))
        return index, first, second

    async def all_at_once():
        return await asyncio.gather(*(one(index) for index in range(20)))

    for index, first, second in run(all_at_once()):
        assert first.context["outcome"] is None
        assert (second.context["outcome"] == "emergency") == bool(index % 2), (index, second)


def test_without_a_conversation_id_each_transcript_is_its_own_conversation(service):
    handled(run(say(service.port, "hello", None)))
    reply = handled(run(say(service.port, "yes", None)))
    # A lone "yes" is a new conversation: the welcome and the first question, not an answer.
    assert reply.context["outcome"] is None and "9 1 1" in reply.text


def test_an_idle_conversation_expires_and_the_next_words_start_again():
    with running_service("--profile", "public", "--conversation-idle", "1") as service:
        conversation = str(uuid.uuid4())
        handled(run(say(service.port, "hello", conversation)))
        run(asyncio.sleep(2.5))
        reply = handled(run(say(service.port, "yes", conversation)))
        assert reply.context["outcome"] is None   # not counted as an answer to a lost question
        assert reply.text.startswith("Sciatica Check")


def test_an_unknown_event_gets_an_error_and_the_connection_still_answers(service):
    async def both():
        from wyoming.client import AsyncTcpClient
        from wyoming.event import Event
        async with AsyncTcpClient("127.0.0.1", service.port) as client:
            await client.write_event(Event(type="synthesize", data={"text": "hi"}))
            first = await asyncio.wait_for(client.read_event(), 10)
            await client.write_event(Describe().event())
            return first, await asyncio.wait_for(client.read_event(), 10)
    error, info = run(both())
    assert Error.is_type(error.type) and Error.from_event(error).code == "unknown-event"
    assert Info.is_type(info.type)
