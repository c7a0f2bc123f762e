"""WSGI apps for the benchmark servers (gunicorn loads them as `benchmarks.wsgi:project()`).

Configured by the environment the benchmark gives the server:
  SCIATICA_DB_PATH     the throw-away SQLite file the project's memory uses (local profile)
  BENCH_TRUST_DIR      a folder with ca.pem and chain.pem: verify signatures against that test
                       CA, with the chain served from a cache (TrustingRequestVerifier); unset:
                       signature verification off (timestamps are still checked)
"""
from __future__ import annotations

import os
from pathlib import Path

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


def _verifiers() -> list:
    trust_dir = os.environ.get("BENCH_TRUST_DIR")
    if not trust_dir:
        return []
    from skill.alexa.verification import TrustingRequestVerifier

    folder = Path(trust_dir)
    return [TrustingRequestVerifier(trust_roots=[(folder / "ca.pem").read_bytes()],
                                    cert_chains={CERT_URL: (folder / "chain.pem").read_bytes()})]


def project():
    """Sciatica Check's own server, as `sciatica-skill serve` builds it."""
    from skill.alexa.server import create_app

    verifiers = _verifiers()
    return create_app(verify_signature=bool(verifiers), verifiers=verifiers)


def baseline():
    """The baseline skill behind the same flask-ask-sdk adapter, verified the same way."""
    from benchmarks.baseline_skill import create_app

    verifiers = _verifiers()
    return create_app(verify_signature=bool(verifiers), verifiers=verifiers)
