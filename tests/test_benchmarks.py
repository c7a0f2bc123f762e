"""The benchmarks run, end to end, with tiny counts: a smoke test, not a timing assertion."""
import json
import math
import subprocess
import sys
from pathlib import Path

from skill.content.loader import available_locales, load_content

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))   # benchmarks/ is not installed: it runs from the tree


def test_percentiles_and_medians():
    from benchmarks.common import median, percentile

    values = [5, 1, 4, 2, 3]
    assert median(values) == 3 and median([1, 2, 3, 4]) == 2.5
    assert percentile(values, 0.99) == 5 and percentile(values, 0.5) == 3
    assert percentile(list(range(1, 1001)), 0.99) == 990


def test_a_quick_run_measures_everything_and_stops_by_itself(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--duration", "1", "--users", "3",
         "--requests", "60", "--cold-runs", "1", "--sessions", "60", "--no-espeak",
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| measure | baseline | Sciatica Check | ratio |" in done.stdout
    results = json.loads(out.read_text())

    for side in ("project", "baseline"):
        assert results["in_process"][side]["median"] > 0
        assert results["cold_start"][side]["wall"] > results["cold_start"]["interpreter"] * 0.5
    for name in ("baseline", "project", "project_verified"):
        assert results[f"http_{name}"]["errors"] == 0
        load = results[f"rps_{name}"]
        assert load["errors"] == 0, load["error_samples"]
        assert load["requests"] > 0 and math.isfinite(load["p99"])
    assert results["rps_project"]["conversations"] >= 1      # at least one whole screen
    for side in ("baseline", "project"):
        memory = results["memory"][side]
        assert sorted(int(k) for k in memory["rss_kib"]) == [6, 60]
    assert results["memory"]["project"]["outcomes"] == {"emergency": 60}

    wyoming = results["wyoming"]
    assert wyoming["in_process"]["wyoming"]["median"] > 0 and wyoming["sequential"]["n"] > 0
    assert wyoming["load"]["errors"] == 0 and wyoming["load"]["turns"] > 0
    assert "Wyoming turns/s under load" in done.stdout

    conversation = {row["locale"]: row for row in results["conversation"]}
    assert sorted(conversation) == sorted(available_locales())
    for locale, row in conversation.items():
        assert row["answers_to_outcome"] == len(load_content(locale).screen_questions)
        assert row["cauda_equina_extra_turns"] and set(row["cauda_equina_extra_turns"]) == {0}
        assert row["words_per_turn_max"] >= row["words_per_turn_mean"] > 0
