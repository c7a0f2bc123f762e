"""Prompt -> SSML and plain text. The only place SSML is written: text is escaped here, and
values such as the emergency number are spoken the way a listener needs them."""
from __future__ import annotations

import functools
import re
from datetime import date
from typing import Mapping, Sequence, Tuple

# Plain text is platform-neutral (content/plain_speech.py); kept importable from here.
from skill.content.plain_speech import render_text  # noqa: F401

PAUSE = '<break time="300ms"/>'
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"\d+(?: \d+)*")   # digits, in groups separated by single spaces


def render_ssml(parts: Sequence[str], values: Mapping[str, str]) -> str:
    """Join spoken parts with a short pause, escape them, and voice the values."""
    return "<speak>" + PAUSE.join(_render_part(part, values) for part in parts if part) + "</speak>"


def _render_part(text: str, values: Mapping[str, str]) -> str:
    template = _template(text)
    if len(template) == 1:          # no placeholder: the escaped text, worked out once
        return template[0]
    pieces = [template[0]]
    for index in range(1, len(template), 2):
        name = template[index]
        pieces.append(_voice_value(values[name]) if name in values else escape("{" + name + "}"))
        pieces.append(template[index + 1])
    return "".join(pieces)


@functools.lru_cache(maxsize=4096)
def _template(text: str) -> Tuple[str, ...]:
    """A text split at its placeholders: escaped text, name, escaped text, ... (odd length).
    The texts are the content's (a fixed set), so each is parsed and escaped once; the cache
    is bounded all the same."""
    pieces = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        pieces.append(escape(text[position:match.start()]))
        pieces.append(match.group(1))
        position = match.end()
    pieces.append(escape(text[position:]))
    return tuple(pieces)


@functools.lru_cache(maxsize=1024)
def _voice_value(value: str) -> str:
    if _ISO_DATE.match(value):
        # Alexa reads a date in the listener's own locale ("December tenth"). The skill's dates
        # are all within weeks of today, so the year is left out ("????"): shorter to hear.
        return f'<say-as interpret-as="date">????{value[5:7]}{value[8:10]}</say-as>'
    # A number, alone ("911") or inside a fact ("call NHS 111", "healthdirect on 1800 022 222").
    pieces = []
    position = 0
    for match in _NUMBER.finditer(value):
        pieces.append(escape(value[position:match.start()]))
        pieces.append(_voice_number(match.group()))
        position = match.end()
    pieces.append(escape(value[position:]))
    return "".join(pieces)


def _voice_number(number: str) -> str:
    digits = number.replace(" ", "")
    if len(digits) <= 4:
        # "911" must be heard as nine one one, never "nine hundred eleven".
        return f'<say-as interpret-as="digits">{escape(digits)}</say-as>'
    # A phone number in groups ("1800 022 222"): read the way people say phone numbers.
    return f'<say-as interpret-as="telephone">{escape(number)}</say-as>'


def escape(text: str) -> str:
    """&, < and > as SSML needs them. Not xml.sax.saxutils.escape: importing xml.sax.saxutils
    imports urllib.request (http, ssl, email), a fifth of a cold start, for three replaces."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """escape() undone, for SSML whose tags are already taken out: &lt;, &gt;, &quot; and, last,
    &amp; (last, so that a written "&amp;lt;" comes back as "&lt;", not "<")."""
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return text.replace("&amp;", "&")


def speech_text(output_speech: dict) -> str:
    """What a listener hears, without the SSML markup."""
    if output_speech.get("type") == "PlainText":
        return output_speech.get("text", "")
    ssml = output_speech.get("ssml", "")
    text = re.sub(r'<say-as interpret-as="date">\?{4}(\d{2})(\d{2})</say-as>',
                  lambda match: date(2000, *map(int, match.groups())).strftime("%B %-d"), ssml)
    text = re.sub(r"<break[^>]*/>", " ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", unescape(text)).strip()
