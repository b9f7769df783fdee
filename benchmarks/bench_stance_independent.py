"""Stance quality on the independent evaluation set, through the public ``analyze-text`` contract.

``--set dev`` scores the development set (``benchmarks/data/stance_dev.yaml``) instead: the set
to tune and calibrate on, written apart from both the seeds and the independent set. Its results
go to ``benchmarks/results/stance_dev.json``; the default (``--set independent``) is unchanged.

Feeds every item of ``benchmarks/data/stance_independent.yaml`` to ``likeminded analyze-text
--jsonl`` (a fresh store in a temporary folder, default configuration) and scores the answers with
:mod:`benchmarks.stance_eval`: accuracy (no side counts as wrong), coverage and neutral abstention,
by unit, issue, language and phenomenon. Nothing here is fitted on the set, and nothing may be.

Reading an answer: for an item on a contested issue, the prediction is the sign of the stance
returned for that issue (``null`` or 0 is "no side"). For an item on no contested issue
(``issue: null``), any side on any contested issue counts as not abstaining.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import ROOT, format_table, timer, write_result
from benchmarks.stance_eval import LANGS, SETS, UNITS, EvalItem, load_items, score_predictions
from benchmarks.stance_eval import format_table as format_metrics

TARGETS = {"sentence accuracy": 0.92, "paragraph accuracy": 0.90, "neutral abstention": 0.85}


def _sign(value: Any) -> int:
    if value is None or value == 0:
        return 0
    return 1 if value > 0 else -1


def predictions_from_answers(items: Sequence[EvalItem],
                             answers: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Map ``analyze-text`` output lines (in input order) to one predicted side per item."""
    if len(answers) != len(items):
        raise ValueError(f"analyze-text returned {len(answers)} lines for {len(items)} items")
    predictions = {}
    for item, answer in zip(items, answers, strict=True):
        stance = answer.get("stance") or {}
        if item.issue is not None:
            predictions[item.id] = _sign(stance.get(item.issue))
        else:
            predictions[item.id] = 1 if any(_sign(v) for v in stance.values()) else 0
    return predictions


def by_unit_and_language(items: Sequence[EvalItem],
                         predictions: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    """One :func:`score_predictions` ``overall`` cell per ``"unit/lang"`` present in the items."""
    cells = {}
    for unit in UNITS:
        for lang in LANGS:
            sub = [it for it in items if it.unit == unit and it.lang == lang]
            if sub:
                cells[f"{unit}/{lang}"] = score_predictions(
                    sub, {it.id: predictions[it.id] for it in sub})["overall"]
    return cells


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def run_analyze_text(items: Sequence[EvalItem], db: Path) -> list[dict[str, Any]]:
    """Run ``likeminded analyze-text --jsonl`` on the items' texts with this checkout's code."""
    script = Path(sys.executable).with_name("likeminded")
    command = ([str(script)] if script.exists()
               else [sys.executable, "-c", "from pipelines.cli.app import main; main()"])
    payload = "".join(json.dumps({"text": it.text}, ensure_ascii=False) + "\n" for it in items)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([*command, "analyze-text", "--jsonl", "--db", str(db)], input=payload,
                          capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"analyze-text failed ({done.returncode}): {done.stderr[-2000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Score one evaluation set (``--set dev|independent``, default independent); print tables.

    Args:
        argv: Command-line arguments (``sys.argv[1:]`` when ``None``; ``run_all`` passes none).

    Returns:
        The results written to ``benchmarks/results/stance_independent.json`` (or
        ``stance_dev.json`` for the development set).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="which", choices=sorted(SETS), default="independent",
                        help="dev: the tuning set; independent (default): the reporting set")
    args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:])
    items = load_items(SETS[args.which])
    with tempfile.TemporaryDirectory() as tmp, timer() as elapsed:
        answers = run_analyze_text(items, Path(tmp) / "stance_eval.duckdb")
    predictions = predictions_from_answers(items, answers)
    metrics = score_predictions(items, predictions)
    print(format_metrics(metrics))
    cells = by_unit_and_language(items, predictions)
    print()
    print(format_table([(key, c["n_positioned"], _rate(c["accuracy"]), _rate(c["coverage"]),
                         c["n_neutral"], _rate(c["neutral_abstention"]))
                        for key, c in cells.items()],
                       ["unit/language", "n_pos", "accuracy", "coverage", "n_neutral",
                        "abstention"]))
    unit = metrics["by_unit"]
    rows = [("sentence accuracy", unit["sentence"]["accuracy"], TARGETS["sentence accuracy"]),
            ("paragraph accuracy", unit["paragraph"]["accuracy"], TARGETS["paragraph accuracy"]),
            ("coverage (all positioned)", metrics["overall"]["coverage"], ""),
            ("neutral abstention", metrics["overall"]["neutral_abstention"],
             TARGETS["neutral abstention"])]
    print()
    print(format_table(rows, ["measure", "value", "target (issue 11)"]))
    results = {"set": args.which, "items": len(items), "seconds": round(elapsed(), 1),
               "metrics": metrics, "by_unit_lang": cells, "targets": TARGETS}
    if args.which == "dev":  # the tuning set: per-item answers are there to be studied
        results["predictions"] = predictions
    name = "stance_independent" if args.which == "independent" else f"stance_{args.which}"
    path = write_result(name, results)
    print(f"\nwrote {path}")
    return results


if __name__ == "__main__":
    main()
