"""python -m benchmarks: run every benchmark and print the results as tables.

Every performance figure is a ratio, Sciatica Check over benchmarks/baseline_skill.py, both
measured in this run on this machine. Everything runs on loopback, is bounded in time and
count, and stops by itself; the servers it starts are stopped on the way out."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

SECTIONS = ("latency", "coldstart", "throughput", "memory", "conversation", "wyoming")
TARGETS = {"latency": 1.5, "coldstart": 2.0, "rps": 500.0}


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="tiny counts and ~2 s of load: checks that everything runs")
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds of load per throughput run (default 30; quick 2)")
    parser.add_argument("--users", type=int, default=None,
                        help="concurrent simulated users (default 32; quick 4)")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn worker processes (default: one per core)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--requests", type=int, default=None,
                        help="requests per latency measurement (default 5000; quick 200)")
    parser.add_argument("--cold-runs", type=int, default=None,
                        help="cold starts per side (default 15; quick 2)")
    parser.add_argument("--sessions", type=int, default=None,
                        help="sessions for the memory run (default 10000; quick 300)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated subset of: {', '.join(SECTIONS)}")
    parser.add_argument("--no-espeak", action="store_true",
                        help="do not render the conversation with espeak-ng")
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    args = parser.parse_args(argv)
    quick = args.quick
    args.duration = args.duration if args.duration is not None else (2.0 if quick else 30.0)
    args.users = args.users or (4 if quick else 32)
    args.workers = args.workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                    else os.cpu_count() or 1)
    args.requests = args.requests or (200 if quick else 5000)
    args.cold_runs = args.cold_runs or (2 if quick else 15)
    args.sessions = args.sessions or (300 if quick else 10000)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="sciatica-bench-"))
    # The project's memory lives in a throw-away SQLite file (local profile), here and in every
    # server: never in anyone's data directory. Nothing else from the environment leaks in.
    os.environ["SCIATICA_DB_PATH"] = str(scratch / "memory.sqlite3")
    for name in ("SCIATICA_PROFILE", "SCIATICA_DYNAMODB_TABLE", "SCIATICA_SKILL_ID",
                 "AWS_LAMBDA_FUNCTION_NAME"):
        os.environ.pop(name, None)
    from benchmarks.common import machine

    results = {"machine": machine(), "settings": {
        key: getattr(args, key) for key in ("quick", "duration", "users", "workers", "threads",
                                            "requests", "cold_runs", "sessions")}}
    print(f"# Sciatica Check benchmarks ({'quick' if args.quick else 'full'} run)")
    info = results["machine"]
    print(f"machine: {info['nproc']} cores, {info['cpu']}, {info['implementation']} "
          f"{info['python']}, {info['date']}", flush=True)
    started = time.perf_counter()
    try:
        if "latency" in args.only:
            _step("in-process latency")
            from benchmarks import latency
            results["in_process"] = latency.in_process(args.requests)
        if "coldstart" in args.only:
            _step("cold start")
            from benchmarks import coldstart
            results["cold_start"] = coldstart.measure(args.cold_runs)
        if "latency" in args.only or "throughput" in args.only:
            results.update(_servers(args, scratch))
        if "memory" in args.only:
            _step("memory")
            results["memory"] = _memory(args.sessions, max(1, args.sessions // 10))
        if "conversation" in args.only:
            _step("conversation")
            results["conversation"] = _conversation(espeak=not args.no_espeak)
        if "wyoming" in args.only:
            _step("wyoming: the service against the Alexa path")
            from benchmarks import wyoming
            results["wyoming"] = wyoming.measure(args.requests, args.users, args.duration,
                                                 scratch / "wyoming.log")
    finally:
        results["seconds"] = time.perf_counter() - started
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))
    print()
    print(report(results))
    errors = sum(results.get(key, {}).get("errors", 0) for key in
                 ("rps_baseline", "rps_project", "rps_project_verified", "http_baseline",
                  "http_project", "http_project_verified"))
    errors += results.get("wyoming", {}).get("load", {}).get("errors", 0)
    if errors:
        print(f"\nFAILED: {errors} request(s) got a wrong answer or none; see the logs in "
              f"{scratch}", file=sys.stderr)
        return 1
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _step(name: str) -> None:
    print(f"... {name}", file=sys.stderr, flush=True)


def _servers(args, scratch: Path) -> dict:
    """Each server in turn: sequential HTTP latency, then the load run."""
    from benchmarks import latency, throughput
    from benchmarks.common import (Server, Signing, clean_screen_requests, envelope, intent,
                                   launch, reference_conversation)
    from skill.alexa.app import build_skill, handle_event
    from skill.content.loader import load_content

    out = {}
    signing = Signing(scratch / "trust")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                       env.get("PYTHONPATH")]))
    verified_env = {**env, "BENCH_TRUST_DIR": str(signing.folder)}

    skill = build_skill()
    content = load_content("en-US")
    screen = reference_conversation(lambda event: handle_event(skill, event),
                                    clean_screen_requests(content))
    if not screen[-1].ends or screen[-1].attributes_out.get("outcome") != "self_care":
        raise RuntimeError("the reference screen did not end in self-care")
    from benchmarks import baseline_skill
    launches = reference_conversation(lambda event: baseline_skill.lambda_handler(event, None),
                                      [launch()])
    mid = latency.mid_screen_envelope(lambda event: handle_event(skill, event))
    mid_attributes = mid["session"]["attributes"]

    def project_turn():
        return envelope(intent("AMAZON.NoIntent"), new=False, attributes=mid_attributes)

    expect_answered = lambda answer: answer["sessionAttributes"]["screen"]["answers"].get(  # noqa: E731
        latency.MEASURED_QUESTION) == "no"
    runs = [("baseline", "benchmarks.wsgi:baseline()", env, None,
             lambda: envelope(launch(), new=True), None, launches),
            ("project", "benchmarks.wsgi:project()", env, None, project_turn, expect_answered, screen),
            ("project_verified", "benchmarks.wsgi:project()", verified_env, signing,
             project_turn, expect_answered, screen)]
    for name, app, server_env, signer, make, expect, steps in runs:
        _step(f"server: {name}")
        with Server(app, server_env, args.workers, args.threads,
                    scratch / f"gunicorn-{name}.log") as server:
            if "latency" in args.only:
                out[f"http_{name}"] = latency.over_http(server.port, make, args.requests,
                                                        signer, expect)
            if "throughput" in args.only:
                out[f"rps_{name}"] = throughput.measured(
                    server.port, server.worker_pids, steps, users=args.users,
                    duration=args.duration, signing=signer)
    return out


def _memory(sessions: int, first: int) -> dict:
    out = {}
    for which in ("baseline", "project"):
        _step(f"memory: {which}, {sessions} sessions")
        done = subprocess.run([sys.executable, "-m", "benchmarks.memory", which, str(sessions),
                               str(first)], cwd=Path(__file__).resolve().parent.parent,
                              capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(f"memory run for {which} failed:\n{done.stderr[-2000:]}")
        out[which] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def _conversation(espeak: bool) -> list:
    from benchmarks import conversation
    from skill.alexa.app import build_skill, handle_event

    skill = build_skill()
    return conversation.measure(lambda event: handle_event(skill, event), espeak=espeak)


# --- the report ----------------------------------------------------------------------------

def _fmt(value, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "us":
        return f"{value * 1e6:.0f} µs"
    if unit == "ms":
        return f"{value * 1e3:.1f} ms"
    if unit == "rps":
        return f"{value:.0f}/s"
    if unit == "mib":
        return f"{value / 1024:.1f} MiB"
    if unit == "b":
        return f"{value:.0f} B"
    return f"{value}"


def report(results: dict) -> str:
    from benchmarks.common import ratio

    rows = []

    def row(measure, baseline, project, unit, target: Optional[float] = None,
            higher_is_better=False, note=""):
        value = ratio(project, baseline) if (baseline and project is not None) else None
        verdict = ""
        if target is not None and value is not None:
            verdict = "ok" if (value >= target if higher_is_better else value <= target) \
                else "MISSED"
        rows.append((measure, _fmt(baseline, unit), _fmt(project, unit),
                     "-" if value is None else f"{value:.2f}x",
                     "" if target is None else (f"≥ {target:g}x" if higher_is_better
                                                else f"≤ {target:g}x"), verdict, note))

    inp = results.get("in_process")
    if inp:
        row("in process: a screen turn, median", inp["baseline"]["median"],
            inp["project"]["median"], "us", TARGETS["latency"])
        row("in process: p99", inp["baseline"]["p99"], inp["project"]["p99"], "us",
            TARGETS["latency"])
        if "baseline_same_serializer" in inp:
            row("in process, median, vs the baseline given the same serializer",
                inp["baseline_same_serializer"]["median"], inp["project"]["median"], "us",
                note="what the skill adds (skill/alexa/serializer.py speeds both)")
    hb, hp, hv = (results.get(f"http_{name}") for name in ("baseline", "project",
                                                            "project_verified"))
    if hb and hp:
        row("HTTP (gunicorn): a screen turn, median", hb["median"], hp["median"], "us",
            TARGETS["latency"])
        row("HTTP: p99", hb["p99"], hp["p99"], "us", TARGETS["latency"])
    if hp and hv:
        row("HTTP with signature check, median (vs without)", hp["median"], hv["median"], "us",
            note="cost of verification, chain cached")
    cold = results.get("cold_start")
    if cold:
        row("cold start: new process, import + first request", cold["baseline"]["wall"],
            cold["project"]["wall"], "ms", TARGETS["coldstart"],
            note=f"interpreter alone {cold['interpreter'] * 1e3:.0f} ms")
        row("  of which import", cold["baseline"]["import"], cold["project"]["import"], "ms")
        row("  of which first request", cold["baseline"]["first_request"],
            cold["project"]["first_request"], "ms")
    rb, rp, rv = (results.get(f"rps_{name}") for name in ("baseline", "project",
                                                           "project_verified"))
    if rb and rp:
        row("throughput, requests/s (whole screens)", rb["rps"], rp["rps"], "rps",
            note=f"project target ≥ {TARGETS['rps']:.0f}/s: "
                 f"{'ok' if rp['rps'] >= TARGETS['rps'] else 'MISSED'}")
        row("  p99 under load", rb["p99"], rp["p99"], "ms")
        row("  server CPU per request", rb["server_cpu_ms_per_request"] / 1e3,
            rp["server_cpu_ms_per_request"] / 1e3, "ms")
        row("  errors", rb["errors"], rp["errors"], "", note="must be 0")
    if rp and rv:
        row("throughput with signature check (vs without)", rp["rps"], rv["rps"], "rps",
            note=f"{rv['errors']} errors; server CPU/request "
                 f"{rv['server_cpu_ms_per_request']:.2f} ms")
    mem = results.get("memory")
    if mem:
        b, p = mem["baseline"], mem["project"]
        first, last = (int(k) for k in list(p["rss_kib"]))
        slope = {which: (int(m["rss_kib"][str(last)]) - int(m["rss_kib"][str(first)])) * 1024.0
                 / max(1, last - first) for which, m in mem.items()}
        row(f"worker RSS after {first} sessions", b["rss_kib"][str(first)],
            p["rss_kib"][str(first)], "mib")
        row(f"worker RSS after {last} sessions", b["rss_kib"][str(last)],
            p["rss_kib"][str(last)], "mib")
        rows.append((f"growth per session ({first} to {last})", _fmt(slope["baseline"], "b"),
                     _fmt(slope["project"], "b"), "-", "flat", "ok" if slope["project"] < 100
                     else "CHECK", f"{p['requests_per_session']} requests a session"))

    wy = results.get("wyoming")
    if wy:
        alexa = wy["in_process"]["alexa"]
        row("Wyoming in process: a screen turn (NLU + core), median, vs Alexa's",
            alexa["median"], wy["in_process"]["wyoming"]["median"], "us",
            note="baseline column: the Alexa path in process")
        row("Wyoming over TCP (a connection a turn), median, vs Alexa in process",
            alexa["median"], wy["sequential"]["median"], "us")
        load = wy["load"]
        rows.append(("Wyoming turns/s under load (whole screens)", "-",
                     _fmt(load["turns_per_second"], "rps"), "-", "", "",
                     f"{load['users']} clients, one worker thread; p99 "
                     f"{_fmt(load['p99'], 'ms')}; {load['screens']} screens; "
                     f"{load['errors']} errors (must be 0)"))
    lines = ["| measure | baseline | Sciatica Check | ratio | target | | note |",
             "| --- | ---: | ---: | ---: | --- | --- | --- |"]
    lines += ["| " + " | ".join(str(cell) for cell in line) + " |" for line in rows]
    if cold and cold.get("extra_imports"):
        lines.append("")
        lines.append("Imported at cold start by the project and not the baseline (own import "
                     "time per package): " + ", ".join(f"{name} {micros / 1000:.1f} ms"
                                                       for name, micros in cold["extra_imports"]))
    conv = results.get("conversation")
    if conv:
        lines += ["", "Conversation (spoken time at 150 words a minute plus SSML breaks; "
                      "'911' counts as three words):", "",
                  "| locale | turns | words/turn mean | median | max | seconds/turn median | max | "
                  "answers to outcome (clean) | spoken to outcome | warning signs first heard | "
                  "whole session | espeak-ng audio | extra turns after a cauda equina yes | "
                  "to the action: emergency (yes at question 1), urgent (fever), soon (weight loss) |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
                  "---: | --- | --- |"]
        for c in conv:
            espeak = "-" if c["espeak_seconds_whole_session"] is None \
                else f"{c['espeak_seconds_whole_session']:.0f} s"
            extra = c["cauda_equina_extra_turns"]
            verdict = "0 (ok)" if extra and all(e == 0 for e in extra) else f"{extra} (MISSED)"
            warning = "never" if c["seconds_to_warning_signs"] is None \
                else f"{c['seconds_to_warning_signs']:.0f} s"
            lines.append(f"| {c['locale']} | {c['turns']} | {c['words_per_turn_mean']:.0f} | "
                         f"{c['words_per_turn_median']:.0f} | {c['words_per_turn_max']} | "
                         f"{c['seconds_per_turn_median']:.0f} s | "
                         f"{c['seconds_per_turn_max']:.0f} s | {c['answers_to_outcome']} | "
                         f"{c['seconds_to_outcome']:.0f} s | {warning} | "
                         f"{c['seconds_whole_session']:.0f} s | {espeak} | {verdict} | "
                         f"{_actions(c.get('seconds_to_action') or {})} |")
    settings = results.get("settings", {})
    lines += ["", f"Load: {settings.get('users')} users, {settings.get('duration')} s per run, "
                  f"gunicorn {settings.get('workers')} workers x {settings.get('threads')} "
                  f"threads (gthread); memory in a throw-away SQLite file (local profile). "
                  f"Took {results.get('seconds', 0):.0f} s."]
    return "\n".join(lines)


def _actions(seconds: dict) -> str:
    return ", ".join(f"{seconds[name]:.0f} s" if seconds.get(name) is not None else "never"
                     for name in ("emergency", "urgent", "soon"))
