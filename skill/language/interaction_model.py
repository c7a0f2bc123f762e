"""Build the Alexa interaction model from ``skill/content/<locale>.model.yaml``.

The YAML file is the single source of truth for what Alexa listens for; this
module validates it and turns it into the JSON the ASK CLI deploys
(``interaction_model/<locale>.json``).  Regenerate after editing the YAML::

    python -m skill.language.interaction_model            # writes interaction_model/<locale>.json, every locale
    python -m skill.language.interaction_model en-GB      # just one

Why over 300 lines: one YAML -> JSON translation with its validation; the lint of the result is
model_check.py.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from skill import _paths
from skill.content.backstop import ASK_FIRST_SUFFIX
from skill.content.schema import Version

SYMPTOM_TYPE = "SymptomType"   # the slot type whose values are the screen's symptoms

DEFAULT_OUTPUT_DIR = _paths.MODEL_DIR

# Handlers depend on these names.
CUSTOM_INTENTS = ("NotSureIntent", "ReportSymptomIntent", "PainTrendIntent", "ForgetMeIntent")
BUILTIN_INTENTS = (
    "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.HelpIntent", "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent", "AMAZON.NextIntent", "AMAZON.StopIntent",
    "AMAZON.CancelIntent", "AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent",
)
REQUIRED_INTENTS = CUSTOM_INTENTS + BUILTIN_INTENTS

# virtual-alexa turns any utterance containing these (even inside a word) into a
# LaunchRequest, and real Alexa treats them as invocation phrases.
LAUNCH_SUBSTRINGS = ("ask", "open", "launch", "tell", "talk to")
INVOCATION_BANNED_WORDS = {
    "alexa", "amazon", "echo", "computer", "skill", "app", "ask", "open", "launch",
    "tell", "talk", "load", "begin", "start", "play", "run", "enable",
}
# Spanish: Alexa's launch phrases ("abre ...", "pídele a ... que ...") as whole words. A sample
# holding one can be heard as the user opening a skill instead of answering.
SPANISH_LAUNCH_WORDS = {"abre", "abrir", "inicia", "iniciar", "lanza", "lanzar", "dile",
                        "pídele", "pregúntale", "habla con"}
SPANISH_INVOCATION_BANNED_WORDS = {"abre", "abrir", "inicia", "iniciar", "empieza", "empezar",
                                   "lanza", "pide", "pídele", "pregunta", "pregúntale", "dile",
                                   "habla", "juega", "usa", "activa", "habilita", "carga"}
MAX_SAMPLE_CHARS = 200
MAX_VALUE_CHARS = 140

# Lower-case letters a phrase may use: English a-z; Spanish adds its accented letters, which
# Alexa's Spanish models (and invocation names) use as written.
LETTERS = {"en": "a-z", "es": "a-záéíóúüñ"}


def _phrase_re(language: str = "en") -> re.Pattern:
    letters = LETTERS.get(language, LETTERS["en"])
    word = rf"[{letters}]+(?:'[{letters}]+)*"
    return re.compile(rf"{word}(?: {word})*")


_SLOT_REF_RE = re.compile(r"\{([^{}]*)\}")
_NAME_RE = re.compile(r"[A-Za-z_]+")
_INTENT_RE = re.compile(r"(?:AMAZON\.)?[A-Za-z_]+")
_ID_RE = re.compile(r"[a-z0-9_]+")
_LOCALE_RE = re.compile(r"[a-z]{2}-[A-Z]{2}")

Problem = tuple[str, str]  # (key path, message)


class ModelError(ValueError):
    """The model source is missing, unreadable or invalid.

    ``problems`` lists every ``(key_path, message)`` found; ``str()`` names the
    file on every line, e.g. ``en-US.model.yaml: intents.NotSureIntent.samples[3]: ...``.
    """

    def __init__(self, path: Path | str, problems: list[Problem]):
        self.path = Path(path)
        self.problems = list(problems)
        lines = "\n".join(f"  {self.path}: {key}: {msg}" for key, msg in self.problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in interaction model source {self.path}:\n{lines}")


def model_source_path(locale: str = "en-US") -> Path:
    return _paths.CONTENT_DIR / f"{locale}.model.yaml"


def load_model_yaml(path: Path | str) -> dict[str, Any]:
    """Read and validate one model source file; raise ModelError listing all problems."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(path, [("(file)", f"cannot read file: {exc.strerror or exc}")]) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else "(yaml)"
        raise ModelError(path, [(where, f"invalid YAML: {getattr(exc, 'problem', None) or exc}")]) from exc
    problems = validate_model_source(data)
    if isinstance(data, dict) and "version" not in data:
        # A file is change-controlled like the spoken content (content_changes.py): its symptom
        # phrases and answer samples are reviewed under a version. A source built in memory
        # (validate_model_source) is not a reviewed file, so it may leave the version out.
        problems.append(("version", 'is missing: add version: "1.0.0" (in quotes) after locale'))
    expected_locale = path.name.split(".")[0]
    if (isinstance(data, dict) and _LOCALE_RE.fullmatch(expected_locale)
            and isinstance(data.get("locale"), str) and data["locale"] != expected_locale):
        problems.append(("locale", f"is {data['locale']!r} but the file is named for {expected_locale!r}"))
    if problems:
        raise ModelError(path, problems)
    return data


def _phrase_problems(text: Any, *, allow_slots: bool = False, limit: int = MAX_VALUE_CHARS,
                     language: str = "en") -> list[str]:
    if isinstance(text, bool):
        return [f"was read as the boolean {text}: quote it, e.g. \"yes\""]
    if not isinstance(text, str) or not text.strip():
        return ["must be a non-empty string"]
    out = []
    if text != text.lower():
        out.append(f"{text!r} must be lower case")
    plain = _SLOT_REF_RE.sub("x", text) if allow_slots else text
    if not _phrase_re(language).fullmatch(plain.lower()):
        out.append(f"{text!r} may only hold words separated by single spaces: no digits "
                   "(spell numbers out), no punctuation except apostrophes inside words")
    out += [f"{text!r} contains {w!r}: virtual-alexa would turn it into a LaunchRequest"
            for w in LAUNCH_SUBSTRINGS if w in plain.lower()]
    if language == "es":
        out += [f"{text!r} contains {w!r}: Alexa could hear it as opening a skill"
                for w in sorted(SPANISH_LAUNCH_WORDS) if f" {w} " in f" {plain.lower()} "]
    if text.strip() == "exit":
        out.append("'exit' always ends the session; it cannot be a sample")
    if len(text) > limit:
        out.append(f"is {len(text)} characters long (limit {limit})")
    return out


def _check_keys(node: dict, allowed: set, key: str, problems: list) -> None:
    for extra in sorted(set(node) - allowed, key=str):
        problems.append((f"{key}.{extra}" if key else str(extra),
                         f"unknown key (expected one of: {', '.join(sorted(allowed))})"))


def validate_model_source(data: Any) -> list[Problem]:
    """Return every problem in a parsed model source (empty list: valid)."""
    if not isinstance(data, dict):
        return [("(top level)", "must be a mapping with keys locale, invocation_name, intents, slot_types")]
    problems: list[Problem] = []
    _check_keys(data, {"locale", "version", "invocation_name", "intents", "slot_types"}, "", problems)
    if "version" in data:   # labels the reviewed text; not part of the generated JSON
        problems += [("version", problem.message) for problem in Version().check(data["version"], ())]

    locale = data.get("locale")
    if not isinstance(locale, str) or not _LOCALE_RE.fullmatch(locale):
        problems.append(("locale", f"must be a locale like 'en-US', got {locale!r}"))
        locale = "en-US"
    language = locale.split("-")[0]

    inv = data.get("invocation_name")
    if not isinstance(inv, str) or not _phrase_re(language).fullmatch(inv):
        problems.append(("invocation_name", f"must be lower-case words separated by single spaces, got {inv!r}"))
    else:
        if len(inv.split()) < 2:
            problems.append(("invocation_name", f"{inv!r} must have at least two words"))
        banned_words = INVOCATION_BANNED_WORDS | (SPANISH_INVOCATION_BANNED_WORDS if language == "es" else set())
        banned = sorted(banned_words & set(inv.split()))
        if banned:
            problems.append(("invocation_name", f"{inv!r} must not contain {', '.join(banned)}"))

    types = data.get("slot_types")
    if not isinstance(types, dict):
        problems.append(("slot_types", "must be a mapping of slot type name to values"))
        types = {}
    used_types: set = set()

    intents = data.get("intents")
    if not isinstance(intents, dict) or not intents:
        problems.append(("intents", "must be a non-empty mapping of intent name to definition"))
        intents = {}
    for name in REQUIRED_INTENTS:
        if name not in intents:
            problems.append((f"intents.{name}", "required intent is not declared"))
    seen_samples: dict[str, str] = {}
    for name, intent in intents.items():
        key = f"intents.{name}"
        if not isinstance(name, str) or not _INTENT_RE.fullmatch(name):
            problems.append((key, "intent name may only hold letters and underscores (built-ins: AMAZON.Name)"))
        if intent is None:
            intent = {}
        if not isinstance(intent, dict):
            problems.append((key, "must be a mapping with optional keys samples, slots"))
            continue
        _check_keys(intent, {"samples", "slots"}, key, problems)
        slots = intent.get("slots") or {}
        if not isinstance(slots, dict):
            problems.append((f"{key}.slots", "must be a mapping of slot name to slot type"))
            slots = {}
        for slot, slot_type in slots.items():
            if not isinstance(slot, str) or not _NAME_RE.fullmatch(slot):
                problems.append((f"{key}.slots.{slot}", "slot name may only hold letters and underscores"))
            if not isinstance(slot_type, str) or not (slot_type.startswith("AMAZON.") or slot_type in types):
                problems.append((f"{key}.slots.{slot}", f"slot type {slot_type!r} is not declared under slot_types"))
            used_types.add(slot_type)
        samples = intent.get("samples", [])
        if not isinstance(samples, list):
            problems.append((f"{key}.samples", "must be a list of sample utterances"))
            samples = []
        referenced: set = set()
        for i, sample in enumerate(samples):
            skey = f"{key}.samples[{i}]"
            problems += [(skey, msg) for msg in _phrase_problems(sample, allow_slots=True, limit=MAX_SAMPLE_CHARS,
                                                                 language=language)]
            if not isinstance(sample, str):
                continue
            if isinstance(inv, str) and inv and inv in sample:
                problems.append((skey, f"{sample!r} contains the invocation name"))
            for ref in _SLOT_REF_RE.findall(sample):
                referenced.add(ref)
                if ref not in slots:
                    problems.append((skey, f"{sample!r} references slot {{{ref}}} not declared in {key}.slots"))
            if sample in seen_samples:
                problems.append((skey, f"duplicate sample {sample!r} (first at {seen_samples[sample]})"))
            else:
                seen_samples[sample] = skey
        for slot in slots:
            if slot not in referenced:
                problems.append((f"{key}.slots.{slot}", "slot is declared but no sample uses it"))

    for type_name, values in types.items():
        key = f"slot_types.{type_name}"
        if not isinstance(type_name, str) or not _NAME_RE.fullmatch(type_name):
            problems.append((key, "slot type name may only hold letters and underscores"))
        if type_name not in used_types:
            problems.append((key, "slot type is declared but no intent slot uses it"))
        if not isinstance(values, dict) or not values:
            problems.append((key, "must be a non-empty mapping of value id to {name, synonyms}"))
            continue
        seen_phrases: dict[str, str] = {}
        for value_id, value in values.items():
            vkey = f"{key}.{value_id}"
            if not isinstance(value_id, str) or not _ID_RE.fullmatch(value_id):
                problems.append((vkey, "value id may only hold lower-case letters, digits and underscores"))
            if not isinstance(value, dict):
                problems.append((vkey, "must be a mapping with keys name, synonyms"))
                continue
            _check_keys(value, {"name", "synonyms", "ask_first"}, vkey, problems)
            synonyms = value.get("synonyms", [])
            if not isinstance(synonyms, list):
                problems.append((f"{vkey}.synonyms", "must be a list of phrases"))
                synonyms = []
            ask_first = value.get("ask_first", [])
            if "ask_first" in value and type_name != SYMPTOM_TYPE:
                problems.append((f"{vkey}.ask_first", f"only {SYMPTOM_TYPE} values ask first"))
            if not isinstance(ask_first, list) or ("ask_first" in value and not ask_first):
                problems.append((f"{vkey}.ask_first", "must be a non-empty list of phrases"))
                ask_first = []
            if isinstance(value_id, str) and value_id.endswith(ASK_FIRST_SUFFIX):
                problems.append((vkey, f"value id may not end in {ASK_FIRST_SUFFIX!r} "
                                       "(kept for the ask_first phrases)"))
            phrases = [(f"{vkey}.name", value.get("name"))]
            phrases += [(f"{vkey}.synonyms[{i}]", s) for i, s in enumerate(synonyms)]
            phrases += [(f"{vkey}.ask_first[{i}]", s) for i, s in enumerate(ask_first)]
            for pkey, phrase in phrases:
                problems += [(pkey, msg) for msg in _phrase_problems(phrase, language=language)]
                if not isinstance(phrase, str):
                    continue
                if phrase in seen_phrases:
                    problems.append((pkey, f"duplicate phrase {phrase!r} (first at {seen_phrases[phrase]})"))
                else:
                    seen_phrases[phrase] = pkey
    return problems


def interaction_model_from_source(data: dict[str, Any]) -> dict[str, Any]:
    """Convert a validated model source into the ASK CLI interaction model dict."""
    intents = []
    for name, intent in data["intents"].items():
        intent = intent or {}
        entry: dict[str, Any] = {"name": name}
        if intent.get("slots"):
            entry["slots"] = [{"name": s, "type": t} for s, t in intent["slots"].items()]
        entry["samples"] = list(intent.get("samples") or [])
        intents.append(entry)
    types = [{"name": type_name, "values": [alexa_value for value_id, value in values.items()
                                             for alexa_value in _alexa_values(value_id, value)]}
             for type_name, values in data["slot_types"].items()]
    return {"interactionModel": {"languageModel": {
        "invocationName": data["invocation_name"], "intents": intents, "types": types}}}


def _alexa_values(value_id: str, value: dict) -> list:
    """A source value as Alexa's slot values: its own, and for phrases that name a sign but can
    be long-standing ("i have incontinence"), a second value whose id says to ask the sign's
    question first rather than count it (backstop.ASK_FIRST_SUFFIX, hazard log H24)."""
    values = [{"id": value_id, "name": {"value": value["name"],
                                        "synonyms": list(value.get("synonyms") or [])}}]
    ask_first = list(value.get("ask_first") or [])
    if ask_first:
        values.append({"id": value_id + ASK_FIRST_SUFFIX,
                       "name": {"value": ask_first[0], "synonyms": ask_first[1:]}})
    return values


def build_interaction_model(locale: str = "en-US", *, path: Path | str | None = None) -> dict[str, Any]:
    """Load, validate and convert ``skill/content/<locale>.model.yaml`` (or ``path``)."""
    source = Path(path) if path is not None else model_source_path(locale)
    data = load_model_yaml(source)
    if data["locale"] != locale:
        raise ModelError(source, [("locale", f"is {data['locale']!r}, expected {locale!r}")])
    return interaction_model_from_source(data)


def render_interaction_model(locale: str = "en-US") -> str:
    """The exact text of ``interaction_model/<locale>.json``."""
    return json.dumps(build_interaction_model(locale), indent=2, ensure_ascii=False) + "\n"


def write_interaction_model(locale: str = "en-US", directory: Path | str = DEFAULT_OUTPUT_DIR) -> Path:
    """Write ``<directory>/<locale>.json`` (directory defaults to the repo's interaction_model/)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{locale}.json"
    target.write_text(render_interaction_model(locale), encoding="utf-8")
    return target


def model_locales() -> list[str]:
    """Every locale with a model source, skill/content/<locale>.model.yaml."""
    return sorted(path.name.split(".")[0] for path in _paths.CONTENT_DIR.glob("*.model.yaml"))


def main(argv: list[str] | None = None) -> int:
    locales = (argv if argv is not None else sys.argv[1:]) or model_locales()
    try:
        for locale in locales:
            print(write_interaction_model(locale))
    except ModelError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
