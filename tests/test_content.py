"""Content files: the real ones load; a broken one fails naming file, key and problem."""
from pathlib import Path

import pytest
import yaml

from skill.content import CONTENT_DIR, ContentError, available_locales, load_content, load_content_file

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
    assert "questions.[1].check_in_only: only an urgent question can be for check-ins only" in found


def test_urgent_question_before_a_cauda_equina_question_is_refused(tmp_path):
    def reorder(raw):
        raw["questions"].insert(0, raw["questions"].pop(7))
    assert "an emergency question must come before every urgent one" in problems_of(
        broken(tmp_path, reorder))


def test_every_problem_is_listed_at_once(tmp_path):
    def several(raw):
        raw["questions"][1]["tier"] = "soon"
        raw["speech"]["goodbye"] = "Call {emergency_numbr}."
        raw["outcomes"]["urgent"].pop("offer")
        raw["advice"][1]["colour"] = "blue"
    message = problems_of(broken(tmp_path, several))
    assert "questions.[1].tier: must be one of emergency, urgent, got text 'soon'" in message
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
