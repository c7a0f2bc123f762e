"""The local Alexa API stand-in (alexa_api.FakeAlexaApi) with the Device Address API's
"country and postal code" too, for the device-country tests (issue 15)."""
from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any

from alexa_api import FakeAlexaApi, RecordedRequest, _send

ADDRESS_SUFFIX = "/settings/address/countryAndPostalCode"


class FakeAlexaApiWithAddress(FakeAlexaApi):
    """`answer_address(status, body)` sets what the address path answers (default: 200 with
    the country given); `fail_with` still applies to every path, as in FakeAlexaApi."""

    def __init__(self, country: str = "GB") -> None:
        super().__init__()
        self._address: tuple = (200, {"countryCode": country, "postalCode": "SW1A 1AA"})

    def answer_address(self, status: int, body: Any = None) -> None:
        self._address = (status, body)

    @property
    def address_requests(self) -> list:
        return [r for r in self.requests if r.path.endswith(ADDRESS_SUFFIX)]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        if not handler.path.endswith(ADDRESS_SUFFIX) or self._failure is not None:
            return super()._answer(handler)
        self.requests.append(RecordedRequest(handler.command, handler.path,
                                             handler.headers.get("Authorization"), None))
        status, body = self._address
        return _send(handler, status, body)
