"""Flask web-service adapter for the Sciatica Check skill.

POST /        the Alexa endpoint (flask_ask_sdk SkillAdapter, SDK verifiers on by default)
GET  /health  liveness probe

HTTP contract: a request that fails checks (signature, certificate, timestamp,
application id, malformed or unknown body) gets 400 with the reason logged on
the ``skill.alexa.server`` logger; an oversized body gets 413; an unexpected error
while the skill handles a *verified* request gets 200 with a short safe spoken
answer (``safe_error_response()``), never a bare 500.

``serve()`` runs the app on waitress, which reads each whole request in its own event loop
before a worker thread sees it: a client sending a byte a second holds a connection, never a
thread (the README's earlier gunicorn ``--threads`` setup was starved by eight such clients).
"""

from __future__ import annotations

import json
import logging
import math
import os
from typing import Any, Sequence

from skill.alexa._oscrypto_compat import ensure_oscrypto_loads

ensure_oscrypto_loads()  # must run before flask_ask_sdk / ask_sdk_webservice_support imports

from flask import Flask, Response, g, jsonify, request  # noqa: E402
from flask_ask_sdk.skill_adapter import (  # noqa: E402
    VERIFY_SIGNATURE_APP_CONFIG,
    VERIFY_TIMESTAMP_APP_CONFIG,
    SkillAdapter,
)
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge  # noqa: E402

from skill.alexa.verification import (  # noqa: E402
    AbstractVerifier,
    AmazonRequestVerifier,
    ApplicationIdVerifier,
    RequestVerifier,
    StageMarker,
)

log = logging.getLogger(__name__)

SKILL_ID_ENV = "SCIATICA_SKILL_ID"
# Set to 1 to run a verifying endpoint that answers any skill: said loudly at start.
ANY_SKILL_ENV = "SCIATICA_ALLOW_ANY_SKILL"
DEFAULT_MAX_BODY_BYTES = 64 * 1024
# waitress: worker threads (requests being answered) and how long an idle or dripping
# connection may stay open; Alexa sends a whole request at once and waits at most 8 s.
SERVE_THREADS = 8
SERVE_CHANNEL_TIMEOUT_S = 10
SERVE_CONNECTION_LIMIT = 200


class InsecureDeployment(ValueError):
    """Raised at start-up for a deployment that would accept what it should refuse."""


def escape_for_log(text: str) -> str:
    """Control characters (newlines above all) as escapes, so a value sent by a client cannot
    start a forged log line."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def safe_error_response(locale: str | None = None) -> dict[str, Any]:
    """The Alexa response sent when the skill fails on a verified request: the content's own
    error text, with the locale's emergency number."""
    from skill.alexa.app import safe_response

    return safe_response(locale)


def _refuse(status: int, reason: str) -> tuple[Response, int]:
    log.warning("refused Alexa request (%d): %s", status, escape_for_log(reason))
    message = "request body too large" if status == 413 else "request refused"
    return jsonify(error=message), status


def _body_problem(body: bytes) -> str | None:
    """Cheap structural check before the SDK deserializer sees the body."""
    if not body:
        return "empty body"
    try:
        envelope = json.loads(body.decode("utf-8"), parse_constant=_not_json,
                              parse_float=_finite_float)
    except (UnicodeDecodeError, ValueError):
        return "body is not UTF-8 JSON"
    except RecursionError:
        # Why: json.loads raises RecursionError, not ValueError, on about a thousand levels of
        # [ or {, which fit easily under the body limit; uncaught, that was a 500.
        return "body is nested too deeply"
    if not isinstance(envelope, dict):
        return f"body is JSON {type(envelope).__name__}, not an object"
    req = envelope.get("request")
    if not isinstance(req, dict) or not isinstance(req.get("type"), str):
        return "body has no request object with a type"
    return None


def _not_json(constant: str) -> float:
    # Why: Python's json accepts NaN and Infinity, JSON does not. Let in, they were echoed back
    # in sessionAttributes (e.g. on SessionEndedRequest) as a 200 body that is not JSON.
    raise ValueError(f"{constant} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):   # e.g. 1e999 overflows to inf
        raise ValueError(f"{text} is not a finite number")
    return value


def _request_locale(body: bytes) -> str | None:
    locale = json.loads(body.decode("utf-8"))["request"].get("locale")
    return locale if isinstance(locale, str) else None


def _failure_reason(exc: BaseException) -> str:
    # flask_ask_sdk turns VerificationException into BadRequest and AskSdkException
    # into InternalServerError; the original exception is the implicit context.
    original = exc
    if isinstance(exc, HTTPException) and exc.__context__ is not None:
        original = exc.__context__
    return f"{type(original).__name__}: {original}"[:300]


def create_app(
    skill=None,
    *,
    verify_signature: bool = True,
    verify_timestamp: bool = True,
    skill_id: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    verifiers: Sequence[AbstractVerifier] | None = None,
    allow_any_skill: bool | None = None,
) -> Flask:
    """Build the Flask app serving ``skill`` (default: ``skill.alexa.app.build_skill()``).

    ``skill_id`` (or env ``SCIATICA_SKILL_ID``) enables the application-id check.
    ``verifiers`` are extra verifiers run after the SDK's; a ``RequestVerifier``
    instance among them (e.g. ``TrustingRequestVerifier`` in tests) takes the place
    of the SDK's default signature verifier instead of running beside it.

    A verifying endpoint (Amazon's certificates, the production set-up) without a skill id
    would answer requests signed for any other skill: it refuses to start
    (``InsecureDeployment``) unless ``allow_any_skill`` (or env SCIATICA_ALLOW_ANY_SKILL=1)
    says so, and then logs why on every start.
    """
    if skill is None:
        from skill.alexa.app import build_skill

        skill = build_skill()
    if skill_id is None:
        skill_id = os.environ.get(SKILL_ID_ENV) or None

    extra = list(verifiers or [])
    replaces_signature = any(isinstance(v, RequestVerifier) for v in extra)
    uses_amazon_certificates = verify_signature and not replaces_signature
    if uses_amazon_certificates and not skill_id:
        if allow_any_skill is None:
            allow_any_skill = os.environ.get(ANY_SKILL_ENV, "").strip() in ("1", "true", "yes")
        if not allow_any_skill:
            raise InsecureDeployment(
                f"no skill id: set {SKILL_ID_ENV} (or --skill-id) to your skill's id "
                "(amzn1.ask.skill....). Without it this endpoint answers requests Amazon signed "
                f"for any other skill. To run so on purpose, set {ANY_SKILL_ENV}=1.")
        log.warning("no skill id (%s=1): answering requests signed for ANY Alexa skill",
                    ANY_SKILL_ENV)
    if uses_amazon_certificates:
        # The SDK's RequestVerifier, with the certificate fetch hardened (verification.py).
        extra.insert(0, AmazonRequestVerifier())
    if skill_id:
        extra.append(ApplicationIdVerifier(skill_id))
    extra.append(StageMarker(lambda: setattr(g, "alexa_request_verified", True)))

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    # The signature is checked by the verifier list (ours or the test's), never the SDK's own.
    app.config[VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[VERIFY_TIMESTAMP_APP_CONFIG] = verify_timestamp
    if not verify_signature and not replaces_signature:
        log.warning("Alexa request signature verification is OFF: never expose this server")
    if not verify_timestamp:
        log.warning("Alexa request timestamp verification is OFF")

    app.extensions["alexa_verifiers"] = tuple(extra)   # what runs after the SDK's timestamp check
    adapter = SkillAdapter(
        skill=skill, skill_id=skill_id or "sciatica-check", verifiers=extra, app=app)

    @app.post("/")
    def alexa_endpoint():
        if request.content_length is not None and request.content_length > max_body_bytes:
            return _refuse(413, f"Content-Length {request.content_length} > {max_body_bytes}")
        if request.content_length is None:
            # Streamed (chunked) body: werkzeug silently truncates at MAX_CONTENT_LENGTH,
            # so allow one extra byte here to be able to tell "too large" from "exactly max".
            request.max_content_length = max_body_bytes + 1
        try:
            body = request.get_data(cache=True)  # cached: the adapter reads it again
        except RequestEntityTooLarge:
            return _refuse(413, f"streamed body exceeds {max_body_bytes} bytes")
        if len(body) > max_body_bytes:
            return _refuse(413, f"body of {len(body)} bytes > {max_body_bytes}")
        if request.mimetype != "application/json":
            return _refuse(400, f"content type {request.mimetype or 'missing'!r}")
        problem = _body_problem(body)
        if problem:
            return _refuse(400, problem)

        g.alexa_request_verified = False
        try:
            return adapter.dispatch_request()
        except Exception as exc:
            if not g.alexa_request_verified:
                # Deserialization or a verifier failed (incl. stray non-Verification errors).
                return _refuse(400, _failure_reason(exc))
            log.error("skill failed on a verified request; sending safe answer", exc_info=True)
            return jsonify(safe_error_response(_request_locale(body))), 200

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc):
        return _refuse(413, "body exceeds MAX_CONTENT_LENGTH")

    return app


def make_server(app, host: str, port: int, *, threads: int = SERVE_THREADS):
    """A waitress server for ``app`` (see the module docstring for why waitress); ``.run()``
    serves until ``.close()``. Bodies over the app's limit are cut off by waitress before they
    are buffered too."""
    import waitress.server

    return waitress.server.create_server(
        app, host=host, port=port, threads=threads,
        channel_timeout=SERVE_CHANNEL_TIMEOUT_S, connection_limit=SERVE_CONNECTION_LIMIT,
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1, ident="sciatica-check")


def serve(app, host: str, port: int, *, threads: int = SERVE_THREADS) -> None:
    """Serve ``app`` on waitress until interrupted."""
    server = make_server(app, host, port, threads=threads)
    log.info("serving on http://%s:%s (waitress, %d threads)", host, server.effective_port,
             threads)
    server.run()
