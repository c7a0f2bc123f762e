"""Fixtures: checked content, a real skill, and a conversation driven by JSON envelopes."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from skill.app import build_skill
from skill.content import load_content

sys.path.insert(0, str(Path(__file__).parent))

from dialog import Dialog  # noqa: E402


@pytest.fixture(scope="session")
def content():
    return load_content("en-US")


@pytest.fixture(scope="session")
def skill():
    return build_skill()


@pytest.fixture
def dialog(skill):
    """A fresh en-US conversation through the real skill, as Alexa would drive it."""
    return Dialog(skill)
