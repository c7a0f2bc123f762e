"""sciatica-skill speak: hear a scripted conversation without an Alexa device.

Runs a script of utterances through the real skill the way the text chat does (each line goes
through the offline stand-in for Alexa's language understanding, skill/language/nlu.py), then renders
every answer the skill speaks to a WAV file with espeak-ng (Debian: `apt-get install
espeak-ng`). For each turn NN it writes:

  NN.wav          what espeak-ng says (a stand-in voice, not Alexa's)
  NN.ssml         the SSML exactly as the skill sends it to Alexa
  NN.espeak.ssml  the same, mapped to the SSML subset espeak-ng understands (see below)
  NN.txt          what the user said and what the skill said, as text
  NN.phonemes     with --phonemes: espeak-ng's phonemes (`espeak-ng -x`), to check a reading
and transcript.txt with one line per turn (seconds of audio, words).

espeak-ng's SSML (`espeak-ng -m`) keeps <speak>, <break>, <emphasis>, <prosody>, <p> and <s>,
but reads <say-as interpret-as="digits">911</say-as> as "nine hundred eleven" and a
<say-as interpret-as="date">20261210</say-as> as "twenty million...". So say-as is voiced here
the way Alexa voices it: digits and telephone numbers one digit at a time ("9 1 1"), dates as
words ("December tenth, twenty twenty-six"), characters letter by letter.

Why over 300 lines: the SSML -> espeak mapping (say-as for digits, telephone numbers, dates) is
one table of readings with its renderer.
"""
from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
import tempfile
import wave
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from skill.alexa.speech import escape, unescape

ESPEAK = "espeak-ng"
DEFAULT_RATE = 150   # words per minute, about Alexa's own speaking rate
INSTALL_HINT = "install it with `apt-get install -y espeak-ng` (./dev test does this)"

# SSML elements espeak-ng understands and that are kept as they are.
_KEPT = {"speak", "break", "emphasis", "prosody", "p", "s"}
# Elements that cannot be voiced offline (a sound file, a bookmark): left out.
_DROPPED = {"audio", "mark"}
_BREAK_TIME = re.compile(r"^\d+(\.\d+)?(ms|s)$")
_WORD = re.compile(r"[\w']+")


def quoteattr(value: str) -> str:
    return '"' + escape(value).replace('"', "&quot;") + '"'


def register(commands) -> None:
    """Add the `speak` subcommand to sciatica-skill's argparse subparsers."""
    speak = commands.add_parser(
        "speak", help="render a scripted conversation to WAV files with espeak-ng")
    speak.add_argument("--script", type=Path, default=None,
                       help="a file with one utterance per line, as typed in the chat "
                            "(default: a clean screen to self-care and goodbye)")
    speak.add_argument("--out", type=Path, default=Path("speech"),
                       help="directory for the WAV, SSML and text files (default: ./speech)")
    speak.add_argument("--locale", default=None, help="default: the skill's default locale")
    speak.add_argument("--rate", type=int, default=DEFAULT_RATE,
                       help=f"espeak-ng words per minute (default {DEFAULT_RATE})")
    speak.add_argument("--voice", default=None, help="espeak-ng voice (default: from the locale)")
    speak.add_argument("--today", default=None, help="pretend today is YYYY-MM-DD")
    speak.add_argument("--no-audio", action="store_true",
                       help="write the SSML and text only (no espeak-ng needed)")
    speak.add_argument("--phonemes", action="store_true",
                       help="also write NN.phonemes: how espeak-ng reads each turn (-x)")
    speak.add_argument("--db", default=None,
                       help="SQLite file for remembered users (default: a throw-away file)")
    speak.add_argument("--user", default="sciatica-speak",
                       help="who is talking: with the same --db, a later --today is a check-in")
    speak.add_argument("--profile", choices=("local", "clinic", "public"), default=None,
                       help="deployment profile (env SCIATICA_PROFILE)")
    speak.set_defaults(run=run)


# --- SSML for espeak-ng ------------------------------------------------------------------

def to_espeak_ssml(ssml: str, locale: str = "en-US") -> str:
    """The skill's SSML in the subset espeak-ng voices the way Alexa would."""
    root = _parse(ssml)
    body = _children(root, locale) if root.tag == "speak" else _element(root, locale)
    return f"<speak>{body}</speak>"


def spoken_text(ssml: str, locale: str = "en-US") -> str:
    """What a listener hears, as plain words (say-as voiced, breaks as spaces)."""
    mapped = to_espeak_ssml(ssml, locale)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", mapped))).strip()


def count_spoken_words(ssml: str, locale: str = "en-US") -> int:
    return len(_WORD.findall(spoken_text(ssml, locale)))


def count_breaks_seconds(ssml: str) -> float:
    """The pauses the SSML asks for, in seconds (<break time="300ms"/>)."""
    total = 0.0
    for value, unit in re.findall(r'<break[^>]*\btime="(\d+(?:\.\d+)?)(ms|s)"', ssml):
        total += float(value) / (1000.0 if unit == "ms" else 1.0)
    return total


def _parse(ssml: str) -> ET.Element:
    # Alexa's own tags (amazon:effect, amazon:domain) have no namespace declaration.
    cleaned = re.sub(r"(</?)([A-Za-z]+):", r"\1\2-", ssml.strip())
    try:
        return ET.fromstring(cleaned)
    except ET.ParseError as error:
        raise ValueError(f"not well-formed SSML ({error}): {ssml[:120]!r}") from None


def _children(element: ET.Element, locale: str) -> str:
    out = [escape(element.text or "")]
    for child in element:
        out.append(_element(child, locale))
        out.append(escape(child.tail or ""))
    return "".join(out)


def _element(element: ET.Element, locale: str) -> str:
    tag = element.tag
    if tag in _DROPPED:
        return ""
    if tag == "break":
        time_value = element.get("time", "")
        if _BREAK_TIME.match(time_value):
            return f"<break time={quoteattr(time_value)}/>"
        strength = element.get("strength")
        return f"<break strength={quoteattr(strength)}/>" if strength else "<break/>"
    if tag == "say-as":
        return escape(_say_as(element.get("interpret-as", ""), "".join(element.itertext()),
                              locale, element.get("format")))
    if tag == "sub" and element.get("alias") is not None:
        return escape(element.get("alias"))
    inner = _children(element, locale)
    if tag in _KEPT and tag != "speak":
        attributes = "".join(f" {name}={quoteattr(value)}" for name, value in element.items())
        return f"<{tag}{attributes}>{inner}</{tag}>"
    return inner   # phoneme, lang, voice, w, amazon:*: the words inside, in espeak's voice


def _say_as(kind: str, text: str, locale: str, date_format: Optional[str] = None) -> str:
    text = text.strip()
    if kind == "digits":
        return " ".join(ch for ch in text if ch.isdigit()) or text
    if kind == "telephone":
        return telephone_words(text)
    if kind == "date":
        return date_words(text, locale, date_format) or text
    if kind in ("characters", "spell-out"):
        return " ".join(ch for ch in text if not ch.isspace())
    return text


def telephone_words(text: str) -> str:
    """A phone number digit by digit, its groups apart: "1 800 555 0199" -> "1, 8 0 0, ..."."""
    groups = [group for group in re.split(r"[\s().-]+", text) if group]
    spoken = []
    for group in groups:
        prefix = "plus " if group.startswith("+") else ""
        digits = " ".join(ch for ch in group if ch.isdigit())
        if digits:
            spoken.append(prefix + digits)
    return ", ".join(spoken) or text


# --- dates and numbers as words (English; other languages keep the digits) -------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_OTHER_MONTHS = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
           "setembro", "outubro", "novembro", "dezembro"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
}
_ORDINAL_ENDINGS = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                    "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def number_words(number: int) -> str:
    """0-99 in English words: 26 -> "twenty-six"."""
    if not 0 <= number < 100:
        raise ValueError(f"{number} is outside 0-99")
    if number < 20:
        return _ONES[number]
    tens, ones = divmod(number, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def ordinal_words(number: int) -> str:
    """1-99 as an English ordinal: 10 -> "tenth", 21 -> "twenty-first"."""
    words = number_words(number)
    head, _, last = words.rpartition("-")
    if last in _ORDINAL_ENDINGS:
        last = _ORDINAL_ENDINGS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}-{last}" if head else last


def year_words(year: int) -> str:
    """A year as people say it: 2026 -> "twenty twenty-six", 2005 -> "two thousand five"."""
    century, rest = divmod(year, 100)
    if not 10 <= century < 100:
        return str(year)
    if rest == 0:
        return f"{number_words(century)} hundred" if century % 10 else \
            f"{number_words(century // 10)} thousand"
    if century % 10 == 0 and rest < 10:        # 2005: two thousand five
        return f"{number_words(century // 10)} thousand {number_words(rest)}"
    tail = f"oh {number_words(rest)}" if rest < 10 else number_words(rest)   # 1905: ...oh five
    return f"{number_words(century)} {tail}"


def date_words(value: str, locale: str = "en-US",
               date_format: Optional[str] = None) -> Optional[str]:
    """A say-as date (YYYYMMDD, with ? for an unknown part, as the skill writes it) in words,
    the way Alexa reads it in English: "20261210" -> "December tenth, twenty twenty-six".
    None when it is not such a date. Other languages get day, month name and year
    ("10 de diciembre de 2026"), the numbers read by espeak-ng in that language."""
    compact = value.replace("-", "") if date_format in (None, "ymd") else value
    match = re.fullmatch(r"([0-9?]{4})([0-9?]{2})([0-9?]{2})", compact)
    if not match:
        return None
    year, month, day = match.groups()
    known_year = year if "?" not in year else None
    known_month = int(month) if "?" not in month else None
    known_day = int(day) if "?" not in day else None
    if known_month is not None and not 1 <= known_month <= 12:
        return None
    if known_day is not None and not 1 <= known_day <= 31:
        return None
    language = locale.lower().split("-")[0]
    if language != "en":
        # Day, month name, year, with the numbers left to espeak-ng's own language.
        months = _OTHER_MONTHS.get(language)
        month_said = months[known_month - 1] if months and known_month else \
            (str(known_month) if known_month else "")
        joiner = " de " if language in ("es", "pt") else " "
        return joiner.join(part for part in (str(known_day or ""), month_said, known_year or "")
                           if part)
    words = []
    if known_month is not None:
        words.append(_MONTHS[known_month - 1])
    if known_day is not None:
        words.append(ordinal_words(known_day) if known_month is not None
                     else f"the {ordinal_words(known_day)}")
    spoken = " ".join(words)
    if known_year is not None:
        year_said = year_words(int(known_year))
        spoken = f"{spoken}, {year_said}" if spoken else year_said
    return spoken


# --- espeak-ng ---------------------------------------------------------------------------

def espeak_available() -> bool:
    return shutil.which(ESPEAK) is not None


@functools.lru_cache(maxsize=None)
def _espeak_voices() -> frozenset:
    listing = subprocess.run([ESPEAK, "--voices"], capture_output=True, text=True, timeout=30,
                             check=True).stdout
    return frozenset(line.split()[1].lower() for line in listing.splitlines()[1:]
                     if len(line.split()) > 1)


# Alexa locales whose closest espeak-ng voice is not named after them.
_NEAREST_VOICE = {"en-au": "en-gb", "en-in": "en-gb", "en-ca": "en-us", "es-us": "es-419",
                  "es-mx": "es-419", "fr-ca": "fr-fr"}


def voice_for(locale: str) -> str:
    """The espeak-ng voice for an Alexa locale: en-US -> en-us, es-US -> es-419, de-DE -> de;
    en-us when espeak-ng has nothing closer."""
    voices = _espeak_voices() if espeak_available() else frozenset()
    wanted = locale.lower()
    for candidate in (wanted, _NEAREST_VOICE.get(wanted), wanted.split("-")[0]):
        if candidate in voices:
            return candidate
    return "en-us"


def render_wav(espeak_ssml: str, path: Path, *, voice: str = "en-us",
               rate: int = DEFAULT_RATE) -> float:
    """Write espeak-ng's reading of `espeak_ssml` to `path`; returns its length in seconds."""
    subprocess.run([ESPEAK, "-m", "-v", voice, "-s", str(rate), "-w", str(path), "--stdin"],
                   input=espeak_ssml, text=True, capture_output=True, timeout=120, check=True)
    return wav_seconds(path)


def phonemes(espeak_ssml: str, *, voice: str = "en-us") -> str:
    """espeak-ng's phonemes for the text (`espeak-ng -x -q`): to check by eye how it is read."""
    return subprocess.run([ESPEAK, "-m", "-q", "-x", "-v", voice, "--stdin"], input=espeak_ssml,
                          text=True, capture_output=True, timeout=120, check=True).stdout.strip()


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / float(audio.getframerate())


# --- the conversation --------------------------------------------------------------------

@dataclass
class SpokenTurn:
    number: int
    said: str                 # what the user said, or a label such as "(no)"
    request_type: str         # LaunchRequest, or the intent name
    ssml: str                 # "" when the skill said nothing (e.g. SessionEndedRequest)
    text: str
    ends_session: bool


def default_script(content) -> List[Union[str, Tuple[str, dict]]]:
    """A clean screen: no to every question, every self-care tip, then no to remembering
    and no to a reminder. Given as requests rather than words, so it suits every locale."""
    from skill.alexa.envelopes import intent_request, launch_request

    from skill.conversation.questions import CARD_ONLY_ADVICE

    tips = len([tip for tip in content.advice_for("self_care") if tip.id not in CARD_ONLY_ADVICE])
    no, following = ("(no)", intent_request("AMAZON.NoIntent")), \
        ("(next)", intent_request("AMAZON.NextIntent"))
    return ([("(opens the skill)", launch_request())] + [no] * len(content.screen_questions)
            + [following] * (tips - 1) + [no, no])


def read_script(path: Path) -> List[str]:
    """One utterance per line; blank lines and lines starting with # are skipped."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def run_script(skill, lines: Sequence[Union[str, Tuple[str, dict]]], locale: str, *,
               user_id: Optional[str] = None, notes=None) -> List[SpokenTurn]:
    """Drive the skill through `lines` as the chat does; one SpokenTurn per request sent.
    A line is what the user says, or a (label, request) pair sent as it is. A line said with
    no session open must name the skill, except the first, before which the skill is opened
    as the chat opens it."""
    from skill.alexa.app import handle_event
    from skill.alexa.envelopes import Conversation, launch_request
    from skill.language.interaction_model import build_interaction_model
    from skill.language.nlu import addresses_skill, resolve

    model = build_interaction_model(locale)
    conversation = Conversation(locale=locale, user_id=user_id)
    turns: List[SpokenTurn] = []

    def send(said: str, request: dict) -> None:
        response = handle_event(skill, conversation.envelope(request))
        conversation.absorb(response)
        body = response.get("response", {})
        speech = body.get("outputSpeech") or {}
        ssml = speech.get("ssml") or (f"<speak>{escape(speech['text'])}</speak>"
                                      if speech.get("text") else "")
        name = (request.get("intent") or {}).get("name") or request.get("type", "")
        turns.append(SpokenTurn(len(turns) + 1, said, name, ssml,
                                spoken_text(ssml, locale) if ssml else "",
                                body.get("shouldEndSession") is not False))

    for index, line in enumerate(lines):
        if not isinstance(line, str):
            label, request = line
            send(label, request)
            continue
        in_session = conversation.session_id is not None
        if not in_session and not addresses_skill(model, line):
            if index == 0:
                send("(opens the skill)", launch_request())
            else:
                if notes is not None:
                    notes.append(f"skipped {line!r}: no session is open and it does not "
                                 "name the skill")
                continue
        send(line, resolve(model, line, in_session=conversation.session_id is not None))
    return turns


def write_turns(turns: Iterable[SpokenTurn], out: Path, locale: str, *, audio: bool = True,
                voice: Optional[str] = None, rate: int = DEFAULT_RATE,
                with_phonemes: bool = False) -> List[dict]:
    """Write each turn's files into `out`; returns one summary row per turn."""
    out.mkdir(parents=True, exist_ok=True)
    voice = voice or voice_for(locale)
    rows = []
    for turn in turns:
        stem = f"{turn.number:02d}"
        (out / f"{stem}.txt").write_text(
            f"You: {turn.said}\nAlexa: {turn.text}\n", encoding="utf-8")
        row = {"turn": turn.number, "said": turn.said, "words": 0, "seconds": None,
               "pauses": 0.0, "text": turn.text}
        if turn.ssml:
            mapped = to_espeak_ssml(turn.ssml, locale)
            (out / f"{stem}.ssml").write_text(turn.ssml + "\n", encoding="utf-8")
            (out / f"{stem}.espeak.ssml").write_text(mapped + "\n", encoding="utf-8")
            row["words"] = count_spoken_words(turn.ssml, locale)
            row["pauses"] = count_breaks_seconds(turn.ssml)
            if audio:
                row["seconds"] = render_wav(mapped, out / f"{stem}.wav", voice=voice, rate=rate)
            if with_phonemes:
                (out / f"{stem}.phonemes").write_text(phonemes(mapped, voice=voice) + "\n",
                                                      encoding="utf-8")
        rows.append(row)
    lines = [f"# turn  seconds  words  you said -> Alexa (espeak-ng voice {voice}, {rate} wpm)"]
    for row in rows:
        seconds = "-" if row["seconds"] is None else f"{row['seconds']:.1f}"
        lines.append(f"{row['turn']:02d}  {seconds:>6}  {row['words']:>5}  "
                     f"{row['said']} -> {row['text']}")
    (out / "transcript.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


def run(args) -> int:
    from datetime import date

    from skill.alexa.app import build_skill
    from skill.tools.options import options_environment
    from skill.content.loader import DEFAULT_LOCALE, load_content

    locale = args.locale or DEFAULT_LOCALE
    audio = not args.no_audio
    if audio and not espeak_available():
        print(f"sciatica-skill speak: {ESPEAK} not found; {INSTALL_HINT}, or use --no-audio",
              file=sys.stderr)
        return 2
    try:
        today = date.fromisoformat(args.today) if args.today else None
    except ValueError:
        print(f"sciatica-skill speak: --today {args.today!r} is not YYYY-MM-DD", file=sys.stderr)
        return 2
    content = load_content(locale)
    lines = read_script(args.script) if args.script else default_script(content)
    with tempfile.TemporaryDirectory(prefix="sciatica-speak-") as scratch:
        # A throw-away store unless --db names one: listening never touches anyone's memory.
        environ = options_environment(args, default_db=str(Path(scratch) / "memory.sqlite3"))
        skill = build_skill(environ=environ, clock=(lambda: today) if today else date.today)
        notes: List[str] = []
        turns = run_script(skill, lines, locale, notes=notes,
                           user_id=f"amzn1.ask.account.{args.user}")
    rows = write_turns(turns, args.out, locale, audio=audio, voice=args.voice, rate=args.rate,
                       with_phonemes=args.phonemes and audio)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    total_seconds = sum(row["seconds"] or 0.0 for row in rows)
    total_words = sum(row["words"] for row in rows)
    print((args.out / "transcript.txt").read_text(encoding="utf-8"), end="")
    summary = f"{len(rows)} turns, {total_words} words"
    if audio:
        summary += f", {total_seconds:.0f} s of audio"
    print(f"{summary}; files in {args.out}/")
    return 0
