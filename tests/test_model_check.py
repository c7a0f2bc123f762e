"""`sciatica-skill check-model`: the committed interaction models pass the console's rules, and
broken ones fail with the file, the intent or slot type, the sample and the problem."""
import copy
import json

import pytest

from skill.language import model_check
from skill.tools.cli import main
from skill.language.model_check import REQUIRED_BUILTINS, check_file, check_invocation, check_model


def valid_model():
    return {"interactionModel": {"languageModel": {
        "invocationName": "sciatica check",
        "intents": [
            {"name": "NotSureIntent", "samples": ["not sure", "i'm not sure", "i don't know"]},
            {"name": "ReportSymptomIntent", "slots": [{"name": "symptom", "type": "SymptomType"}],
             "samples": ["i have {symptom}", "i've got {symptom}", "there's {symptom}"]},
            {"name": "DateIntent", "slots": [{"name": "day", "type": "AMAZON.DATE"}],
             "samples": ["it started {day}", "since {day}", "on {day}"]},
            *({"name": name, "samples": []} for name in REQUIRED_BUILTINS)],
        "types": [{"name": "SymptomType", "values": [
            {"id": "bladder", "name": {"value": "bladder problems", "synonyms": ["leaking pee"]}},
            {"id": "saddle", "name": {"value": "saddle numbness", "synonyms": ["a numb bum"]}}]}]}}}


def language_model(model):
    return model["interactionModel"]["languageModel"]


def intent(model, name):
    return next(i for i in language_model(model)["intents"] if i["name"] == name)


def errors(model, language="en"):
    return [(where, message) for where, message, severity in check_model(model, language)
            if severity == "error"]


def test_the_committed_models_have_no_errors():
    files = model_check.model_files()
    assert files, "no interaction_model/*.json found"
    for path in files:
        assert [str(f) for f in check_file(path) if f.severity == "error"] == []


def test_the_command_passes_on_the_committed_models(capsys):
    assert main(["check-model"]) == 0
    assert "en-US.json: ok" in capsys.readouterr().out


def test_a_valid_model_has_no_findings():
    assert check_model(valid_model()) == []


@pytest.mark.parametrize("name, problem", [
    ("sciatica", "two or more words"),
    ("Sciatica Check", "is not allowed"),
    ("sciatica check two", None),
    ("sciatica check 2", "is not allowed"),
    ("sciatica-check", "is not allowed"),
    ("open sciatica check", "must not contain 'open'"),
    ("sciatica check skill", "must not contain 'skill'"),
    ("alexa sciatica check", "must not contain 'alexa'"),
    ("talk to sciatica", "must not contain 'talk to', 'to'"),
    ("the sciatica", "two-word name"),
    ("doctor sam's back check", None),
    ("a. b. c. back check", None),
    ("x", "is 1 characters"),
    ("a very long invocation name that goes on and on for words", "(2 to 50)"),
    ("", "is missing"),
    (None, "is missing"),
])
def test_invocation_name_rules(name, problem):
    messages = [message for message, _ in check_invocation(name)]
    if problem is None:
        assert messages == []
    else:
        assert any(problem in message for message in messages), messages


def test_invocation_name_rules_follow_the_language():
    assert check_invocation("revisión de ciática", "es") == []
    assert "must not contain 'abre'" in check_invocation("abre ciática", "es")[-1][0]
    assert "two-word" in check_invocation("la ciática", "es")[-1][0]


def test_a_sample_in_two_intents_is_an_error_whatever_its_case_or_spacing():
    model = valid_model()
    intent(model, "AMAZON.HelpIntent")["samples"] = ["Not  Sure"]
    assert errors(model) == [("intent AMAZON.HelpIntent, sample 'Not  Sure'",
                              "'Not  Sure' has leading, trailing or double spaces"),
                             ("intent AMAZON.HelpIntent, sample 'Not  Sure'",
                              "duplicates a sample of NotSureIntent: samples must be unique "
                              "across intents")]


@pytest.mark.parametrize("sample, problem", [
    ("i have {sign}", "slot {sign} is not declared in ReportSymptomIntent"),
    ("{symptom} and {symptom}", "slot {symptom} is used more than once"),
    ("i have {symptom", "is not allowed"),
    ("i have 2 {symptom}", "contains digits: spell numbers out"),
    ("is it {symptom}?", "'{symptom}?' is not allowed"),
    ("i have {symptom} " + "really " * 30, "characters (at most 200)"),
    ("", "must be a non-empty string"),
])
def test_sample_problems_name_the_intent_and_the_sample(sample, problem):
    model = valid_model()
    intent(model, "ReportSymptomIntent")["samples"].append(sample)
    found = errors(model)
    assert found and all(where == f"intent ReportSymptomIntent, sample {sample!r}"
                         for where, _ in found), found
    assert any(problem in message for _, message in found), found


def test_samples_may_use_abbreviations_possessives_hyphens_and_accents():
    model = valid_model()
    intent(model, "NotSureIntent")["samples"] += ["my g. p. is not sure", "so-so", "no sé", "dunno'"]
    assert errors(model) == []


def test_slot_and_type_problems():
    model = valid_model()
    intent(model, "DateIntent")["slots"].append({"name": "day", "type": "WeekdayType"})
    values = language_model(model)["types"][0]["values"]
    values.append({"id": "bladder", "name": {"value": "Leaking Pee", "synonyms": ["wee 2"]}})
    language_model(model)["types"].append({"name": "EmptyType", "values": []})
    found = errors(model)
    assert ("intent DateIntent, slot day", "is declared more than once") in found
    assert ("intent DateIntent, slot day",
            "type 'WeekdayType' is neither AMAZON.* nor a declared slot type") in found
    assert ("slot type SymptomType, value bladder",
            "'Leaking Pee' is already a value or synonym of bladder") in found
    assert ("slot type SymptomType, value bladder", "'wee 2' contains digits: spell numbers out") in found
    assert ("slot type SymptomType, value bladder", "id is used more than once") in found
    assert ("slot type EmptyType", "has no values") in found


def test_required_and_custom_intents():
    model = valid_model()
    lm = language_model(model)
    lm["intents"] = [i for i in lm["intents"] if i["name"] != "AMAZON.StopIntent"]
    intent(model, "NotSureIntent")["samples"] = []
    intent(model, "DateIntent")["samples"] = ["since {day}"]
    assert ("intent AMAZON.StopIntent", "is required and missing") in errors(model)
    assert ("intent NotSureIntent", "has no sample utterances") in errors(model)
    warnings = [(w, m) for w, m, s in check_model(model) if s == "warning"]
    assert ("intent DateIntent", "has only 1 sample(s); give it at least 3") in warnings
    lm["intents"] = [i for i in lm["intents"] if i["name"].startswith("AMAZON.")]
    assert ("intents", "the console needs at least one custom intent") in errors(model)


def test_warnings_for_unused_slots_and_types_and_look_alike_samples():
    model = valid_model()
    lm = language_model(model)
    intent(model, "NotSureIntent").update(slots=[{"name": "extra", "type": "SymptomType"}],
                                          samples=["not sure", "i'm not sure", "i've got {extra}"])
    lm["types"].append({"name": "UnusedType", "values": [{"id": "x", "name": {"value": "thing"}}]})
    assert errors(model) == []
    warnings = [(w, m) for w, m, s in check_model(model) if s == "warning"]
    assert ("slot type UnusedType", "no intent slot uses it") in warnings
    assert any(w == "intent ReportSymptomIntent, sample \"i've got {symptom}\"" and "cannot tell them apart" in m
               for w, m in warnings), warnings
    intent(model, "NotSureIntent")["samples"] = ["not sure", "unsure", "dunno"]
    assert ("intent NotSureIntent, slot extra", "no sample uses it: Alexa can only fill it in a dialog") \
        in [(w, m) for w, m, s in check_model(model) if s == "warning"]


def test_the_command_reports_file_intent_sample_and_problem(tmp_path, capsys):
    good, bad, broken = tmp_path / "en-US.json", tmp_path / "en-GB.json", tmp_path / "es-US.json"
    good.write_text(json.dumps(valid_model()))
    model = valid_model()
    intent(model, "NotSureIntent")["samples"].append("i have {symptom}")
    bad.write_text(json.dumps(model))
    broken.write_text("{not json")
    assert main(["check-model", str(good)]) == 0
    assert main(["check-model", str(good), str(bad), str(broken)]) == 1
    out, err = capsys.readouterr()
    assert f"{bad}: error: intent NotSureIntent, sample 'i have {{symptom}}': slot {{symptom}} " \
           "is not declared in NotSureIntent" in err
    assert f"{bad}: error: intent ReportSymptomIntent, sample 'i have {{symptom}}': duplicates a " \
           "sample of NotSureIntent" in err
    assert f"{broken}: error: (file): cannot read it as JSON" in err
    assert f"{good}: ok (0 error(s), 0 warning(s))" in out and f"{bad}: FAILED (2 error(s)" in out


def test_strict_fails_on_warnings(tmp_path):
    model = copy.deepcopy(valid_model())
    intent(model, "NotSureIntent")["samples"] = ["not sure"]
    path = tmp_path / "en-US.json"
    path.write_text(json.dumps(model))
    assert main(["check-model", str(path)]) == 0
    assert main(["check-model", "--strict", str(path)]) == 1


def test_no_models_is_a_failure(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(model_check, "MODEL_DIR", tmp_path)
    assert main(["check-model"]) == 1
    assert "no interaction models" in capsys.readouterr().err
