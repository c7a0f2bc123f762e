"""sciatica-skill speak: the SSML mapping to espeak-ng, and real audio for a whole screen."""
import wave

import pytest

from skill.tools import speak
from skill.tools.cli import main
from skill.content.loader import load_content

needs_espeak = pytest.mark.skipif(
    not speak.espeak_available(),
    reason="espeak-ng is not installed (apt-get install -y espeak-ng; ./dev test installs it)")


# --- the SSML mapping (no espeak-ng needed) ----------------------------------------------

def test_911_is_said_digit_by_digit():
    mapped = speak.to_espeak_ssml('<speak>Call <say-as interpret-as="digits">911</say-as> now.'
                                  '</speak>')
    assert mapped == "<speak>Call 9 1 1 now.</speak>"


def test_a_date_becomes_words_as_alexa_reads_it():
    mapped = speak.to_espeak_ssml('<speak>on <say-as interpret-as="date">20261210</say-as>.'
                                  '</speak>')
    assert mapped == "<speak>on December tenth, twenty twenty-six.</speak>"
    assert speak.date_words("????0301") == "March first"
    assert speak.date_words("20050722") == "July twenty-second, two thousand five"
    assert speak.date_words("19991231") == "December thirty-first, nineteen ninety-nine"
    assert speak.date_words("20261310") is None          # no month 13: left as it was
    assert speak.date_words("20261210", "es-US") == "10 de diciembre de 2026"
    assert speak.date_words("20261210", "de-DE") == "10 Dezember 2026"
    assert speak.date_words("20261210", "ja-JP") == "10 12 2026"


@pytest.mark.parametrize("number, words", [(1, "first"), (2, "second"), (3, "third"),
                                           (11, "eleventh"), (12, "twelfth"), (20, "twentieth"),
                                           (22, "twenty-second"), (30, "thirtieth"),
                                           (31, "thirty-first")])
def test_ordinals(number, words):
    assert speak.ordinal_words(number) == words


@pytest.mark.parametrize("year, words", [(2026, "twenty twenty-six"), (2000, "two thousand"),
                                         (2010, "twenty ten"), (1905, "nineteen oh five"),
                                         (1900, "nineteen hundred")])
def test_years(year, words):
    assert speak.year_words(year) == words


def test_telephone_numbers_digit_by_digit_in_groups():
    mapped = speak.to_espeak_ssml('<speak><say-as interpret-as="telephone">1 800 555-0199'
                                  '</say-as></speak>')
    assert mapped == "<speak>1, 8 0 0, 5 5 5, 0 1 9 9</speak>"


def test_breaks_emphasis_and_escapes_survive_and_alexa_only_tags_do_not():
    ssml = ('<speak>Salt &amp; pepper<break time="300ms"/><emphasis level="strong">now'
            '</emphasis> <amazon:effect name="whispered">quietly</amazon:effect>'
            '<audio src="https://example.com/x.mp3"/> <sub alias="World Health">WHO</sub>'
            '<break strength="strong"/></speak>')
    assert speak.to_espeak_ssml(ssml) == (
        '<speak>Salt &amp; pepper<break time="300ms"/><emphasis level="strong">now</emphasis>'
        ' quietly World Health<break strength="strong"/></speak>')
    assert speak.count_breaks_seconds(ssml) == pytest.approx(0.3)


def test_malformed_ssml_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="not well-formed"):
        speak.to_espeak_ssml("<speak>open <break></speak>")


def test_the_skills_own_launch_maps_to_plain_digits(skill):
    from dialog import Dialog

    ssml = Dialog(skill).launch().ssml
    mapped = speak.to_espeak_ssml(ssml)
    assert "say-as" not in mapped and "call 9 1 1 now" in mapped
    assert speak.count_spoken_words(ssml) == len(speak.spoken_text(ssml).split())


def test_no_audio_writes_ssml_and_text_for_a_scripted_emergency(tmp_path, capsys):
    script = tmp_path / "script.txt"
    script.write_text("# a cauda equina yes on the second question\nno\nyes\n")
    out = tmp_path / "out"
    assert main(["speak", "--script", str(script), "--out", str(out), "--no-audio"]) == 0
    # the skill is opened first, as in the chat: 3 turns
    assert sorted(p.name for p in out.glob("*.txt")) == ["01.txt", "02.txt", "03.txt",
                                                         "transcript.txt"]
    assert (out / "03.txt").read_text().startswith("You: yes\nAlexa: Go to the nearest emergency room now, or call 9 1 1.")
    assert "9 1 1" in (out / "03.espeak.ssml").read_text()
    assert "interpret-as=\"digits\"" in (out / "03.ssml").read_text()
    assert not list(out.glob("*.wav"))


def test_the_same_user_and_database_on_a_later_day_is_a_check_in(tmp_path):
    # How to listen to a check-in: a first visit that says yes to being remembered, then a
    # second script on a later --today with the same --db and --user.
    first, second, db = tmp_path / "first.txt", tmp_path / "second.txt", tmp_path / "users.db"
    screen = len(load_content().screen_questions)
    first.write_text("no\n" * screen + "no\nyes\nno\n")   # no more tips, remember, no reminder
    second.write_text("the same\n")
    common = ["--no-audio", "--db", str(db), "--user", "listener"]
    assert main(["speak", "--script", str(first), "--out", str(tmp_path / "a"),
                 "--today", "2026-11-26", *common]) == 0
    assert main(["speak", "--script", str(second), "--out", str(tmp_path / "b"),
                 "--today", "2026-12-12", *common]) == 0
    assert "Welcome back to Sciatica Check" in (tmp_path / "b" / "01.txt").read_text()


# --- with espeak-ng ----------------------------------------------------------------------

@needs_espeak
def test_a_clean_screen_becomes_plausible_audio(tmp_path, content):
    out = tmp_path / "speech"
    assert main(["speak", "--out", str(out), "--today", "2026-11-26"]) == 0
    script = speak.default_script(content)
    wavs = sorted(out.glob("*.wav"))
    assert len(wavs) == len(script)
    for path in wavs:
        stem = path.name[:2]
        words = speak.count_spoken_words((out / f"{stem}.ssml").read_text())
        with wave.open(str(path)) as audio:
            assert audio.getnframes() > 0
            seconds = audio.getnframes() / audio.getframerate()
        # espeak-ng at 150 words a minute, plus pauses: somewhere between 90 and 250
        assert 90 <= words / seconds * 60 <= 250, (path.name, words, seconds)
    transcript = (out / "transcript.txt").read_text().splitlines()
    assert len(transcript) == 1 + len(script)
    reminder_offer = (out / f"{len(script) - 1:02d}.espeak.ssml").read_text()
    assert "December tenth to check" in reminder_offer


@needs_espeak
def test_each_locale_gets_the_nearest_espeak_voice():
    assert speak.voice_for("en-US") == "en-us" and speak.voice_for("en-GB") == "en-gb"
    assert speak.voice_for("en-AU") == "en-gb" and speak.voice_for("es-US") == "es-419"
    assert speak.voice_for("xx-YY") == "en-us"


@needs_espeak
def test_espeak_reads_the_emergency_number_as_nine_one_one():
    content = load_content("en-US")
    from skill.alexa.speech import render_ssml

    ssml = render_ssml((content.outcomes["emergency"].speech[0],), content.values)
    heard = speak.phonemes(speak.to_espeak_ssml(ssml))
    assert "h'VndrI2d" not in heard            # never "nine hundred eleven"
    assert heard.count("w'Vn") >= 2            # "one one"
