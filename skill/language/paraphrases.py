"""How much of what people say the project's own NLU places right: the paraphrase corpus.

tests/paraphrases/<language>.yaml holds utterances written from how patients describe these
signs (the NHS cauda equina cards, REFERENCES.md, hedges and fillers), each labelled with the
intent and symptom (or answer) it must resolve to. `score(locale)` runs every one through
nlu.resolve in session and counts what lands right, per red flag and per kind, for the tests,
the benchmarks (RESULTS.md) and the review pack. A red flag counts as placed when the words
resolve to it, through the model's own phrases or the keyword backstop (which then asks that
red flag's question); `by_keyword` says how many needed the backstop.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

from skill import _paths
from skill.content.loader import SAFE_LOADER

CORPUS_DIR = _paths.TESTS_DIR / "paraphrases"
SYMPTOM_INTENT, TREND_INTENT = "ReportSymptomIntent", "PainTrendIntent"
# Handled alike by the skill (handlers.STOP_INTENTS): either is the right landing for "stop".
SAME_AS = {"AMAZON.CancelIntent": "AMAZON.StopIntent", "AMAZON.NavigateHomeIntent": "AMAZON.StopIntent"}


@dataclass(frozen=True)
class Case:
    utterance: str
    group: str            # "symptoms", "answers", "denials_naming_a_sign", "navigation", "trends"
    label: str            # a symptom id, an intent name or a trend id
    intent: str
    value: Optional[str]  # the slot value id the intent must carry, if any


@dataclass
class Tally:
    right: int = 0
    total: int = 0
    by_keyword: int = 0
    wrong: list = field(default_factory=list)   # (utterance, what it landed as)

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0


def corpus_path(locale: str) -> Path:
    return CORPUS_DIR / f"{locale.split('-')[0].lower()}.yaml"


def load_corpus(locale: str) -> list:
    raw = yaml.load(corpus_path(locale).read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    cases = []
    for label, utterances in (raw.get("symptoms") or {}).items():
        cases += [Case(u, "symptoms", label, SYMPTOM_INTENT, label) for u in utterances]
    for intent, utterances in (raw.get("answers") or {}).items():
        cases += [Case(u, "answers", intent, intent, None) for u in utterances]
    cases += [Case(u, "denials_naming_a_sign", "AMAZON.NoIntent", "AMAZON.NoIntent", None)
              for u in raw.get("denials_naming_a_sign") or ()]
    for intent, utterances in (raw.get("navigation") or {}).items():
        cases += [Case(u, "navigation", intent, intent, None) for u in utterances]
    for trend, utterances in (raw.get("trends") or {}).items():
        cases += [Case(u, "trends", trend, TREND_INTENT, trend) for u in utterances]
    return cases


def landing(request: dict) -> tuple:
    """(intent, value id, whether the value came from the keyword backstop) of a request.
    Words that name a sign but ask its question first ("i have incontinence") count as that
    sign: they reach its question, as a keyword does."""
    from skill.content.backstop import KEYWORD_AUTHORITY, asked_first

    if request.get("type") != "IntentRequest":
        return request.get("type"), None, False
    intent = request["intent"]
    for slot in (intent.get("slots") or {}).values():
        for authority in (slot.get("resolutions") or {}).get("resolutionsPerAuthority", []):
            if authority["status"]["code"] == "ER_SUCCESS_MATCH" and authority.get("values"):
                value_id = authority["values"][0]["value"]["id"]
                return (intent["name"], asked_first(value_id) or value_id,
                        authority["authority"].startswith(KEYWORD_AUTHORITY))
    return intent["name"], None, False


def score(locale: str) -> dict:
    """Tallies keyed by ("all",), (group,) and ("red_flag", symptom id)."""
    from skill.language.interaction_model import build_interaction_model
    from skill.language.nlu import resolve

    model = build_interaction_model(locale)
    red_flags = _red_flag_ids(locale)
    tallies: dict = {}
    for case in load_corpus(locale):
        intent, value, by_keyword = landing(resolve(model, case.utterance, True, locale=locale))
        right = SAME_AS.get(intent, intent) == SAME_AS.get(case.intent, case.intent) and \
            value == case.value
        keys = [("all",), (case.group,)]
        if case.group == "symptoms" and case.label in red_flags:
            keys.append(("red_flag", case.label))
            keys.append(("red_flags",))
        for key in keys:
            tally = tallies.setdefault(key, Tally())
            tally.total += 1
            tally.right += right
            tally.by_keyword += right and by_keyword
            if not right:
                tally.wrong.append((case.utterance, f"{intent} {value or ''}".strip()))
    return tallies


def _red_flag_ids(locale: str) -> set:
    from skill.content.loader import load_content

    return {q.id for q in load_content(locale).questions if q.names_one_symptom}


def summary_rows(locales) -> list:
    """One row per locale: (locale, overall, red flags, answers, denials, navigation, trends),
    each as (right, total)."""
    rows = []
    for locale in locales:
        tallies = score(locale)
        rows.append((locale,) + tuple(
            (tallies.get(key, Tally()).right, tallies.get(key, Tally()).total)
            for key in [("all",), ("red_flags",), ("answers",), ("denials_naming_a_sign",),
                        ("navigation",), ("trends",)]))
    return rows
