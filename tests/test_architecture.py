"""The house rules of skill/ (ARCHITECTURE.md), read from the source with `ast`: rooms import one
way, no module imports itself round a cycle, the core never loads the ASK SDK, and a newcomer
finds a short top level, a docstring on every room and no unexplained long file."""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKILL = ROOT / "skill"

# Higher imports lower, never the other way, and rooms on one level do not import each other:
# tools -> {alexa, review, wyoming} -> {memory, language} -> conversation -> content.
LEVEL = {"content": 0, "conversation": 1, "memory": 2, "language": 2, "alexa": 3, "review": 3,
         "wyoming": 3, "tools": 4}
EVERYONE_MAY_IMPORT = {"skill", "skill._paths"}   # the package itself and where things are
LONG_FILE_NOTE = "Why over 300 lines:"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict:
    return {module_name(path): path for path in sorted(SKILL.rglob("*.py"))
            if "__pycache__" not in path.parts}


def imports_of(path: Path, modules: dict) -> set:
    """Every skill module `path` imports, at the top, inside functions or for type checking:
    a cycle that only closes when a function runs is still a cycle."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; skill/ uses absolute imports"
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in modules else node.module)
    return {name for name in found if name == "skill" or name.startswith("skill.")}


@pytest.fixture(scope="module")
def graph() -> dict:
    modules = all_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}


def room_of(module: str):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LEVEL else None


def allowed(importer: str, imported: str) -> bool:
    if imported in EVERYONE_MAY_IMPORT:
        return True
    here, there = room_of(importer), room_of(imported)
    if here is None or there is None:
        return False          # a module outside the rooms imports, or is imported: name it here
    return here == there or LEVEL[there] < LEVEL[here]


def find_cycle(graph: dict):
    """One import cycle as a list of modules (first == last), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {name: WHITE for name in graph}
    stack: list = []

    def visit(name):
        colour[name] = GREY
        stack.append(name)
        for other in sorted(graph.get(name, ())):
            if other not in colour:
                continue
            if colour[other] == GREY:
                return stack[stack.index(other):] + [other]
            if colour[other] == WHITE:
                cycle = visit(other)
                if cycle:
                    return cycle
        stack.pop()
        colour[name] = BLACK
        return None

    for name in sorted(graph):
        if colour[name] == WHITE:
            cycle = visit(name)
            if cycle:
                return cycle
    return None


def test_every_import_runs_down_the_rooms(graph):
    against = sorted(f"{importer} imports {imported}" for importer, targets in graph.items()
                     for imported in targets if not allowed(importer, imported))
    assert not against, "\n".join(against)


def test_every_module_lives_in_a_room(graph):
    assert {name for name in graph if room_of(name) is None} == EVERYONE_MAY_IMPORT


def test_no_import_cycles_in_skill(graph):
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_finder_finds_a_cycle_and_the_direction_check_refuses_an_upward_import():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert not allowed("skill.conversation.triage", "skill.alexa.speech")
    assert not allowed("skill.memory.store", "skill.language.nlu")      # one level: no sideways
    assert not allowed("skill.alexa.app", "skill.review.hazards")
    assert not allowed("skill.wyoming.turns", "skill.alexa.speech")       # siblings: no sideways
    assert not allowed("skill.alexa.handlers", "skill.wyoming.turns")
    assert allowed("skill.tools.cli", "skill.content.loader")
    assert allowed("skill.content.loader", "skill._paths")


def test_importing_the_conversation_core_loads_no_ask_sdk_module():
    """In a fresh interpreter: what the core imports, and what that imports, is not the SDK."""
    modules = sorted(name for name in all_modules() if name.startswith("skill.conversation"))
    program = ("import importlib, json, sys\n"
               f"for name in {modules!r}: importlib.import_module(name)\n"
               "print(json.dumps(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    # turn.py is the whole patient turn a second voice platform calls (issue 19).
    assert {"skill.conversation.triage", "skill.conversation.turn",
            "skill.content.loader"} <= set(loaded)
    assert not [name for name in loaded if name.startswith(("ask_sdk", "flask"))]


def test_skill_has_at_most_three_modules_at_its_top_level():
    assert len(list(SKILL.glob("*.py"))) <= 3, sorted(p.name for p in SKILL.glob("*.py"))


@pytest.mark.parametrize("room", sorted(LEVEL))
def test_each_room_says_in_three_lines_what_lives_there_and_what_it_may_import(room):
    doc = ast.get_docstring(ast.parse((SKILL / room / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc.strip().splitlines()) == 3, doc
    assert "May import:" in doc.splitlines()[-1]


def test_a_file_over_300_lines_says_why_at_its_top():
    unexplained = []
    for path in sorted(SKILL.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if len(text.splitlines()) > 300 and LONG_FILE_NOTE not in doc:
            unexplained.append(path.relative_to(ROOT).as_posix())
    assert not unexplained, f"add '{LONG_FILE_NOTE} ...' to the docstring of: {unexplained}"


def test_the_module_paths_the_docs_cite_exist():
    """The hazard log, the README and ARCHITECTURE.md name modules by path: after a move they
    must still point at something."""
    missing = []
    for doc in ("safety/hazard-log.yaml", "README.md", "ARCHITECTURE.md", "safety/README.md"):
        for cited in re.findall(r"\bskill/[\w/]+\.py\b", (ROOT / doc).read_text(encoding="utf-8")):
            if not (ROOT / cited).exists():
                missing.append(f"{doc}: {cited}")
    assert not missing, missing


def third_party_imports(path: Path) -> set:
    """The top-level names of every module `path` imports that is not the skill's own."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found - {"skill"}


def test_the_wyoming_adapter_imports_neither_alexa_nor_the_ask_sdk(graph):
    """The second voice platform reaches the core the way Alexa does, not through Alexa: no
    skill.alexa module, and no ask_sdk import of its own (the store's is memory/'s business)."""
    wyoming = sorted(name for name in graph if room_of(name) == "wyoming")
    assert "skill.wyoming.service" in wyoming and "skill.wyoming.turns" in wyoming
    assert not [f"{name} imports {other}" for name in wyoming for other in graph[name]
                if room_of(other) == "alexa"]
    modules = all_modules()
    direct = {name: third_party_imports(modules[name]) & {"ask_sdk_core", "ask_sdk_model",
                                                         "ask_sdk_runtime", "flask",
                                                         "flask_ask_sdk"}
              for name in wyoming}
    assert not {name: found for name, found in direct.items() if found}
