"""The running Flask server driven by virtual-alexa (npm, pinned 0.7.8), through the project's own
interaction_model/en-US.json: spoken words in, the skill's JSON out, as Alexa would relay them.

The server runs in this process on a free loopback port with signature checking off
(virtual-alexa sends no Signature-256 headers) and timestamp checking on. Each test hands
tests/virtual_alexa/drive.js a list of conversations; it prints, for every turn, the request
virtual-alexa sent and the skill's response. See drive.js for the two places where the driver
stands in for Alexa (one-shot invocations, AMAZON.FallbackIntent) and why.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest
from werkzeug.serving import make_server

from dialog import Turn
from skill.alexa.app import build_skill
from skill.alexa.envelopes import launch_request, request_envelope
from skill.alexa.server import create_app

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "virtual_alexa" / "drive.js"
MODEL = ROOT / "interaction_model" / "en-US.json"
VIRTUAL_ALEXA = ROOT / "node_modules" / "virtual-alexa" / "package.json"
PINNED = "0.7.8"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed: the virtual-alexa "
                                "tests need Node.js (and `npm ci` for the pinned package)")

EMERGENCY_ACTION = "Go to the nearest emergency room now, or call 911."
# The emergency answer's last words: the action, asked as the teach-back question (H32).
TEACH_BACK = "Can someone take you to the nearest emergency room now, or will you call 911?"
SELF_CARE_INTRO = "you didn't mention any warning signs"
OUTCOMES = {None, "emergency", "urgent", "soon", "self_care"}


@dataclass
class Said:
    """One turn as virtual-alexa ran it: the words, how they were sent, and the skill's answer."""

    said: str
    how: str
    sent: dict
    turn: Turn

    @property
    def text(self) -> str:
        return self.turn.text

    @property
    def ends_session(self) -> bool:
        return self.turn.ends_session

    @property
    def outcome(self) -> Optional[str]:
        return self.turn.outcome

    @property
    def symptom_ids(self) -> list:
        return self.sent["slots"]["symptom"]["ids"]


@pytest.fixture(scope="module")
def skill_url():
    if not VIRTUAL_ALEXA.is_file():
        pytest.fail("node_modules/virtual-alexa is missing: run `npm ci` in the repository root "
                    "(./dev test does this)", pytrace=False)
    installed = json.loads(VIRTUAL_ALEXA.read_text())["version"]
    if installed != PINNED:
        pytest.fail(f"virtual-alexa {installed} is installed, the lock file pins {PINNED}: "
                    "run `npm ci` in the repository root", pytrace=False)
    app = create_app(build_skill(), verify_signature=False, verify_timestamp=True, skill_id="")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="virtual-alexa-skill", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def drive(skill_url: str, *conversations: list) -> list:
    """Run conversations through drive.js; one list of Said per conversation."""
    scenario = {"skillURL": skill_url, "model": str(MODEL), "locale": "en-US",
                "conversations": list(conversations)}
    result = subprocess.run([NODE, str(DRIVER)], input=json.dumps(scenario), cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"drive.js exited {result.returncode}:\n{result.stderr}"
    runs = []
    for turns in json.loads(result.stdout):
        failed = [t for t in turns if "error" in t]
        assert not failed, f"virtual-alexa turn failed: {failed[0]}"
        said = [Said(t["said"], t["how"], t["sent"], Turn(t["response"])) for t in turns]
        for turn in said:
            # Every response says where the screen stands, null before an outcome.
            assert "outcome" in turn.turn.response["sessionAttributes"], turn.said
            assert turn.outcome in OUTCOMES, turn.said
        _assert_attributes_round_trip(said)
        runs.append(said)
    return runs


def _assert_attributes_round_trip(turns: list) -> None:
    """Within a session, virtual-alexa sends back exactly the attributes the skill returned."""
    for before, after in zip(turns, turns[1:]):
        if before.ends_session or after.sent["type"] == "LaunchRequest" or after.sent["new"]:
            continue
        assert after.sent["attributes"] == before.turn.response["sessionAttributes"], after.said


def assert_emergency(turn: Said, unsure: bool = False) -> None:
    """The action first and last (asked as the teach-back question); the reason a sign
    reported, or (only "not sure" or unplaced answers) that the answer could not be made sure
    of; the session open for the answer or "repeat"."""
    assert turn.text.startswith(EMERGENCY_ACTION) and turn.text.endswith(TEACH_BACK), turn.text
    assert ("I couldn't be sure of your answer" if unsure else "cauda equina syndrome") in turn.text
    assert not turn.ends_session and turn.outcome == "emergency"
    assert turn.turn.card["title"] == "Emergency: go to the nearest emergency room or call 911 now"


def asks(turn: Said, text: str) -> bool:
    """The turn ends by asking `text` (content YAML folds lines, so compare words)."""
    return " ".join(turn.text.split()).endswith(" ".join(text.split()))


def test_clean_screen_in_everyday_words_reaches_self_care_and_reads_every_tip(skill_url, content):
    noes = ["no",                       # new trouble peeing?
            "nope",                     # numbness between your legs?
            "no I haven't",             # trouble controlling your bowels?
            "no, I don't",              # both legs?
            "not that I've noticed",    # change in sexual function?
            "no none of them",          # the read-back: any of these?
            "nah",                      # fever?
            "I don't think so",         # injecting, immune system, recent operation?
            "no I didn't",              # a serious accident or hard fall?
            "never",                    # ever had cancer?
            "no, it isn't",             # leg getting weaker?
            "no",                       # thin bones and a small fall?
            "I haven't",                # lost weight?
            "not really"]               # severe at night?
    nexts = ["next", "continue", "go on", "next", "carry on", "keep going"]   # 7 tips spoken
    [run] = drive(skill_url, ["open sciatica check", *noes, *nexts, "yes please", "no thanks",
                              "no"])

    launch = run[0]
    assert launch.sent["type"] == "LaunchRequest" and launch.sent["new"] is True
    assert "not a doctor" in launch.text and "call 911 now" in launch.text
    assert not launch.ends_session and launch.outcome is None and launch.turn.reprompt

    questions = content.screen_questions
    last = len(questions) - 1
    assert len(noes) == len(questions) == 14
    for index, turn in enumerate(run[1:last + 1]):    # "no" to question i asks question i+1
        assert turn.sent["intent"] == "AMAZON.NoIntent", turn.said
        assert asks(run[index], questions[index].ask), (index, run[index].text)
        assert turn.outcome is None and not turn.ends_session
    assert asks(run[last], questions[last].ask)

    self_care = run[last + 1]
    assert self_care.sent["intent"] == "AMAZON.NoIntent"
    assert self_care.outcome == "self_care" and not self_care.ends_session
    assert SELF_CARE_INTRO in self_care.text and "Keep moving." in self_care.text

    tips = run[last + 2:last + 2 + len(nexts)]
    assert [t.sent["intent"] for t in tips] == ["AMAZON.NextIntent"] * len(nexts)
    assert all(t.outcome == "self_care" and not t.ends_session for t in tips)
    spoken = " ".join(t.text for t in [self_care, *tips])
    for topic in ("Keep moving", "ibuprofen", "Opioid", "heat pack", "scan",
                  "four to six weeks", "about two weeks", "numbness between your legs",
                  "even if mild", "feel faint"):
        assert topic in spoken, topic
    assert "911" in self_care.text   # the warning signs with the result (issue 17)
    assert "Shall I remember them" in tips[-1].text
    assert "ibuprofen" in tips[-1].turn.card["content"]

    remembered, watch, goodbye = run[-3:]
    assert remembered.sent["intent"] == "AMAZON.YesIntent"
    assert remembered.text.startswith("Okay, I'll remember it.")
    assert "Would you like an Alexa reminder" in remembered.text and not remembered.ends_session
    assert "a short daily check" in watch.text and not watch.ends_session   # hazard log H31
    assert goodbye.sent["intent"] == "AMAZON.NoIntent" and goodbye.ends_session
    assert "Take care." in goodbye.text and goodbye.outcome == "self_care"


def test_cauda_equina_yes_mid_screen_is_an_emergency_at_once(skill_url, content):
    [run] = drive(skill_url, ["open sciatica check", "no", "nope", "yes"])
    assert asks(run[2], content.questions[2].ask)     # the bowel question
    assert run[3].sent["intent"] == "AMAZON.YesIntent"
    assert_emergency(run[3])


def test_one_shot_in_a_new_session_is_an_emergency(skill_url):
    said = "ask sciatica check, I can't control my bladder"
    plain, one_shot = drive(skill_url, [{"say": said, "literal": True}], [said])
    # virtual-alexa 0.7.8's own utter() hears only the invocation and loses the rest: it sends
    # a LaunchRequest (so the driver opens a new session and utters the rest, as Alexa does).
    assert plain[0].sent["type"] == "LaunchRequest" and plain[0].outcome is None

    [turn] = one_shot
    assert turn.how == "one-shot"
    assert turn.sent["type"] == "IntentRequest" and turn.sent["new"] is True
    assert turn.sent["intent"] == "ReportSymptomIntent"
    assert turn.sent["slots"]["symptom"]["value"] == "control my bladder"
    assert turn.sent["slots"]["symptom"]["status"] == "ER_SUCCESS_MATCH"
    assert turn.symptom_ids == ["bladder"]
    assert_emergency(turn)


def test_symptom_volunteered_in_free_words_mid_screen_overrides_an_earlier_no(skill_url, content):
    [run] = drive(skill_url, ["open sciatica check", "no", "no", "no",
                              "I've gone numb down there"])
    assert asks(run[3], content.questions[3].ask)     # both legs; saddle was answered "no"
    volunteered = run[4]
    assert volunteered.sent["intent"] == "ReportSymptomIntent"
    assert volunteered.sent["slots"]["symptom"]["value"] == "gone numb down there"
    assert volunteered.symptom_ids == ["saddle"]
    assert_emergency(volunteered)


def test_not_sure_twice_on_a_cauda_equina_question_is_an_emergency(skill_url, content):
    [run] = drive(skill_url, ["open sciatica check", "I'm not sure", "I'm not sure"])
    first, second = run[1], run[2]
    assert first.sent["intent"] == second.sent["intent"] == "NotSureIntent"
    assert asks(first, content.questions[0].clarify)
    assert first.outcome is None and not first.ends_session
    assert_emergency(second, unsure=True)


def test_help_repeat_unmatched_words_and_stop(skill_url, content):
    saddle = content.questions[1]
    [run] = drive(skill_url, ["open sciatica check", "no", "help", "repeat",
                              "what's the weather like tomorrow", "stop"])
    help_, repeat, unmatched, stop = run[2:]

    assert help_.sent["intent"] == "AMAZON.HelpIntent"
    assert saddle.help in help_.text and "question 2 of 14" in help_.text
    assert not help_.ends_session and help_.outcome is None

    assert repeat.sent["intent"] == "AMAZON.RepeatIntent"
    assert asks(repeat, saddle.ask) and not repeat.ends_session

    # No intent in the model matches: Alexa sends AMAZON.FallbackIntent; the skill says it
    # didn't catch that and asks the same question again in other words, skipping nothing.
    assert unmatched.how == "fallback" and unmatched.sent["intent"] == "AMAZON.FallbackIntent"
    assert unmatched.text.startswith("Sorry, I didn't catch that.")
    assert asks(unmatched, saddle.clarify)
    assert not unmatched.ends_session and unmatched.outcome is None

    # The saddle question was left unresolved: stopping now is the emergency, as a second
    # unplaced answer would be (issue 17: the same doubt never gives a different tier).
    assert stop.sent["intent"] == "AMAZON.StopIntent"
    assert stop.text.startswith("Before you go: we didn't finish that question")
    assert EMERGENCY_ACTION in stop.text
    assert stop.ends_session and stop.outcome == "emergency"


def test_forget_me_and_the_pain_trend_resolve_through_the_model(skill_url):
    [run] = drive(skill_url, ["open sciatica check", "delete my data"])
    forget = run[1]
    assert forget.sent["intent"] == "ForgetMeIntent"
    assert forget.text.startswith("I don't have anything stored about you.") and forget.ends_session
    # A first visit has no trend question; the words still reach the trend intent, and the
    # skill re-asks its own question rather than taking them as an answer.
    [run] = drive(skill_url, ["open sciatica check", "it's getting better"])
    trend = run[1]
    assert trend.sent["intent"] == "PainTrendIntent"
    assert trend.sent["slots"]["trend"]["ids"] == ["better"]
    assert trend.text.startswith("Sorry, I didn't catch that.") and not trend.ends_session


def test_clinician_mode_in_a_clinicians_words(skill_url):
    [run] = drive(skill_url, ["open sciatica check", "clinician mode", "when should I image",
                              "exam", "positive", "normal", "what is the evidence for slr"])
    entered, imaging, exam, slr, crossed, evidence = run[1:]
    assert entered.sent["intent"] == "ClinicianModeIntent"
    assert entered.text.startswith("Switched to clinician mode.")
    assert imaging.sent["slots"]["topic"]["ids"] == ["imaging"]
    assert imaging.text.startswith("Don't image routinely.")
    assert exam.text.startswith("Straight leg raise.")
    assert slr.sent["slots"]["finding"]["ids"] == ["positive"]
    assert crossed.sent["slots"]["finding"]["ids"] == ["negative"]
    assert evidence.sent["slots"]["topic"]["ids"] == ["straight_leg_raise_evidence"]
    assert "91 percent" in evidence.text and not evidence.ends_session


def test_the_server_under_test_checks_timestamps(skill_url):
    envelope = request_envelope({**launch_request(), "timestamp": "2020-01-01T00:00:00Z"})
    request = urllib.request.Request(skill_url, data=json.dumps(envelope).encode(),
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
