"""Change control for the content: what a clinical reviewer last signed off, and what changed.

safety/reviewed-content.json is the last reviewed snapshot: per content file its `version` and
every text leaf flattened to a key path (`questions.bladder.ask`, `outcomes.emergency.speech[0]`).
A text that changes must come with a higher `version`, so a version names one reviewed text;
`unreviewed_changes_without_new_version` finds the files that break that rule, and the review
pack (review_pack.py) shows the reviewer the difference.

An interaction model (`<locale>.model.yaml`) is recorded by its clinically significant parts
only (model_leaves): which phrases count as which symptom, and which words count as yes, no
and not sure. Its carrier phrases and navigation samples change how well Alexa understands,
not what an answer means, so they are left to the model's own tests."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Union

import yaml

from skill import _paths
from skill.content.loader import SAFE_LOADER
from skill.content.schema import ContentError, Problem

REPO_ROOT = _paths.REPO_ROOT
SNAPSHOT_PATH = REPO_ROOT / "safety" / "reviewed-content.json"
# Short lists of ids read as a whole: one leaf, so a changed reference is one changed line.
JOINED_LISTS = frozenset({"references", "for"})
# The position of each item in a list of items with ids: the question order is what patients
# hear, so a reordering is a change to review like any text.
ORDER_FIELD = "(order)"
SIGNED_OFF_NOTE = "Signed off with `sciatica-skill sign-off` after reading the review pack."
MODEL_SUFFIX = ".model.yaml"
SYMPTOM_TYPE = "SymptomType"
# The intents a screening question's answer arrives as (handlers.ANSWER_INTENTS, not imported
# here so change control does not load the ask-sdk): a sample moved between them changes what
# the answer means ("know" heard for "no": hazard H02).
ANSWER_INTENTS = ("AMAZON.YesIntent", "AMAZON.NoIntent", "NotSureIntent")
# The symptom ids that exist, as one text: a symptom added or dropped is a change to review.
SYMPTOM_IDS_FIELD = "(ids)"
# A symptom's phrases that ask its question first instead of counting as a yes (the model
# source's `ask_first`, interaction_model._alexa_values): recorded apart from its other phrases.
ASK_FIRST_FIELD = "ask_first"
# Model texts are sorted phrase lists joined by this; the model loader allows no punctuation
# in a phrase, so it never occurs inside one. Sorted, because Alexa ignores the order.
PHRASE_SEPARATOR = "; "


@dataclass(frozen=True)
class Leaf:
    """One text in a content file. `block` is the item it belongs to (("questions", "bladder")),
    `field` its name there ("ask", "speech[0]"); `key` joins them with dots."""

    block: tuple
    field: str
    text: str

    @property
    def key(self) -> str:
        return ".".join(self.block + (self.field,))


@dataclass(frozen=True)
class FileChanges:
    """How one content file differs from its reviewed snapshot (None: absent there or here)."""

    path: str
    version: Optional[str]
    reviewed_version: Optional[str]
    added: Mapping[str, str] = field(default_factory=dict)
    removed: Mapping[str, str] = field(default_factory=dict)
    changed: Mapping[str, tuple] = field(default_factory=dict)   # key -> (old, new)

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    @property
    def keys(self) -> list:
        return list(self.changed) + list(self.added) + list(self.removed)


def content_leaves(raw: Mapping) -> list:
    """Every text leaf of a parsed content file, in file order; the top-level `version` is left
    out because it labels the text rather than being part of it."""
    leaves: list = []
    _walk({key: value for key, value in raw.items() if key != "version"}, (), leaves)
    return leaves


def _walk(mapping: Mapping, block: tuple, leaves: list) -> None:
    for name, value in mapping.items():
        name = str(name)
        if isinstance(value, dict):
            _walk(value, block + (name,), leaves)
        elif isinstance(value, list) and name in JOINED_LISTS and not _has_items(value):
            leaves.append(Leaf(block, name, ", ".join(_text(item) for item in value)))
        elif isinstance(value, list) and value and all(_has_id(item) for item in value):
            ids = [str(item["id"]) for item in value]
            leaves.append(Leaf(block + (name,), ORDER_FIELD, ", ".join(ids)))
            for item_id, item in zip(ids, value):
                _walk({k: v for k, v in item.items() if k != "id"}, block + (name, item_id), leaves)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    _walk(item, block + (f"{name}[{index}]",), leaves)
                else:
                    leaves.append(Leaf(block, f"{name}[{index}]", _text(item)))
        else:
            leaves.append(Leaf(block, name, _text(value)))


def _has_id(item) -> bool:
    return isinstance(item, dict) and "id" in item


def _has_items(values: list) -> bool:
    return any(isinstance(item, (dict, list)) for item in values)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def model_leaves(raw: Mapping) -> list:
    """The clinically significant texts of an interaction model source, each a sorted phrase
    list: `symptoms.(ids)`, then in file order `symptoms.<id>` (the value's name and synonyms:
    a user saying any of them reports that symptom) and, where it has any,
    `symptoms.<id>.ask_first` (phrases that ask that symptom's question first: a phrase moved
    between the two changes what saying it does), then `answers.<intent>` (its samples)."""
    symptoms = (raw.get("slot_types") or {}).get(SYMPTOM_TYPE) or {}
    leaves = [Leaf(("symptoms",), SYMPTOM_IDS_FIELD, _phrase_list(symptoms))]
    for symptom_id, value in symptoms.items():
        value = value or {}
        phrases = [value.get("name"), *(value.get("synonyms") or [])]
        leaves.append(Leaf(("symptoms",), str(symptom_id), _phrase_list(phrases)))
        if value.get("ask_first"):
            leaves.append(Leaf(("symptoms", str(symptom_id)), ASK_FIRST_FIELD,
                               _phrase_list(value["ask_first"])))
    intents = raw.get("intents") or {}
    for intent in ANSWER_INTENTS:
        samples = (intents.get(intent) or {}).get("samples") or []
        leaves.append(Leaf(("answers",), intent, _phrase_list(samples)))
    return leaves


def phrase_list(text: str) -> list:
    """A model text split back into its phrases."""
    return [phrase for phrase in text.split(PHRASE_SEPARATOR) if phrase]


def _phrase_list(phrases) -> str:
    return PHRASE_SEPARATOR.join(sorted(_text(phrase) for phrase in phrases))


def is_model_file(path: Union[str, Path]) -> bool:
    return str(path).endswith(MODEL_SUFFIX)


def reviewed_leaves(path: Union[str, Path], raw: Mapping) -> list:
    """The texts a reviewer signs off in one file: every leaf of a content file, the
    clinically significant phrase lists of an interaction model."""
    return model_leaves(raw) if is_model_file(path) else content_leaves(raw)


def flat_texts(raw: Mapping, path: Union[str, Path] = "") -> dict:
    return {leaf.key: leaf.text for leaf in reviewed_leaves(path, raw)}


def content_files(content_dir: Path = _paths.CONTENT_DIR) -> list:
    """The reviewed files: patient, clinician and screen text, and the interaction models
    (*.model.yaml: the words Alexa hears as a symptom or an answer)."""
    return sorted(Path(content_dir).glob("*.yaml"))


def relative_name(path: Path) -> str:
    """The name a snapshot uses for a content file, whichever directory it was read from."""
    return f"skill/content/{Path(path).name}"


def read_raw(path: Path) -> Mapping:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER)


def current_files(content_dir: Path = _paths.CONTENT_DIR) -> dict:
    """relative name -> {"version", "texts"}, as a snapshot records them."""
    files = {}
    for path in content_files(content_dir):
        raw = read_raw(path)
        files[relative_name(path)] = {"version": str(raw.get("version")),
                                      "texts": flat_texts(raw, path)}
    return files


def load_snapshot(path: Union[str, Path] = SNAPSHOT_PATH) -> dict:
    """The reviewed snapshot; an absent file is a snapshot of nothing (all content is new)."""
    path = Path(path)
    if not path.is_file():
        return {"reviewed_by": None, "reviewed_on": None, "note": f"no snapshot at {path}",
                "files": {}}
    try:
        snapshot = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:   # ValueError: bad JSON or bad UTF-8
        raise ContentError(str(path), [Problem((), f"is not a readable snapshot: {error}")]) \
            from error
    if not isinstance(snapshot, dict) or not isinstance(snapshot.get("files"), dict):
        raise ContentError(str(path), [Problem(("files",), "a snapshot needs a files mapping")])
    return snapshot


def write_snapshot(snapshot: Mapping, path: Union[str, Path] = SNAPSHOT_PATH) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def compare(snapshot: Mapping, content_dir: Path = _paths.CONTENT_DIR) -> list:
    """One FileChanges per content file here or in the snapshot, in name order."""
    current = current_files(content_dir)
    reviewed = snapshot.get("files", {})
    changes = []
    for name in sorted(set(current) | set(reviewed)):
        now, then = current.get(name), reviewed.get(name)
        new_texts = now["texts"] if now else {}
        old_texts = then["texts"] if then else {}
        changes.append(FileChanges(
            path=name, version=now["version"] if now else None,
            reviewed_version=then["version"] if then else None,
            added={k: v for k, v in new_texts.items() if k not in old_texts},
            removed={k: v for k, v in old_texts.items() if k not in new_texts},
            changed={k: (old_texts[k], v) for k, v in new_texts.items()
                     if k in old_texts and old_texts[k] != v}))
    return changes


def version_tuple(version: Optional[str]) -> tuple:
    """"1.10.0" -> (1, 10, 0); compared as numbers, so 1.10.0 is above 1.9.0."""
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        return (-1,)   # an unreadable version is never higher than a reviewed one


def unreviewed_changes_without_new_version(snapshot: Union[Mapping, str, Path],
                                           content_dir: Path = _paths.CONTENT_DIR) -> list:
    """A problem for each content file whose text changed since review while its version did
    not rise. A file the snapshot lacks is all new: any version is higher than none."""
    if not isinstance(snapshot, Mapping):
        snapshot = load_snapshot(snapshot)
    problems = []
    for change in compare(snapshot, content_dir):
        if change.version is None or change.reviewed_version is None or not change.any:
            continue
        if version_tuple(change.version) > version_tuple(change.reviewed_version):
            continue
        keys = change.keys
        shown = ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else "")
        still = "" if change.version == change.reviewed_version else f" (now {change.version})"
        problems.append(f"{change.path}: {_what_changed(change.path)} changed since version "
                        f"{change.reviewed_version} was reviewed{still} ({shown}); raise `version`")
    return problems


def _what_changed(path: str) -> str:
    return "symptom phrases or answer words" if is_model_file(path) else "spoken text"


def sign_off(reviewer: str, reviewed_on: str, snapshot_path: Union[str, Path] = SNAPSHOT_PATH,
             content_dir: Path = _paths.CONTENT_DIR) -> dict:
    """Record the content as it is now as reviewed by `reviewer` on `reviewed_on`.
    Raises ValueError for an empty reviewer, or for changed text whose version did not rise
    (a version must name one reviewed text)."""
    if not reviewer or not reviewer.strip():
        raise ValueError("a sign-off needs the reviewer's name and role, e.g. "
                         '--reviewer "Dr A Smith, consultant physiotherapist"')
    problems = unreviewed_changes_without_new_version(load_snapshot(snapshot_path), content_dir)
    if problems:
        raise ValueError("raise the version of changed content before signing it off:\n  "
                         + "\n  ".join(problems))
    snapshot = {"reviewed_by": reviewer.strip(), "reviewed_on": reviewed_on,
                "note": SIGNED_OFF_NOTE, "files": current_files(content_dir)}
    write_snapshot(snapshot, snapshot_path)
    return snapshot
