"""sciatica-skill package: build what gets deployed, from a source checkout, into <out>/:

  sciatica-check-lambda.zip  for AWS Lambda: lambda_function.py at the root, the skill package
                             with its content, and the Lambda path's dependencies (ask-sdk-core,
                             pyyaml, the DynamoDB adapter). Not flask or flask-ask-sdk (the
                             self-hosted server only), not the test tools, and not boto3/botocore,
                             which every Lambda Python runtime has (they would triple the zip).
                             With the compiled .pyc of every module when this Python is the
                             runtime's (Lambda's disk is read-only: without them every cold start
                             compiles the skill and its dependencies again).
  skill-package/             for `ask deploy`: skill-package/skill.json, and the models copied
                             from interaction_model/ into interactionModels/custom/<locale>.json
  ask-resources.json         written once, so `cd <out> && ask deploy` deploys the skill package

Why over 300 lines: the zip, the bytecode and the skill package are built and checked together,
so a check sees what is shipped.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from skill import _paths
from skill.tools import lambda_lock

REPO = _paths.REPO_ROOT
MANIFEST = REPO / "skill-package" / "skill.json"
MODEL_DIR = _paths.MODEL_DIR
LAMBDA_ENTRY = REPO / "lambda" / "lambda_function.py"
ZIP_NAME = "sciatica-check-lambda.zip"
PLACEHOLDER = "TO_FILL_IN"

# The Lambda path's dependencies (lambda_function -> skill.alexa.app), with the project's version ranges.
LAMBDA_REQUIREMENTS = ("ask-sdk-core", "pyyaml", "ask-sdk-dynamodb-persistence-adapter")
# In every AWS Lambda Python runtime already. Resolved with the rest, so that what the zip
# ships (python-dateutil, urllib3) suits the runtime's boto3, then left out of the zip.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")
NEVER_IN_ZIP = ("flask", "flask_ask_sdk", "wyoming", "pytest", "_pytest", "hypothesis", "moto", "tests",
                *RUNTIME_PROVIDED)
SKILL_FILES = ("*.py", "*.yaml", "*.json")
# Rooms of skill/ that Lambda never runs (lambda_function -> skill.alexa.app imports none of
# them; tests/test_packaging.py runs the zip to prove it): the commands, the review pack, and
# the interaction-model builder and offline NLU (Alexa does the language understanding), and
# the Wyoming service (it runs on a clinic's own machine, never on Lambda).
NOT_ON_LAMBDA = ("tools", "review", "language", "wyoming")
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}  # AWS: glibc 2.17+
# The health-skill disclaimer each store description must carry, by language.
DISCLAIMERS = {"en": "not a substitute for professional medical advice, diagnosis or treatment",
               "es": "no sustituye"}
LIMITS = {"name": 50, "summary": 160, "description": 4000}


class PackagingError(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(f"  {p}" for p in self.problems))


def requirement(name: str) -> str:
    """`name` with the version range the project's own metadata gives it (pyproject.toml)."""
    from importlib import metadata
    canonical = re.sub(r"[-_.]+", "-", name).lower()
    try:
        for line in metadata.requires("sciatica-check") or []:
            match = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*([^;]*)", line)
            if match and re.sub(r"[-_.]+", "-", match.group(1)).lower() == canonical:
                return name + match.group(2).strip()
    except metadata.PackageNotFoundError:
        pass
    return name


def build_lambda_zip(out: Path, *, python_version: str | None = None, arch: str = "x86_64",
                     lock: Path = lambda_lock.LOCK_PATH) -> Path:
    """Install the Lambda path's locked dependencies for the target runtime and zip them with
    the code."""
    python_version = python_version or "%d.%d" % sys.version_info[:2]
    if python_version not in lambda_lock.LAMBDA_PYTHONS:
        raise PackagingError([f"Python {python_version} is not a Lambda runtime the lock covers "
                              f"({', '.join(lambda_lock.LAMBDA_PYTHONS)}): pass --python-version"])
    try:
        lambda_lock.read_lock(lock)   # a missing or malformed lock is named before pip runs
    except lambda_lock.LockError as error:
        raise PackagingError([str(error)]) from None
    with tempfile.TemporaryDirectory(prefix="sciatica-lambda-") as temp:
        deps = Path(temp)
        # Exactly the reviewed wheels (lambda_lock.py): pip refuses any other bytes.
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
                        "--disable-pip-version-check", "--target", str(deps), "--only-binary=:all:",
                        "--implementation", "cp", "--python-version", python_version,
                        "--platform", PLATFORMS[arch], "--require-hashes", "--no-deps",
                        "-r", str(lock)], check=True)
        for record in deps.glob("*.dist-info/RECORD"):
            if record.parent.name.split("-")[0].lower() in RUNTIME_PROVIDED:
                for line in record.read_text(encoding="utf-8").splitlines():
                    (deps / line.split(",")[0]).unlink(missing_ok=True)
        files = {"lambda_function.py": LAMBDA_ENTRY}
        for pattern in SKILL_FILES:
            files.update({f"skill/{p.relative_to(REPO / 'skill').as_posix()}": p
                          for p in (REPO / "skill").rglob(pattern) if "__pycache__" not in p.parts
                          and p.relative_to(REPO / "skill").parts[0] not in NOT_ON_LAMBDA})
        for path in deps.rglob("*"):
            relative = path.relative_to(deps)
            if path.is_file() and relative.parts[0] != "bin" and "__pycache__" not in relative.parts:
                files.setdefault(relative.as_posix(), path)
        leaked = sorted({n.split("/")[0] for n in files} & set(NEVER_IN_ZIP))
        if leaked:
            raise PackagingError([f"the Lambda zip would contain {', '.join(leaked)}"])
        entries = {name: path.read_bytes() for name, path in files.items()}
        entries.update(compile_sources(files, python_version))
        out.mkdir(parents=True, exist_ok=True)
        target = out / ZIP_NAME
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(entries):  # sorted, fixed dates and modes: the same input, the same zip
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr, info.compress_type = 0o100644 << 16, zipfile.ZIP_DEFLATED
                archive.writestr(info, entries[name])
    return target


# Run in a fresh interpreter, so that nothing this process has imported or interned can change
# the bytes marshal writes; with PYTHONHASHSEED fixed, so that set constants keep their order.
_COMPILE = """
import json, py_compile, sys
compiled = []
for source, target, name in json.load(sys.stdin):
    try:
        py_compile.compile(source, cfile=target, dfile=name, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except py_compile.PyCompileError as error:
        print(f"package: not compiled: {name}: {error.msg}", file=sys.stderr)
    else:
        compiled.append(name)
json.dump(compiled, sys.stdout)
"""


def pyc_name(name: str, cache_tag: str | None = None) -> str:
    """Where the runtime looks for a module's bytecode: a/b.py -> a/__pycache__/b.<tag>.pyc."""
    folder, _, file = name.rpartition("/")
    cached = f"__pycache__/{file[:-len('.py')]}.{cache_tag or sys.implementation.cache_tag}.pyc"
    return f"{folder}/{cached}" if folder else cached


def compile_sources(files: dict, python_version: str) -> dict:
    """{zip name of the .pyc: its bytes} for every .py among `files` ({zip name: source path}),
    as the Lambda runtime would write them into __pycache__ if it could; {} when this Python
    is not the runtime's (bytecode is version-specific), with a note saying so.

    Reproducible: unchecked-hash .pyc (PEP 552) carry a hash of the source instead of its
    mtime, and the runtime trusts them without reading the source again (the zip's files never
    change under it); the file name compiled in is the name in the zip, not where it was built."""
    here = "%d.%d" % sys.version_info[:2]
    if sys.implementation.name != "cpython" or python_version != here:
        print(f"package: no .pyc in the Lambda zip: this is {sys.implementation.name} {here}, "
              f"the runtime is CPython {python_version}, and bytecode is version-specific (run "
              f"`package` with Python {python_version} to include them)", file=sys.stderr)
        return {}
    sources = sorted(name for name in files if name.endswith(".py"))
    with tempfile.TemporaryDirectory(prefix="sciatica-pyc-") as temp:
        jobs = [(str(files[name]), str(Path(temp, pyc_name(name))), name) for name in sources]
        done = subprocess.run([sys.executable, "-s", "-S", "-c", _COMPILE],
                              input=json.dumps(jobs), capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "")})
        sys.stderr.write(done.stderr)
        return {pyc_name(name): Path(temp, pyc_name(name)).read_bytes()
                for name in json.loads(done.stdout)}


def load_models() -> dict:
    """{locale: interaction model} for every locale, checked against its YAML source."""
    from skill.language.interaction_model import render_interaction_model
    sources = {p.name[:-len(".model.yaml")] for p in _paths.CONTENT_DIR.glob("*.model.yaml")}
    built = {p.stem for p in MODEL_DIR.glob("*.json")}
    problems = [f"interaction_model/{loc}.json has no source skill/content/{loc}.model.yaml"
                for loc in sorted(built - sources)]
    problems += [f"interaction_model/{loc}.json is missing: run `sciatica-skill write-model`"
                 for loc in sorted(sources - built)]
    models = {}
    for locale in sorted(sources & built):
        text = (MODEL_DIR / f"{locale}.json").read_text(encoding="utf-8")
        if text != render_interaction_model(locale):
            problems.append(f"interaction_model/{locale}.json is out of date: run `sciatica-skill write-model`")
        models[locale] = json.loads(text)
    if problems:
        raise PackagingError(problems)
    return models


def manifest_problems(manifest: dict, models: dict) -> list:
    """What in skill.json does not fit the interaction models, or would fail certification."""
    from skill.content.loader import load_content
    body = manifest.get("manifest", {})
    publishing, privacy = body.get("publishingInformation", {}), body.get("privacyAndCompliance", {})
    problems = []
    for section, entries in (("publishingInformation.locales", publishing.get("locales") or {}),
                             ("privacyAndCompliance.locales", privacy.get("locales") or {})):
        problems += [f"skill.json {section}: add an entry for {loc} (it has an interaction model)"
                     for loc in sorted(set(models) - set(entries))]
        problems += [f"skill.json {section}: {loc} has no interaction_model/{loc}.json"
                     for loc in sorted(set(entries) - set(models))]
    countries = set(publishing.get("distributionCountries") or [])
    problems += [f"skill.json publishingInformation.distributionCountries: add {loc.split('-')[1]} for {loc}"
                 for loc in sorted(models) if loc.split("-")[1] not in countries]
    for locale, entry in sorted((publishing.get("locales") or {}).items()):
        if locale not in models:
            continue
        where = f"skill.json publishingInformation.locales.{locale}"
        problems += [f"{where}.{key}: {len(entry.get(key) or '')} characters (1 to {limit})"
                     for key, limit in LIMITS.items() if not 0 < len(entry.get(key) or "") <= limit]
        description = (entry.get("description") or "").lower()
        disclaimer = DISCLAIMERS.get(locale.split("-")[0])
        if disclaimer is None or disclaimer not in description:
            problems.append(f"{where}.description: must say {disclaimer or 'the disclaimer (add it to DISCLAIMERS)'!r}")
        number = load_content(locale).values["emergency_number"]
        if number not in description:
            problems.append(f"{where}.description: must give the emergency number {number}")
        if not entry.get("keywords"):
            problems.append(f"{where}.keywords: add a few")
        phrases = entry.get("examplePhrases") or []
        if not 1 <= len(phrases) <= 3:
            problems.append(f"{where}.examplePhrases: give one to three")
        language_model = models[locale]["interactionModel"]["languageModel"]
        problems += [f"{where}.examplePhrases[{i}]: {problem}" for i, phrase in enumerate(phrases)
                     for problem in example_problems(phrase, language_model, first=i == 0)]
    return problems


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]", " ", text.lower().replace("’", "'")).split())


def example_problems(phrase: str, model: dict, *, first: bool) -> list:
    """Certification: 'Alexa, <launch> <invocation name>' first, then requests whose words
    are a sample utterance (slot values from the slot's type)."""
    invocation, words = model["invocationName"], _plain(phrase)
    if not words.startswith("alexa ") or f" {invocation} " not in f" {words} ":
        return [f"{phrase!r} must start with 'Alexa,' and contain the invocation name {invocation!r}"]
    request = f" {words} ".split(f" {invocation} ", 1)[1].strip()
    if first and request:
        return [f"{phrase!r}: the first example must only open the skill ('Alexa, open {invocation}')"]
    candidates = {request, request.split(" ", 1)[-1]}  # with or without a connecting word ("to")
    if request:
        samples = _sample_patterns(model)
        if not any(_matches_sample(c, model, samples) for c in candidates):
            return [f"{phrase!r}: {request!r} is not a sample utterance of any intent"]
    return []


def _sample_patterns(model: dict) -> list:
    """Every sample utterance as parts: plain words (str), a slot's values (a tuple), or None
    for a slot whose type gives no values (any words). Worked out once per model; the values
    are matched as literals, never compiled into one regular expression per sample (with
    hundreds of slot values that took seconds per example phrase)."""
    types = {t["name"]: [_plain(v["name"]["value"]) for v in t.get("values", [])] +
             [_plain(s) for v in t.get("values", []) for s in v["name"].get("synonyms", [])]
             for t in model.get("types", [])}
    patterns = []
    for intent in model.get("intents", []):
        slots = {s["name"]: types.get(s["type"]) for s in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            parts = [p for p in re.split(r"(\{\w+\})", sample) if p.strip()]
            patterns.append(tuple(
                (tuple(dict.fromkeys(slots[p[1:-1]])) if slots.get(p[1:-1]) else None)
                if p.startswith("{") else _plain(p) for p in parts))
    return patterns


def _matches_sample(text: str, model: dict, samples: list | None = None) -> bool:
    """Whether `text` is one of the model's samples, words joined by single spaces, with each
    slot filled by one of its type's values (any non-empty text for a slot without values)."""
    samples = _sample_patterns(model) if samples is None else samples
    return any(_match_parts(text, 0, parts) for parts in samples)


def _match_parts(text: str, position: int, parts: tuple) -> bool:
    if not parts:
        return position == len(text)
    part, rest = parts[0], parts[1:]
    if isinstance(part, str):
        ends = [position + len(part)] if text.startswith(part, position) else []
    elif part is None:
        ends = range(position + 1, len(text) + 1)
    else:
        ends = [position + len(value) for value in part if text.startswith(value, position)]
    for end in ends:
        if not rest:
            if end == len(text):
                return True
        elif text.startswith(" ", end) and _match_parts(text, end + 1, rest):
            return True
    return False


def placeholders(node, path: str = "") -> list:
    """Key paths in the manifest still holding a TO_FILL_IN placeholder."""
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in placeholders(value, f"{path}.{key}".lstrip("."))]
    if isinstance(node, list):
        return [p for i, value in enumerate(node) for p in placeholders(value, f"{path}[{i}]")]
    return [path] if isinstance(node, str) and PLACEHOLDER in node else []


def set_endpoint(manifest: dict, endpoint: str, ssl_certificate_type: str = "Trusted") -> None:
    """The skill's endpoint (requests and skill events): a Lambda ARN or an https URL."""
    if re.fullmatch(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?", endpoint):
        target = {"uri": endpoint}
    elif re.fullmatch(r"https://[^\s/:]+(:443)?(/\S*)?", endpoint):
        target = {"uri": endpoint, "sslCertificateType": ssl_certificate_type}
    else:
        raise PackagingError([f"--endpoint {endpoint!r} is neither a Lambda function ARN nor an "
                              "https:// URL on port 443"])
    body = manifest["manifest"]
    body["apis"]["custom"]["endpoint"] = target
    body["events"]["endpoint"] = dict(target)


def build_skill_package(out: Path, *, endpoint: str | None = None,
                        ssl_certificate_type: str = "Trusted") -> Path:
    """<out>/skill-package for `ask deploy`; raises PackagingError listing every problem."""
    from skill.language.model_check import check_file
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    if endpoint:
        set_endpoint(manifest, endpoint, ssl_certificate_type)
    models = load_models()
    problems = manifest_problems(manifest, models)
    problems += [str(f) for loc in models for f in check_file(MODEL_DIR / f"{loc}.json")
                 if f.severity == "error"]
    if problems:
        raise PackagingError(problems)
    target = out / "skill-package"
    shutil.rmtree(target, ignore_errors=True)
    (target / "interactionModels" / "custom").mkdir(parents=True)
    (target / "skill.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    for locale in models:
        shutil.copyfile(MODEL_DIR / f"{locale}.json",
                        target / "interactionModels" / "custom" / f"{locale}.json")
    resources = out / "ask-resources.json"
    if not resources.exists():
        resources.write_text(json.dumps({"askcliResourcesVersion": "2020-03-31", "profiles": {
            "default": {"skillMetadata": {"src": "./skill-package"}}}}, indent=2) + "\n")
    return target


def register(commands):
    """Add `package` to the CLI's subcommands; returns them, so calls can be chained."""
    parser = commands.add_parser("package", help="build the Lambda zip and the skill package")
    parser.add_argument("--out", type=Path, default=Path("build"), help="output directory (build)")
    parser.add_argument("--endpoint", help="Lambda function ARN or https URL for skill.json")
    parser.add_argument("--ssl-certificate-type", choices=("Trusted", "Wildcard"), default="Trusted",
                        help="for an https endpoint: how its certificate is signed")
    parser.add_argument("--python-version", help="Lambda runtime's Python, e.g. 3.12 (default: this one)")
    parser.add_argument("--arch", choices=sorted(PLATFORMS), default="x86_64",
                        help="the Lambda function's architecture")
    parser.add_argument("--skill-package-only", action="store_true", help="skip the Lambda zip")
    parser.set_defaults(run=run)
    lock = commands.add_parser("lock-lambda", help="pin the Lambda zip's dependencies with their "
                               "hashes (lambda/requirements.lock); needs the network")
    lock.set_defaults(run=run_lock)
    return commands


def run_lock(args) -> int:
    try:
        path = lambda_lock.write_lock(map(requirement, LAMBDA_REQUIREMENTS), PLATFORMS)
    except (lambda_lock.LockError, subprocess.CalledProcessError) as error:
        print(f"lock-lambda: cannot write the lock: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path} ({len(lambda_lock.read_lock(path))} packages): read the diff, commit it")
    return 0


def run(args) -> int:
    python = args.python_version or "%d.%d" % sys.version_info[:2]
    try:
        package = build_skill_package(args.out, endpoint=args.endpoint,
                                      ssl_certificate_type=args.ssl_certificate_type)
        locales = sorted(p.stem for p in package.glob("interactionModels/custom/*.json"))
        print(f"wrote {package}/ (skill.json; interaction models: {', '.join(locales)})")
        if not args.skill_package_only:
            archive = build_lambda_zip(args.out, python_version=python, arch=args.arch)
            print(f"wrote {archive} ({archive.stat().st_size / 1e6:.1f} MB; handler "
                  f"lambda_function.lambda_handler, runtime python{python}, {args.arch})")
    except PackagingError as error:
        print(f"package: cannot build:\n{error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"package: pip failed (exit {error.returncode}); see its output above", file=sys.stderr)
        return 1
    left = placeholders(json.loads((package / "skill.json").read_text(encoding="utf-8")))
    if left:
        print(f"warning: fill in the {PLACEHOLDER} placeholders before certification: "
              f"{', '.join(left)} (--endpoint sets the endpoints; edit the rest in "
              "skill-package/skill.json)", file=sys.stderr)
    return 0
