"""Cold start: a fresh interpreter imports the Lambda module and answers its first request.

For each side, `python -c "import lambda_function; lambda_function.lambda_handler(LAUNCH)"`
runs in a new process, in the module's own folder (lambda/ for the project, benchmarks/ for
the baseline), with the environment AWS Lambda gives a function without a DynamoDB table (so
the project keeps no memory). The wall time of the whole process is measured; runs alternate
between the two sides and the median is kept. The child also reports import and first-request
times. `-X importtime` then says which modules the project imports that the baseline does not.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from typing import Dict, List

from benchmarks.common import BENCH_DIR, LAMBDA_DIR, ROOT, envelope, launch, median

CHILD = """
import json, sys, time
start = time.perf_counter()
import {module} as entry
imported = time.perf_counter()
answer = entry.lambda_handler(json.loads(sys.argv[1]), None)
answered = time.perf_counter()
assert answer["response"]["outputSpeech"]["ssml"], answer
print(json.dumps({{"import": imported - start, "first_request": answered - imported}}))
"""

SIDES = {"project": ("lambda_function", LAMBDA_DIR), "baseline": ("baseline_skill", BENCH_DIR)}


def lambda_environment() -> dict:
    env = dict(os.environ)
    for name in ("SCIATICA_DB_PATH", "SCIATICA_DYNAMODB_TABLE", "SCIATICA_PROFILE",
                 "PYTHONPATH", "PYTHONSTARTUP"):
        env.pop(name, None)
    env["AWS_LAMBDA_FUNCTION_NAME"] = "sciatica-check-bench"
    env["PYTHONPATH"] = str(ROOT)   # the skill package beside these benchmarks, installed or not
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # the warm-up run caches .pyc, as a package should
    return env


def _run(side: str, event: str, env: dict) -> dict:
    module, folder = SIDES[side]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD.format(module=module), event],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"cold start of {side} failed:\n{done.stderr[-2000:]}")
    inside = json.loads(done.stdout.strip().splitlines()[-1])
    return {"wall": wall, **inside}


def measure(runs: int) -> dict:
    env = lambda_environment()
    event = json.dumps(envelope(launch(), new=True))
    for side in SIDES:                     # once each, unmeasured: warm the OS file cache
        _run(side, event, env)
    samples: Dict[str, List[dict]] = {side: [] for side in SIDES}
    for _ in range(runs):
        for side in SIDES:
            samples[side].append(_run(side, event, env))
    interpreter = []
    for _ in range(max(3, runs // 3)):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True, timeout=60)
        interpreter.append(time.perf_counter() - started)
    result = {side: {key: median([run[key] for run in runs_])
                     for key in ("wall", "import", "first_request")}
              for side, runs_ in samples.items()}
    result["interpreter"] = median(interpreter)
    result["runs"] = runs
    result["extra_imports"] = extra_imports(env, event)
    return result


def _importtime(side: str, env: dict, event: str) -> Dict[str, int]:
    module, folder = SIDES[side]
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", CHILD.format(module=module),
                           event], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=120)
    selves = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            selves[match.group(2)] = int(match.group(1))
    return selves


def extra_imports(env: dict, event: str, top: int = 8) -> List[tuple]:
    """Top-level packages the project imports and the baseline does not, by import time (µs,
    the modules' own time summed per package), during import plus the first request."""
    ours = _importtime("project", env, event)
    theirs = _importtime("baseline", env, event)
    by_package: Dict[str, int] = defaultdict(int)
    for name, micros in ours.items():
        if name not in theirs:
            by_package[name.split(".")[0]] += micros
    return sorted(by_package.items(), key=lambda item: -item[1])[:top]
