"""Request verifiers for the Alexa web-service endpoint.

Production uses the SDK's own, unmodified ``RequestVerifier`` (signature and
certificate chain) and ``TimestampVerifier``; this module adds:

* ``ApplicationIdVerifier`` - refuses requests addressed to another skill.
* ``StageMarker`` - a no-op verifier placed LAST, so the server can tell a
  failure during verification (refuse with 400) from one during dispatch
  (answer with a safe spoken error).
* ``TrustingRequestVerifier`` - TEST SEAM ONLY.  The real ``RequestVerifier``
  with exactly two things replaced: where the certificate chain comes from (a
  dict ``url -> PEM`` instead of the network) and which roots are trusted (the
  given test CA instead of the OS trust store).  URL checks, chain validation,
  end-certificate checks (validity dates, ``echo-api.amazon.com`` SAN, key
  usage) and the RSA/SHA-256 signature check all still run.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from skill.alexa._oscrypto_compat import ensure_oscrypto_loads

ensure_oscrypto_loads()  # must run before ask_sdk_webservice_support is imported

from asn1crypto import pem  # noqa: E402
from ask_sdk_webservice_support.verifier import (  # noqa: E402
    AbstractVerifier,
    RequestVerifier,
    VerificationException,
)
from certvalidator import CertificateValidator, ValidationContext  # noqa: E402
from certvalidator.errors import PathError, ValidationError  # noqa: E402

__all__ = [
    "AbstractVerifier",
    "ApplicationIdVerifier",
    "RequestVerifier",
    "StageMarker",
    "TrustingRequestVerifier",
    "VerificationException",
    "application_ids",
]


def application_ids(envelope: Any) -> list[str]:
    """The application ids a deserialized ``RequestEnvelope`` claims (context first, then session)."""
    ids = []
    system = getattr(getattr(envelope, "context", None), "system", None)
    for holder in (system, getattr(envelope, "session", None)):
        app_id = getattr(getattr(holder, "application", None), "application_id", None)
        if app_id:
            ids.append(app_id)
    return ids


class ApplicationIdVerifier(AbstractVerifier):
    """Refuse a request unless every application id it carries equals ``skill_id``.

    Checks ``context.System.application.applicationId`` and, when present,
    ``session.application.applicationId``; a request carrying neither is refused.
    Raising ``VerificationException`` makes the server answer 400 (unlike
    CustomSkill's own skill_id check, which fails during dispatch).
    """

    def __init__(self, skill_id: str):
        if not skill_id:
            raise ValueError("skill_id must be a non-empty string")
        self.skill_id = skill_id

    def verify(self, headers, serialized_request_env, deserialized_request_env):
        ids = application_ids(deserialized_request_env)
        if not ids:
            raise VerificationException("Request carries no application id")
        if any(app_id != self.skill_id for app_id in ids):
            raise VerificationException("Application id does not match this skill")


class StageMarker(AbstractVerifier):
    """No-op verifier that calls ``on_passed()``; put it after all real verifiers."""

    def __init__(self, on_passed: Callable[[], None]):
        self._on_passed = on_passed

    def verify(self, headers, serialized_request_env, deserialized_request_env):
        self._on_passed()


def _to_der(cert: bytes) -> bytes:
    if pem.detect(cert):
        _, _, der = pem.unarmor(cert)
        return der
    return cert


class TrustingRequestVerifier(RequestVerifier):
    """TEST SEAM: the real signature verifier, trusting a test CA and reading chains from a dict.

    ``cert_chains`` maps a SignatureCertChainUrl to the PEM bytes that URL would
    serve (end certificate first, then intermediates).  ``trust_roots`` are the
    CA certificates (PEM or DER bytes) used as trust anchors instead of the OS
    store.  Everything else is inherited from ``RequestVerifier`` unchanged,
    including the certificate cache (``_cert_cache``).  Never use in production.

    Usage in a test::

        verifier = TrustingRequestVerifier(
            trust_roots=[ca_pem], cert_chains={CERT_URL: signing_chain_pem})
        app = create_app(skill, verifiers=[verifier])  # replaces the default RequestVerifier
    """

    def __init__(
        self,
        *,
        trust_roots: Iterable[bytes],
        cert_chains: Mapping[str, bytes],
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self._trust_roots = [_to_der(root) for root in trust_roots]
        if not self._trust_roots:
            raise ValueError("trust_roots must name at least one CA certificate")
        self._cert_chains = dict(cert_chains)

    def _load_cert_chain(self, cert_url: str) -> bytes:
        # Same contract as the parent: cache first, then "fetch" (here: the dict).
        if cert_url in self._cert_cache:
            return self._cert_cache[cert_url]
        try:
            cert_data = self._cert_chains[cert_url]
        except KeyError:
            raise VerificationException("Unable to load certificate from URL") from None
        self._cert_cache[cert_url] = cert_data
        return cert_data

    def _validate_cert_chain(self, cert_chain: bytes) -> None:
        # Mirrors RequestVerifier._validate_cert_chain; only the trust anchors differ.
        try:
            end_cert = None
            intermediate_certs = []
            for _type_name, _headers, der_bytes in pem.unarmor(cert_chain, multiple=True):
                if end_cert is None:
                    end_cert = der_bytes
                else:
                    intermediate_certs.append(der_bytes)
            context = ValidationContext(trust_roots=self._trust_roots)
            validator = CertificateValidator(
                end_cert, intermediate_certs, validation_context=context)
            validator.validate_usage(key_usage={"digital_signature"})
        except (PathError, ValidationError) as e:
            raise VerificationException("Certificate chain is not valid", e)
