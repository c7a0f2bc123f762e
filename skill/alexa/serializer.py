"""The SDK's DefaultSerializer, with its two slowest lookups made cheap.

Profiling a screen turn (benchmarks/RESULTS.md) showed that of the ~120 us the SDK spends
turning a request envelope into models, ~29 us goes to parsing one timestamp with
dateutil's general-purpose parser and ~9 us to re-importing each model class by name. Alexa
sends timestamps in ISO 8601 ("2026-11-26T19:39:19Z"), which the standard library parses in
well under a microsecond, and the model classes never change while the process lives.

Everything else (which models are built, how, and what is refused) is the SDK's own code.
Anything the fast path cannot parse goes to the SDK's parser, so the result is the same
datetime for every input (tests/test_serializer.py checks this against the stock serializer).
The two hooks are the SDK's private methods, overridden by their mangled names; ask-sdk-core
is pinned below 2 in pyproject.toml and a test fails at once if they move."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Dict

from ask_sdk_core.serialize import DefaultSerializer

_SDK = "_DefaultSerializer"   # the prefix Python gives DefaultSerializer's private names
PARSE_DATETIME = f"{_SDK}__deserialize_datetime"
LOAD_CLASS = f"{_SDK}__load_class_from_name"


def parse_iso_timestamp(text: Any):
    """datetime for an ISO 8601 timestamp, or None when the standard library can't read it.
    A trailing Z is UTC: Python before 3.11 does not accept the Z itself."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None


class EnvelopeSerializer(DefaultSerializer):
    """DefaultSerializer that reads ISO timestamps with the standard library and remembers
    the model classes it has resolved."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: Dict[str, Any] = {}

    def _parse_datetime(self, payload, obj_type):
        parsed = parse_iso_timestamp(payload)
        if parsed is None:
            return getattr(super(), PARSE_DATETIME)(payload, obj_type)
        return parsed.date() if obj_type is date else parsed

    def _load_class(self, class_name):
        resolved = self._classes.get(class_name)
        if resolved is None:
            # Failures raise and are not remembered, exactly as the SDK does.
            resolved = getattr(super(), LOAD_CLASS)(class_name)
            self._classes[class_name] = resolved
        return resolved


# DefaultSerializer calls these through its mangled names; subclass attributes of the same
# names are what its calls find.
setattr(EnvelopeSerializer, PARSE_DATETIME, EnvelopeSerializer._parse_datetime)
setattr(EnvelopeSerializer, LOAD_CLASS, EnvelopeSerializer._load_class)
