"""`sciatica-skill package`: the Lambda zip runs on its own, the skill package is what `ask
deploy` needs, and skill.json fits the interaction models and the code."""
import copy
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from skill.tools import lambda_lock, packaging
from skill.tools.cli import main
from skill.alexa.envelopes import launch_request, request_envelope
from skill.tools.packaging import (MANIFEST, MODEL_DIR, NEVER_IN_ZIP, PackagingError,
                                   example_problems, load_models, manifest_problems, placeholders)

REPO = Path(__file__).resolve().parent.parent
ARN = "arn:aws:lambda:us-east-1:123456789012:function:sciatica-check"


@pytest.fixture(scope="module")
def lambda_zip(tmp_path_factory):
    return packaging.build_lambda_zip(tmp_path_factory.mktemp("lambda"))


@pytest.fixture(scope="module")
def models():
    return load_models()


@pytest.fixture()
def manifest():
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def run_in_unpacked_zip(archive: Path, directory: Path, event: dict) -> dict:
    """lambda_handler(event) in a fresh interpreter whose path is the unpacked zip and the
    standard library only (-I: no environment, user site or current directory; -S: no
    site-packages), on what looks like Lambda without a DynamoDB table. Also returns the
    files the run wrote into the directory ("written")."""
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(directory)
    before = {p for p in directory.rglob("*") if p.is_file()}
    program = ("import json, sys; sys.path.insert(0, sys.argv[1]); import lambda_function;"
               "response = lambda_function.lambda_handler(json.load(sys.stdin), None);"
               "print(json.dumps({'response': response, 'path': sys.path, 'flask': 'flask' in sys.modules,"
               " 'files': {m: sys.modules[m].__file__ for m in ('skill', 'ask_sdk_core', 'yaml')}}))")
    result = subprocess.run([sys.executable, "-I", "-S", "-c", program, str(directory)],
                            input=json.dumps(event), capture_output=True, text=True, timeout=120,
                            cwd=directory, env={"PATH": os.environ.get("PATH", ""),
                                                "HOME": str(directory),
                                                "AWS_LAMBDA_FUNCTION_NAME": "sciatica-check"})
    assert result.returncode == 0, result.stderr
    written = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")
                     if p.is_file() and p not in before)
    return {**json.loads(result.stdout), "written": written}


def zip_names(archive: Path) -> set:
    with zipfile.ZipFile(archive) as opened:
        return set(opened.namelist())


BUILT_HERE = "%d.%d" % sys.version_info[:2]   # the fixture builds for this Python


def test_the_unpacked_zip_answers_a_launch_request_on_its_own(lambda_zip, tmp_path):
    ran = run_in_unpacked_zip(lambda_zip, tmp_path / "task", request_envelope(launch_request()))
    assert all(path.startswith(str(tmp_path)) for path in ran["files"].values()), ran["files"]
    assert not any("site-packages" in entry for entry in ran["path"]), ran["path"]
    assert ran["flask"] is False
    body = ran["response"]["response"]
    assert "911" in body["outputSpeech"]["ssml"] and "not a doctor" in body["outputSpeech"]["ssml"]
    assert body["shouldEndSession"] is False
    # Every module it imported had its bytecode in the zip, valid for this Python: nothing was
    # compiled and written (on Lambda's read-only disk, it would be compiled on every start).
    assert ran["written"] == []


def test_the_zip_holds_the_entry_point_the_skill_and_its_dependencies_only(lambda_zip):
    with zipfile.ZipFile(lambda_zip) as opened:
        entries = opened.infolist()
    names = {entry.filename for entry in entries}
    content = {f"skill/{p.relative_to(REPO / 'skill').as_posix()}"
               for p in (REPO / "skill" / "content").rglob("*") if p.suffix in (".yaml", ".json")}
    assert {"lambda_function.py", "skill/__init__.py", "skill/alexa/app.py",
            "skill/conversation/triage.py", "skill/content/loader.py", "ask_sdk_core/__init__.py",
            "yaml/__init__.py", "ask_sdk_dynamodb/adapter.py", "dateutil/__init__.py"} <= names
    assert content <= names, sorted(content - names)
    # The rooms Lambda never runs stay out (the launch request above runs without them).
    assert not {n for n in names if n.split("/")[:2] in (["skill", "tools"], ["skill", "review"],
                                                          ["skill", "language"])}
    top = {name.split("/")[0] for name in names}
    assert not top & set(NEVER_IN_ZIP), sorted(top & set(NEVER_IN_ZIP))
    assert not [n for n in names if n.startswith("bin/")]
    # Bytecode: one unchecked-hash .pyc per module, where this Python (the runtime's, as the
    # fixture builds it) looks for it, and nothing else in __pycache__.
    sources = {n for n in names if n.endswith(".py")}
    cached = {n for n in names if "__pycache__" in n}
    assert cached == {packaging.pyc_name(n) for n in sources}, sorted(cached ^ {
        packaging.pyc_name(n) for n in sources})[:10]
    assert packaging.pyc_name("skill/alexa/app.py") == \
        f"skill/alexa/__pycache__/app.{sys.implementation.cache_tag}.pyc"
    with zipfile.ZipFile(lambda_zip) as opened:
        header = opened.read(packaging.pyc_name("skill/conversation/triage.py"))[:8]
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[4:8], "little") == 0b01   # hash-based, source not checked
    assert all(entry.external_attr >> 16 == 0o100644 for entry in entries)  # readable on Lambda
    assert all(entry.date_time == (1980, 1, 1, 0, 0, 0) for entry in entries)  # reproducible
    assert (REPO / "lambda" / "lambda_function.py").read_bytes() == \
        zipfile.ZipFile(lambda_zip).read("lambda_function.py")


def test_bytecode_depends_on_the_source_only(tmp_path):
    """The same source compiles to the same .pyc bytes wherever it is and whatever its mtime:
    the zip stays reproducible with bytecode in it."""
    originals = {"skill/conversation/triage.py": REPO / "skill" / "conversation" / "triage.py",
                 "skill/alexa/speech.py": REPO / "skill" / "alexa" / "speech.py",
                 "lambda_function.py": REPO / "lambda" / "lambda_function.py"}
    names = tuple(originals)
    copies = {}
    for name, path in originals.items():
        copy_path = tmp_path / "elsewhere" / name
        copy_path.parent.mkdir(parents=True, exist_ok=True)
        copy_path.write_bytes(path.read_bytes())
        os.utime(copy_path, (86400, 86400))
        copies[name] = copy_path
    first = packaging.compile_sources(originals, BUILT_HERE)
    again = packaging.compile_sources(copies, BUILT_HERE)
    assert set(first) == {packaging.pyc_name(name) for name in names}
    assert first == again


def test_no_bytecode_for_another_python(capsys):
    other = "3.8" if BUILT_HERE != "3.8" else "3.9"
    assert packaging.compile_sources({"skill/alexa/app.py": REPO / "skill" / "alexa" / "app.py"}, other) == {}
    note = capsys.readouterr().err
    assert "no .pyc in the Lambda zip" in note and f"CPython {other}" in note


def test_dependency_versions_come_from_the_project_metadata():
    for name in packaging.LAMBDA_REQUIREMENTS:
        assert re.search(r"[<>=]", packaging.requirement(name)), name
    assert packaging.requirement("no-such-package") == "no-such-package"


# --- the lock (issue 18: a reproducible, auditable deployment) -------------------------------

def test_the_lock_pins_every_lambda_requirement_within_the_project_range():
    from packaging.requirements import Requirement
    pins = lambda_lock.read_lock()
    for name in packaging.LAMBDA_REQUIREMENTS:
        wanted = Requirement(packaging.requirement(name))
        version, hashes = pins[lambda_lock.canonical(name)]
        assert wanted.specifier.contains(version, prereleases=True), (name, version)
        assert hashes, name
    # Every entry exact and hashed: pip's --require-hashes accepts nothing less.
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for _, hashes in pins.values()
               for digest in hashes)


def test_a_wheel_that_differs_from_the_locked_one_stops_the_build(tmp_path):
    locked = lambda_lock.LOCK_PATH.read_text(encoding="utf-8")
    first = re.search(r"--hash=sha256:([0-9a-f]{64})", locked).group(1)
    tampered = tmp_path / "requirements.lock"
    tampered.write_text(locked.replace(first, "0" * 64), encoding="utf-8")
    with pytest.raises(subprocess.CalledProcessError):
        packaging.build_lambda_zip(tmp_path / "out", lock=tampered)
    assert not (tmp_path / "out" / packaging.ZIP_NAME).exists()


@pytest.mark.parametrize("text, problem", [
    ("ask-sdk-core>=1.19\n", "entry 1 is not `name==version --hash=sha256:...`"),
    ("ask-sdk-core==1.19.0\n", "entry 1 is not"),
    (None, "is missing: run `sciatica-skill lock-lambda`")])
def test_a_missing_or_unhashed_lock_is_named_before_pip_runs(tmp_path, text, problem):
    lock = tmp_path / "requirements.lock"
    if text is not None:
        lock.write_text(text, encoding="utf-8")
    with pytest.raises(PackagingError) as refused:
        packaging.build_lambda_zip(tmp_path / "out", lock=lock)
    assert problem in str(refused.value)


def test_the_manifest_fits_every_locale_and_the_code(manifest, models):
    assert manifest_problems(manifest, models) == []
    assert not (REPO / "skill-package" / "interactionModels").exists(), \
        "interaction models live in interaction_model/ only; `package` copies them"


def test_the_manifest_declares_what_the_skill_does(manifest):
    body = manifest["manifest"]
    assert body["privacyAndCompliance"] | {"locales": None} == {
        "allowsPurchases": False, "usesPersonalInfo": True, "isChildDirected": False,
        "isExportCompliant": True, "containsAds": False, "locales": None}
    publishing = body["publishingInformation"]
    assert publishing["category"] == "HEALTH_AND_FITNESS" and publishing["isAvailableWorldwide"] is False
    code = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "skill").rglob("*.py"))
    if "ReminderManagementServiceClient" in code or "reminder_management" in code:
        assert {"name": "alexa::alerts:reminders:skill:readwrite"} in body["permissions"]
    if "AlexaSkillEvent.SkillDisabled" in code:
        assert {"eventName": "SKILL_DISABLED"} in body["events"]["subscriptions"]
    if "RenderDocumentDirective" in code:
        assert {"type": "ALEXA_PRESENTATION_APL"} in body["apis"]["custom"]["interfaces"]


def test_manifest_problems_tell_what_to_add(manifest, models):
    broken = copy.deepcopy(manifest)
    publishing = broken["manifest"]["publishingInformation"]
    privacy = broken["manifest"]["privacyAndCompliance"]["locales"]
    for locale in [name for name in publishing["locales"] if name != "en-US"]:
        del publishing["locales"][locale], privacy[locale]   # this test is about en-US only
    entry = publishing["locales"]["en-US"]
    entry["description"] = "A sciatica check."
    entry["examplePhrases"] = ["Alexa, ask sciatica check to forget me", "Alexa, open sciatica check",
                               "Alexa, tell sciatica check I like turtles", "open sciatica check"]
    publishing["locales"]["fr-FR"] = entry
    publishing["distributionCountries"] = []
    del broken["manifest"]["privacyAndCompliance"]["locales"]["en-US"]
    where = "skill.json publishingInformation.locales.en-US"
    assert set(manifest_problems(broken, {"en-US": models["en-US"]})) == {
        "skill.json publishingInformation.locales: fr-FR has no interaction_model/fr-FR.json",
        "skill.json privacyAndCompliance.locales: add an entry for en-US (it has an interaction model)",
        "skill.json publishingInformation.distributionCountries: add US for en-US",
        f"{where}.description: must say 'not a substitute for professional medical advice, "
        "diagnosis or treatment'",
        f"{where}.description: must give the emergency number 911",
        f"{where}.examplePhrases: give one to three",
        f"{where}.examplePhrases[0]: 'Alexa, ask sciatica check to forget me': the first example "
        "must only open the skill ('Alexa, open sciatica check')",
        f"{where}.examplePhrases[2]: 'Alexa, tell sciatica check I like turtles': 'i like turtles' "
        "is not a sample utterance of any intent",
        f"{where}.examplePhrases[3]: 'open sciatica check' must start with 'Alexa,' and contain "
        "the invocation name 'sciatica check'"}


@pytest.mark.parametrize("phrase", ["Alexa, tell sciatica check I can't control my bladder",
                                    "Alexa, ask sciatica check to forget me",
                                    "Alexa, ask sciatica check, please forget me."])
def test_example_phrases_match_samples_with_slot_values(models, phrase):
    assert example_problems(phrase, models["en-US"]["interactionModel"]["languageModel"],
                            first=False) == []


def test_models_must_be_generated_and_current(tmp_path, monkeypatch):
    shutil.copytree(MODEL_DIR, tmp_path, dirs_exist_ok=True)
    monkeypatch.setattr(packaging, "MODEL_DIR", tmp_path)
    (tmp_path / "en-US.json").write_text("{}\n")
    (tmp_path / "xx-XX.json").write_text("{}\n")
    with pytest.raises(PackagingError) as raised:
        load_models()
    assert "interaction_model/en-US.json is out of date: run `sciatica-skill write-model`" in raised.value.problems
    assert "interaction_model/xx-XX.json has no source skill/content/xx-XX.model.yaml" in raised.value.problems
    (tmp_path / "en-US.json").unlink()
    with pytest.raises(PackagingError, match="en-US.json is missing"):
        load_models()


def test_the_skill_package_is_ready_for_ask_deploy(tmp_path, manifest, models, capsys):
    assert main(["package", "--skill-package-only", "--out", str(tmp_path), "--endpoint", ARN]) == 0
    built = tmp_path / "skill-package"
    assert sorted(p.name for p in (built / "interactionModels" / "custom").iterdir()) == \
        sorted(f"{locale}.json" for locale in models)
    for locale in models:
        assert (built / "interactionModels" / "custom" / f"{locale}.json").read_bytes() == \
            (MODEL_DIR / f"{locale}.json").read_bytes()
    shipped = json.loads((built / "skill.json").read_text(encoding="utf-8"))
    assert shipped["manifest"]["apis"]["custom"]["endpoint"] == {"uri": ARN}
    assert shipped["manifest"]["events"]["endpoint"] == {"uri": ARN}
    shipped["manifest"]["apis"]["custom"]["endpoint"] = manifest["manifest"]["apis"]["custom"]["endpoint"]
    shipped["manifest"]["events"]["endpoint"] = manifest["manifest"]["events"]["endpoint"]
    assert shipped == manifest
    assert json.loads((tmp_path / "ask-resources.json").read_text())["profiles"]["default"] == \
        {"skillMetadata": {"src": "./skill-package"}}
    warning = capsys.readouterr().err
    assert "privacyPolicyUrl" in warning and "apis.custom.endpoint" not in warning
    assert not (tmp_path / packaging.ZIP_NAME).exists()


def test_https_endpoints_and_placeholders(manifest):
    assert {p for p in placeholders(manifest) if p.endswith(".endpoint.uri")} == {
        "manifest.apis.custom.endpoint.uri", "manifest.events.endpoint.uri"}
    packaging.set_endpoint(manifest, "https://skill.example.org/alexa", "Wildcard")
    assert manifest["manifest"]["apis"]["custom"]["endpoint"] == {
        "uri": "https://skill.example.org/alexa", "sslCertificateType": "Wildcard"}
    assert not [p for p in placeholders(manifest) if "endpoint" in p]
    for bad in ("http://skill.example.org/", "https://skill.example.org:8443/", "arn:aws:s3:::x"):
        with pytest.raises(PackagingError, match="neither a Lambda function ARN"):
            packaging.set_endpoint(manifest, bad)


def test_package_refuses_a_manifest_that_does_not_fit(tmp_path, monkeypatch, manifest, capsys):
    del manifest["manifest"]["publishingInformation"]["locales"]["en-US"]["keywords"]
    (tmp_path / "skill.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(packaging, "MANIFEST", tmp_path / "skill.json")
    assert main(["package", "--skill-package-only", "--out", str(tmp_path / "out")]) == 1
    assert "publishingInformation.locales.en-US.keywords: add a few" in capsys.readouterr().err
    assert not (tmp_path / "out" / "skill-package").exists()
