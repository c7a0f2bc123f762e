"""50 users at once through a real HTTP server: every conversation ends in its own outcome and
no state crosses between users (all state travels in each user's session attributes)."""
from __future__ import annotations

import json
import threading
import time
from datetime import date
import urllib.request
from typing import Optional

import pytest
from werkzeug.serving import make_server

from skill.alexa.app import build_skill
from skill.content.loader import load_content
from skill.conversation.state import STATE_VERSION
from skill.alexa.envelopes import Conversation, intent_request, launch_request
from skill.alexa.server import SKILL_ID_ENV, create_app
from dialog import text_of
from test_hostile_input import (
    CES_IDS,
    EMERGENCY_START,
    NO,
    NOT_SURE,
    QUESTION_IDS,
    YES,
    assert_alexa_response,
)

USERS = 50
REQUEST_TIMEOUT = 10          # seconds, every HTTP request
DEADLINE = 60                 # seconds, the whole crowd
INTENT_FOR = {"no": NO, "yes": YES, "not_sure": NOT_SURE}
CES_COUNT = len(CES_IDS)
assert QUESTION_IDS[:CES_COUNT] == CES_IDS   # the cauda equina questions come first
# What a yes to each question decides: urgent (a doctor today) or soon (within days).
TIER_OF = {q.id: q.outcome_if_yes for q in load_content().questions}


def path_for(user: int) -> tuple[list[str], str]:
    """Each user's replies after the launch, and the outcome they must reach. Users differ in
    kind and in where the deciding answer falls."""
    kind, n = user % 5, user // 5
    if kind == 0:                                   # all "no"
        return ["no"] * len(QUESTION_IDS), "self_care"
    if kind == 1:                                   # cauda equina yes at varied positions
        return ["no"] * (n % CES_COUNT) + ["yes"], "emergency"
    if kind == 2:                                   # another red flag: yes at varied positions
        position = CES_COUNT + n % (len(QUESTION_IDS) - CES_COUNT)
        return ["no"] * position + ["yes"], TIER_OF[QUESTION_IDS[position]]
    if kind == 3:                                   # "not sure" twice on a cauda equina question
        return ["no"] * (n % CES_COUNT) + ["not_sure", "not_sure"], "emergency"
    # "not sure" once on a cauda equina question, then "no" to everything: still self-care;
    # or "not sure" on another red flag, which counts as yes: urgent
    if n % 2 == 0:
        position = n % CES_COUNT
        replies = ["no"] * position + ["not_sure"] + ["no"] * (len(QUESTION_IDS) - position)
        return replies, "self_care"
    position = CES_COUNT + n % (len(QUESTION_IDS) - CES_COUNT)
    return ["no"] * position + ["not_sure"], TIER_OF[QUESTION_IDS[position]]


def expected_screens(replies: list[str]) -> list[dict]:
    """The stored screen after the launch and after each reply, from the rules as documented:
    a positive cauda equina answer is an emergency; "not sure" on a cauda equina question
    earns one clarification, then counts as yes; elsewhere it counts as yes at once; any other
    positive answer, once the cauda equina questions are done, is its question's tier (urgent
    or soon: the screen asks the most demanding first, so the first one decides); all "no" is
    self-care, starting at the first piece of advice."""
    answers: dict = {}
    doubts, outcome, advice_index = 0, None, None
    screens = [_screen(answers, doubts, outcome, advice_index)]
    for reply in replies:
        question = QUESTION_IDS[len(answers)]
        if reply == "not_sure" and question in CES_IDS and doubts == 0:
            doubts = 1
        else:
            answers[question], doubts = reply, 0
        positive = {q for q, a in answers.items() if a in ("yes", "not_sure")}
        if positive & set(CES_IDS):
            outcome = "emergency"
        elif positive and all(q in answers for q in CES_IDS):
            outcome = "urgent" if any(TIER_OF[q] == "urgent" for q in positive) else "soon"
        elif len(answers) == len(QUESTION_IDS):
            outcome, advice_index = "self_care", 0
        screens.append(_screen(answers, doubts, outcome, advice_index))
    return screens


TODAY = date(2026, 11, 26)


def _screen(answers, doubts, outcome, advice_index) -> dict:
    # A first visit on a deployment that may remember (the local default): memory is offered
    # after the advice, so nothing about it changes during the screen itself.
    return {"version": STATE_VERSION, "started": True, "answers": dict(answers),
            "doubts": doubts, "outcome": outcome, "advice_index": advice_index, "mode": "screen",
            "trend": None, "today": TODAY.isoformat(), "episode_start": None, "consent": "ask",
            "wrap_up": None, "detour": None}


@pytest.fixture
def server_url(monkeypatch):
    monkeypatch.delenv(SKILL_ID_ENV, raising=False)
    app = create_app(build_skill(clock=lambda: TODAY), verify_signature=False)   # timestamp checks stay on
    server = make_server(host="127.0.0.1", port=0, app=app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="skill-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive()


# Loopback only: never through a proxy from the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def send(url: str, conversation: Conversation, request: dict) -> dict:
    body = json.dumps(conversation.envelope(request)).encode()
    http_request = urllib.request.Request(url, data=body, method="POST",
                                          headers={"Content-Type": "application/json"})
    with OPENER.open(http_request, timeout=REQUEST_TIMEOUT) as reply:
        assert reply.status == 200
        response = assert_alexa_response(json.loads(reply.read()))
    conversation.absorb(response)
    return response


def test_fifty_concurrent_sessions_each_reach_their_own_outcome(server_url):
    barrier = threading.Barrier(USERS, timeout=30)
    transcripts: dict[int, list] = {}
    errors: dict[int, BaseException] = {}

    def user(number: int) -> None:
        replies, _ = path_for(number)
        conversation = Conversation()
        transcript = []
        try:
            barrier.wait()                              # everyone starts together
            transcript.append(send(server_url, conversation, launch_request()))
            for turn, reply in enumerate(replies):
                time.sleep(((number * 7 + turn) % 5) / 1000)   # shuffle the interleaving
                transcript.append(send(server_url, conversation,
                                       intent_request(INTENT_FOR[reply])))
        except BaseException as problem:   # noqa: BLE001 - reported below, per user
            errors[number] = problem
        transcripts[number] = transcript

    threads = [threading.Thread(target=user, args=(number,), name=f"user-{number}", daemon=True)
               for number in range(USERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, DEADLINE - (time.monotonic() - started)))
    assert not [thread.name for thread in threads if thread.is_alive()], "users still talking"
    assert not errors, {number: repr(problem) for number, problem in errors.items()}

    outcomes = set()
    for number in range(USERS):
        replies, final_outcome = path_for(number)
        screens = expected_screens(replies)
        transcript = transcripts[number]
        assert len(transcript) == len(screens)
        for turn, (response, screen) in enumerate(zip(transcript, screens)):
            assert response["sessionAttributes"] == {"screen": screen,
                                                     "outcome": screen["outcome"]}, \
                f"user {number} ({replies}) turn {turn}"
        last = transcript[-1]
        assert last["sessionAttributes"]["outcome"] == final_outcome, f"user {number}"
        ended: Optional[bool] = last["response"].get("shouldEndSession")
        if final_outcome == "emergency":
            assert text_of(last).startswith(EMERGENCY_START) and not ended   # open for "repeat"
        else:
            assert ended is False                       # advice is offered next
        outcomes.add(final_outcome)
    assert outcomes == {"self_care", "soon", "urgent", "emergency"}
