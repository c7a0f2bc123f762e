"""Throughput: many simulated users against a gunicorn server on loopback, for a fixed time.

Each Sciatica Check user runs whole clean screens (launch, a "no" to every question, every
self-care tip, no to remembering, no to a reminder: 22 requests) one after another, each request
sent when the previous answer arrived. A baseline user sends launches. Request bodies are built
(and, with verification, signed) ahead from a reference run of the same conversation, so the
load generator spends its CPU on HTTP rather than on RSA; each user has its own user and
session ids, and bodies are rebuilt every minute so timestamps stay fresh. Every answer is
checked: HTTP 200 and the session attributes the reference run got back at that step."""
from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from typing import Callable, List, Optional

from benchmarks.common import Signing, Step, body_and_headers, envelope, percentile

REFRESH_SECONDS = 60.0


def user_bodies(steps: List[Step], signing: Optional[Signing], locale: str = "en-US") -> list:
    """The bodies (and headers) one user sends for one conversation, with fresh ids."""
    session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
    user_id = f"amzn1.ask.account.bench-{uuid.uuid4().hex}"
    out = []
    for step in steps:
        body, headers = body_and_headers(
            envelope(step.request, new=step.new, attributes=step.attributes_in,
                     session_id=session_id, user_id=user_id, locale=locale), signing)
        out.append((body, headers, step.attributes_out))
    return out


def run_load(port: int, steps: List[Step], *, users: int, duration: float,
             signing: Optional[Signing] = None, check_attributes: bool = True) -> dict:
    """`users` threads replaying `steps` against 127.0.0.1:`port` for `duration` seconds."""
    latencies: List[List[float]] = [[] for _ in range(users)]
    errors = [0] * users
    samples: List[str] = []
    conversations = [0] * users
    prepared = [user_bodies(steps, signing) for _ in range(users)]
    ready = threading.Barrier(users + 1)
    window = {}

    def user(number: int) -> None:
        bodies = prepared[number]
        built = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = latencies[number]
        clock = time.perf_counter
        ready.wait()
        deadline = window["deadline"]
        try:
            while clock() < deadline:
                for body, headers, expected in bodies:
                    start = clock()
                    if start >= deadline:
                        break
                    try:
                        connection.request("POST", "/", body, headers)
                        response = connection.getresponse()
                        data = response.read()
                    except (OSError, http.client.HTTPException) as problem:
                        errors[number] += 1
                        if len(samples) < 5:
                            samples.append(f"{type(problem).__name__}: {problem}")
                        connection.close()
                        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                        continue
                    mine.append(clock() - start)
                    if response.status != 200 or (
                            check_attributes and
                            json.loads(data).get("sessionAttributes") != expected):
                        errors[number] += 1
                        if len(samples) < 5:
                            samples.append(f"HTTP {response.status}: {data[:200]!r}")
                else:
                    conversations[number] += 1
                if time.monotonic() - built > REFRESH_SECONDS:
                    bodies = user_bodies(steps, signing)
                    built = time.monotonic()
        finally:
            connection.close()

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    window["deadline"] = time.perf_counter() + duration
    started = time.perf_counter()
    ready.wait()
    for thread in threads:
        thread.join(timeout=duration + 60)
    elapsed = time.perf_counter() - started
    every = [sample for mine in latencies for sample in mine]
    return {"requests": len(every), "seconds": elapsed, "rps": len(every) / elapsed,
            "median": percentile(every, 0.5), "p99": percentile(every, 0.99),
            "errors": sum(errors), "error_samples": samples,
            "conversations": sum(conversations), "users": users}


def server_cpu_seconds(pids: List[int]) -> float:
    """User + system CPU time so far of the given processes (from /proc/<pid>/stat)."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / ticks


def measured(port: int, pids: Callable[[], List[int]], steps: List[Step], **kwargs) -> dict:
    """run_load, plus how much CPU the server's workers used per request."""
    before = server_cpu_seconds(pids())
    result = run_load(port, steps, **kwargs)
    used = server_cpu_seconds(pids()) - before
    result["server_cpu_ms_per_request"] = 1000.0 * used / max(1, result["requests"])
    return result
