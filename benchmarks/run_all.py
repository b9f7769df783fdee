"""Run every benchmark script (``make bench``); each prints a table and writes JSON."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPT_IN = {"bench_real", "bench_gd_settings", "bench_gd_scaling"}
"""Opt-in: the whole General Debate archive (``make bench-real``), and settings and text scaling
chosen out of sample on an analysed store (``make bench-gd-settings GD_DB=...``, ``make
bench-gd-scaling GD_DB=...``; they need the store)."""


def main() -> int:
    failures = 0
    for script in sorted(p for p in HERE.glob("bench_*.py") if p.stem not in OPT_IN):
        print(f"== {script.stem} ==", flush=True)
        failures += subprocess.call([sys.executable, str(script)], cwd=HERE.parent) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
