"""The review pack's account of what the skill hears: per locale, which everyday phrases count
as which symptom and which words count as yes, no and not sure.

Alexa turns these words into an answer before the engine sees them, so a phrase under the
wrong symptom, or "know" taken as "no" (hazard H02), changes a screen as surely as a changed
question does. Each text shown is one the sign-off records (content_changes.model_leaves), with
what that symptom does in the locale's own screen beside it, read from its content file."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from skill.content.backstop import ASK_FIRST_SUFFIX
from skill.content.loader import DEFAULT_LOCALE
from skill.review.content_changes import (ANSWER_INTENTS, ASK_FIRST_FIELD, SYMPTOM_IDS_FIELD,
                                          model_leaves, phrase_list, read_raw, relative_name)
from skill.language.interaction_model import load_model_yaml
from skill.review.content import key_attrs

ANSWER_MEANINGS = {"AMAZON.YesIntent": "yes", "AMAZON.NoIntent": "no",
                   "NotSureIntent": "not sure: a cauda equina question is asked once more, "
                                    "then counts as yes; any other red flag counts as yes"}
# Alexa's built-in intents already know the common ways to say yes and no; the samples only
# add to them, so the reviewer should not read the list as complete.
BUILT_IN_NOTE = "and Alexa's own built-in phrasings of"
# What an `ask_first` phrase does (triage._on_symptom): it reaches the sign's question, which
# decides; it never counts as a yes by itself.
ASK_FIRST_EFFECT = ("asks this sign's question first (the phrase can describe something "
                    "long-standing)")


@dataclass(frozen=True)
class ModelFile:
    path: Path
    raw: Mapping
    locale: str
    screen: Mapping      # the locale's patient content: what each symptom id does there

    @property
    def name(self) -> str:
        return relative_name(self.path)

    @property
    def anchor(self) -> str:
        return "model-" + re.sub(r"[^A-Za-z0-9-]", "-", self.locale)


def read_model_files(content_dir: Path) -> list:
    """Every interaction model source, en-US first, each checked by the model's own loader
    (raises interaction_model.ModelError): a pack of a broken model must not be signed."""
    paths = sorted(Path(content_dir).glob("*.model.yaml"),
                   key=lambda p: (p.name.split(".")[0] != DEFAULT_LOCALE, p.name))
    models = []
    for path in paths:
        locale = path.name.split(".")[0]
        screen_path = Path(content_dir) / f"{locale}.yaml"
        models.append(ModelFile(path, load_model_yaml(path), locale,
                                read_raw(screen_path) if screen_path.is_file() else {}))
    return models


def render_models(models: list, figures: str = "") -> str:
    """Section 5: each model's phrases and answer words, then `figures` (review_language)."""
    parts = ['<section id="heard"><h2>5. What the skill hears, per locale</h2>'
             "<p>From the interaction model of each locale (<code>skill/content/&lt;locale&gt;"
             ".model.yaml</code>; English locales each have their own). When a user says one of "
             "a symptom's phrases, with or without words like \"I have\" in front, it is "
             "recorded as that symptom: for a red flag, as a yes to its question. A row "
             f"named <code>&lt;symptom&gt;{ASK_FIRST_SUFFIX}</code> holds phrases that name "
             "the sign but can describe something long-standing: saying one asks that sign's "
             "question, and the answer decides. Alexa only "
             "matches a phrase exactly as listed. The words under each answer are what counts "
             "as that answer to any question. Phrases are sorted alphabetically.</p>"]
    parts += [_render_model(model) for model in models]
    return "\n".join(parts) + figures + "</section>"


def _render_model(model: ModelFile) -> str:
    leaves = {leaf.key: leaf for leaf in model_leaves(model.raw)}
    ids = leaves.pop(f"symptoms.{SYMPTOM_IDS_FIELD}")
    answers = [leaves.pop(f"answers.{intent}") for intent in ANSWER_INTENTS]
    effects = _symptom_effects(model.screen)
    rows = "".join(_symptom_row(model, leaf, *_effect(leaf, effects))
                   for leaf in leaves.values())
    answer_rows = "".join(
        f"<tr><th><code>{_e(leaf.field)}</code></th><td>{_answer_meaning(leaf.field)}</td>"
        f"<td {key_attrs(model, leaf)}>{_phrases(leaf.text)}</td></tr>" for leaf in answers)
    return (f'<section class="model" id="{model.anchor}" data-model="{_e(model.name)}">'
            f"<h3>{_e(model.name)}</h3><p class=\"meta\">What users in {_e(model.locale)} are "
            f"heard as saying; version <b>{_e(str(model.raw.get('version')))}</b>.</p>"
            f'<p class="meta">Symptom ids: <span class="order" {key_attrs(model, ids)}>'
            f"{_e(ids.text)}</span></p>"
            '<h4>Symptoms</h4><table class="phrases"><tr><th>symptom</th><th>when heard</th>'
            f"<th>phrases</th></tr>{rows}</table>"
            '<h4>Answers</h4><table class="phrases"><tr><th>intent</th><th>counts as</th>'
            f"<th>words</th></tr>{answer_rows}</table></section>")


_UNKNOWN = "not in this locale's screen: heard as a symptom it does not recognise"


def _effect(leaf, effects: dict) -> tuple:
    """(outcome, what saying a phrase of `leaf` does): its symptom's effect, or for the
    `symptoms.<id>.ask_first` phrases, asking that symptom's question (the sign's outcome kept,
    so the row sits in the sign's colour)."""
    if leaf.field == ASK_FIRST_FIELD:
        symptom_id = leaf.block[-1]
        outcome, _ = effects.get(symptom_id, ("", _UNKNOWN))
        if not outcome:   # no question of that id here: the skill cannot ask it
            return "", _UNKNOWN
        return outcome, f"{ASK_FIRST_EFFECT}: question {symptom_id}"
    return effects.get(leaf.field, ("", _UNKNOWN))


def _symptom_row(model: ModelFile, leaf, outcome: str, effect: str) -> str:
    css = f' class="outcome-{_e(outcome)}"' if outcome else ""
    # An ask_first row is named by the id Alexa sends for its phrases ("bladder_ask_first").
    name = leaf.block[-1] + ASK_FIRST_SUFFIX if leaf.field == ASK_FIRST_FIELD else leaf.field
    return (f"<tr{css}><th><code>{_e(name)}</code></th><td>{_e(effect)}</td>"
            f"<td {key_attrs(model, leaf)}>{_phrases(leaf.text)}</td></tr>")


def _symptom_effects(screen: Mapping) -> dict:
    """symptom id -> (outcome, what saying it does), from the locale's patient content."""
    effects = {}
    for question in screen.get("questions", []):
        outcome = str(question.get("outcome_if_yes"))
        meaning = {"emergency": "emergency: a cauda equina sign",
                   "urgent": "urgent: a same-day review",
                   "soon": "soon: a doctor within days"}.get(outcome, outcome)
        effects[str(question["id"])] = (outcome, f"{meaning} (yes to question {question['id']})")
    for symptom_id in screen.get("common_symptoms", {}):
        effects[str(symptom_id)] = ("", "not a red flag: acknowledged, the screen goes on")
    return effects


def _answer_meaning(intent: str) -> str:
    meaning = _e(ANSWER_MEANINGS[intent])
    if intent.startswith("AMAZON."):
        meaning += f' <span class="meta">(these {BUILT_IN_NOTE} {meaning})</span>'
    return meaning


def _phrases(text: str) -> str:
    phrases = phrase_list(text)
    return f'<span class="count">{len(phrases)}:</span> {_e(text)}'


def _e(text: str) -> str:
    return html.escape(text)   # quotes too, so the same escape serves attributes
