"""The conversation itself, per locale: how long it is to listen to, and how fast it gets to the
point. Words are counted as they are heard (skill/tools/speak.py voices say-as: "911" is three
words, a date is its spoken words); spoken time is words at WORDS_PER_MINUTE plus the SSML
breaks. When espeak-ng is installed, the same turns are also rendered at that rate and their
audio length reported beside the estimate."""
from __future__ import annotations

import statistics
import tempfile
import uuid
from pathlib import Path
from typing import Callable, List

from benchmarks.common import clean_screen_requests, envelope, intent, launch

WORDS_PER_MINUTE = 150   # Alexa's default speaking rate is about 150 words a minute


def _speech(response: dict) -> str:
    return ((response.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")


def _seconds(ssml: str, locale: str) -> float:
    from skill.tools.speak import count_breaks_seconds, count_spoken_words

    return count_spoken_words(ssml, locale) * 60.0 / WORDS_PER_MINUTE + count_breaks_seconds(ssml)


class Session:
    def __init__(self, handle: Callable[[dict], dict], locale: str):
        self.handle, self.locale = handle, locale
        self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        self.user_id = f"amzn1.ask.account.bench-{uuid.uuid4().hex}"
        self.attributes: dict = {}
        self.turns: List[dict] = []

    def send(self, request: dict) -> dict:
        response = self.handle(envelope(request, new=not self.turns, attributes=self.attributes,
                                        session_id=self.session_id, user_id=self.user_id,
                                        locale=self.locale))
        self.attributes = response.get("sessionAttributes") or {}
        self.turns.append(response)
        return response


def measure_locale(locale: str, handle: Callable[[dict], dict], espeak: bool = True) -> dict:
    from skill.tools import speak
    from skill.content.loader import load_content
    from skill.alexa.speech import render_ssml

    content = load_content(locale)
    # The instruction as heard: "Call 9 1 1 now, or go to the nearest emergency room."
    action = speak.spoken_text(render_ssml((content.outcomes["emergency"].speech[0],),
                                           content.values), locale)

    # A clean screen, from the launch to goodbye.
    clean = Session(handle, locale)
    answers_to_outcome = None
    for index, request in enumerate(clean_screen_requests(content)):
        response = clean.send(request)
        if answers_to_outcome is None and (response.get("sessionAttributes") or {}).get("outcome"):
            answers_to_outcome = index          # requests after the launch
        if response["response"].get("shouldEndSession") is not False:
            break
    ssmls = [_speech(turn) for turn in clean.turns]
    words = [speak.count_spoken_words(ssml, locale) for ssml in ssmls if ssml]
    seconds = [_seconds(ssml, locale) for ssml in ssmls if ssml]
    to_outcome = seconds[:answers_to_outcome + 1] if answers_to_outcome is not None else seconds
    questions = [speak.count_spoken_words(ssml, locale)
                 for ssml in ssmls[1:(answers_to_outcome or len(ssmls))]]
    warning_at = _seconds_until(ssmls, content.speech["result_warning"], content, locale)

    # A "yes" to each cauda equina question: the very next thing said must be the instruction.
    emergency_ids = [q.id for q in content.questions if q.outcome_if_yes == "emergency"]
    extra_turns = []
    for position in range(len(emergency_ids)):
        session = Session(handle, locale)
        session.send(launch())
        for _ in range(position):
            session.send(intent("AMAZON.NoIntent"))
        response = session.send(intent("AMAZON.YesIntent"))
        extra = 0
        # Zero when the answer to the "yes" starts with the instruction; otherwise count the
        # further "yes" answers (a confirmation, say) it takes to get there, up to three.
        while not _instructs(response, action, locale) and extra < 3 and \
                response["response"].get("shouldEndSession") is False:
            extra += 1
            response = session.send(intent("AMAZON.YesIntent"))
        immediate = _instructs(response, action, locale)
        extra_turns.append(extra if immediate else None)

    # Seconds until each outcome's action is first heard, for a yes at the first question
    # that reaches it (the rest "no"): the emergency, a doctor today, a doctor within days.
    to_action = {}
    for outcome, question_id in (("emergency", content.screen_questions[0].id),
                                 ("urgent", "fever"), ("soon", "weight_loss")):
        session = Session(handle, locale)
        session.send(launch())
        for question in content.screen_questions:
            if question.id == question_id:
                session.send(intent("AMAZON.YesIntent"))
                break
            session.send(intent("AMAZON.NoIntent"))
        to_action[outcome] = _seconds_until([_speech(turn) for turn in session.turns],
                                            _first_words(session.turns[-1], locale), content,
                                            locale, spoken=True)

    result = {
        "locale": locale,
        "seconds_to_action": to_action,
        "turns": len(words),
        "words_per_turn_mean": sum(words) / len(words),
        "words_per_turn_max": max(words),
        "words_per_turn_median": statistics.median(words),
        "seconds_per_turn_median": statistics.median(seconds),
        "seconds_per_turn_max": max(seconds),
        "seconds_to_warning_signs": warning_at,
        "question_words_max": max(questions) if questions else 0,
        "answers_to_outcome": answers_to_outcome,
        "seconds_to_outcome": sum(to_outcome),
        "seconds_whole_session": sum(seconds),
        "cauda_equina_extra_turns": extra_turns,
        "emergency_seconds": _seconds(_speech(response), locale),
        "espeak_seconds_whole_session": None,
    }
    if espeak and speak.espeak_available():
        with tempfile.TemporaryDirectory(prefix="sciatica-bench-speak-") as folder:
            total = 0.0
            voice = speak.voice_for(locale)
            for number, ssml in enumerate(ssml for ssml in ssmls if ssml):
                total += speak.render_wav(speak.to_espeak_ssml(ssml, locale),
                                          Path(folder) / f"{number}.wav", voice=voice,
                                          rate=WORDS_PER_MINUTE)
            result["espeak_seconds_whole_session"] = total
    return result


def _first_words(response: dict, locale: str) -> str:
    """The first sentence of a response, as heard: the outcome's action."""
    from skill.tools.speak import spoken_text

    heard = spoken_text(_speech(response), locale)
    return heard.split(". ")[0]


def _seconds_until(ssmls: list, text: str, content, locale: str, spoken: bool = False):
    """When `text` (a content text, or with `spoken` words as heard) is first heard on the
    path: every turn before it, and the words before it in its own turn at WORDS_PER_MINUTE
    (that turn's breaks left out). None if it is never heard."""
    from skill.tools import speak
    from skill.alexa.speech import render_ssml

    wanted = text if spoken else speak.spoken_text(render_ssml((text,), content.values), locale)
    elapsed = 0.0
    for ssml in ssmls:
        heard = speak.spoken_text(ssml, locale) if ssml else ""
        if wanted in heard:
            before = heard[:heard.index(wanted)]
            return elapsed + len(before.split()) * 60.0 / WORDS_PER_MINUTE
        elapsed += _seconds(ssml, locale) if ssml else 0.0
    return None


def _instructs(response: dict, action: str, locale: str) -> bool:
    from skill.tools.speak import spoken_text

    return (response.get("sessionAttributes") or {}).get("outcome") == "emergency" and \
        spoken_text(_speech(response), locale).startswith(action)


def measure(handle: Callable[[dict], dict], espeak: bool = True) -> List[dict]:
    from skill.content.loader import available_locales

    return [measure_locale(locale, handle, espeak) for locale in available_locales()]
