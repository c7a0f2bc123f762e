"""skill/alexa/serializer.py gives the same models as the SDK's own serializer, only sooner."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from hypothesis import given, strategies as st

from skill.alexa.app import build_skill
from skill.alexa.envelopes import (intent_request, launch_request, request_envelope,
                                   session_ended_request, symptom_slot)
from skill.alexa.serializer import LOAD_CLASS, PARSE_DATETIME, EnvelopeSerializer

STOCK = DefaultSerializer()
FAST = EnvelopeSerializer()


def parse_both(text: str, obj_type=datetime):
    """(stock result, ours), where a refusal is the exception's class."""
    results = []
    for serializer in (STOCK, FAST):
        try:
            results.append(getattr(serializer, PARSE_DATETIME)(text, obj_type))
        except SerializationException as problem:
            results.append(type(problem))
    return results


def same_moment(stock, ours) -> bool:
    if isinstance(stock, datetime) and isinstance(ours, datetime):
        both_aware = stock.utcoffset() is not None and ours.utcoffset() is not None
        both_naive = stock.utcoffset() is None and ours.utcoffset() is None
        return (both_aware or both_naive) and stock == ours and \
            stock.utcoffset() == ours.utcoffset()
    return stock == ours


def test_the_sdk_still_has_the_private_methods_we_override():
    # If an SDK release renames them, our overrides would silently stop being called.
    assert callable(getattr(DefaultSerializer, PARSE_DATETIME, None))
    assert callable(getattr(DefaultSerializer, LOAD_CLASS, None))


def test_build_skill_uses_it():
    assert isinstance(build_skill().serializer, EnvelopeSerializer)


MOMENTS = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1))
OFFSETS = st.sampled_from([None, timezone.utc, timezone(timedelta(hours=5, minutes=30)),
                           timezone(timedelta(hours=-8))])


@given(MOMENTS, OFFSETS, st.sampled_from(["seconds", "milliseconds", "microseconds"]),
       st.booleans())
def test_iso_timestamps_parse_to_the_same_moment(moment, offset, precision, zulu):
    text = moment.replace(tzinfo=offset).isoformat(timespec=precision)
    if zulu and offset is timezone.utc:
        text = text.replace("+00:00", "Z")
    stock, ours = parse_both(text)
    assert same_moment(stock, ours), (text, stock, ours)


@pytest.mark.parametrize("text", [
    "2026-11-26T19:39:19Z",            # what Alexa sends
    "2026-11-26T19:39:19.123Z",
    "2026-11-26",
    "Nov 26 2026 19:39",               # not ISO: the SDK's parser reads it
    "26/11/2026",
    "yesterday", "", "2026-13-45T99:00:00Z", "2026-11-26T19:39:19ZZ",   # refused by both
])
@pytest.mark.filterwarnings("ignore:tzname")
def test_other_timestamps_get_the_sdk_answer(text):
    stock, ours = parse_both(text)
    assert same_moment(stock, ours), (text, stock, ours)


def test_a_date_field_gets_a_date():
    stock, ours = parse_both("2026-11-26T19:39:19Z", date)
    assert stock == ours == date(2026, 11, 26)


ENVELOPES = [
    request_envelope(launch_request()),
    request_envelope(intent_request("AMAZON.NoIntent"), new=False,
                     attributes={"screen": {"version": 2}, "outcome": None}, locale="en-GB"),
    request_envelope(intent_request("ReportSymptomIntent",
                                    {"symptom": symptom_slot("can't pee", "bladder")})),
    request_envelope(session_ended_request("ERROR")),
]


@pytest.mark.parametrize("envelope", ENVELOPES)
def test_envelopes_become_the_same_models(envelope):
    payload = json.dumps(envelope)
    ours = FAST.deserialize(payload, RequestEnvelope)
    assert ours == STOCK.deserialize(payload, RequestEnvelope)
    assert FAST.serialize(ours) == STOCK.serialize(ours)


def test_an_unknown_model_class_is_refused_every_time():
    for _ in range(2):   # a failure must not be remembered as a class
        with pytest.raises(SerializationException):
            FAST.deserialize(json.dumps({}), "ask_sdk_model.NoSuchModel")
