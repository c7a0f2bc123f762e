"""The sciatica-skill command as a person uses it: typed words in, Alexa's words out."""
import subprocess
import sys

import pytest


def chat(*lines: str, locale: str = "en-US") -> str:
    result = subprocess.run([sys.executable, "-m", "skill.tools.cli", "chat", "--locale", locale],
                            input="\n".join(lines) + "\n",
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout


def test_chat_starts_with_the_welcome_and_the_first_question():
    output = chat()
    assert "Alexa: Sciatica Check, for adults" in output and "call 911 now" in output
    assert "is peeing new and different" in output


def test_chat_reaches_self_care_on_a_no_to_every_question():
    output = chat(*["no"] * 14)   # 5 cauda equina, the read-back, 6 for today, 2 within days
    assert "you didn't mention any warning signs" in output
    assert "Keep moving." in output


def test_chat_sends_a_volunteered_symptom_in_free_words_to_emergency():
    output = chat("no", "actually I've gone numb down there")
    assert "Alexa: Go to the nearest emergency room now, or call 911." in output
    assert "[card in the Alexa app] Emergency: go to the nearest emergency room or call 911 now" in output


def test_chat_one_shot_after_the_session_ended():
    output = chat("stop", "ask sciatica check, I can't control my bladder")
    assert output.count("Alexa: Go to the nearest emergency room now, or call 911.") == 1


def test_chat_says_the_reprompt_after_silence_then_ends_the_session():
    output = chat("", "")
    assert "Since the pain started, has peeing changed in a new way?" in output
    assert "the skill has ended the session" in output


@pytest.mark.parametrize("words", ["I'm not sure", "I don't know", "maybe"])
def test_chat_not_sure_gets_a_clarification(words):
    assert "Put another way, since this pain began" in chat(words)


def test_check_content_reports_every_locale_ok():
    from skill.content.loader import available_locales
    result = subprocess.run([sys.executable, "-m", "skill.tools.cli", "check-content"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for locale in available_locales():
        assert f"{locale}: ok" in result.stdout


def test_chat_in_spanish_hears_spanish_words_and_answers_in_spanish():
    output = chat("no sé", "se me sale la orina", locale="es-US")
    assert "Alexa: Revisión de Ciática, para adultos" in output and "llame al 911 ahora" in output
    assert "Dicho de otro modo" in output   # "no sé": the clarification
    assert "Alexa: Vaya ahora a la sala de emergencias o urgencias del hospital más cercano, " \
        "o llame al 911." in output


def test_chat_in_british_english_sends_a_wee_problem_to_999():
    output = chat("no", "I can't wee", locale="en-GB")
    assert "Alexa: Go to A&E now, or call 999." in output
