"""HTTP server + Alexa request verification, fully offline (test CA, no network)."""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import io
import json
import logging
import os
import threading
import urllib.error
import urllib.request

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from alexa_signing import (
    CERT_URL,
    DEFAULT_APP_ID,
    JSON_CONTENT_TYPE,
    AlexaSigner,
    encode,
    envelope,
    intent_envelope,
    launch_envelope,
    make_ca,
    signed_post,
    timestamp,
    trusting_verifier,
)
from dialog import free_port
from skill.alexa.server import SKILL_ID_ENV, create_app, safe_error_response
from skill.alexa.verification import (ApplicationIdVerifier, RequestVerifier,
                                      TrustingRequestVerifier, VerificationException)

# The SDK's end-certificate check reads the naive not_valid_before/after properties,
# which cryptography deprecates; that is upstream code, not ours.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Properties that return a na:cryptography.utils.CryptographyDeprecationWarning")

LAUNCH_SPEECH = "Welcome to Sciatica Check."


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(autouse=True)
def _no_skill_id_from_environment(monkeypatch):
    monkeypatch.delenv(SKILL_ID_ENV, raising=False)


@pytest.fixture(scope="module")
def tiny_skill():
    """A tiny real CustomSkill, so these transport tests do not depend on skill content.

    The real skill (conftest's ``skill`` fixture) is exercised under "real skill" below.
    """
    from ask_sdk_core.skill_builder import SkillBuilder
    from ask_sdk_core.utils import is_intent_name, is_request_type

    sb = SkillBuilder()

    @sb.request_handler(can_handle_func=is_request_type("LaunchRequest"))
    def launch(handler_input):
        return handler_input.response_builder.speak(LAUNCH_SPEECH).ask("Ready?").response

    @sb.request_handler(can_handle_func=is_intent_name("BoomIntent"))
    def boom(handler_input):
        raise RuntimeError("handler bug")

    return sb.create()


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def signer(ca):
    return AlexaSigner.create(ca)


@pytest.fixture
def verifier(ca, signer):
    return trusting_verifier(ca, signer)


@pytest.fixture
def client(tiny_skill, verifier):
    return create_app(tiny_skill, verifiers=[verifier]).test_client()


def _launch_body(**kwargs) -> bytes:
    return encode(launch_envelope(**kwargs))


def _assert_refused(resp, status=400):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.is_json and "error" in resp.get_json()


# --------------------------------------------------------------------------- accepted

def test_correctly_signed_launch_gets_real_alexa_response(client, signer, verifier):
    resp = signed_post(client, _launch_body(), signer=signer)
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["version"] == "1.0"
    assert LAUNCH_SPEECH in data["response"]["outputSpeech"]["ssml"]
    assert data["response"]["shouldEndSession"] is False
    assert CERT_URL in verifier._cert_cache  # the chain is cached like the real verifier


def test_certificate_chain_is_loaded_once(tiny_skill, ca, signer):
    class CountingVerifier(TrustingRequestVerifier):
        loads = 0

        def _load_cert_chain(self, cert_url):
            if cert_url not in self._cert_cache:
                type(self).loads += 1
            return super()._load_cert_chain(cert_url)

    v = CountingVerifier(trust_roots=[ca.pem], cert_chains={CERT_URL: signer.chain_pem})
    client = create_app(tiny_skill, verifiers=[v]).test_client()
    for _ in range(3):
        assert signed_post(client, _launch_body(), signer=signer).status_code == 200
    assert CountingVerifier.loads == 1


def test_trusting_verifier_replaces_the_default_signature_verifier(tiny_skill, verifier):
    app = create_app(tiny_skill, verifiers=[verifier])
    from flask_ask_sdk.skill_adapter import VERIFY_SIGNATURE_APP_CONFIG, VERIFY_TIMESTAMP_APP_CONFIG

    assert app.config[VERIFY_SIGNATURE_APP_CONFIG] is False  # replaced, not switched off
    assert app.config[VERIFY_TIMESTAMP_APP_CONFIG] is True
    assert isinstance(verifier, RequestVerifier)


def test_explicit_port_443_and_host_case_are_accepted(tiny_skill, ca, signer):
    url = "https://S3.AmazonAWS.com:443/echo.api/../echo.api/echo-api-cert.pem"
    v = trusting_verifier(ca, signer, extra_chains={url: signer.chain_pem})
    client = create_app(tiny_skill, verifiers=[v]).test_client()
    assert signed_post(client, _launch_body(), signer=signer, cert_url=url).status_code == 200


# --------------------------------------------------------------------------- signature

@pytest.mark.parametrize("missing", ["Signature-256", "SignatureCertChainUrl"])
def test_missing_signature_headers_refused(client, signer, missing):
    _assert_refused(signed_post(client, _launch_body(), signer=signer, headers={missing: None}))


@pytest.mark.parametrize("bad_signature", [
    base64.b64encode(os.urandom(256)).decode(),  # well-formed but wrong
    "abc",                                       # not even valid base64 (binascii.Error)
    "",
])
def test_bad_signature_refused(client, signer, bad_signature):
    resp = signed_post(client, _launch_body(), signer=signer,
                       headers={"Signature-256": bad_signature})
    _assert_refused(resp)


def test_body_changed_after_signing_refused(client, signer):
    original = _launch_body()
    tampered = original.replace(b"en-US", b"en-GB")
    assert tampered != original
    _assert_refused(signed_post(client, tampered, signer=signer, sign_body=original))


def test_signed_by_other_key_with_same_certificate_refused(client, signer, ca):
    impostor = AlexaSigner(ca, AlexaSigner.create(ca).key, signer.cert)
    _assert_refused(signed_post(client, _launch_body(), signer=impostor))


BAD_CERT_URLS = [
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",          # not https
    "https://notamazon.com/echo.api/echo-api-cert.pem",            # other host
    "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",         # path is case sensitive
    "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",     # not /echo.api/
    "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
    "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",     # port other than 443
]


@pytest.mark.parametrize("cert_url", BAD_CERT_URLS)
def test_cert_url_not_amazon_form_refused(tiny_skill, ca, signer, cert_url):
    # The chain IS available at the bad URL: the refusal must come from the URL check.
    v = trusting_verifier(ca, signer, extra_chains={cert_url: signer.chain_pem})
    client = create_app(tiny_skill, verifiers=[v]).test_client()
    _assert_refused(signed_post(client, _launch_body(), signer=signer, cert_url=cert_url))


def test_cert_url_not_served_refused(client, signer):
    url = "https://s3.amazonaws.com/echo.api/other-cert.pem"
    _assert_refused(signed_post(client, _launch_body(), signer=signer, cert_url=url))


@pytest.mark.parametrize("rogue_ca_name", ["Rogue CA", "Sciatica Test Root CA"])
def test_certificate_from_untrusted_ca_refused(tiny_skill, ca, rogue_ca_name):
    # Same subject and SAN as the real signing cert, issued by a CA we do not trust
    # (also one impersonating the trusted CA's name); its chain is served at CERT_URL.
    rogue = AlexaSigner.create(make_ca(rogue_ca_name))
    client = create_app(tiny_skill, verifiers=[trusting_verifier(ca, rogue)]).test_client()
    _assert_refused(signed_post(client, _launch_body(), signer=rogue))


def test_verifier_trusting_the_rogue_ca_accepts_it(tiny_skill):
    # Positive control for the test above: the rogue chain is otherwise well formed.
    rogue = AlexaSigner.create(make_ca("Rogue CA"))
    client = create_app(tiny_skill, verifiers=[trusting_verifier(rogue.ca, rogue)]).test_client()
    assert signed_post(client, _launch_body(), signer=rogue).status_code == 200


def test_expired_signing_certificate_refused(tiny_skill, ca):
    now = dt.datetime.now(dt.timezone.utc)
    expired = AlexaSigner.create(
        ca, not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=1))
    client = create_app(tiny_skill, verifiers=[trusting_verifier(ca, expired)]).test_client()
    _assert_refused(signed_post(client, _launch_body(), signer=expired))


@pytest.mark.parametrize("san", [(), ("example.com",)])
def test_signing_certificate_without_alexa_san_refused(tiny_skill, ca, san):
    wrong = AlexaSigner.create(ca, san_dns=san)
    client = create_app(tiny_skill, verifiers=[trusting_verifier(ca, wrong)]).test_client()
    _assert_refused(signed_post(client, _launch_body(), signer=wrong))


def test_garbage_certificate_chain_refused(tiny_skill, ca, signer):
    v = TrustingRequestVerifier(trust_roots=[ca.pem], cert_chains={CERT_URL: b"not a pem"})
    client = create_app(tiny_skill, verifiers=[v]).test_client()
    _assert_refused(signed_post(client, _launch_body(), signer=signer))


# --------------------------------------------------------------------------- timestamp

@pytest.mark.parametrize("offset", [-151, -600, 200])
def test_stale_or_future_timestamp_refused_with_signing_on(client, signer, offset):
    env = launch_envelope()
    env["request"]["timestamp"] = timestamp(offset)
    _assert_refused(signed_post(client, encode(env), signer=signer))


def test_timestamp_within_tolerance_accepted(client, signer):
    env = launch_envelope()
    env["request"]["timestamp"] = timestamp(-100)
    assert signed_post(client, encode(env), signer=signer).status_code == 200


# --------------------------------------------------------------------------- application id

@pytest.fixture
def id_client(tiny_skill, ca, signer):
    def make(skill_id):
        app = create_app(tiny_skill, skill_id=skill_id,
                         verifiers=[trusting_verifier(ca, signer)])
        return app.test_client()
    return make


def test_application_id_mismatch_refused(id_client, signer):
    client = id_client("amzn1.ask.skill.ours")
    _assert_refused(signed_post(client, _launch_body(application_id="amzn1.ask.skill.theirs"),
                                signer=signer))


def test_application_id_match_accepted(id_client, signer):
    client = id_client("amzn1.ask.skill.ours")
    resp = signed_post(client, _launch_body(application_id="amzn1.ask.skill.ours"), signer=signer)
    assert resp.status_code == 200


def test_application_id_unchecked_when_unset(id_client, signer, monkeypatch):
    monkeypatch.delenv(SKILL_ID_ENV, raising=False)
    client = id_client(None)
    resp = signed_post(client, _launch_body(application_id="amzn1.ask.skill.anything"),
                       signer=signer)
    assert resp.status_code == 200


def test_application_id_from_environment(id_client, signer, monkeypatch):
    monkeypatch.setenv(SKILL_ID_ENV, "amzn1.ask.skill.ours")
    client = id_client(None)
    _assert_refused(signed_post(client, _launch_body(application_id="amzn1.ask.skill.theirs"),
                                signer=signer))
    resp = signed_post(client, _launch_body(application_id="amzn1.ask.skill.ours"), signer=signer)
    assert resp.status_code == 200


def test_session_application_id_mismatch_refused(id_client, signer):
    env = launch_envelope(application_id="amzn1.ask.skill.ours")
    env["session"]["application"] = {"applicationId": "amzn1.ask.skill.theirs"}
    _assert_refused(signed_post(id_client("amzn1.ask.skill.ours"), encode(env), signer=signer))


def test_application_id_verifier_requires_an_id():
    from ask_sdk_model import RequestEnvelope

    with pytest.raises(VerificationException):
        ApplicationIdVerifier("amzn1.ask.skill.ours").verify({}, "{}", RequestEnvelope())
    with pytest.raises(ValueError):
        ApplicationIdVerifier("")


# --------------------------------------------------------------------------- malformed bodies

def test_wrong_content_type_refused(client, signer):
    resp = signed_post(client, _launch_body(), signer=signer,
                       headers={"Content-Type": "text/plain"})
    assert 400 <= resp.status_code < 500


@pytest.mark.parametrize("body", [
    b"this is not json",
    b"",
    b"\xff\xfe\x00",
    b"[]",
    b'[{"request": {"type": "LaunchRequest"}}]',
    b"null",
    b'{"version": "1.0"}',
    b'{"version": "1.0", "request": "LaunchRequest"}',
    b'{"version": "1.0", "request": {"type": 7}}',
])
def test_unparseable_bodies_refused(client, signer, body):
    _assert_refused(signed_post(client, body, signer=signer))


def test_unknown_request_type_refused(client, signer):
    env = envelope({"type": "Alexa.Totally.Unknown"})
    resp = signed_post(client, encode(env), signer=signer)
    _assert_refused(resp)


def test_body_over_limit_gets_413(tiny_skill, verifier, signer):
    client = create_app(tiny_skill, verifiers=[verifier], max_body_bytes=1024).test_client()
    env = launch_envelope(attributes={"padding": "x" * 2048})
    _assert_refused(signed_post(client, encode(env), signer=signer), status=413)


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "streamed"])
def test_body_size_limit_is_exact(tiny_skill, ca, signer, streamed):
    body = _launch_body()
    for limit, expected in [(len(body), 200), (len(body) - 1, 413)]:
        app = create_app(tiny_skill, verifiers=[trusting_verifier(ca, signer)], max_body_bytes=limit)
        assert _post_raw(app, body, signer, streamed=streamed) == expected


def _post_raw(app, body, signer, *, streamed):
    """POST via the WSGI interface; ``streamed`` drops Content-Length like a chunked upload."""
    headers = signer.headers(body)
    content_type = headers.pop("Content-Type")
    env = EnvironBuilder(path="/", method="POST", input_stream=io.BytesIO(body),
                         content_type=content_type, headers=headers).get_environ()
    if streamed:
        del env["CONTENT_LENGTH"]
        env["wsgi.input_terminated"] = True  # what a server that de-chunks sets
    _app_iter, status, _headers = run_wsgi_app(app, env, buffered=True)
    return int(status.split()[0])


# --------------------------------------------------------------------------- dispatch errors

def test_skill_error_on_verified_request_gives_safe_spoken_answer(client, signer, caplog):
    with caplog.at_level(logging.ERROR, logger="skill.alexa.server"):
        resp = signed_post(client, encode(intent_envelope("BoomIntent")), signer=signer)
    assert resp.status_code == 200
    assert resp.get_json() == safe_error_response()
    assert "skill failed" in caplog.text


def test_safe_error_response_shape():
    data = safe_error_response()
    assert data["version"] == "1.0"
    speech = data["response"]["outputSpeech"]
    assert speech["type"] == "SSML"
    assert speech["ssml"].startswith("<speak>") and speech["ssml"].endswith("</speak>")
    assert ">911</say-as>" in speech["ssml"]
    assert data["response"]["shouldEndSession"] is True


def test_refusals_are_logged_with_a_reason(client, signer, caplog):
    with caplog.at_level(logging.WARNING, logger="skill.alexa.server"):
        signed_post(client, _launch_body(), signer=signer, headers={"Signature-256": None})
    refusals = [r for r in caplog.records if r.getMessage().startswith("refused")]
    assert refusals and "Missing Signature" in refusals[-1].getMessage()


# --------------------------------------------------------------------------- production defaults

def test_production_defaults_use_the_sdk_verifiers(tiny_skill):
    from flask_ask_sdk.skill_adapter import VERIFY_SIGNATURE_APP_CONFIG, VERIFY_TIMESTAMP_APP_CONFIG

    from skill.alexa.verification import AmazonRequestVerifier

    app = create_app(tiny_skill, skill_id=DEFAULT_APP_ID)
    # The SDK's own signature verifier is replaced by ours (the SDK's, with a hardened fetch).
    assert app.config[VERIFY_SIGNATURE_APP_CONFIG] is False
    assert [type(v) for v in app.extensions["alexa_verifiers"]
            if isinstance(v, RequestVerifier)] == [AmazonRequestVerifier]
    assert app.config[VERIFY_TIMESTAMP_APP_CONFIG] is True
    client = app.test_client()
    body = _launch_body()
    # Unsigned: refused before any network access.
    _assert_refused(client.post("/", data=body, content_type=JSON_CONTENT_TYPE))
    # Signed, but chain URL not Amazon's: refused by the URL check, still offline.
    signer = AlexaSigner.create()
    _assert_refused(signed_post(client, body, signer=signer,
                                cert_url="https://example.com/echo.api/cert.pem"))


def test_verification_can_be_switched_off_for_local_testing(tiny_skill):
    client = create_app(tiny_skill, verify_signature=False).test_client()
    resp = client.post("/", data=_launch_body(), content_type=JSON_CONTENT_TYPE)
    assert resp.status_code == 200
    # ...but the timestamp check still applies unless switched off too.
    env = launch_envelope()
    env["request"]["timestamp"] = timestamp(-3600)
    _assert_refused(client.post("/", data=encode(env), content_type=JSON_CONTENT_TYPE))
    off = create_app(tiny_skill, verify_signature=False, verify_timestamp=False).test_client()
    assert off.post("/", data=encode(env), content_type=JSON_CONTENT_TYPE).status_code == 200


def test_health(client):
    resp = client.get("/health")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok"}


def test_get_on_alexa_endpoint_is_not_a_500(client):
    assert client.get("/").status_code == 405


# --------------------------------------------------------------------------- real skill

def test_signed_launch_through_the_real_skill(skill, ca, signer):
    client = create_app(skill, verifiers=[trusting_verifier(ca, signer)]).test_client()
    resp = signed_post(client, _launch_body(), signer=signer)
    assert resp.status_code == 200
    speech = resp.get_json()["response"]["outputSpeech"]
    assert speech["type"] == "SSML" and speech["ssml"].startswith("<speak>")


def test_create_app_builds_the_real_skill_by_default(ca, signer):
    client = create_app(verifiers=[trusting_verifier(ca, signer)]).test_client()
    assert signed_post(client, _launch_body(), signer=signer).status_code == 200


# --------------------------------------------------------------------------- real server

def _chunked_post(port, body, headers):
    """POST with Transfer-Encoding: chunked (no Content-Length) over a real socket."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        chunks = (body[i:i + 1000] for i in range(0, len(body), 1000))
        conn.request("POST", "/", body=chunks, headers=headers, encode_chunked=True)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_real_http_server_round_trip(tiny_skill, verifier, signer):
    from werkzeug.serving import make_server

    app = create_app(tiny_skill, verifiers=[verifier], skill_id=DEFAULT_APP_ID, max_body_bytes=4096)
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_port
    base = f"http://127.0.0.1:{port}"
    try:
        body = _launch_body()
        req = urllib.request.Request(base + "/", data=body, method="POST",
                                     headers=signer.headers(body))
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200
            data = json.loads(resp.read())
        assert LAUNCH_SPEECH in data["response"]["outputSpeech"]["ssml"]

        tampered = body.replace(b"en-US", b"en-GB")
        req = urllib.request.Request(base + "/", data=tampered, method="POST",
                                     headers=signer.headers(body))
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=10)
        assert err.value.code == 400

        # Chunked uploads carry no Content-Length: accepted when small, 413 when too big.
        status, payload = _chunked_post(port, body, signer.headers(body))
        assert status == 200, payload
        big = encode(launch_envelope(attributes={"padding": "x" * 8192}))
        status, _ = _chunked_post(port, big, signer.headers(big))
        assert status == 413

        with urllib.request.urlopen(base + "/health", timeout=10) as resp:
            assert json.loads(resp.read()) == {"status": "ok"}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert not thread.is_alive()
