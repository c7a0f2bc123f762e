"""The Wyoming service as Home Assistant meets it: `sciatica-skill wyoming` started as a subprocess
on a free port, and driven with the wyoming package's own AsyncTcpClient, one connection per
transcript, sending what Home Assistant's wyoming/conversation.py sends (a Transcript whose
context holds conversation_id and satellite_id or device_id, and the pipeline's language)."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from wyoming.asr import Transcript
from wyoming.client import AsyncTcpClient
from wyoming.event import Event

from dialog import free_port

ROOT = Path(__file__).resolve().parent.parent
SATELLITE = "assist_satellite.clinic_room_2"


@dataclass
class Service:
    port: int
    process: subprocess.Popen

    def log(self) -> str:
        return self.process.stderr.read().decode("utf-8", "replace") if self.process.stderr else ""


@contextmanager
def running_service(*options: str, environ: Optional[dict] = None):
    """The service in a subprocess, until the block ends (then stopped, and checked alive)."""
    port = free_port()
    env = {**os.environ, **(environ or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "skill.tools.cli", "wyoming", "--uri", f"tcp://127.0.0.1:{port}",
         *options], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError("the service exited: " + process.stderr.read().decode())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield Service(port, process)
        assert process.poll() is None, "the service died during the test"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


async def exchange(port: int, event: Event, timeout: float = 30) -> Optional[Event]:
    """One connection, one event out, the first event back (None: closed without one)."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(event)
        return await asyncio.wait_for(client.read_event(), timeout)


def transcript(text: str, conversation_id: Optional[str] = None, satellite: Optional[str] = SATELLITE,
               language: Optional[str] = "en", device: Optional[str] = None) -> Event:
    context = {}
    if conversation_id is not None:
        context["conversation_id"] = conversation_id
    if device is not None:
        context["device_id"] = device
    if satellite is not None:
        context["satellite_id"] = satellite
    return Transcript(text, context=context, language=language).event()


async def say(port: int, text: str, conversation_id: Optional[str] = None, **kwargs) -> Event:
    return await exchange(port, transcript(text, conversation_id, **kwargs))


def run(coroutine):
    return asyncio.run(coroutine)
