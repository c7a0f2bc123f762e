"""Content files: the real ones load; a broken one fails naming file, key and problem."""
from pathlib import Path

import pytest
import yaml

from skill.content.loader import (CONTENT_DIR, ContentError, available_locales, load_content,
                                  load_content_file)

EN_US = CONTENT_DIR / "en-US.yaml"


def broken(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(EN_US.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "en-US.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def problems_of(path: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_content_file(path)
    assert str(path) in str(caught.value)
    return str(caught.value)


@pytest.mark.parametrize("locale", available_locales())
def test_every_content_file_loads(locale):
    content = load_content(locale)
    assert content.questions and content.advice


def test_every_clinical_statement_names_a_known_reference():
    content = load_content("en-US")
    for item in (*content.questions, *content.advice, *content.outcomes.values()):
        assert item.references
        assert set(item.references) <= set(content.references)


def test_disagreements_between_sources_are_noted_for_reviewers():
    raw = yaml.safe_load(EN_US.read_text(encoding="utf-8"))
    pain_relief = next(chunk for chunk in raw["advice"] if chunk["id"] == "pain_relief")
    assert "NG59" in pain_relief["note"] and "SEED" in pain_relief["note"]


def test_missing_reprompt_is_named_with_its_key(tmp_path):
    message = problems_of(broken(tmp_path, lambda raw: raw["questions"][2].pop("reprompt")))
    assert "questions.[2].reprompt: is missing" in message


def test_unknown_reference_is_reported(tmp_path):
    message = problems_of(broken(
        tmp_path, lambda raw: raw["advice"][0]["references"].append("NICE-2099")))
    assert "advice.[0].references.[3]: unknown reference 'NICE-2099'" in message


def test_too_long_question_is_reported(tmp_path):
    def lengthen(raw):
        raw["questions"][0]["ask"] = "Is it " + "very " * 30 + "bad?"
    assert "questions.[0].ask: has 33 words, more than 30" in problems_of(broken(tmp_path, lengthen))


def test_too_long_tip_is_reported(tmp_path):
    def lengthen(raw):
        raw["advice"][0]["text"] = "Keep " + "moving " * 50 + "gently."
    assert "advice.[0].text: has 52 words, more than 50" in problems_of(broken(tmp_path, lengthen))


def test_read_back_and_check_in_only_questions_are_placed_safely(tmp_path):
    def misplace(raw):
        raw["questions"][0]["read_back"] = True          # not after the other signs
        raw["questions"][1]["check_in_only"] = True      # a cauda equina question
    found = problems_of(broken(tmp_path, misplace))
    assert "questions.[0].read_back: only the last emergency question can be the read-back" in found
    assert "questions.[1].check_in_only: a cauda equina question cannot be for check-ins only" in found


def test_urgent_question_before_a_cauda_equina_question_is_refused(tmp_path):
    def reorder(raw):
        raw["questions"].insert(0, raw["questions"].pop(7))
    assert "an emergency question must come before every other one" in problems_of(
        broken(tmp_path, reorder))


def test_a_question_for_a_less_demanding_place_before_a_more_demanding_one_is_refused(tmp_path):
    """The first yes ends the screen: asking the spine team's question before the emergency
    department's would never ask the fever question of someone with weakness."""
    def reorder(raw):
        ids = [q["id"] for q in raw["questions"]]
        raw["questions"].insert(ids.index("fever"), raw["questions"].pop(ids.index("worsening_weakness")))
    assert "asked after a question that sends the person somewhere less urgent" in problems_of(
        broken(tmp_path, reorder))


def test_an_unknown_route_and_a_route_outside_the_urgent_tier_are_refused(tmp_path):
    def unknown(raw):
        ids = [q["id"] for q in raw["questions"]]
        raw["questions"][ids.index("fever")]["route"] = "the_moon"

    def outside(raw):
        ids = [q["id"] for q in raw["questions"]]
        raw["questions"][ids.index("weight_loss")]["route"] = "emergency_department"
    assert "unknown route 'the_moon'" in problems_of(broken(tmp_path, unknown))
    assert "only an urgent question names a route" in problems_of(broken(tmp_path, outside))


def test_every_problem_is_listed_at_once(tmp_path):
    def several(raw):
        raw["questions"][1]["outcome_if_yes"] = "someday"
        raw["speech"]["goodbye"] = "Call {emergency_numbr}."
        raw["outcomes"]["urgent"].pop("offer")
        raw["advice"][1]["colour"] = "blue"
    message = problems_of(broken(tmp_path, several))
    assert "questions.[1].outcome_if_yes: must be one of emergency, urgent, soon, got text 'someday'" in message
    assert "speech.goodbye: unknown placeholder {emergency_numbr}" in message
    assert "outcomes.urgent.offer: is missing" in message
    assert "advice.[1].colour: is not a known key (a typo?)" in message


def test_duplicate_question_id_is_refused(tmp_path):
    def duplicate(raw):
        raw["questions"][3]["id"] = "bladder"
    assert "duplicate question id 'bladder'" in problems_of(broken(tmp_path, duplicate))


def test_missing_safety_net_is_refused(tmp_path):
    def drop(raw):
        raw["advice"] = [chunk for chunk in raw["advice"] if chunk["id"] != "safety_net"]
    assert "safety_net" in problems_of(broken(tmp_path, drop))


def test_welcome_that_is_too_long_is_refused(tmp_path):
    def lengthen(raw):
        raw["speech"]["welcome"] += " Thank you so much for trying this skill today, we really do appreciate it."
    assert "welcome plus first question has" in problems_of(broken(tmp_path, lengthen))


def test_invalid_yaml_is_reported_with_the_file(tmp_path):
    path = tmp_path / "en-US.yaml"
    path.write_text("questions: [unclosed\n", encoding="utf-8")
    assert "is not valid YAML" in problems_of(path)


def test_unknown_locale_is_a_content_error():
    with pytest.raises(ContentError, match="no content file for locale 'xx-XX'"):
        load_content("xx-XX")


def test_the_en_us_safety_net_teaches_the_early_signs_day_or_night_even_if_mild():
    """The NHS cauda equina cards exist to catch the early signs, not only the late ones."""
    content = load_content("en-US")
    net = next(chunk.text for chunk in content.advice if chunk.id == "safety_net").lower()
    for words in ("peeing", "wiping", "bladder is full", "between your legs", "both legs",
                  "day or night", "even if mild"):
        assert words in net, words
    for key in ("goodbye", "error"):
        assert "wiping" in content.speech[key] and "both legs" in content.speech[key]


def test_every_locale_says_the_aneurysm_mimic_once_after_every_outcome_with_advice():
    for locale in available_locales():
        content = load_content(locale)
        for outcome in ("self_care", "urgent", "soon", "check_in"):
            ids = [chunk.id for chunk in content.advice_for(outcome)]
            assert ids.count("sudden_pain") == 1, (locale, outcome)
            assert ids[-1] == "safety_net", (locale, outcome)   # the most important, last


@pytest.fixture
def content_copy(tmp_path, monkeypatch):
    """A copy of skill/content that the loaders read instead, their caches emptied before and
    after, so a test can break one file."""
    import shutil
    from skill.content import loader as content_module
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    _forget_loaded_content()
    monkeypatch.setattr(content_module, "CONTENT_DIR", copy)
    yield copy
    _forget_loaded_content()


def _forget_loaded_content():
    from skill.alexa import apl
    from skill.content.clinician import load_clinician_content
    for cache in (load_content, apl.apl_labels, load_clinician_content):
        cache.cache_clear()


BROKEN_COMPANIONS = [
    # file, what to break, the key and problem the error must name
    ("en-US.screen.yaml", ("number_caption: Emergency number\n", ""),
     r"en-US\.screen\.yaml: number_caption: is missing"),
    ("es-US.screen.yaml", ("\nclinician_title:", "\nclinician_titel:"),
     r"es-US\.screen\.yaml: clinician_title: is missing"),
    ("en-US.clinician.yaml", ("references: [GIRFT, CES-card]", "references: [GIRFT, NOPE]"),
     r"en-US\.clinician\.yaml: cauda_equina_action\.references\.\[1\]: unknown"),
]


def _break(copy, name, change):
    path = copy / name
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")


@pytest.mark.parametrize("name, change, message", BROKEN_COMPANIONS)
def test_a_broken_screen_or_clinician_file_stops_the_skill_being_built(
        content_copy, name, change, message):
    """Checked when the skill is built, as the patient content is, not on the first request
    that draws a screen or enters clinician mode."""
    from skill.alexa.app import build_skill
    _break(content_copy, name, change)
    with pytest.raises(ContentError, match=message):
        build_skill(persistence_adapter=None)


@pytest.mark.parametrize("name, change, message", BROKEN_COMPANIONS)
def test_check_content_checks_the_screen_and_clinician_files_too(
        content_copy, capsys, name, change, message):
    import re
    from skill.tools.cli import main
    assert main(["check-content"]) == 0
    listed = capsys.readouterr().out
    for file in ("en-US.screen.yaml", "es-US.screen.yaml", "en-US.clinician.yaml"):
        assert f"{file}: ok" in listed
    _break(content_copy, name, change)
    _forget_loaded_content()   # as a new process would
    assert main(["check-content"]) == 1
    assert re.search(message, capsys.readouterr().err)
