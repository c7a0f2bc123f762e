"""A local stand-in for the Alexa API endpoint (Reminders API), for tests.

ask-sdk's DefaultApiClient refuses any endpoint that is not https://, so FakeAlexaApi serves
HTTPS on 127.0.0.1 with a throw-away certificate authority; point `requests` at `ca_file`
(REQUESTS_CA_BUNDLE) so the real client trusts it:

    with FakeAlexaApi() as api:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", api.ca_file)
        envelope = request_envelope(launch_request())
        envelope["context"]["System"].update(api.envelope_context(granted=True))
        ...                                   # run a real skill on the envelope
        assert api.requests[0].path == "/v1/alerts/reminders"
        api.fail_with(401, {"code": "UNAUTHORIZED", "message": "revoked"})
        api.fail_with(delay=2.0) / api.fail_with(close=True)
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import tempfile
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator, List, Optional

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

REMINDERS_PATH = "/v1/alerts/reminders"
REMINDERS_PERMISSION = "alexa::alerts:reminders:skill:readwrite"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    authorization: Optional[str]
    body: Any  # parsed JSON, or None


@dataclass
class _Failure:
    status: Optional[int] = None
    body: Any = None
    delay: float = 0.0
    close: bool = False
    drip: float = 0.0   # seconds between the answer's bytes, after its headers


class FakeAlexaApi:
    """A real HTTPS server in a thread; `requests` lists what it received, in order."""

    def __init__(self) -> None:
        self.requests: List[RecordedRequest] = []
        self.reminders: dict = {}  # alertToken -> request body
        self._failure: Optional[_Failure] = None
        self._stopping = threading.Event()
        self._dir = tempfile.TemporaryDirectory(prefix="fake-alexa-api-")
        self.ca_file = str(Path(self._dir.name, "ca.pem"))
        context = _tls_context(Path(self._dir.name))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.endpoint = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "FakeAlexaApi":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._stopping.set()  # wakes any slow answer
        self._server.shutdown()
        self._server.server_close()
        self._dir.cleanup()

    def fail_with(self, status: Optional[int] = None, body: Any = None, *, delay: float = 0.0,
                  close: bool = False, drip: float = 0.0) -> None:
        """Answer every later request this way: a status and body (JSON unless bytes/str),
        after `delay` seconds, or close the connection without answering; `drip`: send the
        body one byte every `drip` seconds."""
        self._failure = _Failure(status, body, delay, close, drip)

    def succeed(self) -> None:
        self._failure = None

    def envelope_context(self, token: str = "test-token", granted: bool = True,
                         user_id: str = "amzn1.ask.account.TEST") -> dict:
        """What to merge into an envelope's context.System to call this server."""
        status = "GRANTED" if granted else "DENIED"
        return {"apiEndpoint": self.endpoint, "apiAccessToken": token,
                "user": {"userId": user_id,
                         "permissions": {"consentToken": f"consent-{token}",
                                         "scopes": {REMINDERS_PERMISSION: {"status": status}}}}}

    # -- called from the server threads --
    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        self.requests.append(RecordedRequest(handler.command, handler.path,
                                             handler.headers.get("Authorization"), body))
        failure = self._failure
        if failure is not None:
            if failure.delay and self._stopping.wait(failure.delay):
                return
            if failure.close:
                handler.close_connection = True
                handler.connection.shutdown(socket.SHUT_RDWR)
                return
            if failure.drip:
                return _drip(handler, failure.status or 201, failure.body, failure.drip,
                             self._stopping)
            if failure.status is not None:
                return _send(handler, failure.status, failure.body)
        if handler.command == "GET" and handler.path == REMINDERS_PATH:
            return _send(handler, 200, {"totalCount": str(len(self.reminders)), "links": None,
                                        "alerts": [{"alertToken": token, "status": "ON"}
                                                   for token in list(self.reminders)]})
        if handler.command == "POST" and handler.path == REMINDERS_PATH:
            token = str(uuid.uuid4())
            self.reminders[token] = body
            now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            return _send(handler, 201, {"alertToken": token, "createdTime": now,
                                        "updatedTime": now, "status": "ON", "version": "1",
                                        "href": f"{REMINDERS_PATH}/{token}"})
        token = handler.path[len(REMINDERS_PATH) + 1:]
        if (handler.command == "DELETE" and handler.path.startswith(REMINDERS_PATH + "/")
                and token in self.reminders):
            del self.reminders[token]
            return _send(handler, 200, None)
        return _send(handler, 404, {"code": "NOT_FOUND", "message": "no such reminder"})


def _handler_for(api: FakeAlexaApi):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        do_POST = do_DELETE = do_GET = do_PUT = lambda self: api._answer(self)

        def log_message(self, *args) -> None:
            pass
    return Handler


def _send(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    if body is None:
        data = b""
    elif isinstance(body, (bytes, str)):
        data = body.encode() if isinstance(body, str) else body
    else:
        data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def _drip(handler, status: int, body: Any, every: float, stopping: threading.Event) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    for byte in data:
        if stopping.wait(every):
            return
        try:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
        except OSError:
            return


def _tls_context(directory: Path) -> ssl.SSLContext:
    """A throw-away CA (written to ca.pem) and a server certificate for 127.0.0.1."""
    now = dt.datetime.now(dt.timezone.utc)

    def build(subject, issuer, key, signer, ca: bool, extensions):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(hours=1))
                   .not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        for extension in extensions:
            builder = builder.add_extension(extension, critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fake Alexa API test CA")])
    ca_cert = build(ca_name, ca_name, ca_key, ca_key, True,
                    [x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())])
    cert = build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]), ca_name,
                 key, ca_key, False,
                 [x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                               x509.DNSName("localhost")]),
                  x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())])
    pem = serialization.Encoding.PEM
    (directory / "ca.pem").write_bytes(ca_cert.public_bytes(pem))
    (directory / "server.pem").write_bytes(cert.public_bytes(pem) + key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "server.pem")
    return context


def reminder_requests(api) -> list:
    """What reached the Reminders API (a launch also asks the device's country:
    test_device_country.py)."""
    return [request for request in api.requests if request.path.startswith(REMINDERS_PATH)]


def serving(monkeypatch, server: "FakeAlexaApi") -> Iterator["FakeAlexaApi"]:
    """Run `server` for one test, its test CA trusted and no proxy in the way."""
    with server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)  # trust its test CA
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        yield server


@pytest.fixture
def api(monkeypatch):
    """The stand-in Alexa API for one test (a module imports it: `from alexa_api import api`)."""
    yield from serving(monkeypatch, FakeAlexaApi())
