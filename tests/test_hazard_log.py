"""The clinical hazard log: it loads, every test it names exists, and a broken log fails naming
file, key and problem, like the content files."""
from pathlib import Path

import pytest
import yaml

from skill.review.hazards import (HAZARD_LOG_PATH, LIKELIHOODS, SEVERITIES, TESTS_DIR,
                                  load_hazard_log, missing_tests, risk_rating)
from skill.content.schema import ContentError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def log():
    return load_hazard_log()


# ---- The real log ----

def test_the_log_lives_at_the_repository_root_beside_skill():
    assert HAZARD_LOG_PATH == REPO / "safety" / "hazard-log.yaml"
    assert TESTS_DIR == REPO / "tests"


def test_the_hazard_log_loads(log):
    assert log.version.count(".") == 2
    assert log.source == str(HAZARD_LOG_PATH)
    assert len(log.hazards) >= 18


def test_hazard_ids_are_unique_and_in_order(log):
    ids = [hazard.id for hazard in log.hazards]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)


def test_every_hazard_has_a_mitigation_proved_by_a_test(log):
    for hazard in log.hazards:
        assert hazard.mitigations, hazard.id
        assert all(mitigation.tests for mitigation in hazard.mitigations), hazard.id


def test_every_named_test_exists(log):
    problems = [problem.describe() for problem in missing_tests(log)]
    assert not problems, "\n".join(["named in the hazard log but not found:", *problems])


def test_no_mitigation_makes_a_hazard_riskier(log):
    for hazard in log.hazards:
        assert hazard.after.rating <= hazard.before.rating, hazard.id


def test_the_cauda_equina_hazards_are_there(log):
    """The hazards a reviewer would look for first are in the log, by their words."""
    titles = " ".join(hazard.title.lower() for hazard in log.hazards)
    for words in ("cauda equina sign is missed", "heard as \"no\"", "emergency number",
                  "emergency is softened", "stops before the cauda equina questions"):
        assert words in titles, words


# ---- The risk matrix ----

@pytest.mark.parametrize("severity, likelihood, rating", [
    ("minor", "very_low", 1), ("minor", "very_high", 3), ("catastrophic", "very_low", 3),
    ("catastrophic", "very_high", 5), ("major", "medium", 3), ("considerable", "high", 3),
    ("significant", "low", 2), ("catastrophic", "medium", 4), ("major", "very_high", 5),
    ("considerable", "very_low", 2),
])
def test_risk_rating_reads_the_dcb0129_matrix(severity, likelihood, rating):
    assert risk_rating(severity, likelihood) == rating


def test_risk_never_falls_as_severity_or_likelihood_rises():
    for s_index, severity in enumerate(SEVERITIES):
        for l_index, likelihood in enumerate(LIKELIHOODS):
            rating = risk_rating(severity, likelihood)
            assert 1 <= rating <= 5
            if s_index:
                assert rating >= risk_rating(SEVERITIES[s_index - 1], likelihood)
            if l_index:
                assert rating >= risk_rating(severity, LIKELIHOODS[l_index - 1])


def test_an_unknown_severity_or_likelihood_has_no_rating():
    with pytest.raises(ValueError, match="deadly"):
        risk_rating("deadly", "low")
    with pytest.raises(ValueError, match="often"):
        risk_rating("minor", "often")


# ---- A broken log ----

FAKE_TESTS = '''
def helper():
    pass


def test_real():
    pass


class TestThing:
    def test_method(self):
        pass


class Helpers:
    def test_not_collected(self):
        pass


TestMachine = object
'''
REAL = "tests/test_fake.py::test_real"


@pytest.fixture
def tests_dir(tmp_path):
    directory = tmp_path / "tests"
    directory.mkdir()
    (directory / "test_fake.py").write_text(FAKE_TESTS, encoding="utf-8")
    (directory / "test_broken.py").write_text("def test_half(:\n", encoding="utf-8")
    return directory


def hazard(hazard_id: str) -> dict:
    return {"id": hazard_id, "title": "A title", "cause": "A cause.", "effect": "An effect.",
            "before": {"severity": "major", "likelihood": "medium"},
            "after": {"severity": "major", "likelihood": "low"},
            "mitigations": [{"text": "What the product does.", "tests": [REAL]}],
            "residual": "What remains."}


def written(tmp_path: Path, change=lambda raw: None) -> Path:
    raw = {"version": "1.0.0", "hazards": [hazard("H01"), hazard("H02")]}
    change(raw)
    path = tmp_path / "hazard-log.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def problems_of(path: Path, **kwargs) -> str:
    with pytest.raises(ContentError) as caught:
        load_hazard_log(path, **kwargs)
    assert str(path) in str(caught.value)
    return str(caught.value)


def test_a_minimal_log_loads_into_frozen_values(tmp_path, tests_dir):
    log = load_hazard_log(written(tmp_path), tests_dir=tests_dir)
    first = log.hazards[0]
    assert (first.id, first.before.rating, first.after.rating) == ("H01", 3, 3)
    assert first.mitigations[0].tests == (REAL,)
    with pytest.raises(AttributeError):
        first.id = "H09"


TESTS = ("hazards", 0, "mitigations", 0, "tests")
DELETE = object()
# (what is changed in a valid log, a problem the error must name with its key)
BROKEN_LOGS = {
    "unknown severity": ({("hazards", 0, "before", "severity"): "deadly"},
                         "hazards.[0].before.severity: must be one of minor, significant, "
                         "considerable, major, catastrophic, got text 'deadly'"),
    "mitigation without tests": ({TESTS: DELETE}, "hazards.[0].mitigations.[0].tests: is missing"),
    "empty list of tests": ({TESTS: []},
                            "hazards.[0].mitigations.[0].tests: needs at least 1 item(s)"),
    "no mitigations": ({("hazards", 1, "mitigations"): []},
                       "hazards.[1].mitigations: needs at least 1 item(s)"),
    "duplicate id": ({("hazards", 1, "id"): "H01"}, "hazards.[1].id: duplicate hazard id 'H01'"),
    "ids out of order": ({("hazards", 0, "id"): "H03", ("hazards", 1, "id"): "H02"},
                         "hazards.[1].id: H02 comes after H03"),
    "id of the wrong form": ({("hazards", 0, "id"): "H1"},
                             "hazards.[0].id: must be H and two digits"),
    "after riskier than before": ({("hazards", 0, "after", "likelihood"): "high"},
                                  "hazards.[0].after: rates 4, riskier than before mitigation (3)"),
    "rating that is not the matrix's": ({("hazards", 0, "after", "rating"): 2},
                                        "hazards.[0].after.rating: is 2, but the matrix gives 3 "
                                        "for major and low"),
    "parametrized case": ({TESTS: ["tests/test_fake.py::test_real[en-US]"]},
                          "tests.[0]: names a parametrized case"),
    "not under tests/": ({TESTS: ["test_fake.py::test_real"]},
                         "tests.[0]: must be a pytest node id"),
    "a file, not a test": ({TESTS: ["tests/test_fake.py"]}, "tests.[0]: must be a pytest node id"),
}


@pytest.mark.parametrize("changes, problem", BROKEN_LOGS.values(), ids=BROKEN_LOGS.keys())
def test_a_broken_log_names_file_key_and_problem(tmp_path, changes, problem):
    def change(raw):
        for (*parents, key), value in changes.items():
            node = raw
            for part in parents:
                node = node[part]
            if value is DELETE:
                del node[key]
            else:
                node[key] = value
    assert problem in problems_of(written(tmp_path, change))


def test_a_lower_severity_after_mitigation_is_allowed(tmp_path):
    def change(raw):
        raw["hazards"][0]["after"] = {"severity": "minor", "likelihood": "medium"}
    assert load_hazard_log(written(tmp_path, change)).hazards[0].after.rating == 2


def test_a_test_that_does_not_exist_is_named_with_its_key(tmp_path, tests_dir):
    def change(raw):
        raw["hazards"][1]["mitigations"][0]["tests"].append("tests/test_fake.py::test_ghost")
    path = written(tmp_path, change)
    load_hazard_log(path)   # the schema alone cannot know: only a look at the tests can
    assert ("hazards.[1].mitigations.[0].tests.[1]: H02 names tests/test_fake.py::test_ghost, "
            "but tests/test_fake.py defines no test test_ghost") in problems_of(
        path, tests_dir=tests_dir)


@pytest.mark.parametrize("node_id, reason", [
    ("tests/test_fake.py::test_real", None),
    ("tests/test_fake.py::TestThing", None),
    ("tests/test_fake.py::TestThing::test_method", None),
    ("tests/test_fake.py::TestMachine", None),
    ("tests/test_gone.py::test_real", "there is no file tests/test_gone.py"),
    ("tests/test_broken.py::test_half", "tests/test_broken.py does not parse"),
    ("tests/test_fake.py::helper", "defines no test helper"),
    ("tests/test_fake.py::TestThing::test_other", "class TestThing in tests/test_fake.py has no "
                                                  "test method test_other"),
    ("tests/test_fake.py::Helpers::test_not_collected", "defines no test class Helpers"),
    ("tests/test_fake.py::test_real::test_method", "defines no test class test_real"),
])
def test_missing_tests_resolves_functions_classes_and_methods(tmp_path, tests_dir, node_id,
                                                              reason):
    def change(raw):
        raw["hazards"][0]["mitigations"][0]["tests"] = [node_id]
    problems = missing_tests(load_hazard_log(written(tmp_path, change)), tests_dir)
    if reason is None:
        assert problems == []
    else:
        (problem,) = problems
        assert problem.path == ("hazards", 0, "mitigations", 0, "tests", 0)
        assert reason in problem.message


def test_every_schema_problem_is_listed_at_once(tmp_path):
    def change(raw):
        raw["version"] = 1
        raw["hazards"][0]["after"]["likelihood"] = "often"
        raw["hazards"][0]["colour"] = "red"
        del raw["hazards"][1]["residual"]
    message = problems_of(written(tmp_path, change))
    for expected in ("version: must be a version", "hazards.[0].after.likelihood: must be one of",
                     "hazards.[0].colour: is not a known key", "hazards.[1].residual: is missing"):
        assert expected in message


def test_invalid_yaml_or_a_missing_file_is_reported_with_the_file(tmp_path):
    path = tmp_path / "hazard-log.yaml"
    path.write_text("hazards: [unclosed\n", encoding="utf-8")
    assert "cannot be read" in problems_of(path)
    assert "cannot be read" in problems_of(tmp_path / "nowhere.yaml")
