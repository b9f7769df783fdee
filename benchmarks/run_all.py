"""Run every benchmark script (``make bench``); each prints a table and writes JSON."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPT_IN = {"bench_real"}


def main() -> int:
    failures = 0
    # bench_real (the whole General Debate archive) is opt-in: make bench-real
    for script in sorted(p for p in HERE.glob("bench_*.py") if p.stem not in OPT_IN):
        print(f"== {script.stem} ==", flush=True)
        failures += subprocess.call([sys.executable, str(script)], cwd=HERE.parent) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
