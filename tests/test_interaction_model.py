"""The language model: skill/content/<locale>.model.yaml -> interaction_model/<locale>.json.

Tests that take the `language_model` fixture (or `locale`) run for every locale."""
import json
import re
from pathlib import Path

import pytest

from skill.content.backstop import ASK_FIRST_SUFFIX
from skill.language.interaction_model import (BUILTIN_INTENTS, LAUNCH_SUBSTRINGS, LETTERS,
                                              REQUIRED_INTENTS, ModelError, build_interaction_model,
                                              load_model_yaml, model_locales, model_source_path,
                                              render_interaction_model, write_interaction_model)

REPO = Path(__file__).resolve().parent.parent
EMERGENCY_IDS = {"bladder", "saddle", "bowel", "both_legs", "sexual_function"}
URGENT_IDS = {"worsening_weakness", "fever", "infection_risk", "cancer", "injury",
              "fragile_bones"}
SOON_IDS = {"weight_loss", "night_pain"}
NOT_RED_FLAG_IDS = {"one_leg_pain", "back_pain"}
MODEL_LOCALES = model_locales()
INVOCATION_NAMES = {"es-US": "revisión de ciática"}   # every other locale: "sciatica check"

VALID = """\
locale: en-US
version: "1.0.0"
invocation_name: sciatica check
intents:
  NotSureIntent: {samples: [not sure]}
  ReportSymptomIntent:
    slots: {symptom: SymptomType}
    samples: ["i have {symptom}"]
  PainTrendIntent:
    slots: {trend: TrendType}
    samples: ["the pain is {trend}"]
  ForgetMeIntent: {samples: [forget me]}
""" + "".join(f"  {name}: {{samples: []}}\n" for name in BUILTIN_INTENTS) + """\
slot_types:
  SymptomType:
    bladder: {name: bladder problems, synonyms: [leaking pee]}
  TrendType:
    worse: {name: worse, synonyms: [getting worse]}
"""


@pytest.fixture(scope="module", params=MODEL_LOCALES)
def locale(request):
    return request.param


@pytest.fixture(scope="module")
def language_model(locale):
    return build_interaction_model(locale)["interactionModel"]["languageModel"]


@pytest.fixture(scope="module")
def intents(language_model):
    return {intent["name"]: intent for intent in language_model["intents"]}


@pytest.fixture(scope="module")
def symptom_values(language_model):
    (symptom_type,) = [t for t in language_model["types"] if t["name"] == "SymptomType"]
    return {value["id"]: value["name"] for value in symptom_type["values"]}


def write(tmp_path, text, name="en-US.model.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_committed_json_is_exactly_what_the_yaml_source_generates(locale):
    committed = (REPO / "interaction_model" / f"{locale}.json").read_text(encoding="utf-8")
    assert json.loads(committed) == build_interaction_model(locale)
    assert committed == render_interaction_model(locale), \
        f"interaction_model/{locale}.json is stale: run python -m skill.language.interaction_model"


def test_every_content_locale_has_a_model_and_the_other_way_round():
    from skill.content.loader import available_locales
    assert set(MODEL_LOCALES) == set(available_locales())
    assert {"en-US", "en-GB", "en-AU", "en-CA", "en-IN", "es-US"} <= set(MODEL_LOCALES)


def test_every_locale_keeps_en_us_intents_slots_and_value_ids(language_model):
    """Handlers depend on the names; a locale may leave out en-US's optional intents (clinician
    mode), never add its own or rename one."""
    reference = build_interaction_model("en-US")["interactionModel"]["languageModel"]
    ours = {intent["name"]: intent for intent in language_model["intents"]}
    theirs = {intent["name"]: intent for intent in reference["intents"]}
    assert set(REQUIRED_INTENTS) <= set(ours) <= set(theirs)
    for name, intent in ours.items():
        assert intent.get("slots") == theirs[name].get("slots"), name
    reference_types = {t["name"]: [v["id"] for v in t["values"]] for t in reference["types"]}
    for slot_type in language_model["types"]:
        assert [v["id"] for v in slot_type["values"]] == reference_types[slot_type["name"]]


def test_model_has_the_ask_cli_shape(language_model, intents):
    assert set(language_model) == {"invocationName", "intents", "types"}
    assert intents["ReportSymptomIntent"]["slots"] == [{"name": "symptom", "type": "SymptomType"}]
    assert intents["AMAZON.FallbackIntent"] == {"name": "AMAZON.FallbackIntent", "samples": []}
    value = language_model["types"][0]["values"][0]
    assert set(value) == {"id", "name"} and set(value["name"]) == {"value", "synonyms"}


def test_invocation_name_is_two_or_more_lower_case_words_without_reserved_words(language_model, locale):
    name = language_model["invocationName"]
    letters = LETTERS[locale.split("-")[0]]
    assert name == INVOCATION_NAMES.get(locale, "sciatica check")
    assert name == name.lower() and re.fullmatch(rf"[{letters}]+( [{letters}]+)+", name)
    assert not {"alexa", "skill", "app", "echo", "amazon"} & set(name.split())


def test_every_sample_utterance_is_unique_across_intents(intents):
    seen = {}
    for name, intent in intents.items():
        for sample in intent["samples"]:
            assert sample not in seen, f"{sample!r} is under {seen.get(sample)} and {name}"
            seen[sample] = name


def test_every_slot_referenced_in_samples_is_declared_with_an_existing_type(language_model, intents):
    custom_types = {t["name"] for t in language_model["types"]}
    for name, intent in intents.items():
        declared = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in intent["samples"]:
            for ref in re.findall(r"\{(\w+)\}", sample):
                assert ref in declared, f"{name}: {sample!r} uses undeclared slot {ref}"
                assert declared[ref] in custom_types or declared[ref].startswith("AMAZON.")


def test_every_required_builtin_intent_is_declared(intents):
    for name in ("AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.HelpIntent",
                 "AMAZON.RepeatIntent", "AMAZON.StartOverIntent", "AMAZON.NextIntent",
                 "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.FallbackIntent",
                 "AMAZON.NavigateHomeIntent"):
        assert name in intents


def test_handler_contract_intents_and_slot_are_declared(intents):
    assert intents["NotSureIntent"]["samples"]
    assert "{symptom}" in intents["ReportSymptomIntent"]["samples"]


def test_symptom_ids_are_the_contract_ids(symptom_values):
    # Each sign's words that can be long-standing come as <id>_ask_first (hazard log H24).
    signs = {value_id for value_id in symptom_values if not value_id.endswith(ASK_FIRST_SUFFIX)}
    assert signs == EMERGENCY_IDS | URGENT_IDS | SOON_IDS | NOT_RED_FLAG_IDS
    assert {value_id[:-len(ASK_FIRST_SUFFIX)] for value_id in symptom_values
            if value_id.endswith(ASK_FIRST_SUFFIX)} <= signs


def test_every_red_flag_question_in_the_clinical_content_has_a_symptom_value(symptom_values, locale):
    from skill.content.loader import load_content
    questions = load_content(locale).questions
    reportable = {question.id for question in questions if question.names_one_symptom}
    assert reportable <= set(symptom_values)
    # The read-back and the check-in's summary name no one symptom: never a slot value.
    assert not {q.id for q in questions if not q.names_one_symptom} & set(symptom_values)


def test_cauda_equina_symptoms_have_dozens_of_synonyms(language_model):
    values = {v["id"]: v["name"]["synonyms"] for v in language_model["types"][0]["values"]}
    for symptom_id in EMERGENCY_IDS:   # at once or asked first, every phrase reaches the sign
        phrases = values[symptom_id] + values.get(symptom_id + ASK_FIRST_SUFFIX, [])
        assert len(phrases) >= 30, symptom_id


def test_no_phrase_appears_under_two_symptom_ids(language_model):
    owner = {}
    for value in language_model["types"][0]["values"]:
        for phrase in [value["name"]["value"], *value["name"]["synonyms"]]:
            assert owner.setdefault(phrase, value["id"]) == value["id"], phrase


def test_no_sample_or_synonym_contains_a_word_that_virtual_alexa_treats_as_a_launch(language_model, locale):
    letters = LETTERS[locale.split("-")[0]]
    phrases = [s for intent in language_model["intents"] for s in intent["samples"]]
    phrases += [p for t in language_model["types"] for v in t["values"]
                for p in [v["name"]["value"], *v["name"]["synonyms"]]]
    for phrase in phrases:
        assert not [w for w in LAUNCH_SUBSTRINGS if w in phrase], phrase
        assert re.fullmatch(rf"[{letters}' {{}}]+", phrase), phrase


def test_a_minimal_valid_source_loads(tmp_path):
    model = build_interaction_model("en-US", path=write(tmp_path, VALID))
    assert model["interactionModel"]["languageModel"]["invocationName"] == "sciatica check"


def test_broken_model_yaml_raises_model_error_naming_file_key_and_problem(tmp_path):
    broken = (VALID.replace("[not sure]", "[not sure, Hard To Say, i'm 2 sure, open it]")
                   .replace("i have {symptom}", "i have {sympton}")
                   .replace("  AMAZON.HelpIntent: {samples: []}\n", "")
                   .replace("[leaking pee]", "[leaking pee, leaking pee]"))
    path = write(tmp_path, broken)
    with pytest.raises(ModelError) as caught:
        load_model_yaml(path)
    error = caught.value
    keys = {key for key, _ in error.problems}
    assert {"intents.NotSureIntent.samples[1]", "intents.NotSureIntent.samples[2]",
            "intents.NotSureIntent.samples[3]", "intents.ReportSymptomIntent.samples[0]",
            "intents.ReportSymptomIntent.slots.symptom", "intents.AMAZON.HelpIntent",
            "slot_types.SymptomType.bladder.synonyms[1]"} <= keys
    message = str(error)
    assert str(path) in message
    assert "intents.NotSureIntent.samples[1]: 'Hard To Say' must be lower case" in message
    assert "spell numbers out" in message
    assert "contains 'open'" in message
    assert "references slot {sympton} not declared" in message
    assert "intents.AMAZON.HelpIntent: required intent is not declared" in message
    assert "duplicate phrase 'leaking pee'" in message
    assert isinstance(error, ValueError)


def test_bare_yes_in_yaml_is_reported_as_a_boolean_to_quote(tmp_path):
    path = write(tmp_path, VALID.replace("AMAZON.YesIntent: {samples: []}", "AMAZON.YesIntent: {samples: [yes]}"))
    with pytest.raises(ModelError, match=r"intents.AMAZON.YesIntent.samples\[0\]: was read as the boolean True"):
        load_model_yaml(path)


def test_unknown_keys_and_a_bad_invocation_name_are_reported(tmp_path):
    source = VALID.replace("invocation_name: sciatica check", "invocation_name: sciatica skill") \
                  .replace("locale: en-US", "locale: en-US\nsynonyms: {}")
    with pytest.raises(ModelError) as caught:
        load_model_yaml(write(tmp_path, source))
    assert ("invocation_name", "'sciatica skill' must not contain skill") in caught.value.problems
    assert "synonyms" in {key for key, _ in caught.value.problems}


@pytest.mark.parametrize("version_line, problem", [
    ("", 'version: is missing: add version: "1.0.0"'),
    ("version: 1.0\n", 'version: must be a version like "1.2.0" (in quotes), got float'),
])
def test_a_model_file_needs_a_version_for_change_control(tmp_path, version_line, problem):
    path = write(tmp_path, VALID.replace('version: "1.0.0"\n', version_line))
    with pytest.raises(ModelError) as caught:
        load_model_yaml(path)
    assert f"{path}: {problem}" in str(caught.value)


def test_the_version_is_not_part_of_the_generated_json(tmp_path):
    model = build_interaction_model("en-US", path=write(tmp_path, VALID))
    assert "version" not in json.dumps(model)


def test_invalid_yaml_syntax_names_the_line(tmp_path):
    path = write(tmp_path, VALID + "  oops: [unclosed\n")
    with pytest.raises(ModelError, match=r"line \d+ column \d+: invalid YAML"):
        load_model_yaml(path)


def test_missing_source_file_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="cannot read file"):
        build_interaction_model("en-US", path=tmp_path / "nope.model.yaml")


def test_locale_in_the_file_must_match_its_name(tmp_path):
    with pytest.raises(ModelError, match="named for 'en-GB'"):
        load_model_yaml(write(tmp_path, VALID, name="en-GB.model.yaml"))


def test_write_interaction_model_writes_locale_json_with_trailing_newline(tmp_path):
    target = write_interaction_model("en-US", tmp_path / "interaction_model")
    assert target == tmp_path / "interaction_model" / "en-US.json"
    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "interactionModel": {')
    assert json.loads(text) == build_interaction_model("en-US")


def test_the_source_lives_next_to_the_package():
    assert model_source_path("en-US") == REPO / "skill" / "content" / "en-US.model.yaml"


def test_every_intent_in_the_model_has_its_own_handler(intents):
    from skill.alexa import handlers

    handled = {*handlers.ANSWER_INTENTS, *handlers.NAVIGATION_INTENTS, *handlers.STOP_INTENTS,
               handlers.SYMPTOM_INTENT, handlers.TREND_INTENT, handlers.CLINICIAN_MODE_INTENT,
               handlers.CLINICAL_QUESTION_INTENT, handlers.EXAM_FINDING_INTENT,
               handlers.DAILY_CHECK_INTENT, "AMAZON.FallbackIntent"}
    assert set(intents) <= handled
