"""load_clinician_content(): a locale's clinician-mode YAML -> schema check -> frozen values.
Checked with the same schema parts as the patient content, and against the references of the
locale whose file it is (English locales share en-US's file, which cites en-US's keys)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping, Optional

import yaml

from skill.content.loader import VALUE_NAMES, SAFE_LOADER, Content, companion_file, load_content
from skill.content.schema import ContentError, ListOf, OneOf, Problem, Record, Text, Version

SPEECH_KEYS = ("welcome", "entered", "menu_reprompt", "after_answer", "help", "help_exam",
               "not_understood", "word_unclear", "next_recorded", "went_back",
               "went_back_unrecorded", "first_step", "no_step", "kept_cauda_equina",
               "summary_so_far", "side_question", "side_again", "side_reprompt",
               "side_not_recorded", "help_side", "history_not_overridden", "goodbye",
               "summary_title", "summary", "summary_emergency", "nothing_recorded",
               "after_summary", "resumed", "resumed_new", "new_exam")
TOPICS = ("imaging", "referral", "opioids", "pitfalls", "straight_leg_raise_evidence")
FINDINGS = ("positive", "negative", "not_done")
# A clinician's words (FindingType ids) whose meaning depends on the step: each step's `heard`
# says which finding each means there; a word the step does not list is asked again.
WORDS = ("reduced", "absent", "present", "brisk", "raised")
# The side of a positive finding at a sided step; "unknown" when it could not be placed.
SIDES = ("left", "right", "both", "unknown")
HEARD_SIDES = SIDES[:3]     # the sides a clinician can name
CAUDA_EQUINA_SUSPECTED = "cauda_equina_suspected"


@dataclass(frozen=True)
class ExamStep:
    id: str
    label: str
    prompt: str
    points_to: str
    suggests_cauda_equina: bool
    only_when_cauda_equina_suspected: bool
    sided: bool = False             # a positive finding is recorded with its side
    reprompt: str = ""              # the step and its answers: "Reflexes: reduced, absent..."
    heard: Mapping[str, str] = field(default_factory=dict)  # a WORDS word -> its finding here
    said: Mapping[str, str] = field(default_factory=dict)   # a finding -> its summary words


@dataclass(frozen=True)
class ClinicianContent:
    locale: str
    version: str
    speech: Mapping[str, str]
    red_flags: str
    cauda_equina_action: str
    exam: tuple
    findings: Mapping[str, str]
    sides: Mapping[str, str]
    points_to_default: str
    points_to_radiculopathy: str
    points_to_bilateral: str
    answers: Mapping[str, str]
    # The patient content's cauda equina (outcome if yes: emergency) question ids: a report of any of them
    # gets the action. Taken from the content, never listed here, so a question added there
    # escalates here too.
    cauda_equina_symptoms: frozenset
    # The language's own small words, so the core says none in English: "and" between root
    # levels, a clinician's word (WORDS id) as said when it cannot be recorded, and the side a
    # yes names at the side question (English: Alexa hears a bare "right" as yes; None: a yes
    # names no side and is asked again).
    and_word: str = "and"
    words: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({w: w for w in WORDS}))
    yes_names_side: Optional[str] = None

    def step(self, step_id: str) -> ExamStep:
        return next(step for step in self.exam if step.id == step_id)


def _schema() -> Record:
    text = Text(placeholders=VALUE_NAMES)
    refs = ListOf(Text())
    cited = Record(required={"text": text, "references": refs}, optional={"note": Text()})
    speech = {key: text for key in SPEECH_KEYS}
    speech["summary"] = Text(placeholders=frozenset({"recorded", "points_to"}))
    speech["help_exam"] = Text(placeholders=frozenset({"step", "total"}))
    speech["summary_emergency"] = Text(placeholders=frozenset({"recorded", "reasons"}))
    speech["word_unclear"] = Text(placeholders=frozenset({"word"}))
    speech["went_back_unrecorded"] = Text(placeholders=frozenset({"step"}))
    speech["resumed"] = Text(placeholders=frozenset({"step", "count"}))
    for key in ("next_recorded", "went_back", "kept_cauda_equina"):
        speech[key] = Text(placeholders=frozenset({"step", "finding"}))
    return Record(required={
        "locale": Text(),
        "version": Version(),
        "speech": Record(required={**speech, "references": refs}, optional={"note": Text()}),
        "red_flags": cited,
        "cauda_equina_action": cited,
        "exam": ListOf(Record(
            required={"id": Text(), "label": Text(), "prompt": text, "reprompt": Text(),
                      "points_to": Text(), "references": refs},
            optional={"note": Text(), "when": OneOf((CAUDA_EQUINA_SUSPECTED,)),
                      "suggests_cauda_equina": OneOf((True, False)),
                      "sided": OneOf((True, False)),
                      "heard": Record(required={}, optional={word: OneOf(("positive", "negative"))
                                                for word in WORDS}),
                      "said": Record(required={}, optional={name: Text() for name in FINDINGS})})),
        "findings": Record(required={name: Text() for name in FINDINGS}),
        "sides": Record(required={side: Text() for side in SIDES}),
        "points_to_default": Text(),
        "points_to_radiculopathy": Text(placeholders=frozenset({"levels"})),
        "points_to_bilateral": Text(),
        "answers": Record(required={topic: cited for topic in TOPICS}),
    }, optional={
        "and_word": Text(),
        "words": Record(required={word: Text() for word in WORDS}),
        "yes_names_side": OneOf(HEARD_SIDES),
    })


def _cross_checks(raw, known) -> list:
    """Rules that span sections: references exist, ids are unique, speech is plain text."""
    problems = []
    cited = [(("red_flags",), raw["red_flags"]), (("cauda_equina_action",), raw["cauda_equina_action"]),
             (("speech",), raw["speech"])]
    cited += [(("exam", index), step) for index, step in enumerate(raw["exam"])]
    cited += [(("answers", topic), answer) for topic, answer in raw["answers"].items()]
    for path, item in cited:
        for index, ref in enumerate(item["references"]):
            if ref not in known:
                problems.append(Problem(path + ("references", index), f"unknown reference {ref!r}"))
    ids = [step["id"] for step in raw["exam"]]
    for index, step_id in enumerate(ids):
        if ids.index(step_id) != index:
            problems.append(Problem(("exam", index, "id"), f"duplicate exam step {step_id!r}"))
    problems += [Problem(path, f"{char!r} in spoken text: keep it plain (SSML-safe) text")
                 for path, text in _spoken(raw) for char in SSML_UNSAFE if char in text]
    return problems


SSML_UNSAFE = ("&", "<", ">")


def _spoken(raw):
    """(key path, text) for everything the skill says or shows, notes and references aside."""
    for key in SPEECH_KEYS:
        yield ("speech", key), raw["speech"][key]
    for block in ("red_flags", "cauda_equina_action"):
        yield (block, "text"), raw[block]["text"]
    for index, step in enumerate(raw["exam"]):
        for key in ("label", "prompt", "reprompt", "points_to"):
            yield ("exam", index, key), step[key]
        for finding, text in step.get("said", {}).items():
            yield ("exam", index, "said", finding), text
    for block in ("findings", "sides"):
        for key, text in raw[block].items():
            yield (block, key), text
    for key in ("points_to_default", "points_to_radiculopathy", "points_to_bilateral"):
        yield (key,), raw[key]
    for topic, answer in raw["answers"].items():
        yield ("answers", topic, "text"), answer["text"]
    yield ("and_word",), raw.get("and_word", "")
    for word, text in raw.get("words", {}).items():
        yield ("words", word), text


def cauda_equina_symptoms(patient: Content) -> frozenset:
    """The ids of the patient content's cauda equina (outcome if yes: emergency) questions."""
    return frozenset(question.id for question in patient.emergency_questions)


def load_clinician_file(path: Path, references: Mapping[str, str],
                        cauda_equina_symptoms: Iterable[str]) -> ClinicianContent:
    try:
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(str(path), [Problem((), f"cannot be read: {error}")]) from error
    problems = list(_schema().check(raw, ()))
    if not problems:
        problems = _cross_checks(raw, set(references))
    if problems:
        raise ContentError(str(path), problems)
    return ClinicianContent(
        locale=raw["locale"],
        version=raw["version"],
        speech=MappingProxyType({key: raw["speech"][key].strip() for key in SPEECH_KEYS}),
        red_flags=raw["red_flags"]["text"].strip(),
        cauda_equina_action=raw["cauda_equina_action"]["text"].strip(),
        exam=tuple(ExamStep(id=s["id"], label=s["label"], prompt=s["prompt"].strip(),
                            points_to=s["points_to"].strip(),
                            suggests_cauda_equina=bool(s.get("suggests_cauda_equina", False)),
                            only_when_cauda_equina_suspected=s.get("when") == CAUDA_EQUINA_SUSPECTED,
                            sided=bool(s.get("sided", False)),
                            reprompt=s["reprompt"].strip(),
                            heard=MappingProxyType(dict(s.get("heard", {}))),
                            said=MappingProxyType(dict(s.get("said", {}))))
                   for s in raw["exam"]),
        findings=MappingProxyType(dict(raw["findings"])),
        sides=MappingProxyType(dict(raw["sides"])),
        points_to_default=raw["points_to_default"].strip(),
        points_to_radiculopathy=raw["points_to_radiculopathy"].strip(),
        points_to_bilateral=raw["points_to_bilateral"].strip(),
        answers=MappingProxyType({topic: raw["answers"][topic]["text"].strip() for topic in TOPICS}),
        cauda_equina_symptoms=frozenset(cauda_equina_symptoms),
        and_word=raw.get("and_word", "and").strip(),
        words=MappingProxyType({word: raw.get("words", {}).get(word, word).strip() for word in WORDS}),
        yes_names_side=raw.get("yes_names_side"),
    )


@functools.lru_cache(maxsize=None)
def load_clinician_content(locale: str) -> Optional[ClinicianContent]:
    """The clinician content for a locale, or None where clinician mode is not written yet."""
    path = companion_file(locale, "clinician")
    if path is None:
        return None
    # A shared file cites the keys of the locale it belongs to, as the review pack shows it.
    owner = path.name.split(".")[0]
    return replace(_checked_file(path, owner, path.stat().st_mtime_ns),
                   cauda_equina_symptoms=cauda_equina_symptoms(load_content(locale)))


@functools.lru_cache(maxsize=None)
def _checked_file(path: Path, owner: str, modified: int) -> ClinicianContent:
    # One read and check per file and version, not per locale it serves: the checks depend
    # on the file and its owner's references only (a tenth of the cold start with five
    # English locales). `modified` makes an edited file a new one.
    return load_clinician_file(path, load_content(owner).references,
                               cauda_equina_symptoms(load_content(owner)))
