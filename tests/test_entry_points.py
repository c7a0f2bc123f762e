"""The Lambda entry point and the `sciatica-skill serve` command, run as they are deployed."""
import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from dialog import Dialog, free_port
from skill.alexa.envelopes import launch_request, request_envelope



def test_lambda_handler_runs_a_screen_to_emergency(lambda_handler):
    dialog = Dialog(None, send=lambda envelope: lambda_handler(envelope, None))
    assert "not a doctor" in dialog.launch().text
    dialog.no()
    turn = dialog.yes()
    assert turn.outcome == "emergency" and turn.text.startswith("Go to the nearest emergency room now")


@pytest.mark.parametrize("event", [None, "", "not json", [], [1, 2], {}, {"request": None},
                                   {"request": {"type": "NoSuchRequest"}},
                                   {"version": "1.0", "request": {"type": "IntentRequest"}}])
def test_lambda_handler_answers_any_event_with_the_emergency_number(lambda_handler, event):
    response = lambda_handler(event, None)
    assert response["response"]["shouldEndSession"] is True
    assert ">911</say-as>" in response["response"]["outputSpeech"]["ssml"]


def post(url: str, envelope: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(envelope).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def serve(*args):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "skill.tools.cli", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "SCIATICA_SKILL_ID": ""})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process, f"http://127.0.0.1:{port}/"
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise AssertionError("server did not start: " + process.communicate()[1])


def stop(process) -> str:
    process.terminate()
    return process.communicate(timeout=10)[1]


def test_serve_without_verification_warns_and_answers_a_launch():
    process, url = serve("--no-verify")
    try:
        response = post(url, request_envelope(launch_request()))
        assert "not a doctor" in response["response"]["outputSpeech"]["ssml"]
    finally:
        stderr = stop(process)
    assert "WARNING: request signature verification is OFF" in stderr


def test_serve_verifies_signatures_by_default():
    process, url = serve("--skill-id", "amzn1.ask.skill.00000000-0000-0000-0000-000000000000")
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            post(url, request_envelope(launch_request()))
        assert refused.value.code == 400
    finally:
        stop(process)
