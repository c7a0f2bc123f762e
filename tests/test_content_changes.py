"""Change control: every text a reviewer signs off is recorded, and text that changes without a
higher version is caught (a version must name one reviewed text)."""
import json
import shutil

import pytest
import yaml

from skill.content.loader import CONTENT_DIR, load_content
from skill.review.content_changes import (ANSWER_INTENTS, SNAPSHOT_PATH, compare, content_files,
                                          current_files, flat_texts, load_snapshot, phrase_list,
                                          read_raw, sign_off,
                                          unreviewed_changes_without_new_version, version_tuple)
from skill.language.interaction_model import model_locales
from skill.content.schema import ContentError


@pytest.fixture
def content_copy(tmp_path):
    """The content files copied to a temporary directory, with a snapshot of them as reviewed."""
    directory = tmp_path / "content"
    directory.mkdir()
    for path in content_files():
        shutil.copy(path, directory / path.name)
    return directory


def reviewed(directory) -> dict:
    return {"reviewed_by": "Dr Test, GP", "reviewed_on": "2026-12-01", "note": "test",
            "files": current_files(directory)}


def edit(path, change) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def change_bladder_question(raw) -> None:
    raw["questions"][0]["ask"] = "Any new bladder trouble?"


def test_texts_are_keyed_by_ids_and_list_positions():
    texts = flat_texts(read_raw(CONTENT_DIR / "en-US.yaml"))
    content = load_content("en-US")
    assert texts["questions.bladder.ask"] == content.question("bladder").ask
    assert texts["questions.bladder.outcome_if_yes"] == "emergency"
    assert texts["advice.safety_net.for"] == ", ".join(content.advice_for("self_care")[-1].outcomes)
    assert texts["outcomes.emergency.speech[0]"] == content.outcomes["emergency"].speech[0]
    references = content.question("bladder").references
    assert texts["questions.bladder.references"] == ", ".join(references)
    assert texts["check_in.stages.specialist.text"] == content.stages["specialist"]
    assert texts["references.NG59"] == content.references["NG59"]


def test_question_order_is_recorded_as_a_text_so_reordering_is_a_change():
    texts = flat_texts(read_raw(CONTENT_DIR / "en-US.yaml"))
    assert texts["questions.(order)"] == ", ".join(q.id for q in load_content("en-US").questions)


def test_the_version_itself_is_not_a_text():
    assert "version" not in flat_texts(read_raw(CONTENT_DIR / "en-US.yaml"))


def test_unchanged_copy_has_no_problem(content_copy):
    assert unreviewed_changes_without_new_version(reviewed(content_copy), content_copy) == []


def test_text_changed_without_a_new_version_is_a_problem(content_copy):
    snapshot = reviewed(content_copy)
    edit(content_copy / "en-US.yaml", change_bladder_question)
    problems = unreviewed_changes_without_new_version(snapshot, content_copy)
    version = snapshot["files"]["skill/content/en-US.yaml"]["version"]
    assert problems == [f"skill/content/en-US.yaml: spoken text changed since version {version} "
                        "was reviewed (questions.bladder.ask); raise `version`"]


@pytest.mark.parametrize("reviewed_version, new_version, problem", [
    ("1.0.0", "1.1.0", None),
    ("1.9.0", "1.10.0", None),   # compared as numbers: 10 > 9
    ("2.0.0", "1.5.0", "since version 2.0.0 was reviewed (now 1.5.0) (questions.bladder.ask)"),
])
def test_changed_text_needs_a_version_higher_than_the_reviewed_one(
        content_copy, reviewed_version, new_version, problem):
    snapshot = reviewed(content_copy)
    snapshot["files"]["skill/content/en-US.yaml"]["version"] = reviewed_version

    def change_and_set_version(raw):
        change_bladder_question(raw)
        raw["version"] = new_version

    edit(content_copy / "en-US.yaml", change_and_set_version)
    problems = unreviewed_changes_without_new_version(snapshot, content_copy)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]


def test_reordered_questions_without_a_new_version_is_a_problem(content_copy):
    snapshot = reviewed(content_copy)
    edit(content_copy / "en-AU.yaml", lambda raw: raw["questions"].reverse())
    [problem] = unreviewed_changes_without_new_version(snapshot, content_copy)
    assert problem.startswith("skill/content/en-AU.yaml:") and "questions.(order)" in problem


def test_a_changed_reference_or_tier_is_a_change(content_copy):
    snapshot = reviewed(content_copy)

    def change(raw):
        raw["questions"][0]["references"] = ["NHS-S"]
        raw["questions"][-1]["outcome_if_yes"] = "emergency"

    edit(content_copy / "en-US.yaml", change)
    [changes] = [c for c in compare(snapshot, content_copy) if c.path.endswith("/en-US.yaml")]
    assert "questions.bladder.references" in changes.changed
    last = load_content("en-US").questions[-1]   # its tier is not emergency: it changes
    assert changes.changed[f"questions.{last.id}.outcome_if_yes"] == (last.outcome_if_yes, "emergency")


def test_a_new_content_file_is_all_added_and_not_a_problem(content_copy):
    snapshot = reviewed(content_copy)
    shutil.copy(content_copy / "en-GB.yaml", content_copy / "en-IE.yaml")
    [new] = [c for c in compare(snapshot, content_copy) if c.path == "skill/content/en-IE.yaml"]
    assert new.reviewed_version is None and not new.changed and not new.removed
    assert new.added["questions.bladder.ask"]
    assert unreviewed_changes_without_new_version(snapshot, content_copy) == []


def model_texts(directory=CONTENT_DIR, locale="en-US") -> dict:
    path = directory / f"{locale}.model.yaml"
    return flat_texts(read_raw(path), path)


def test_interaction_models_are_reviewed_content():
    names = {path.name for path in content_files()}
    assert {f"{locale}.model.yaml" for locale in model_locales()} <= names
    assert "en-US.yaml" in names


def test_a_model_is_reviewed_by_its_symptom_phrases_and_answer_words_only():
    texts = model_texts()
    raw = read_raw(CONTENT_DIR / "en-US.model.yaml")
    symptoms = raw["slot_types"]["SymptomType"]
    assert set(texts) == ({"symptoms.(ids)"} | {f"symptoms.{i}" for i in symptoms}
                          | {f"symptoms.{i}.ask_first" for i, v in symptoms.items()
                             if v.get("ask_first")}
                          | {f"answers.{intent}" for intent in ANSWER_INTENTS})
    assert phrase_list(texts["symptoms.(ids)"]) == sorted(symptoms)
    bladder = phrase_list(texts["symptoms.bladder"])
    assert bladder == sorted(bladder) and {"wet myself", "pee"} <= set(bladder)
    asked_first = phrase_list(texts["symptoms.bladder.ask_first"])
    assert asked_first == sorted(asked_first)
    assert {"bladder problems", "incontinence"} <= set(asked_first)
    assert not set(asked_first) & set(bladder)
    assert "know" in phrase_list(texts["answers.NotSureIntent"])
    assert "know" not in phrase_list(texts["answers.AMAZON.NoIntent"])
    assert not any("{" in text for text in texts.values())   # carrier samples are not reviewed


def add_synonym(symptom_id, phrase):
    def change(raw):
        raw["slot_types"]["SymptomType"][symptom_id]["synonyms"].append(phrase)
    return change


def test_a_changed_symptom_phrase_without_a_new_version_is_a_problem(content_copy):
    snapshot = reviewed(content_copy)
    edit(content_copy / "en-GB.model.yaml", add_synonym("bladder", "a soggy bed"))
    version = snapshot["files"]["skill/content/en-GB.model.yaml"]["version"]
    assert unreviewed_changes_without_new_version(snapshot, content_copy) == [
        f"skill/content/en-GB.model.yaml: symptom phrases or answer words changed since version "
        f"{version} was reviewed (symptoms.bladder); raise `version`"]


def move_to_ask_first(symptom_id, phrase):
    def change(raw):
        value = raw["slot_types"]["SymptomType"][symptom_id]
        value["synonyms"].remove(phrase)
        value.setdefault("ask_first", []).append(phrase)
    return change


def test_a_phrase_moved_to_ask_first_is_recorded_as_its_own_change():
    # What saying "wet myself" does changes (a yes at once -> the question first), though the
    # symptom's phrases taken together do not: the ask_first leaf must show it.
    raw = read_raw(CONTENT_DIR / "en-US.model.yaml")
    before = flat_texts(raw, "en-US.model.yaml")
    move_to_ask_first("bladder", "wet myself")(raw)
    after = flat_texts(raw, "en-US.model.yaml")
    assert "wet myself" in phrase_list(after["symptoms.bladder.ask_first"])
    assert "wet myself" not in phrase_list(after["symptoms.bladder"])
    assert before["symptoms.bladder.ask_first"] != after["symptoms.bladder.ask_first"]


def test_a_phrase_moved_to_ask_first_without_a_new_version_is_a_problem(content_copy):
    snapshot = reviewed(content_copy)
    edit(content_copy / "en-CA.model.yaml", move_to_ask_first("saddle", "numb down there"))
    [problem] = unreviewed_changes_without_new_version(snapshot, content_copy)
    assert "symptoms.saddle, symptoms.saddle.ask_first" in problem


def test_a_symptom_gaining_its_first_ask_first_phrase_is_an_added_text(content_copy):
    snapshot = reviewed(content_copy)
    raw = read_raw(content_copy / "en-US.model.yaml")
    phrase = raw["slot_types"]["SymptomType"]["night_pain"]["synonyms"][0]
    assert "ask_first" not in raw["slot_types"]["SymptomType"]["night_pain"]
    edit(content_copy / "en-US.model.yaml", move_to_ask_first("night_pain", phrase))
    [changes] = [c for c in compare(snapshot, content_copy) if c.path.endswith("en-US.model.yaml")]
    assert changes.added == {"symptoms.night_pain.ask_first": phrase}
    assert list(changes.changed) == ["symptoms.night_pain"]


def test_a_sample_moved_between_answers_without_a_new_version_is_a_problem(content_copy):
    snapshot = reviewed(content_copy)

    def know_means_no(raw):
        raw["intents"]["NotSureIntent"]["samples"].remove("know")
        raw["intents"]["AMAZON.NoIntent"]["samples"].append("know")

    edit(content_copy / "en-US.model.yaml", know_means_no)
    [problem] = unreviewed_changes_without_new_version(snapshot, content_copy)
    assert "(answers.AMAZON.NoIntent, answers.NotSureIntent)" in problem


def test_a_model_change_that_means_nothing_clinically_is_not_a_change(content_copy):
    snapshot = reviewed(content_copy)

    def reorder_and_add_a_help_sample(raw):
        raw["slot_types"]["SymptomType"]["bladder"]["synonyms"].reverse()
        raw["intents"]["AMAZON.HelpIntent"]["samples"].append("what now")
        raw["intents"]["ReportSymptomIntent"]["samples"].append("i seem to have {symptom}")

    edit(content_copy / "en-US.model.yaml", reorder_and_add_a_help_sample)
    assert unreviewed_changes_without_new_version(snapshot, content_copy) == []


def test_the_snapshot_records_every_content_file_with_its_version():
    snapshot = load_snapshot(SNAPSHOT_PATH)
    assert {"skill/content/en-US.yaml", "skill/content/en-US.model.yaml"} <= set(snapshot["files"])
    for name, entry in snapshot["files"].items():
        assert name.startswith("skill/content/"), name
        assert version_tuple(entry["version"]) >= (1, 0, 0), name
        assert entry["texts"], name
    assert {"reviewed_by", "reviewed_on", "note"} <= set(snapshot)


def test_the_real_tree_has_no_text_changed_without_a_new_version():
    # Fails while content is being changed and its version not yet raised: that is the point.
    problems = unreviewed_changes_without_new_version(SNAPSHOT_PATH)
    assert not problems, "\n".join(problems)


def test_sign_off_records_reviewer_date_and_every_text(content_copy, tmp_path):
    path = tmp_path / "reviewed.json"
    sign_off("Dr A Smith, consultant physiotherapist", "2026-12-01", path, content_copy)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["reviewed_by"] == "Dr A Smith, consultant physiotherapist"
    assert saved["reviewed_on"] == "2026-12-01"
    assert saved["files"] == current_files(content_copy)


@pytest.mark.parametrize("reviewer", ["", "   "])
def test_sign_off_refuses_an_empty_reviewer(content_copy, tmp_path, reviewer):
    with pytest.raises(ValueError, match="reviewer"):
        sign_off(reviewer, "2026-12-01", tmp_path / "reviewed.json", content_copy)
    assert not (tmp_path / "reviewed.json").exists()


def test_sign_off_refuses_changed_text_whose_version_did_not_rise(content_copy, tmp_path):
    path = tmp_path / "reviewed.json"
    sign_off("Dr A Smith, GP", "2026-12-01", path, content_copy)
    edit(content_copy / "en-US.yaml", change_bladder_question)
    with pytest.raises(ValueError, match="raise the version"):
        sign_off("Dr A Smith, GP", "2026-12-02", path, content_copy)
    assert json.loads(path.read_text(encoding="utf-8"))["reviewed_on"] == "2026-12-01"


@pytest.mark.parametrize("text", ["{not json", "[]", '{"files": []}', "\udcff"])
def test_a_broken_snapshot_is_a_clear_error_not_a_traceback(tmp_path, text):
    broken = tmp_path / "reviewed-content.json"
    broken.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(ContentError) as error:
        load_snapshot(broken)
    assert str(broken) in str(error.value)
