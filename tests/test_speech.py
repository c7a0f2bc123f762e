"""SSML that Alexa accepts: well formed, supported tags only, text escaped, numbers voiced."""
import xml.etree.ElementTree as ElementTree

import pytest

from dialog import Dialog
from skill.content import available_locales, load_content
from skill.speech import render_ssml, render_text

# Tags the Alexa service accepts in a custom skill's outputSpeech.
ALEXA_TAGS = {"speak", "break", "say-as", "emphasis", "lang", "p", "s", "phoneme", "prosody",
              "sub", "voice", "w", "audio", "amazon:effect", "amazon:domain", "amazon:emotion"}


def assert_alexa_ssml(ssml: str) -> None:
    root = ElementTree.fromstring(ssml)
    assert root.tag == "speak"
    for element in root.iter():
        assert element.tag in ALEXA_TAGS, element.tag
        if element.tag == "say-as":
            assert element.get("interpret-as") in {"digits", "telephone", "cardinal", "characters"}


def every_text(content):
    yield from content.speech.values()
    for question in content.questions:
        yield from (question.ask, question.reprompt, question.clarify, question.help)
    for outcome in content.outcomes.values():
        yield from (*outcome.speech, outcome.card_title)
        yield from (text for text in (outcome.offer, outcome.offer_reprompt) if text)
    yield from (chunk.text for chunk in content.advice)
    yield from content.common_symptoms.values()


@pytest.mark.parametrize("locale", available_locales())
def test_every_content_text_renders_as_valid_alexa_ssml(locale):
    content = load_content(locale)
    values = {**content.facts, "position": "1", "total": "12"}   # help's question counter
    for text in every_text(content):
        assert_alexa_ssml(render_ssml((text,), values))
        assert "{" not in render_text((text,), values)


def test_special_characters_are_escaped():
    ssml = render_ssml(("Heat & ice < 5 > 3 \"quoted\"",), {})
    assert_alexa_ssml(ssml)
    assert "&amp;" in ssml and "&lt;" in ssml


def test_emergency_number_is_read_digit_by_digit():
    ssml = render_ssml(("Call {emergency_number} now.",), {"emergency_number": "911"})
    assert '<say-as interpret-as="digits">911</say-as>' in ssml
    assert render_text(("Call {emergency_number} now.",), {"emergency_number": "911"}) == "Call 911 now."


def test_parts_are_separated_by_a_short_pause():
    assert render_ssml(("One.", "Two."), {}) == '<speak>One.<break time="300ms"/>Two.</speak>'


def test_every_response_in_a_full_conversation_is_valid_ssml(skill):
    dialog = Dialog(skill)
    turns = [dialog.launch(), dialog.intent("AMAZON.HelpIntent"), dialog.not_sure()]
    turns += [dialog.no() for _ in range(12)]
    turns += [dialog.intent("AMAZON.NextIntent") for _ in range(8)]
    for turn in turns:
        assert_alexa_ssml(turn.ssml)
        if not turn.ends_session:
            assert_alexa_ssml(turn.body["reprompt"]["outputSpeech"]["ssml"])
