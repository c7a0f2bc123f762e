"""Request verifiers for the Alexa web-service endpoint.

Production uses the SDK's own, unmodified ``RequestVerifier`` (signature and
certificate chain) and ``TimestampVerifier``; this module adds:

* ``ApplicationIdVerifier`` - refuses requests addressed to another skill.
* ``AmazonRequestVerifier`` - the SDK's ``RequestVerifier`` with the certificate fetch
  hardened: a chain URL with a query string or fragment is refused (each would be a new cache
  key, so a new fetch, for any unsigned request), the fetch has a 2 s timeout and a size cap
  (the SDK's has neither), one fetch per URL at a time (concurrent requests share it), and
  the cache of chains is bounded.  Production uses this one.
* ``StageMarker`` - a no-op verifier placed LAST, so the server can tell a
  failure during verification (refuse with 400) from one during dispatch
  (answer with a safe spoken error).
* ``TrustingRequestVerifier`` - TEST SEAM ONLY.  ``AmazonRequestVerifier``
  with exactly two things replaced: where the certificate chain comes from (a
  dict ``url -> PEM`` instead of the network) and which roots are trusted (the
  given test CA instead of the OS trust store).  URL checks, chain validation,
  end-certificate checks (validity dates, ``echo-api.amazon.com`` SAN, key
  usage) and the RSA/SHA-256 signature check all still run.
"""

from __future__ import annotations

import threading
import urllib.request
from collections import OrderedDict
from concurrent.futures import Future
from typing import Any, Callable, Dict, Iterable, Mapping
from urllib.parse import urlparse

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
    "AmazonRequestVerifier",
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


CERT_FETCH_TIMEOUT_S = 2.0
MAX_CERT_CHAIN_BYTES = 64 * 1024   # Amazon's chain is about 6 KB
MAX_CACHED_CHAINS = 16             # Amazon uses one URL at a time; a few while it rotates


class BoundedCache(OrderedDict):
    """A dict that forgets its least recently used entry past `limit` (the SDK's cache is a
    plain dict: one new entry for every distinct URL, for ever)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def __getitem__(self, key):
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class AmazonRequestVerifier(RequestVerifier):
    """The SDK's signature verifier with a fetch that cannot hang the server (module docstring).
    Everything else (URL form, chain validation, end certificate, signature) is the SDK's."""

    def __init__(self, *, fetch_timeout: float = CERT_FETCH_TIMEOUT_S,
                 max_cached: int = MAX_CACHED_CHAINS, **kwargs: Any):
        super().__init__(**kwargs)
        self.fetch_timeout = fetch_timeout
        self._cert_cache = BoundedCache(max_cached)
        self._cache_lock = threading.Lock()
        self._fetching: Dict[str, Future] = {}

    def _validate_certificate_url(self, cert_url: str) -> None:
        super()._validate_certificate_url(cert_url)
        parsed = urlparse(cert_url)
        if parsed.query or parsed.fragment or parsed.params or "?" in cert_url \
                or "#" in cert_url:
            raise VerificationException(
                "Signature Certificate URL has a query string or fragment")
        if parsed.username is not None or parsed.password is not None:
            raise VerificationException("Signature Certificate URL has user information")

    def _load_cert_chain(self, cert_url: str) -> bytes:
        with self._cache_lock:
            if cert_url in self._cert_cache:
                return self._cert_cache[cert_url]
            pending = self._fetching.get(cert_url)
            owner = pending is None
            if owner:
                pending = self._fetching[cert_url] = Future()
        if not owner:
            # Another request is fetching this URL: wait for its answer, never fetch twice.
            try:
                return pending.result(timeout=self.fetch_timeout + 1)
            except VerificationException:
                raise
            except Exception as problem:   # noqa: BLE001 - timed out waiting, or its failure
                raise VerificationException("Unable to load certificate from URL",
                                            problem) from None
        try:
            cert_data = self._fetch(cert_url)
        except Exception as problem:   # noqa: BLE001 - network, timeout, too large
            failure = VerificationException("Unable to load certificate from URL", problem)
            with self._cache_lock:
                del self._fetching[cert_url]
            pending.set_exception(failure)
            raise failure from None
        with self._cache_lock:
            self._cert_cache[cert_url] = cert_data
            del self._fetching[cert_url]
        pending.set_result(cert_data)
        return cert_data

    def _fetch(self, cert_url: str) -> bytes:
        """The chain's bytes from the network: within fetch_timeout per socket operation, and
        no more than MAX_CERT_CHAIN_BYTES."""
        with urllib.request.urlopen(cert_url, timeout=self.fetch_timeout) as response:
            data = response.read(MAX_CERT_CHAIN_BYTES + 1)
        if len(data) > MAX_CERT_CHAIN_BYTES:
            raise VerificationException("Certificate chain is too large")
        return data


def _to_der(cert: bytes) -> bytes:
    if pem.detect(cert):
        _, _, der = pem.unarmor(cert)
        return der
    return cert


class TrustingRequestVerifier(AmazonRequestVerifier):
    """TEST SEAM: the real signature verifier, trusting a test CA and reading chains from a dict.

    ``cert_chains`` maps a SignatureCertChainUrl to the PEM bytes that URL would
    serve (end certificate first, then intermediates).  ``trust_roots`` are the
    CA certificates (PEM or DER bytes) used as trust anchors instead of the OS
    store.  Everything else is inherited from ``RequestVerifier`` unchanged,
    including the URL checks, the bounded certificate cache (``_cert_cache``) and one
    fetch per URL at a time.  Never use in production.

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

    def _fetch(self, cert_url: str) -> bytes:
        # The "network" here is the dict; caching and one-fetch-at-a-time are the parent's.
        try:
            return self._cert_chains[cert_url]
        except KeyError:
            raise VerificationException("Unable to load certificate from URL") from None

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
