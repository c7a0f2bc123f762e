"""sciatica-skill check-model: lint the interaction models the way the Alexa developer console
would, before anything is deployed.

It reads the deployable JSON (interaction_model/<locale>.json, or the files given), not the
YAML it is generated from, so it checks exactly what Amazon receives. Errors are what the
console refuses to build or certification rejects; warnings are weak spots Alexa still
builds. Rules, from Amazon's invocation name requirements and interaction model schema:
  invocation name  2-50 characters, two or more words, lower-case letters, spaces, possessive
                   apostrophes and periods in abbreviations ("a. b. c."); no wake word,
                   "skill" or "app", launch phrase or connecting word; a two-word name has no
                   article or preposition
  samples          unique across all intents (case and spacing ignored); letters, spaces,
                   apostrophes, hyphens inside words, periods in abbreviations; numbers spelled
                   out; at most 200 characters; every {slot} declared in its intent, once
  slots, types     slot types are AMAZON.* or declared custom types; custom types have values;
                   no duplicate value id, value or synonym within a type (140 characters max)
  intents          AMAZON.Cancel/Help/Stop/NavigateHome/FallbackIntent present; at least one
                   custom intent; each custom intent has samples (a warning under three)
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from skill import _paths

MODEL_DIR = _paths.MODEL_DIR

REQUIRED_BUILTINS = ("AMAZON.CancelIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent",
                     "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent")
MAX_INVOCATION_CHARS, MAX_SAMPLE_CHARS, MAX_VALUE_CHARS = 50, 200, 140
MIN_SAMPLES = 3  # fewer is a warning: Alexa generalises poorly from one or two samples

# Words an invocation name must not contain. Every language: the wake words, "skill", "app".
# By language (the first part of the locale): launch phrases and connecting words, and the
# articles and prepositions a two-word name must not use. Languages not listed get only the
# common words; add a language here when the skill adds one.
NEVER_IN_INVOCATION = {"alexa", "amazon", "echo", "computer", "ziggy", "skill", "app"}
INVOCATION_WORDS = {
    "en": ({"ask", "begin", "do", "enable", "launch", "load", "open", "play", "resume", "run",
            "start", "talk to", "tell", "use",  # launch phrases
            "to", "from", "by", "if", "and", "whether"},  # connecting words
           {"the", "a", "an", "for", "to", "of", "about", "up", "by", "at", "off", "with",
            "my"}),
    "es": ({"abre", "abrir", "inicia", "iniciar", "empieza", "empezar", "comienza", "comenzar",
            "lanza", "carga", "cargar", "juega", "jugar", "usa", "usar", "pide", "pregunta",
            "pregúntale", "preguntale", "dile", "habilita", "habilitar", "activa", "activar"},
           {"el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "a", "al",
            "para", "por", "con", "mi"}),
}

_LETTERS = r"[^\W\d_]"
_ABBREVIATION = rf"(?:{_LETTERS}\.)+"
_INVOCATION_WORD = re.compile(rf"{_ABBREVIATION}|{_LETTERS}+(?:'{_LETTERS}*)?")
_SAMPLE_WORD = re.compile(rf"{_ABBREVIATION}|{_LETTERS}+(?:['’-]{_LETTERS}+)*'?|\{{[A-Za-z_]+\}}")
_SLOT_REF = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"[A-Za-z][A-Za-z_]*")
_INTENT_NAME = re.compile(r"AMAZON\.[A-Za-z]+|[A-Za-z][A-Za-z_]*")


class Finding(NamedTuple):
    file: str
    where: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}: {self.severity}: {self.where}: {self.message}"


def check_invocation(name, language: str = "en") -> list:
    """(message, severity) pairs for an invocation name."""
    if not isinstance(name, str) or not name.strip():
        return [("is missing: every custom skill needs an invocation name", "error")]
    out = []
    if not MAX_INVOCATION_CHARS >= len(name) >= 2:
        out.append((f"{name!r} is {len(name)} characters (2 to {MAX_INVOCATION_CHARS})", "error"))
    words = name.split(" ")
    bad = [w for w in words if not _INVOCATION_WORD.fullmatch(w) or w != w.lower()]
    if bad:
        out.append((f"{name!r}: {', '.join(map(repr, bad))} is not allowed: only lower-case letters,"
                    " single spaces, possessive apostrophes and periods in abbreviations"
                    " (numbers spelled out)", "error"))
    if len(words) < 2:
        out.append((f"{name!r} must be two or more words", "error"))
    launch, small = INVOCATION_WORDS.get(language, (set(), set()))
    forbidden = sorted(w for w in NEVER_IN_INVOCATION | launch if f" {w} " in f" {name} ")
    if forbidden:
        out.append((f"{name!r} must not contain {', '.join(map(repr, forbidden))} (wake words,"
                    " 'skill', 'app', launch phrases and connecting words)", "error"))
    if len(words) == 2 and small & set(words):
        out.append((f"{name!r}: a two-word name cannot use an article or preposition", "error"))
    return out


def check_phrase(text, limit: int, *, slots: bool) -> list:
    """(message, severity) pairs for one sample utterance (slots=True) or slot value."""
    if not isinstance(text, str) or not text.strip():
        return [("must be a non-empty string", "error")]
    out = []
    if text != " ".join(text.split()):
        out.append((f"{text!r} has leading, trailing or double spaces", "error"))
    bad = [w for w in text.split() if not _SAMPLE_WORD.fullmatch(w) or (not slots and "{" in w)]
    if any(ch.isdigit() for ch in text):
        out.append((f"{text!r} contains digits: spell numbers out", "error"))
    elif bad:
        out.append((f"{text!r}: {', '.join(map(repr, bad))} is not allowed: only letters, spaces,"
                    " apostrophes, hyphens inside words and periods in abbreviations"
                    + (", and {slot} references" if slots else ""), "error"))
    if len(text) > limit:
        out.append((f"{text!r} is {len(text)} characters (at most {limit})", "error"))
    return out


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def check_model(data, language: str = "en") -> list:
    """(where, message, severity) for a parsed interaction model file ({"interactionModel": ...})."""
    model = data.get("interactionModel", {}).get("languageModel") if isinstance(data, dict) else None
    if not isinstance(model, dict):
        return [("interactionModel.languageModel", "is missing", "error")]
    found = [("invocationName", m, s) for m, s in check_invocation(model.get("invocationName"), language)]
    types = [t for t in model.get("types") or [] if isinstance(t, dict)]
    declared = {t.get("name") for t in types}
    used_types: set = set()
    intents = [i for i in model.get("intents") or [] if isinstance(i, dict)]
    names = Counter(i.get("name") for i in intents)
    found += [(f"intent {n}", "is declared more than once", "error") for n, c in names.items() if c > 1]
    found += [(f"intent {n}", "is required and missing", "error") for n in REQUIRED_BUILTINS if n not in names]
    if not any(str(n).split(".")[0] != "AMAZON" for n in names):
        found.append(("intents", "the console needs at least one custom intent", "error"))
    seen: dict = {}      # normalised sample -> intent
    patterns: dict = {}  # sample with slot types instead of slot names -> intent
    for intent in intents:
        name, where = intent.get("name"), f"intent {intent.get('name')}"
        if not isinstance(name, str) or not _INTENT_NAME.fullmatch(name):
            found.append((where, "name must be letters and underscores (AMAZON.Name for built-ins)", "error"))
        slots = {}
        for slot in intent.get("slots") or []:
            sname, stype = slot.get("name"), slot.get("type")
            if not isinstance(sname, str) or not _NAME.fullmatch(sname):
                found.append((f"{where}, slot {sname}", "name must be letters and underscores", "error"))
            if sname in slots:
                found.append((f"{where}, slot {sname}", "is declared more than once", "error"))
            if not (isinstance(stype, str) and (stype.startswith("AMAZON.") or stype in declared)):
                found.append((f"{where}, slot {sname}", f"type {stype!r} is neither AMAZON.* nor a declared slot type", "error"))
            slots[sname] = stype
            used_types.add(stype)
        samples = intent.get("samples") or []
        custom = isinstance(name, str) and not name.startswith("AMAZON.")
        if custom and not samples:
            found.append((where, "has no sample utterances", "error"))
        elif custom and len(samples) < MIN_SAMPLES:
            found.append((where, f"has only {len(samples)} sample(s); give it at least {MIN_SAMPLES}", "warning"))
        referenced: set = set()
        for sample in samples:
            swhere = f"{where}, sample {sample!r}"
            found += [(swhere, m, s) for m, s in check_phrase(sample, MAX_SAMPLE_CHARS, slots=True)]
            if not isinstance(sample, str):
                continue
            refs = _SLOT_REF.findall(sample)
            referenced.update(refs)
            found += [(swhere, f"slot {{{r}}} is not declared in {name}", "error") for r in set(refs) if r not in slots]
            found += [(swhere, f"slot {{{r}}} is used more than once", "error") for r, c in Counter(refs).items() if c > 1]
            if sample.count("{") != len(refs) or sample.count("}") != len(refs):
                found.append((swhere, "has unbalanced curly braces", "error"))
            key = _normal(sample)
            if key in seen:
                found.append((swhere, f"duplicates a sample of {seen[key]}: samples must be unique across intents", "error"))
                continue
            seen[key] = name
            pattern = _SLOT_REF.sub(lambda m: "{" + str(slots.get(m.group(1))) + "}", key)
            if refs and patterns.get(pattern, name) != name:
                found.append((swhere, f"has the same words and slot types as a sample of {patterns[pattern]}: Alexa cannot tell them apart", "warning"))
            patterns.setdefault(pattern, name)
        found += [(f"{where}, slot {s}", "no sample uses it: Alexa can only fill it in a dialog", "warning")
                  for s in slots if s not in referenced and not intent_slot_samples(intent, s)]
    for stype in types:
        found += _check_type(stype, used_types)
    return found


def intent_slot_samples(intent: dict, slot: str) -> list:
    return next((s.get("samples") or [] for s in intent.get("slots") or [] if s.get("name") == slot), [])


def _check_type(stype: dict, used_types: set) -> list:
    name, found = stype.get("name"), []
    where = f"slot type {name}"
    if not isinstance(name, str) or not _INTENT_NAME.fullmatch(name):
        found.append((where, "name must be letters and underscores (AMAZON.Name to extend a built-in)", "error"))
    if name not in used_types:
        found.append((where, "no intent slot uses it", "warning"))
    values = stype.get("values") or []
    if not values and "valueSupplier" not in stype:
        found.append((where, "has no values", "error"))
    ids, phrases = Counter(), {}
    for value in values:
        vid = value.get("id")
        vname = (value.get("name") or {}).get("value")
        vwhere = f"{where}, value {vid or vname}"
        ids[vid] += 1 if vid else 0
        for phrase in [vname] + list((value.get("name") or {}).get("synonyms") or []):
            found += [(vwhere, m, s) for m, s in check_phrase(phrase, MAX_VALUE_CHARS, slots=False)]
            if not isinstance(phrase, str):
                continue
            key = _normal(phrase)
            if key in phrases:
                found.append((vwhere, f"{phrase!r} is already a value or synonym of {phrases[key]}", "error"))
            phrases.setdefault(key, vid or vname)
    found += [(f"{where}, value {v}", "id is used more than once", "error") for v, c in ids.items() if c > 1]
    return found


def check_file(path: Path | str) -> list:
    """Findings for one interaction model file; its locale comes from the file name."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [Finding(str(path), "(file)", f"cannot read it as JSON: {error}")]
    language = path.name.split(".")[0].split("-")[0].lower()
    return [Finding(str(path), *item) for item in check_model(data, language)]


def model_files() -> list:
    return sorted(MODEL_DIR.glob("*.json"))


def register(commands):
    """Add `check-model` to the CLI's subcommands; returns them, so calls can be chained."""
    parser = commands.add_parser("check-model", help="lint the interaction models like the Alexa console")
    parser.add_argument("files", nargs="*", type=Path,
                        help="interaction model JSON files (default: interaction_model/*.json)")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.set_defaults(run=run)
    return commands


def run(args) -> int:
    files = args.files or model_files()
    if not files:
        print(f"check-model: no interaction models in {MODEL_DIR}", file=sys.stderr)
        return 1
    failed = False
    for path in files:
        findings = check_file(path)
        for finding in findings:
            print(finding, file=sys.stderr)
        errors = sum(f.severity == "error" for f in findings)
        failed |= bool(errors) or (args.strict and bool(findings))
        print(f"{path}: {'FAILED' if errors else 'ok'} ({errors} error(s), "
              f"{len(findings) - errors} warning(s))")
    return 1 if failed else 0
