"""The clinical hazard log, safety/hazard-log.yaml: loaded and checked like the content files.

Each hazard names the tests that prove its mitigations, so a control that loses its test is
caught here rather than at the next safety review. The log is for reviewers and the tests: it
lives at the repository root beside skill/, outside the installed package, and the running
skill never reads it."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import yaml

from skill import _paths
from skill.content.loader import SAFE_LOADER
from skill.content.schema import Check, ContentError, ListOf, OneOf, Problem, Record, Text, Version

HAZARD_LOG_PATH = _paths.SAFETY_DIR / "hazard-log.yaml"
TESTS_DIR = _paths.TESTS_DIR

SEVERITIES = ("minor", "significant", "considerable", "major", "catastrophic")
LIKELIHOODS = ("very_low", "low", "medium", "high", "very_high")
# The 5x5 matrix commonly published with DCB0129: a row per likelihood, a column per severity
# (in SEVERITIES order). The log's header asks the safety officer to check it against theirs.
_MATRIX = {
    "very_high": (3, 4, 4, 5, 5),
    "high": (2, 3, 3, 4, 5),
    "medium": (2, 2, 3, 3, 4),
    "low": (1, 2, 2, 3, 4),
    "very_low": (1, 1, 2, 2, 3),
}
_HAZARD_ID = re.compile(r"H\d\d")
# A test file under tests/, then a test, or a class and one of its methods. No parametrize
# brackets: a case id changes whenever its parameters do, and the log would go stale.
_NODE_ID = re.compile(r"tests/(?:[\w-]+/)*[\w-]+\.py::\w+(?:::\w+)?")


def risk_rating(severity: str, likelihood: str) -> int:
    """The risk, 1 (lowest) to 5, for a severity and a likelihood."""
    if severity not in SEVERITIES or likelihood not in LIKELIHOODS:
        raise ValueError(f"no rating for severity {severity!r} and likelihood {likelihood!r}")
    return _MATRIX[likelihood][SEVERITIES.index(severity)]


@dataclass(frozen=True)
class Mitigation:
    text: str
    tests: tuple   # pytest node ids, "tests/<file>.py::<test>"


@dataclass(frozen=True)
class Assessment:
    severity: str
    likelihood: str

    @property
    def rating(self) -> int:
        return risk_rating(self.severity, self.likelihood)


@dataclass(frozen=True)
class Hazard:
    id: str
    title: str
    cause: str
    effect: str
    before: Assessment
    after: Assessment
    mitigations: tuple
    residual: str


@dataclass(frozen=True)
class HazardLog:
    version: str
    hazards: tuple
    source: str


def _schema() -> Record:
    assessment = Check(Record(required={"severity": OneOf(SEVERITIES),
                                        "likelihood": OneOf(LIKELIHOODS)},
                              optional={"rating": OneOf((1, 2, 3, 4, 5))}), _rating_rules)
    mitigation = Record(required={"text": Text(),
                                  "tests": ListOf(Check(Text(), _node_id_rules))})
    hazard = Check(Record(required={
        "id": Check(Text(), _hazard_id_rules), "title": Text(), "cause": Text(),
        "effect": Text(), "before": assessment, "after": assessment,
        "mitigations": ListOf(mitigation), "residual": Text(),
    }), _risk_rules)
    return Record(required={"version": Version(),
                            "hazards": Check(ListOf(hazard), _id_order_rules)})


def _hazard_id_rules(hazard_id):
    if not _HAZARD_ID.fullmatch(hazard_id):
        yield (), f"must be H and two digits, like H07, got {hazard_id!r}"


def _node_id_rules(node_id):
    if "[" in node_id:
        yield (), f"names a parametrized case ({node_id!r}): name the test without [...]"
    elif not _NODE_ID.fullmatch(node_id):
        yield (), (f"must be a pytest node id like tests/test_dialogs.py::test_name, "
                   f"got {node_id!r}")


def _rating_rules(assessment):
    """A rating written beside the scales is for readers of the YAML: it must match the matrix."""
    expected = risk_rating(assessment["severity"], assessment["likelihood"])
    if assessment.get("rating", expected) != expected:
        yield ("rating",), (f"is {assessment['rating']}, but the matrix gives {expected} for "
                            f"{assessment['severity']} and {assessment['likelihood']}")


def _risk_rules(hazard):
    # Mitigations lower the likelihood (and may lower the severity); a rating that rises means
    # the assessment, or the control, is wrong.
    before = risk_rating(hazard["before"]["severity"], hazard["before"]["likelihood"])
    after = risk_rating(hazard["after"]["severity"], hazard["after"]["likelihood"])
    if after > before:
        yield ("after",), f"rates {after}, riskier than before mitigation ({before})"


def _id_order_rules(hazards):
    # Ids only ever rise, and gaps are allowed: a retired hazard keeps its number, so an old
    # safety case never points at a different hazard.
    seen, highest = set(), ""
    for index, hazard in enumerate(hazards):
        hazard_id = hazard["id"]
        if hazard_id in seen:
            yield (index, "id"), f"duplicate hazard id {hazard_id!r}"
        elif hazard_id < highest:
            yield (index, "id"), f"{hazard_id} comes after {highest}: keep the ids in order"
        seen.add(hazard_id)
        highest = max(highest, hazard_id)


def _build(raw, source: str) -> HazardLog:
    def assessment(entry) -> Assessment:
        return Assessment(severity=entry["severity"], likelihood=entry["likelihood"])

    return HazardLog(version=raw["version"], source=source, hazards=tuple(
        Hazard(id=h["id"], title=h["title"].strip(), cause=h["cause"].strip(),
               effect=h["effect"].strip(), before=assessment(h["before"]),
               after=assessment(h["after"]), residual=h["residual"].strip(),
               mitigations=tuple(Mitigation(text=m["text"].strip(), tests=tuple(m["tests"]))
                                 for m in h["mitigations"]))
        for h in raw["hazards"]))


def load_hazard_log(path: Union[str, Path, None] = None,
                    tests_dir: Union[str, Path, None] = None) -> HazardLog:
    """Load and check the hazard log; raises ContentError listing every problem. With
    `tests_dir`, a named test that it does not define is a problem too."""
    path = Path(path or HAZARD_LOG_PATH)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(str(path), [Problem((), f"cannot be read: {error}")]) from error
    problems = list(_schema().check(raw, ()))
    if problems:
        raise ContentError(str(path), problems)
    log = _build(raw, str(path))
    if tests_dir is not None:
        problems = missing_tests(log, tests_dir)
        if problems:
            raise ContentError(str(path), problems)
    return log


def missing_tests(log: HazardLog, tests_dir: Union[str, Path] = TESTS_DIR) -> list:
    """A Problem for every node id in the log that `tests_dir` does not define. The test files
    are parsed, never imported: importing them would run their module-level setup."""
    tests_dir = Path(tests_dir)
    definitions: dict = {}
    problems = []
    for h_index, hazard in enumerate(log.hazards):
        for m_index, mitigation in enumerate(hazard.mitigations):
            for t_index, node_id in enumerate(mitigation.tests):
                reason = _why_missing(node_id, tests_dir, definitions)
                if reason is not None:
                    where = ("hazards", h_index, "mitigations", m_index, "tests", t_index)
                    problems.append(Problem(where, f"{hazard.id} names {node_id}, but {reason}"))
    return problems


def _why_missing(node_id: str, tests_dir: Path, definitions: dict) -> Optional[str]:
    file_part, *names = node_id.split("::")
    relative = file_part.split("/", 1)[1] if "/" in file_part else file_part
    if relative not in definitions:
        definitions[relative] = _test_definitions(tests_dir / relative)
    defined = definitions[relative]
    if defined is None:
        exists = (tests_dir / relative).is_file()
        return f"{file_part} does not parse" if exists else f"there is no file {file_part}"
    if len(names) == 1:
        if names[0] not in defined or defined[names[0]] is False:
            return f"{file_part} defines no test {names[0]}"
        return None
    test_class, method = names
    if not isinstance(defined.get(test_class), frozenset):
        return f"{file_part} defines no test class {test_class}"
    if method not in defined[test_class]:
        return f"class {test_class} in {file_part} has no test method {method}"
    return None


def _test_definitions(path: Path) -> Optional[dict]:
    """What a test module defines at the top level, by name: True for a test function or a
    class made by assignment (hypothesis' `TestX = Machine.TestCase`), a frozenset of test
    method names for a Test class, False for anything pytest would not collect."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    defined = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined[node.name] = node.name.startswith("test")
        elif isinstance(node, ast.ClassDef):
            defined[node.name] = _test_methods(node) if node.name.startswith("Test") else False
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    defined[target.id] = target.id.startswith("Test")
    return defined


def _test_methods(node: ast.ClassDef) -> frozenset:
    return frozenset(item.name for item in node.body
                     if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and item.name.startswith("test"))
