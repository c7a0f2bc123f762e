"""A prompt's texts as plain text: for a card and the text chat (render_text: the placeholders
filled as written), and for a speaker whose text-to-speech is the deployer's choice
(render_spoken: no SSML, so the values are written the way a listener needs them heard).

Why spoken values are rewritten: without SSML a text-to-speech engine reads "911" as "nine
hundred eleven" and "2026-12-10" as digits. Alexa gets <say-as> (alexa/speech.py); a Wyoming
pipeline's Piper gets "9 1 1" and "December 10", which every engine reads one way. Here in content/ (beside fill) so that
both adapters reach it and the Lambda zip ships it."""
from __future__ import annotations

import re
from datetime import date
from typing import Mapping, Sequence

from skill.content.loader import fill

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DIGITS = re.compile(r"\d+(?: \d+)*")   # digits, in groups separated by single spaces
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
}


def render_text(parts: Sequence[str], values: Mapping[str, str]) -> str:
    """The parts as written, placeholders filled: for cards and the text chat."""
    return " ".join(fill(part, values) for part in parts if part)


def render_spoken(parts: Sequence[str], values: Mapping[str, str], locale: str) -> str:
    """The parts as plain text for a text-to-speech engine: numbers in the values digit by
    digit ("9 1 1"), ISO dates as the locale says them ("December 10", "10 de diciembre")."""
    language = locale.split("-")[0].lower()
    spoken = {name: spoken_value(str(value), language) for name, value in values.items()}
    return " ".join(fill(part, spoken) for part in parts if part)


def spoken_value(value: str, language: str = "en") -> str:
    if _ISO_DATE.match(value):
        day = date.fromisoformat(value)
        month = _MONTHS.get(language, _MONTHS["en"])[day.month - 1]
        # Within weeks of today, as on Alexa: the year is left out, shorter to hear.
        return f"{day.day} de {month}" if language == "es" else f"{month} {day.day}"
    # A phone number's groups stay apart, with a pause: "1 8 0 0, 0 2 2, 2 2 2".
    return _DIGITS.sub(lambda match: ", ".join(" ".join(group)
                                               for group in match.group().split(" ")), value)
