"""Offline helpers to sign requests the way Alexa does, for tests.

* ``make_ca()`` / ``make_signing_cert()`` build a throw-away PKI with ``cryptography``.
* ``AlexaSigner`` bundles a CA and a signing certificate (SAN ``echo-api.amazon.com``)
  and can build the matching ``TrustingRequestVerifier``.
* ``launch_envelope()`` / ``intent_envelope()`` build request envelopes with a current
  timestamp; ``encode()`` turns one into body bytes.
* ``signed_post(client, body, signer=...)`` POSTs to a Flask test client with the
  ``Signature-256`` and ``SignatureCertChainUrl`` headers.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any, Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from skill.alexa.verification import TrustingRequestVerifier

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
ALEXA_DOMAIN = "echo-api.amazon.com"
DEFAULT_APP_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class CertAuthority:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return _pem(self.cert)


def make_ca(common_name: str = "Sciatica Test Root CA") -> CertAuthority:
    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertAuthority(key, cert)


def make_signing_cert(
    ca: CertAuthority,
    *,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    san_dns: Iterable[str] = (ALEXA_DOMAIN,),
    key: rsa.RSAPrivateKey | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A leaf certificate issued by ``ca``, valid now unless dates are given."""
    key = key or _key()
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ALEXA_DOMAIN)]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(hours=1))
        .not_valid_after(not_after or now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=True,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False),
            critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False)
    )
    san = list(san_dns)
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(d) for d in san]), critical=False)
    return key, builder.sign(ca.key, hashes.SHA256())


@dataclass(frozen=True)
class AlexaSigner:
    """A signing key + certificate chain as Alexa would serve it at ``cert_url``."""

    ca: CertAuthority
    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    cert_url: str = CERT_URL

    @classmethod
    def create(cls, ca: CertAuthority | None = None, **cert_kwargs: Any) -> "AlexaSigner":
        ca = ca or make_ca()
        key, cert = make_signing_cert(ca, **cert_kwargs)
        return cls(ca, key, cert)

    @property
    def chain_pem(self) -> bytes:
        """What the cert URL serves: the signing certificate, then the issuing CA."""
        return _pem(self.cert) + self.ca.pem

    def sign(self, body: bytes) -> str:
        """Alexa's ``Signature-256`` header: base64(RSA PKCS#1 v1.5 SHA-256 over the raw body)."""
        return base64.b64encode(
            self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")

    def headers(self, body: bytes, *, cert_url: str | None = None) -> dict[str, str]:
        return {
            "Content-Type": JSON_CONTENT_TYPE,
            "Signature-256": self.sign(body),
            "SignatureCertChainUrl": cert_url or self.cert_url,
        }


def trusting_verifier(
    trusted: CertAuthority, *served: AlexaSigner, extra_chains: dict[str, bytes] | None = None,
) -> TrustingRequestVerifier:
    """Verifier trusting ``trusted`` and serving each signer's chain at its URL."""
    chains = {s.cert_url: s.chain_pem for s in served}
    chains.update(extra_chains or {})
    return TrustingRequestVerifier(trust_roots=[trusted.pem], cert_chains=chains)


def timestamp(offset_seconds: float = 0.0) -> str:
    """An Alexa-style ISO-8601 UTC timestamp, ``offset_seconds`` from now."""
    moment = _now() + dt.timedelta(seconds=offset_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(
    request: dict[str, Any],
    *,
    application_id: str = DEFAULT_APP_ID,
    new_session: bool = True,
    attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A full request envelope around ``request`` (type, requestId, timestamp, locale added if absent)."""
    application = {"applicationId": application_id}
    user = {"userId": "amzn1.ask.account.TEST"}
    req = {
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": timestamp(),
        "locale": "en-US",
        **request,
    }
    return {
        "version": "1.0",
        "session": {
            "new": new_session,
            "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
            "application": application,
            "attributes": attributes or {},
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": "amzn1.ask.device.TEST", "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        },
        "request": req,
    }


def launch_envelope(**kwargs: Any) -> dict[str, Any]:
    """A LaunchRequest envelope with a current timestamp (kwargs as for ``envelope``)."""
    return envelope({"type": "LaunchRequest"}, **kwargs)


def intent_envelope(
    intent_name: str, slots: dict[str, str] | None = None, **kwargs: Any,
) -> dict[str, Any]:
    """An IntentRequest envelope; ``slots`` maps slot name -> spoken value."""
    intent = {
        "name": intent_name,
        "confirmationStatus": "NONE",
        "slots": {
            name: {"name": name, "value": value, "confirmationStatus": "NONE"}
            for name, value in (slots or {}).items()
        },
    }
    return envelope(
        {"type": "IntentRequest", "dialogState": "STARTED", "intent": intent},
        new_session=kwargs.pop("new_session", False), **kwargs)


def encode(env: dict[str, Any]) -> bytes:
    return json.dumps(env).encode("utf-8")


def signed_post(
    client: Any,
    body: bytes,
    *,
    signer: AlexaSigner,
    path: str = "/",
    cert_url: str | None = None,
    sign_body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST ``body`` signed by ``signer``.

    ``sign_body`` signs different bytes than those sent (tampering); ``cert_url``
    overrides the SignatureCertChainUrl header; ``headers`` are merged last
    (a value of None removes that header).
    """
    sent = signer.headers(sign_body if sign_body is not None else body, cert_url=cert_url)
    for name, value in (headers or {}).items():
        if value is None:
            sent.pop(name, None)
        else:
            sent[name] = value
    content_type = sent.pop("Content-Type", None)
    return client.post(path, data=body, headers=sent, content_type=content_type)
