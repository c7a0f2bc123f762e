"""Where the device stands (issue 15, hazard log H05): its country from the Device Address API
("country and postal code" permission), through ask-sdk's service client, once per session.

The lookup never delays an emergency instruction: it runs only when a session opens with a
launch (whose answer is the welcome; turns.content_and_place), in a thread given a hard deadline (the API client's own
timeouts are per socket operation, so a server that trickles bytes could hold it longer), and
any failure (no token, no permission, no address, a timeout, an error, a malformed answer, a
country the table does not know) gives `country=None`: the locale's values, as before. The
result is kept in the session attributes (DEVICE_COUNTRY_KEY) and read back, checked, on every
later request: never looked up mid-screen, where an emergency is usually found.

Without the permission, Alexa's consent card for it goes out once a session, with the advice
(`consent_card_due`): never with the emergency (whose card is the instruction) and never as a
turn of its own."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Container, Mapping, Optional

from ask_sdk_model.services import ServiceException
from ask_sdk_model.ui import AskForPermissionsConsentCard

logger = logging.getLogger(__name__)

COUNTRY_PERMISSION = "read::alexa:device:all:address:country_and_postal_code"
LOOKUP_TIMEOUT = 1.0          # seconds, the whole lookup: Alexa waits 8 s for the whole answer
DEVICE_COUNTRY_KEY = "device_country"

FOUND = "found"
NOT_ASKED = "not_asked"              # no API token or device id: the request cannot ask
NO_PERMISSION = "no_permission"      # the API said 401/403: the user has not granted it
NO_ADDRESS = "no_address"            # 204, or no country in the answer
TIMED_OUT = "timed_out"
FAILED = "failed"                    # any other error, or a malformed answer
UNKNOWN_COUNTRY = "unknown_country"  # a country code the table does not hold
REASONS = (FOUND, NOT_ASKED, NO_PERMISSION, NO_ADDRESS, TIMED_OUT, FAILED, UNKNOWN_COUNTRY)


@dataclass(frozen=True)
class DeviceCountry:
    """What this session knows of the device's country. `country` is a code the table holds,
    or None (then the locale's values). `card_sent`: the consent card went out already."""

    country: Optional[str]
    reason: str
    card_sent: bool = False

    @property
    def needs_permission(self) -> bool:
        return self.reason == NO_PERMISSION

    def to_dict(self) -> dict:
        return {"country": self.country, "reason": self.reason, "card_sent": self.card_sent}


UNKNOWN = DeviceCountry(None, NOT_ASKED)


def from_session(attributes: Mapping, known: Container[str]) -> DeviceCountry:
    """The session's kept result, checked: session attributes come back with each request, so
    anything that is not a known country and a known reason is treated as unknown (the
    locale's values, the safe direction)."""
    kept = attributes.get(DEVICE_COUNTRY_KEY) if isinstance(attributes, Mapping) else None
    if not isinstance(kept, Mapping):
        return UNKNOWN
    country, reason = kept.get("country"), kept.get("reason")
    if reason not in REASONS or (country is not None and country not in known) or \
            (country is None) != (reason != FOUND):
        return UNKNOWN
    return DeviceCountry(country, reason, kept.get("card_sent") is True)


def look_up(handler_input, known: Container[str], timeout: float = LOOKUP_TIMEOUT) -> DeviceCountry:
    """Ask the Device Address API for the device's country; never raises, never takes much
    longer than `timeout` seconds."""
    system = getattr(getattr(handler_input.request_envelope, "context", None), "system", None)
    device_id = getattr(getattr(system, "device", None), "device_id", None)
    factory = handler_input.service_client_factory
    if system is None or not system.api_access_token or not device_id or factory is None:
        return UNKNOWN
    try:
        client = factory.get_device_address_service()
    except Exception:  # noqa: BLE001 - a client that cannot be built is a failed lookup
        logger.exception("no device address client")
        return DeviceCountry(None, FAILED)
    outcome: list = []

    def ask() -> None:
        outcome.append(_ask(client, device_id, known))

    worker = threading.Thread(target=ask, name="device-country", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        # The thread ends on the API client's own timeout; nobody waits for it.
        logger.warning("device country lookup timed out after %.1f s", timeout)
        return DeviceCountry(None, TIMED_OUT)
    return outcome[0]


def _ask(client, device_id: str, known: Container[str]) -> DeviceCountry:
    try:
        address = client.get_country_and_postal_code(device_id)
    except ServiceException as problem:
        if problem.status_code in (401, 403):
            return DeviceCountry(None, NO_PERMISSION)
        logger.warning("device country lookup failed: %s", problem.status_code)
        return DeviceCountry(None, FAILED)
    except Exception as problem:  # noqa: BLE001 - a bad answer raises SerializationException etc.
        logger.warning("device country lookup failed: %r", problem)
        return DeviceCountry(None, FAILED)
    if address is None:
        return DeviceCountry(None, NO_ADDRESS)
    code = getattr(address, "country_code", None)
    if code is None:
        return DeviceCountry(None, NO_ADDRESS)
    if not isinstance(code, str):
        return DeviceCountry(None, FAILED)
    code = code.strip().upper()
    if code not in known:
        logger.info("device country %r is not in the table: the locale's values", code[:8])
        return DeviceCountry(None, UNKNOWN_COUNTRY)
    return DeviceCountry(code, FOUND)


def consent_card_due(place: DeviceCountry, outcome: Optional[str], has_card: bool) -> bool:
    """Whether this response carries the consent card: the permission is missing, the card has
    not gone out this session, the advice is being given (an outcome that is not the
    emergency) and the response has no card of its own (the outcome's, the reminders')."""
    return (place.needs_permission and not place.card_sent and not has_card
            and outcome is not None and outcome != "emergency")


def consent_card() -> AskForPermissionsConsentCard:
    return AskForPermissionsConsentCard(permissions=[COUNTRY_PERMISSION])
