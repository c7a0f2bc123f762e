"""The oscrypto 1.3.0 version-regex workaround (skill/alexa/_oscrypto_compat.py)."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from skill.alexa import _oscrypto_compat as compat

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _run_fresh(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (nothing of oscrypto imported yet)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )


def test_server_imports_and_libcrypto_version_matches_ssl_in_fresh_interpreter():
    proc = _run_fresh(
        """
        import json, re, ssl
        import skill.alexa.server  # imports flask_ask_sdk -> certvalidator -> oscrypto
        import flask_ask_sdk.skill_adapter
        import oscrypto._openssl._libcrypto as lc
        from skill.alexa._oscrypto_compat import ensure_oscrypto_loads
        print(json.dumps({
            "oscrypto": list(lc.libcrypto_version_info),
            "ssl_info": list(ssl.OPENSSL_VERSION_INFO),
            "ssl_text": ssl.OPENSSL_VERSION,
            "again": ensure_oscrypto_loads(),
        }))
        """
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    info = out["ssl_info"]
    # ssl.OPENSSL_VERSION_INFO is decoded from OPENSSL_VERSION_NUMBER: for OpenSSL 3
    # it is (major, minor, 0, patch, status), e.g. 3.0.19 -> (3, 0, 0, 19, 0), so
    # [:3] alone would read (3, 0, 0); the patch number is element 3 there.
    expected = info[:2] + [info[3]] if info[0] >= 3 else info[:3]
    assert out["oscrypto"][:3] == expected
    text_version = re.search(r"(\d+)\.(\d+)\.(\d+)", out["ssl_text"]).groups()
    assert out["oscrypto"][:3] == [int(part) for part in text_version]
    assert out["again"] is True  # idempotent


def test_ensure_is_idempotent_in_process():
    assert compat.ensure_oscrypto_loads() is True
    assert compat.ensure_oscrypto_loads() is True
    import oscrypto._openssl._libcrypto as lc

    assert lc.libcrypto_version_info >= (1, 0)


def test_patched_source_only_widens_the_version_regex():
    for variant in ("cffi", "ctypes"):
        name = f"oscrypto._openssl._libcrypto_{variant}"
        spec = importlib.util.find_spec(name)
        source = spec.loader.get_source(name)
        fixed = compat.patched_source(source)
        if fixed is None:  # a fixed oscrypto release: the shim must stay out of the way
            continue
        ast.parse(fixed)
        changed = [
            (a, b) for a, b in zip(source.splitlines(), fixed.splitlines()) if a != b
        ]
        assert len(changed) == 1
        assert "version_match = re.search(" in changed[0][1]


def test_patched_source_is_none_without_the_bad_pattern():
    assert compat.patched_source("version = '3.0.19'\n") is None
    already_fixed = "re.search(" + compat._GOOD_PATTERN + ", s)\n"
    assert compat.patched_source(already_fixed) is None


def test_widened_pattern_parses_two_digit_patch_versions():
    good = ast.literal_eval(compat._GOOD_PATTERN)
    bad = ast.literal_eval(compat._BAD_PATTERN)
    assert re.search(bad, "OpenSSL 3.0.19 27 Jan 2026") is None  # the upstream bug
    for text, version in [
        ("OpenSSL 3.0.19 27 Jan 2026", "3.0.19"),
        ("OpenSSL 3.0.9 30 May 2023", "3.0.9"),
        ("OpenSSL 1.1.1w  11 Sep 2023", "1.1.1w"),
        ("OpenSSL 3.10.2 1 Jan 2030", "3.10.2"),
    ]:
        assert re.search(good, text).group(1) == version
