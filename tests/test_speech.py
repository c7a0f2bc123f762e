"""SSML that Alexa accepts: well formed, supported tags only, text escaped, numbers voiced."""
import xml.etree.ElementTree as ElementTree

import pytest

from dialog import Dialog
from skill.content.loader import available_locales, load_content
from skill.alexa.speech import render_ssml, render_text

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
    values = {**content.values, "position": "1", "total": "12"}   # help's question counter
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


def test_a_number_inside_a_fact_is_voiced_too():
    facts = {"same_day_care": "your GP, or call NHS 111", "line": "healthdirect on 1800 022 222"}
    ssml = render_ssml(("See {same_day_care}.", "Call {line}."), facts)
    assert_alexa_ssml(ssml)
    assert 'NHS <say-as interpret-as="digits">111</say-as>.' in ssml
    assert 'on <say-as interpret-as="telephone">1800 022 222</say-as>.' in ssml
    assert render_text(("Call {line}.",), facts) == "Call healthdirect on 1800 022 222."


EMERGENCY_NUMBERS = {"en-US": "911", "en-GB": "999", "en-AU": "000", "en-CA": "911",
                     "en-IN": "112", "es-US": "911"}


@pytest.mark.parametrize("locale", available_locales())
def test_every_locale_says_its_emergency_number_digit_by_digit(locale):
    content = load_content(locale)
    number = content.values["emergency_number"]
    assert number == EMERGENCY_NUMBERS.get(locale, number)
    said_as_digits = f'<say-as interpret-as="digits">{number}</say-as>'
    for text in (content.speech["welcome"], content.speech["error"],
                 content.outcomes["emergency"].speech[0], content.outcomes["urgent"].speech[-1]):
        assert said_as_digits in render_ssml((text,), content.values), text
    assert number in render_text((content.outcomes["emergency"].card_title,), content.values)


@pytest.mark.parametrize("locale, spoken", [
    ("en-GB", 'NHS <say-as interpret-as="digits">111</say-as>'),
    ("en-AU", 'eighteen hundred Medicare on <say-as interpret-as="telephone">1800 633 422</say-as>'),
    ("en-CA", '<say-as interpret-as="digits">811</say-as> in most provinces'),
])
def test_advice_lines_are_read_as_numbers(locale, spoken):
    content = load_content(locale)
    assert spoken in render_ssml((content.outcomes["urgent"].speech[0],), content.values)


@pytest.mark.parametrize("locale", available_locales())
def test_no_digits_in_spoken_text_outside_the_facts(locale):
    """A number typed into a text would be read as a quantity ("nine hundred eleven"): numbers
    belong in `facts`, where speech.py voices them."""
    content = load_content(locale)
    for text in every_text(content):
        assert not any(ch.isdigit() for ch in text), text


@pytest.mark.parametrize("locale", available_locales())
def test_every_response_in_a_full_conversation_is_valid_ssml(skill, locale):
    dialog = Dialog(skill, locale)
    turns = [dialog.launch(), dialog.intent("AMAZON.HelpIntent"), dialog.not_sure()]
    turns += [dialog.no() for _ in range(12)]
    turns += [dialog.intent("AMAZON.NextIntent") for _ in range(8)]
    for turn in turns:
        assert_alexa_ssml(turn.ssml)
        if not turn.ends_session:
            assert_alexa_ssml(turn.body["reprompt"]["outputSpeech"]["ssml"])
