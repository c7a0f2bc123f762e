"""Where things are: the only place in skill/ that works out paths from its own file.

The repository root is the directory above this package. In an installed copy (pip install .,
the Lambda zip) only the package's own data is there: CONTENT_DIR always exists; the others
exist in a source checkout, which is where the tools that read them run.
"""
from __future__ import annotations

from pathlib import Path

SKILL_DIR = Path(__file__).resolve().parent
REPO_ROOT = SKILL_DIR.parent
CONTENT_DIR = SKILL_DIR / "content"                       # the words: YAML, APL, their loader
MODEL_DIR = REPO_ROOT / "interaction_model"               # generated ASK interaction models
SAFETY_DIR = REPO_ROOT / "safety"                         # hazard log, reviewed-content snapshot
TESTS_DIR = REPO_ROOT / "tests"                           # named by the hazard log; paraphrases
