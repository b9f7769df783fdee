"""Query benchmark: each read-only command against ``likeminded status`` on the same store.

A query should cost about what ``status`` costs (issue 15: within 2x), since it reads a few
tables and imports nothing heavy. Each command runs ``REPEATS`` times in a fresh interpreter
(as a user would run it); the table gives the median wall time, the median CPU time of the
child process (steadier than wall time on a busy machine) and both as a ratio to ``status``.

The store: ``--db PATH`` if given, else the demo store (``make demo``: data/demo/likeminded.duckdb)
if it exists, else two sessions of the sample corpus analysed here (a few minutes, not timed).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import ROOT, SAMPLE, format_table, write_result

REPEATS = 5
DEMO = ROOT / "data" / "demo" / "likeminded.duckdb"
SESSIONS = ["oewg-2023-5", "oewg-2024-8"]


def commands(db: str, out: str, state: str) -> list[tuple[str, list[str]]]:
    return [("status", ["status", "--db", db]),
            ("help (--help)", ["--help"]),
            (f"partners {state}", ["partners", state, "--db", db]),
            ("partners ESTT (typo)", ["partners", "ESTT", "--db", db]),
            ("coalitions", ["coalitions", "--db", db]),
            ("convergence", ["convergence", "--db", db]),
            ("export --what positions",
             ["export", "--what", "positions", "--db", db, "--out", out])]


def build_store(db: Path, root: Path) -> None:
    """Two sessions of the sample corpus through every stage (stage functions, no Prefect)."""
    from corpora.ingest import ingest_folder
    from pipelines.settings import PipelineConfig
    from pipelines.stages.analysis import run_analysis
    from pipelines.stages.text import (
        annotate_segments,
        discover_corpus_topics,
        embed_new_segments,
        segment_new_statements,
    )
    from pipelines.store.storage import open_store

    corpus = root / "corpus"
    for session in SESSIONS:
        shutil.copytree(SAMPLE / session, corpus / session)
    config = PipelineConfig()
    with open_store(db) as store:
        ingest_folder(corpus, store, run_id="bench")
    for stage in (segment_new_statements, embed_new_segments, annotate_segments,
                  discover_corpus_topics, run_analysis):
        stage(str(db), config)


def run_once(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and exit status of one fresh ``likeminded``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], env=env, cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an analysed store (default: the demo store, else built)")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if options.db:
            db, source = Path(options.db), options.db
        elif DEMO.exists():
            db, source = DEMO, "demo store (make demo)"
        else:
            db, source = root / "queries.duckdb", f"sample corpus, sessions {', '.join(SESSIONS)}"
            build_store(db, root)
        from pipelines.store.storage import open_store

        with open_store(db, read_only=True) as store:
            state = store.con.execute("SELECT state FROM positions GROUP BY state "
                                      "ORDER BY count(*) DESC, state LIMIT 1").fetchall()[0][0]
        rows, results = [], {}
        for name, args in commands(str(db), str(root / "positions.csv"), state):
            runs = [run_once(args) for _ in range(options.repeats)]
            results[name] = {"wall_s": statistics.median(r[0] for r in runs),
                             "cpu_s": statistics.median(r[1] for r in runs),
                             "exit": sorted({r[2] for r in runs})}
        base = results["status"]
        for name, r in results.items():
            r["wall_ratio"] = r["wall_s"] / base["wall_s"]
            r["cpu_ratio"] = r["cpu_s"] / base["cpu_s"]
            rows.append((name, r["wall_s"], r["cpu_s"], r["wall_ratio"], r["cpu_ratio"],
                         ",".join(map(str, r["exit"]))))
    print(f"store: {source}; median of {options.repeats} fresh processes each")
    print(format_table(rows, ["command", "wall s", "cpu s", "wall / status", "cpu / status",
                              "exit"]))
    worst = max(r["cpu_ratio"] for r in results.values())
    print(f"slowest query: {worst:.2f}x status in CPU time (target: <= 2x)")
    write_result("queries", {"store": source, "repeats": options.repeats,
                             "commands": results, "worst_cpu_ratio": worst})


if __name__ == "__main__":
    main()
