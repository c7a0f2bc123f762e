"""The emergency number follows where the device stands, not its language (issue 15 part 1,
hazard log H05): the real skill against a local HTTPS stand-in for the Alexa API endpoint
(Device Address API, "country and postal code"), through ask-sdk's own service client."""
from __future__ import annotations

import time

import pytest

from alexa_api import serving
from device_address_api import FakeAlexaApiWithAddress
from dialog import Dialog
from skill.alexa.app import build_skill
from skill.alexa.device_country import (COUNTRY_PERMISSION, DEVICE_COUNTRY_KEY, UNKNOWN,
                                        from_session)
from skill.content.countries import load_countries, load_countries_file
from skill.content.loader import available_locales, load_content
from skill.content.schema import ContentError

SHORT_TIMEOUT = 0.5
MARGIN = 2.5   # generous: a loaded CI machine, TLS set-up, the skill's own work


@pytest.fixture
def api(monkeypatch):
    yield from serving(monkeypatch, FakeAlexaApiWithAddress())


@pytest.fixture(scope="module")
def skill():
    return build_skill(country_timeout=SHORT_TIMEOUT)


def dialog(skill, api, locale="en-US", country=None) -> Dialog:
    if country is not None:
        api.answer_address(200, {"countryCode": country, "postalCode": "00000"})
    return Dialog(skill, locale=locale, system=api.envelope_context())


def answer_until(conversation: Dialog, words: str):
    """Answer no until a question with `words` is asked; then yes."""
    turn = conversation.launch()
    while words not in turn.text:
        assert turn.outcome is None, turn.text
        turn = conversation.no()
    return conversation.yes()


def to_self_care(conversation: Dialog) -> list:
    turn = conversation.launch()
    while turn.outcome is None:
        turn = conversation.no()
    return conversation.turns


# -- the table, checked against the locales' own values --

def test_every_country_with_content_has_the_number_its_locale_says():
    countries = load_countries()
    for code, country in countries.countries.items():
        for language, locale in country.content.items():
            assert load_content(locale).values["emergency_number"] == country.emergency_number, \
                (code, locale)


def test_every_locale_is_the_content_of_some_country_in_its_language():
    covered = {locale for country in load_countries().countries.values()
               for locale in country.content.values()}
    assert covered == set(available_locales())


def test_every_country_entry_names_its_source():
    countries = load_countries()
    assert all(country.references for country in countries.countries.values())
    assert {"US", "GB", "IE", "CA", "DE", "AT", "IN", "JP", "AU", "NZ", "FR", "IT", "ES", "MX",
            "BR", "SA", "AE"} <= set(countries.countries)   # Alexa's own regions (AVS-INTL)


def test_norway_says_113_because_its_112_is_the_police():
    assert load_countries().countries["NO"].emergency_number == "113"


def test_a_broken_countries_file_names_file_key_and_problem(tmp_path):
    path = tmp_path / "countries.values.yaml"
    path.write_text('version: "1.0.0"\nreferences: {A: a source}\n'
                    'elsewhere: {en: {emergency_place: x, same_day_care: y, references: [B]}}\n'
                    'countries: {GB: {name: UK, emergency_number: "9 9 9", references: [A],'
                    ' content: {en: en-XX}}}\n', encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_countries_file(path)
    message = str(error.value)
    assert "countries.values.yaml" in message and "unknown reference 'B'" in message
    assert "digits only" in message and "en-XX" in message


# -- the facts follow the country, the words the language --

def test_a_gb_device_in_en_us_hears_999_and_a_and_e_in_us_words(skill, api):
    conversation = dialog(skill, api, "en-US", "GB")
    welcome = conversation.launch()
    assert "call 999 now" in welcome.text and "911" not in welcome.text
    emergency = conversation.yes()
    assert emergency.outcome == "emergency"
    assert "Go to A&E now, or call 999" in emergency.text and "911" not in emergency.text
    assert "999" in emergency.card["title"]


def test_a_gb_device_in_en_us_is_sent_to_nhs_111_the_same_day(skill, api):
    urgent = answer_until(dialog(skill, api, "en-US", "GB"), "leg getting weaker")
    assert urgent.outcome == "urgent"
    assert "Please see a doctor today, at your GP surgery, or NHS 111" in urgent.text  # en-US words


def test_an_mx_device_in_es_us_hears_911(skill, api):
    conversation = dialog(skill, api, "es-US", "MX")
    welcome = conversation.launch()
    assert "911" in welcome.text
    assert conversation.conversation.attributes[DEVICE_COUNTRY_KEY]["country"] == "MX"
    emergency = conversation.yes()
    assert emergency.outcome == "emergency" and "911" in emergency.text


def test_a_us_device_in_en_gb_hears_911(skill, api):
    welcome = dialog(skill, api, "en-GB", "US").launch()
    assert "911" in welcome.text and "999" not in welcome.text


def test_a_country_without_content_gets_its_number_from_the_table(skill, api):
    conversation = dialog(skill, api, "en-US", "DE")
    assert "call 112 now" in conversation.launch().text
    emergency = conversation.yes()
    assert "112" in emergency.text and "the nearest hospital emergency department" in emergency.text


def test_a_spanish_device_in_spain_gets_the_screen_with_112(skill, api):
    """es-ES has no content of its own: without the country it hears region_not_supported;
    in Spain (known) it hears the Spanish screen with Spain's number."""
    conversation = dialog(skill, api, "es-ES", "ES")
    welcome = conversation.launch()
    assert "112" in welcome.text and not welcome.ends_session
    emergency = conversation.yes()
    assert emergency.outcome == "emergency" and "112" in emergency.text
    assert "la sala de urgencias del hospital más cercano" in emergency.text


def test_a_device_in_a_language_without_content_is_not_asked_and_names_no_number(skill, api):
    welcome = dialog(skill, api, "fr-FR", "FR").launch()
    assert welcome.ends_session and "your local emergency number" in welcome.text
    assert api.address_requests == []


def test_the_country_is_asked_once_a_session(skill, api):
    conversation = dialog(skill, api, "en-US", "GB")
    turns = to_self_care(conversation)
    assert len(api.address_requests) == 1 and len(turns) > 3
    assert all("911" not in turn.text for turn in turns)
    assert api.address_requests[0].authorization == "Bearer test-token"


# -- every failure keeps the locale's values --

FAILURES = {
    "forbidden": dict(status=403, body={"type": "FORBIDDEN", "message": "no permission"}),
    "unauthorised": dict(status=401, body={"type": "UNAUTHORIZED", "message": "bad token"}),
    "no address set": dict(status=204, body=None),
    "throttled": dict(status=429, body={"type": "THROTTLED", "message": "slow down"}),
    "server error": dict(status=500, body={"type": "ERROR", "message": "broken"}),
    "not json": dict(status=200, body="<html>surprise</html>"),
    "no country": dict(status=200, body={"postalCode": "98109"}),
    "a country code that is not text": dict(status=200, body={"countryCode": 44}),
    "a country the table does not hold": dict(status=200, body={"countryCode": "XX"}),
    "lower case junk": dict(status=200, body={"countryCode": "g b; drop"}),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_a_failed_lookup_keeps_the_locales_number(skill, api, failure):
    api.answer_address(**FAILURES[failure])
    conversation = Dialog(skill, system=api.envelope_context())
    welcome = conversation.launch()
    assert "call 911 now" in welcome.text
    assert conversation.conversation.attributes[DEVICE_COUNTRY_KEY]["country"] is None
    assert "911" in conversation.yes().text


def test_a_closed_connection_keeps_the_locales_number(skill, api):
    api.fail_with(close=True)
    assert "call 911 now" in Dialog(skill, system=api.envelope_context()).launch().text


def test_without_an_api_token_nothing_is_asked(skill, api):
    welcome = Dialog(skill).launch()   # the envelope has an endpoint but no token
    assert "call 911 now" in welcome.text and api.address_requests == []


def test_a_slow_endpoint_is_answered_within_the_timeout(skill, api):
    api.fail_with(delay=10.0)
    started = time.monotonic()
    welcome = Dialog(skill, system=api.envelope_context()).launch()
    assert time.monotonic() - started < SHORT_TIMEOUT + MARGIN
    assert "call 911 now" in welcome.text


def test_a_slow_endpoint_never_holds_an_emergency_said_in_one_breath(skill, api):
    """A new session that opens with a cauda equina sign ("tell Sciatica Check I can't feel
    my bottom"): no lookup at all (only a launch asks), so neither its question nor the yes
    that makes it the emergency waits; the instruction has the locale's number, as before."""
    api.fail_with(delay=10.0)
    conversation = Dialog(skill, system=api.envelope_context())
    started = time.monotonic()
    asked = conversation.symptom("I can't feel my bottom", "saddle")
    assert time.monotonic() - started < MARGIN
    assert "bottom" in asked.text
    started = time.monotonic()
    emergency = conversation.yes()
    assert time.monotonic() - started < MARGIN
    assert emergency.outcome == "emergency" and "911" in emergency.text
    assert api.requests == []


def test_a_one_shot_emergency_is_said_without_waiting_for_the_country(skill, api):
    """ "Tell Sciatica Check I've wet myself": the first request is the emergency instruction
    itself; the lookup must never delay it (issue 15), so a one-shot is not looked up."""
    api.fail_with(delay=10.0)
    started = time.monotonic()
    emergency = Dialog(skill, system=api.envelope_context()).symptom("I've wet myself", "bladder")
    assert time.monotonic() - started < MARGIN
    assert emergency.outcome == "emergency" and "911" in emergency.text
    assert api.requests == []


# -- the consent card: once, with the advice, never its own turn --

def cards(turns) -> list:
    return [turn.card for turn in turns if turn.card is not None]


def test_without_permission_the_card_goes_once_with_the_advice(skill, api):
    api.answer_address(403, {"type": "FORBIDDEN", "message": "no permission"})
    without = to_self_care(Dialog(skill, system=api.envelope_context()))
    plain = to_self_care(Dialog(skill))   # no token: no card, the same conversation
    assert len(without) == len(plain)     # never an extra turn
    asked = [card for card in cards(without) if card["type"] == "AskForPermissionsConsent"]
    assert asked == [{"type": "AskForPermissionsConsent", "permissions": [COUNTRY_PERMISSION]}]
    first_advice = next(turn for turn in without if turn.outcome is not None)
    assert first_advice.card == asked[0]
    assert [turn.text for turn in without] == [turn.text for turn in plain]


def test_the_emergency_card_is_never_replaced_by_the_consent_card(skill, api):
    api.answer_address(403, {"type": "FORBIDDEN", "message": "no permission"})
    conversation = Dialog(skill, system=api.envelope_context())
    conversation.launch()
    emergency = conversation.yes()
    assert emergency.outcome == "emergency" and emergency.card["type"] == "Simple"
    assert all(turn.card is None or turn.card["type"] != "AskForPermissionsConsent"
               for turn in conversation.turns)


def test_with_the_country_known_no_consent_card_is_sent(skill, api):
    turns = to_self_care(dialog(skill, api, "en-US", "GB"))
    assert all(card["type"] != "AskForPermissionsConsent" for card in cards(turns))


# -- the kept answer is checked like any session attribute --

@pytest.mark.parametrize("kept", [
    {"country": "XX", "reason": "found"}, {"country": "GB", "reason": "no_permission"},
    {"country": None, "reason": "found"}, {"country": ["GB"], "reason": "found"},
    "GB", None, {"country": "GB"},
])
def test_a_kept_answer_that_does_not_check_out_is_unknown(kept):
    assert from_session({DEVICE_COUNTRY_KEY: kept}, load_countries()) == UNKNOWN


def test_a_tampered_country_mid_session_falls_back_to_the_locale(skill, api):
    conversation = Dialog(skill, system=api.envelope_context())
    conversation.launch()
    conversation.conversation.attributes[DEVICE_COUNTRY_KEY] = {"country": "ZZ", "reason": "found"}
    assert "911" in conversation.yes().text


def test_the_skill_manifest_asks_for_the_country_permission():
    import json
    from pathlib import Path
    manifest = json.loads((Path(__file__).resolve().parent.parent / "skill-package" /
                           "skill.json").read_text(encoding="utf-8"))
    names = [entry["name"] for entry in manifest["manifest"]["permissions"]]
    assert COUNTRY_PERMISSION in names
