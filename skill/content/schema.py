"""A small schema checker for YAML content, in the spirit of cfgv: named parts, every problem
collected with its key path, so one run of the tests lists everything a reviewer must fix."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

Path = tuple  # of str | int

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_VERSION = re.compile(r"\d+\.\d+\.\d+")


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str

    def describe(self) -> str:
        key = ".".join(str(part) if isinstance(part, str) else f"[{part}]" for part in self.path)
        return f"{key or '(top level)'}: {self.message}"


class ContentError(ValueError):
    """Raised with every problem found in one content file."""

    def __init__(self, source: str, problems: Sequence[Problem]):
        self.source = source
        self.problems = tuple(problems)
        lines = "\n".join(f"  {source}: {p.describe()}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {source}:\n{lines}")


class Schema:
    def check(self, value: Any, path: Path) -> Iterator[Problem]:
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Schema):
    """A non-empty string. `placeholders` lists the {names} it may use; `max_words` is a limit
    for speech a listener must hold in mind."""

    placeholders: frozenset = frozenset()
    max_words: int | None = None

    def check(self, value, path):
        if not isinstance(value, str) or not value.strip():
            yield Problem(path, f"must be non-empty text, got {_describe(value)}")
            return
        for name in _PLACEHOLDER.findall(value):
            if name not in self.placeholders:
                allowed = ", ".join(sorted(self.placeholders)) or "none"
                yield Problem(path, f"unknown placeholder {{{name}}} (allowed here: {allowed})")
        if self.max_words is not None and count_words(value) > self.max_words:
            yield Problem(path, f"has {count_words(value)} words, more than {self.max_words}")


@dataclass(frozen=True)
class Version(Schema):
    """A content version, MAJOR.MINOR.PATCH, quoted in YAML so it stays text. Raised whenever
    the spoken text changes, so a clinical reviewer signs off each change (safety/README.md)."""

    def check(self, value, path):
        if not isinstance(value, str) or not _VERSION.fullmatch(value):
            yield Problem(path, f"must be a version like \"1.2.0\" (in quotes), got {_describe(value)}")


@dataclass(frozen=True)
class OneOf(Schema):
    choices: tuple

    def check(self, value, path):
        if value not in self.choices:
            yield Problem(path, f"must be one of {', '.join(map(str, self.choices))}, got {_describe(value)}")


@dataclass(frozen=True)
class ListOf(Schema):
    item: Schema
    min_items: int = 1

    def check(self, value, path):
        if not isinstance(value, list):
            yield Problem(path, f"must be a list, got {_describe(value)}")
            return
        if len(value) < self.min_items:
            yield Problem(path, f"needs at least {self.min_items} item(s)")
        for index, item in enumerate(value):
            yield from self.item.check(item, path + (index,))


@dataclass(frozen=True)
class MapOf(Schema):
    """A mapping with free keys (matching `key_pattern`) and values of one schema."""

    value: Schema
    key_pattern: str = r"^[A-Za-z][A-Za-z0-9_-]*$"
    min_items: int = 1

    def check(self, value, path):
        if not isinstance(value, dict):
            yield Problem(path, f"must be a mapping, got {_describe(value)}")
            return
        if len(value) < self.min_items:
            yield Problem(path, f"needs at least {self.min_items} entr(y/ies)")
        for key, item in value.items():
            if not isinstance(key, str) or not re.match(self.key_pattern, key):
                yield Problem(path + (str(key),), "is not a valid key name")
                continue
            yield from self.value.check(item, path + (key,))


@dataclass(frozen=True)
class Record(Schema):
    """A mapping with named fields: `required` and `optional` map a field name to its schema."""

    required: Mapping[str, Schema]
    optional: Mapping[str, Schema] = field(default_factory=dict)

    def check(self, value, path):
        if not isinstance(value, dict):
            yield Problem(path, f"must be a mapping, got {_describe(value)}")
            return
        for name, schema in self.required.items():
            if name not in value:
                yield Problem(path + (name,), "is missing")
            else:
                yield from schema.check(value[name], path + (name,))
        for name, schema in self.optional.items():
            if name in value:
                yield from schema.check(value[name], path + (name,))
        for name in value:
            if name not in self.required and name not in self.optional:
                yield Problem(path + (str(name),), "is not a known key (a typo?)")


@dataclass(frozen=True)
class Check(Schema):
    """A rule across several keys: `rule(value)` yields (relative path, message) pairs."""

    inner: Schema
    rule: Callable[[Any], Iterator[tuple]]

    def check(self, value, path):
        problems = list(self.inner.check(value, path))
        yield from problems
        if not problems:
            for relative, message in self.rule(value):
                yield Problem(path + tuple(relative), message)


def count_words(text: str) -> int:
    return len(re.findall(r"[\w'{}]+", text))


def placeholders_in(text: str) -> list:
    return _PLACEHOLDER.findall(text)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return "empty text" if not value.strip() else f"text {value[:30]!r}"
    return type(value).__name__
