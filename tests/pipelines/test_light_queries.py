"""Read-only commands import nothing heavy (issue 15, item 7): no torch, spaCy, scikit-learn,
sentence-transformers or Prefect, so a query costs about what ``status`` costs. Each command runs
in a fresh interpreter, which then lists the heavy modules it loaded. The timings themselves are
a benchmark (``benchmarks/bench_queries.py``), not a test."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "spacy", "sklearn", "sentence_transformers", "transformers", "prefect",
         "prefect_dask", "thinc")
PROBE = f"""
import json, sys
sys.argv = ["likeminded", *json.loads(sys.argv[1])]
from pipelines.cli import main
code = 0
try:
    main()
except SystemExit as done:
    code = done.code or 0
heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)
sys.stderr.write("\\nPROBE " + json.dumps({{"code": code, "heavy": heavy}}) + "\\n")
"""


def loaded(args: list[str]) -> dict:
    """Run ``likeminded ARGS`` in a fresh interpreter; its exit status and heavy modules."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("LIKEMINDED_DEBUG", None)
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True,
                          text=True, env=env, timeout=300, cwd=ROOT)
    line = [x for x in done.stderr.splitlines() if x.startswith("PROBE ")]
    assert line, done.stderr
    return json.loads(line[-1].removeprefix("PROBE "))


@pytest.mark.parametrize("args", [["--help"], ["partners", "--help"], ["export", "--help"]],
                         ids=" ".join)
def test_help_imports_nothing_heavy(args):
    assert loaded(args) == {"code": 0, "heavy": []}


@pytest.mark.parametrize("args", [
    ["status"], ["partners", "KEN"], ["partners", "ESTT"], ["coalitions"], ["convergence"],
    ["issues"], ["export", "--what", "positions"]], ids=" ".join)
def test_read_only_commands_import_nothing_heavy(args, analysed, tmp_path):
    if args[0] == "export":
        args = [*args, "--out", str(tmp_path / "positions.csv")]
    result = loaded([*args, "--db", analysed["db"]] if args[0] != "issues" else args)
    assert result["heavy"] == []
    # a typo is a one-line error (exit 1); every other query succeeds
    assert result["code"] == (1 if "ESTT" in args else 0)
