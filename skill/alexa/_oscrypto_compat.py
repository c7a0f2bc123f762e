"""Work around an oscrypto 1.3.0 bug that breaks importing the Alexa web-service SDK.

Why this exists
---------------
``flask_ask_sdk.skill_adapter`` imports ``ask_sdk_webservice_support.verifier``,
which imports ``certvalidator``, which imports ``oscrypto``.  On Linux oscrypto
loads ``oscrypto._openssl._libcrypto_cffi`` (or ``_libcrypto_ctypes`` when cffi
is absent), and that module detects the OpenSSL version with the regex
``\\b(\\d\\.\\d\\.\\d[a-z]*)\\b``.  It accepts "3.0.9" but not a two-digit patch
number such as "OpenSSL 3.0.19", so the import dies with
``LibraryNotFoundError: Error detecting the version of libcrypto``.

This is an upstream bug (wbond/oscrypto, fixed on master by widening the regex
to ``\\d+``), but oscrypto 1.3.0 is still the newest release on PyPI.  Until a
fixed release exists we load that ONE module from oscrypto's own installed
source with ONLY the version regex widened, and register it in ``sys.modules``
so the rest of oscrypto imports it as usual.  Nothing else is changed.

``ensure_oscrypto_loads()`` is idempotent, and does nothing when oscrypto is not
installed, when it already imports fine, or when the installed source no
longer contains the faulty pattern (i.e. a fixed oscrypto release).  Delete this
module once a fixed oscrypto is released and required.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import threading

_log = logging.getLogger(__name__)

# The faulty pattern exactly as it is spelled in oscrypto 1.3.0's source text,
# and its replacement (the fix from oscrypto master).
_BAD_PATTERN = "'\\\\b(\\\\d\\\\.\\\\d\\\\.\\\\d[a-z]*)\\\\b'"
_GOOD_PATTERN = "'\\\\b(\\\\d+\\\\.\\\\d+\\\\.\\\\d+[a-z]*)\\\\b'"

_LIBCRYPTO = "oscrypto._openssl._libcrypto"

_lock = threading.Lock()
_done = False


def patched_source(source: str) -> str | None:
    """Return ``source`` with the version regex widened, or None if the bad pattern is absent."""
    if _BAD_PATTERN not in source:
        return None
    return source.replace(_BAD_PATTERN, _GOOD_PATTERN)


def ensure_oscrypto_loads() -> bool:
    """Make ``oscrypto._openssl._libcrypto`` importable; call before importing flask_ask_sdk.

    Returns True when oscrypto's libcrypto binding is (now) importable, False when
    oscrypto is absent, not using OpenSSL, or failing for a reason this shim does not fix
    (in which case the original error will surface at the later import, unchanged).
    """
    global _done
    with _lock:
        if _done:
            return True
        ok = _ensure()
        _done = ok
        return ok


def _ensure() -> bool:
    try:
        import oscrypto
        from oscrypto.errors import LibraryNotFoundError
    except ImportError:
        return False
    if oscrypto.backend() != "openssl":
        return False  # macOS / Windows backends do not use the faulty module

    try:
        importlib.import_module(_LIBCRYPTO)
        return True  # oscrypto works as released: nothing to do
    except LibraryNotFoundError:
        pass

    # oscrypto picks the cffi variant when cffi is importable, else ctypes.
    name = f"oscrypto._openssl._libcrypto_{oscrypto.ffi()}"
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or not hasattr(spec.loader, "get_source"):
        return False
    source = spec.loader.get_source(name)
    fixed = patched_source(source or "")
    if fixed is None:
        return False  # a different failure than the one this shim knows about

    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        exec(compile(fixed, spec.origin or name, "exec"), module.__dict__)
        # Bind as an attribute of the parent package, like a normal import does.
        setattr(sys.modules["oscrypto._openssl"], name.rpartition(".")[2], module)
        importlib.import_module(_LIBCRYPTO)
    except Exception:
        sys.modules.pop(name, None)
        _log.warning("oscrypto compatibility shim could not load %s", name, exc_info=True)
        return False
    _log.debug("loaded %s with widened OpenSSL version regex", name)
    return True
