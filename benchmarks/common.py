"""Shared pieces: statistics, the machine, request envelopes, signing, the servers under test."""
from __future__ import annotations

import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
LAMBDA_DIR = ROOT / "lambda"
TESTS_DIR = ROOT / "tests"


# --- statistics --------------------------------------------------------------------------

def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of `values` (need not be sorted)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def ratio(ours: float, theirs: float) -> float:
    return ours / theirs if theirs else float("nan")


# --- the machine -------------------------------------------------------------------------

def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return {"nproc": cores, "cpu": model, "python": platform.python_version(),
            "implementation": platform.python_implementation(), "system": platform.platform(),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def rss_kib(pid: Optional[int] = None) -> int:
    """Resident memory (VmRSS) of a process, in KiB, from /proc/<pid>/status."""
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc status")


# --- envelopes ---------------------------------------------------------------------------

def envelope(request: dict, *, new: bool, attributes: Optional[dict] = None,
             session_id: Optional[str] = None, user_id: Optional[str] = None,
             locale: str = "en-US") -> dict:
    from skill.alexa.envelopes import request_envelope

    return request_envelope(dict(request), locale=locale, new=new, session_id=session_id,
                            attributes=attributes or {},
                            user_id=user_id or f"amzn1.ask.account.bench-{uuid.uuid4().hex}")


def launch() -> dict:
    return {"type": "LaunchRequest"}


def intent(name: str) -> dict:
    return {"type": "IntentRequest",
            "intent": {"name": name, "confirmationStatus": "NONE", "slots": {}}}


@dataclass
class Step:
    """One request of a reference conversation: what to send, and what must come back."""
    request: dict
    new: bool
    attributes_in: dict
    attributes_out: dict
    ends: bool


def clean_screen_requests(content) -> List[dict]:
    """A whole clean screen: launch, no to every question, every tip, no, no (to goodbye)."""
    from skill.conversation.questions import CARD_ONLY_ADVICE

    tips = len([tip for tip in content.advice_for("self_care") if tip.id not in CARD_ONLY_ADVICE])
    return ([launch()] + [intent("AMAZON.NoIntent")] * len(content.screen_questions)
            + [intent("AMAZON.NextIntent")] * (tips - 1)
            + [intent("AMAZON.NoIntent")] * 2)


def reference_conversation(handle: Callable[[dict], dict], requests: Sequence[dict],
                           locale: str = "en-US") -> List[Step]:
    """Run `requests` as one session through `handle` (envelope dict -> response dict) and
    keep what each request carried and what came back."""
    steps: List[Step] = []
    attributes: dict = {}
    session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
    user_id = f"amzn1.ask.account.bench-{uuid.uuid4().hex}"
    for index, request in enumerate(requests):
        new = index == 0
        response = handle(envelope(request, new=new, attributes=attributes,
                                   session_id=session_id, user_id=user_id, locale=locale))
        out = response.get("sessionAttributes") or {}
        ends = response.get("response", {}).get("shouldEndSession") is not False
        steps.append(Step(request, new, attributes, out, ends))
        attributes = out
        if ends:
            break
    return steps


# --- signing (tests/alexa_signing.py's test CA and Alexa-style signatures) ---------------

class Signing:
    """A throw-away CA and signing certificate; files for the server in `folder`."""

    def __init__(self, folder: Path):
        if str(TESTS_DIR) not in sys.path:
            sys.path.insert(0, str(TESTS_DIR))
        from alexa_signing import AlexaSigner

        self.signer = AlexaSigner.create()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ca.pem").write_bytes(self.signer.ca.pem)
        (folder / "chain.pem").write_bytes(self.signer.chain_pem)
        self.folder = folder

    def headers(self, body: bytes) -> dict:
        return self.signer.headers(body)


JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def body_and_headers(envelope_dict: dict, signing: Optional[Signing]) -> tuple:
    body = json.dumps(envelope_dict).encode("utf-8")
    return body, (signing.headers(body) if signing else dict(JSON_HEADERS))


def child_pids(pid: int) -> List[int]:
    """The processes `pid` started (gunicorn's workers), from /proc."""
    try:
        return [int(child) for child in
                Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:   # a kernel without that file: scan every process's parent
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                children.append(int(stat.parent.name))
        return children


# --- servers -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A gunicorn server (gthread workers) on loopback, stopped on exit."""
    app: str                       # "benchmarks.wsgi:project()"
    env: dict
    workers: int
    threads: int
    log_path: Path
    port: int = 0
    process: Optional[subprocess.Popen] = None
    _log: object = field(default=None, repr=False)

    def __enter__(self) -> "Server":
        self.port = free_port()
        self._log = open(self.log_path, "ab")
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers), "--worker-class", "gthread",
                   "--threads", str(self.threads), "--keep-alive", "5",
                   "--log-level", "warning", "--chdir", str(ROOT), self.app]
        self.process = subprocess.Popen(command, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app} exited with {self.process.returncode}; "
                                   f"see {self.log_path}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("POST", "/", b"{}", JSON_HEADERS)
                connection.getresponse().read()   # any answer (400 here) means it is up
                connection.close()
                if len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.app} did not start within {timeout:.0f} s; see {self.log_path}")

    def worker_pids(self) -> List[int]:
        return child_pids(self.process.pid)

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
