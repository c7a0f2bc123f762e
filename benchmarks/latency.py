"""Per-request latency: a full screen turn of Sciatica Check against the baseline's launch.

The project's request is a "no" in the middle of the screen (to the first question after the
cauda equina block and its read-back, question 7 of 14), carrying the
session attributes the skill itself sent on the previous turn of a real session that began
with a launch. The baseline's request is a LaunchRequest, answered with one sentence."""
from __future__ import annotations

import http.client
import importlib.util
import json
import time
from typing import Callable, List, Optional

from benchmarks.common import (LAMBDA_DIR, Signing, body_and_headers, envelope, intent, launch,
                               median, percentile, reference_conversation)

MID_SCREEN_ANSWERS = 6   # "no" to the cauda equina questions, then the measured "no"
MEASURED_QUESTION = "fever"


def load_lambda_function():
    """lambda/lambda_function.py, loaded the way Lambda loads it (the skill built at import)."""
    spec = importlib.util.spec_from_file_location("lambda_function",
                                                  LAMBDA_DIR / "lambda_function.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mid_screen_envelope(handle: Callable[[dict], dict], locale: str = "en-US") -> dict:
    """A "no" to MEASURED_QUESTION, with the attributes from the skill's previous answer."""
    requests = [launch()] + [intent("AMAZON.NoIntent")] * MID_SCREEN_ANSWERS
    steps = reference_conversation(handle, requests, locale)
    last = steps[-1]
    if last.ends or (last.attributes_out.get("outcome") is not None):
        raise RuntimeError("the reference screen ended before the measured turn")
    return envelope(intent("AMAZON.NoIntent"), new=False, attributes=last.attributes_out,
                    session_id=f"amzn1.echo-api.session.bench-{time.time_ns()}", locale=locale)


def baseline_envelope() -> dict:
    return envelope(launch(), new=True)


def time_calls(call: Callable[[], object], count: int, warmup: int) -> List[float]:
    for _ in range(warmup):
        call()
    samples = []
    clock = time.perf_counter
    for _ in range(count):
        start = clock()
        call()
        samples.append(clock() - start)
    return samples


def summary(samples: List[float]) -> dict:
    return {"median": median(samples), "p99": percentile(samples, 0.99), "n": len(samples)}


def in_process(count: int) -> dict:
    """handle_event through lambda_function.lambda_handler vs the baseline's lambda_handler."""
    from benchmarks import baseline_skill

    project = load_lambda_function()
    ours = mid_screen_envelope(lambda event: project.lambda_handler(event, None))
    theirs = baseline_envelope()
    check = project.lambda_handler(json.loads(json.dumps(ours)), None)
    if check["sessionAttributes"]["screen"]["answers"].get(MEASURED_QUESTION) != "no":
        raise RuntimeError(f"the measured turn did not answer {MEASURED_QUESTION}")
    tuned = tuned_baseline_handler()
    warmup = max(20, count // 10)
    # Interleaved in blocks, so that a noisy moment hurts all sides alike.
    sides = {"project": lambda: project.lambda_handler(ours, None),
             "baseline": lambda: baseline_skill.lambda_handler(theirs, None),
             "baseline_same_serializer": lambda: tuned(theirs)}
    samples = {name: [] for name in sides}
    block = max(1, count // 10)
    for _ in range(10):
        for name, call in sides.items():
            samples[name] += time_calls(call, block, warmup)
        warmup = 5
    return {name: summary(values) for name, values in samples.items()}


def tuned_baseline_handler() -> Callable[[dict], dict]:
    """The baseline skill given the project's faster envelope serializer, so the report can say
    what the skill itself adds, apart from what the serializer saves (not a target: the target
    is against the baseline as it ships)."""
    from ask_sdk_model import RequestEnvelope

    from benchmarks import baseline_skill
    from skill.alexa.serializer import EnvelopeSerializer

    serializer = EnvelopeSerializer()

    def handle(event: dict) -> dict:
        envelope = serializer.deserialize(payload=json.dumps(event), obj_type=RequestEnvelope)
        return serializer.serialize(baseline_skill._SKILL.invoke(request_envelope=envelope,
                                                                 context=None))
    return handle


class HttpClient:
    """One keep-alive connection to a server under test."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, body: bytes, headers: dict) -> tuple:
        try:
            self.connection.request("POST", "/", body, headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise

    def close(self) -> None:
        self.connection.close()


def over_http(port: int, make_envelope: Callable[[], dict], count: int,
              signing: Optional[Signing] = None, expect: Optional[Callable[[dict], bool]] = None
              ) -> dict:
    """Sequential requests on one keep-alive connection; the envelope is rebuilt (and signed)
    every 500 requests so its timestamp stays within Alexa's 150 seconds."""
    client = HttpClient(port)
    samples: List[float] = []
    errors = 0
    body, headers = body_and_headers(make_envelope(), signing)
    clock = time.perf_counter
    try:
        for index in range(count + max(20, count // 10)):
            if index and index % 500 == 0:
                body, headers = body_and_headers(make_envelope(), signing)
            start = clock()
            try:
                status, data = client.post(body, headers)
            except (OSError, http.client.HTTPException):
                errors += 1
                continue
            elapsed = clock() - start
            if status != 200 or (expect is not None and not expect(json.loads(data))):
                errors += 1
            if index >= max(20, count // 10):      # the first tenth warms up
                samples.append(elapsed)
    finally:
        client.close()
    return {**summary(samples), "errors": errors}
