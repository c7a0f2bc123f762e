"""Benchmarks for Sciatica Check, each a ratio against baseline_skill.py measured in the same run.

Run them with `./dev bench` (or `python -m benchmarks --help`); see benchmarks/README.md."""
