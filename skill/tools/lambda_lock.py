"""lambda/requirements.lock: the Lambda zip's dependencies pinned to exact versions, each with
the sha256 of every wheel a supported runtime may install, so that a deployment is reproducible
and auditable (issue 18): `sciatica-skill package` installs with pip's --require-hashes, and a
wheel whose bytes differ from the reviewed ones stops the build.

`sciatica-skill lock-lambda` writes the lock: it downloads the wheels of the Lambda path's
requirements (with the project's version ranges) for every Python version and architecture
Lambda runs, checks that each resolves to the same versions, and records every wheel's hash.
Run it on purpose (a dependency upgrade), read the diff, commit it."""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterable, Mapping, Set, Tuple

from skill import _paths

LOCK_PATH = _paths.REPO_ROOT / "lambda" / "requirements.lock"
# The Python versions of AWS Lambda's managed runtimes this skill supports.
LAMBDA_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
HEADER = """\
# The Lambda zip's dependencies, pinned, with the hash of every wheel a supported runtime
# (Python {pythons}; x86_64 and arm64) may install. Written by `sciatica-skill lock-lambda`;
# read by `sciatica-skill package` (pip --require-hashes). Do not edit by hand.
"""
_WHEEL = re.compile(r"^(?P<name>[A-Za-z0-9_.]+)-(?P<version>[^-]+)-.+\.whl$")


class LockError(Exception):
    """The lock cannot be written or read as it must be."""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def write_lock(requirements: Iterable[str], platforms: Mapping[str, str],
               pythons: Iterable[str] = LAMBDA_PYTHONS, path: Path = LOCK_PATH) -> Path:
    """Download the wheels for every (python, platform) pair and write the lock."""
    requirements, pythons = list(requirements), list(pythons)
    pins: Dict[str, str] = {}
    hashes: Dict[str, Set[str]] = defaultdict(set)
    for python in pythons:
        for platform in platforms.values():
            for name, version, digest in _download(requirements, python, platform):
                if pins.setdefault(name, version) != version:
                    raise LockError(f"{name} resolves to {pins[name]} for one runtime and "
                                    f"{version} for Python {python} on {platform}: pin it in "
                                    "pyproject.toml so every runtime gets the same version")
                hashes[name].add(digest)
    lines = [HEADER.format(pythons=", ".join(pythons))]
    for name in sorted(pins):
        digests = " \\\n".join(f"    --hash=sha256:{digest}" for digest in sorted(hashes[name]))
        lines.append(f"{name}=={pins[name]} \\\n{digests}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def read_lock(path: Path = LOCK_PATH) -> Dict[str, Tuple[str, Tuple[str, ...]]]:
    """{canonical name: (version, hashes)}; LockError naming the line for anything else."""
    if not path.is_file():
        raise LockError(f"{path} is missing: run `sciatica-skill lock-lambda`")
    text = path.read_text(encoding="utf-8")
    pins: Dict[str, Tuple[str, Tuple[str, ...]]] = {}
    for number, entry in enumerate(text.replace("\\\n", " ").splitlines(), start=1):
        entry = entry.split("#", 1)[0].strip()
        if not entry:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)((?:\s+--hash=sha256:[0-9a-f]{64})+)", entry)
        if match is None:
            raise LockError(f"{path.name}: entry {number} is not `name==version --hash=sha256:...`:"
                            f" {entry[:80]!r}")
        pins[canonical(match.group(1))] = (match.group(2),
                                           tuple(re.findall(r"[0-9a-f]{64}", match.group(3))))
    return pins


def _download(requirements, python: str, platform: str):
    with tempfile.TemporaryDirectory(prefix="sciatica-lock-") as temp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet",
                        "--disable-pip-version-check", "--dest", temp, "--only-binary=:all:",
                        "--implementation", "cp", "--python-version", python,
                        "--platform", platform, *requirements], check=True)
        for wheel in sorted(Path(temp).glob("*.whl")):
            match = _WHEEL.match(wheel.name)
            if match is None:
                raise LockError(f"cannot read a name and version from {wheel.name}")
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            yield canonical(match.group("name")), match.group("version"), digest
