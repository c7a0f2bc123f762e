"""Fixtures: checked content, a real skill, and a conversation driven by JSON envelopes."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

# Every skill the tests build (in process or in a subprocess) keeps remembered users in a
# throw-away database, never in the developer's own data directory.
os.environ["SCIATICA_DB_PATH"] = str(Path(tempfile.mkdtemp(prefix="sciatica-test-")) / "memory.sqlite3")
os.environ.pop("SCIATICA_PROFILE", None)
os.environ.pop("SCIATICA_DYNAMODB_TABLE", None)

from skill.alexa.app import build_skill
from skill.content.loader import load_content

sys.path.insert(0, str(Path(__file__).parent))

from dialog import Dialog  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def load_lambda_handler():
    """lambda/lambda_function.py's handler, loaded the way Lambda loads it (by file)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("lambda_function",
                                                  ROOT / "lambda" / "lambda_function.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


@pytest.fixture(scope="module")
def lambda_handler():
    return load_lambda_handler()


@pytest.fixture(scope="session")
def content():
    return load_content("en-US")


@pytest.fixture(scope="session")
def skill():
    return build_skill()


@pytest.fixture
def database(tmp_path):
    """A throw-away SQLite file for a test's own store."""
    return tmp_path / "memory.sqlite3"


@pytest.fixture
def dialog(skill):
    """A fresh en-US conversation through the real skill, as Alexa would drive it."""
    return Dialog(skill)
