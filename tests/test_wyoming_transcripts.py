"""When the speech-to-text is the deployer's choice (hazard H35): a Wyoming pipeline's own
transcriber may mishear, and its text-to-speech reads plain text as it likes. Driven through the
running service: words nobody can place are asked again, then count as "not sure" (the tier's
rule: at a cauda equina question, the emergency); a sign named in other words is asked about by
the keyword backstop; the number is written to be heard digit by digit."""
from __future__ import annotations

import uuid

import pytest
from wyoming.handle import Handled

from wyoming_service import run, running_service, say


@pytest.fixture(scope="module")
def service():
    with running_service("--profile", "public") as running:
        yield running


def _turns(service, words, locale="en"):
    conversation = str(uuid.uuid4())
    return [Handled.from_event(run(say(service.port, text, conversation, language=locale)))
            for text in words]


def test_a_mistranscribed_answer_at_the_bladder_question_is_asked_again_then_not_sure(service):
    welcome, again, unsure = _turns(service, ["hello", "glorp fizz banana", "wibble wobble"])
    assert again.context["outcome"] is None and again.text.startswith("Sorry, I didn't catch that.")
    assert unsure.context["outcome"] == "emergency"
    assert unsure.text.startswith("Go to the nearest emergency room now, or call 9 1 1.")
    assert "I couldn't be sure of your answer" in unsure.text


def test_a_mistranscribed_answer_never_skips_a_question(service):
    """A half-heard "no" ("know") is not an answer: the same question is asked again."""
    welcome, heard = _turns(service, ["hello", "know what I mean"])
    assert heard.context["outcome"] is None and "bladder" in heard.text


def test_a_sign_in_other_words_after_the_questions_is_asked_about(service):
    replies = _turns(service, ["hello"] + ["no"] * 14 + ["yes", "my waterworks have gone strange",
                                                         "yes"])
    assert replies[-3].context["outcome"] == "self_care"
    assert replies[-2].text.startswith("You mentioned your bladder.")
    assert replies[-1].context["outcome"] == "emergency"


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_emergency_number_is_written_digit_by_digit_for_any_text_to_speech(service, locale):
    replies = _turns(service, ["hello" if locale == "en" else "hola",
                               "yes" if locale == "en" else "sí"], locale)
    for reply in replies:
        assert "9 1 1" in reply.text and "911" not in reply.text
