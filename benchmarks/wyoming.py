"""Without the cloud (issue 14): the Wyoming service against the Alexa in-process path, in one run.

- a screen turn in process: a "no" to question 7 of 14 (latency.MEASURED_QUESTION), through the
  Alexa path (handle_event on a real envelope) and through the room-speaker path
  (wyoming/turns.py: the NLU on the words, then the same core), both from the same kept state;
- the same turn over the wire: `sciatica-skill wyoming` in a subprocess, one TCP connection per
  transcript as Home Assistant opens them, sequentially;
- turns per second under load: `users` clients, each running whole screens (hello, then "no"
  to the end) over the wire for `duration` seconds. The service runs turns on one worker
  thread, so this is the figure one process gives a clinic."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import List

from benchmarks.common import free_port, median, percentile

ROOT = Path(__file__).resolve().parent.parent
MID_SCREEN_WORDS = ["hello"] + ["no"] * 6    # then the measured "no" (the fever question)


def in_process(count: int) -> dict:
    from benchmarks import latency
    from skill.alexa.app import build_skill, handle_event
    from skill.memory.settings import Settings
    from skill.wyoming.conversations import Kept
    from skill.wyoming.turns import Heard, SpeakerSkill

    skill = build_skill()
    envelope = latency.mid_screen_envelope(lambda event: handle_event(skill, event))
    alexa = latency.time_calls(lambda: handle_event(skill, envelope), count, max(20, count // 10))

    speaker = SpeakerSkill("en-US", Settings(profile="public", memory_enabled=False))
    for words in MID_SCREEN_WORDS:
        speaker.answer(Heard(words, "bench", "satellite.bench", "en"))
    kept = speaker.conversations.take("bench")
    asked = kept.kept["screen"]

    def one_turn():
        speaker.conversations.keep("bench", Kept({"screen": asked, "outcome": None}, "en-US"))
        return speaker.answer(Heard("no", "bench", "satellite.bench", "en"))

    reply = one_turn()
    if reply.outcome is not None or reply.ended:
        raise RuntimeError(f"the measured Wyoming turn was not mid-screen: {reply.text}")
    wyoming = latency.time_calls(one_turn, count, max(20, count // 10))
    return {"alexa": latency.summary(alexa), "wyoming": latency.summary(wyoming)}


def measure(count: int, users: int, duration: float, log: Path) -> dict:
    """In process and over the wire, in one run."""
    out = {"in_process": in_process(count)}
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                                      os.environ.get("PYTHONPATH")]))}
    with open(log, "wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "skill.tools.cli", "wyoming", "--uri",
             f"tcp://127.0.0.1:{port}", "--profile", "public",
             "--max-connections", str(max(128, users * 2))],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            asyncio.run(_wait_for(port, process))
            out["sequential"] = asyncio.run(_sequential(port, count))
            out["load"] = asyncio.run(_load(port, users, duration))
        finally:
            process.terminate()
            process.wait(timeout=10)
    return out


async def _wait_for(port: int, process) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError("the Wyoming service exited")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


async def _turn(port: int, text: str, conversation: str) -> dict:
    from wyoming.client import AsyncTcpClient
    from wyoming.handle import Handled
    from wyoming.asr import Transcript

    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcript(text, context={
            "conversation_id": conversation, "satellite_id": "satellite.bench"},
            language="en").event())
        event = await asyncio.wait_for(client.read_event(), 30)
    if event is None or not Handled.is_type(event.type):
        raise RuntimeError(f"not handled: {event}")
    return Handled.from_event(event).context


async def _sequential(port: int, count: int) -> dict:
    """The measured "no", each time from the same point: a fresh conversation brought to
    question 7 first (not timed), then the one turn timed."""
    samples: List[float] = []
    rounds = max(5, count // 10)   # each round costs seven untimed turns
    for _ in range(rounds):
        conversation = str(uuid.uuid4())
        for words in MID_SCREEN_WORDS:
            await _turn(port, words, conversation)
        start = time.perf_counter()
        context = await _turn(port, "no", conversation)
        samples.append(time.perf_counter() - start)
        if context.get("outcome") is not None:
            raise RuntimeError("the measured turn ended the screen")
    return {"median": median(samples), "p99": percentile(samples, 0.99), "n": len(samples)}


async def _load(port: int, users: int, duration: float) -> dict:
    stop = time.monotonic() + duration
    latencies: List[float] = []
    screens = [0]
    errors = [0]

    async def user():
        while time.monotonic() < stop:
            conversation = str(uuid.uuid4())
            words = "hello"
            for _ in range(40):
                start = time.perf_counter()
                try:
                    context = await _turn(port, words, conversation)
                except Exception:  # noqa: BLE001 - counted, the run goes on
                    errors[0] += 1
                    break
                latencies.append(time.perf_counter() - start)
                if context.get("ended"):
                    screens[0] += 1
                    break
                words = "no"
                if time.monotonic() >= stop:
                    break

    started = time.monotonic()
    await asyncio.gather(*(user() for _ in range(users)))
    elapsed = time.monotonic() - started
    return {"turns_per_second": len(latencies) / elapsed, "turns": len(latencies),
            "screens": screens[0], "errors": errors[0], "users": users,
            "median": median(latencies) if latencies else None,
            "p99": percentile(latencies, 0.99) if latencies else None}
