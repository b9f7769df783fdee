"""Where a ``run`` spends its time, beside a bare fp32 encode of the same paragraphs.

One General Debate session from ``../shared/data`` (2013 unless ``--years`` says otherwise) is
ingested once into a template store. Then, ``--repeat`` times (default 2), in the same benchmark:

1. ``likeminded run --taxonomy unga --json`` on a fresh copy of the template, in its own process
   (what a user waits for: imports, Prefect's start-up, every stage, the report), with the
   run's own timings (Prefect start-up and each stage) read from its JSON summary;
2. a bare ``SentenceTransformer.encode`` (fp32, batch 32, all texts in one call, the reference of
   ``bench_real``) of the same paragraphs, in its own process, timing the encode call alone.

Prints each step's seconds and share of the run, and the ratio run / bare encode (the issue's
target: at most 0.6). Skips, saying so, when the archive is absent.

Usage: python benchmarks/bench_run_stages.py [--years 2013] [--repeat 2]
"""

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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import ROOT, SHARED_DATA, format_table, write_result

ARCHIVE = SHARED_DATA / "ungdc_2013-2024_no2017.tar.gz"
TARGET_RATIO = 0.6


def ingest_template(db: Path, years: str, speeches: int | None = None) -> int:
    """Ingest the session(s) into a new store, keeping the first ``speeches`` (by id) when
    given; returns the number of statements."""
    from corpora.ungdc import ingest_ungdc, parse_years
    from pipelines.store.storage import open_store

    with open_store(db) as store:
        ingest_ungdc(ARCHIVE, store, run_id="bench-run-stages", years=parse_years(years))
        if speeches is not None:
            store.con.execute("DELETE FROM statements WHERE id NOT IN (SELECT id FROM "
                              "statements ORDER BY id LIMIT ?)", [speeches])
        return store.count_statements()


def timed_run(template: Path, work: Path) -> dict[str, Any]:
    """``likeminded run`` on a copy of the template in a fresh process."""
    work.mkdir(parents=True)
    db = work / "store.duckdb"
    shutil.copy(template, db)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_HOME": str(work / "prefect")}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--db", str(db), "--taxonomy", "unga",
         "--out", str(work / "out"), "--json"], capture_output=True, text=True, env=env,
        cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"run failed:\n{result.stderr[-3000:]}")
    document = json.loads(result.stdout)
    return {"process_seconds": seconds, "timings": document["timings"], "db": str(db),
            "segments": document["segment"]["segments"],
            "embedded": document["embed"]["new_embeddings"],
            "model_key": document["embed"]["model_key"]}


def bare_encode(db: str) -> dict[str, Any]:
    """Encode the store's distinct substantive paragraphs with a plain fp32 model (child)."""
    from sentence_transformers import SentenceTransformer

    from nlp.embeddings import default_model_path
    from pipelines.store.storage import open_store

    with open_store(db, read_only=True) as store:
        texts = [r[0] for r in store.con.execute(
            "SELECT DISTINCT text FROM segments WHERE kind = 'substantive' "
            "ORDER BY text").fetchall()]
    model = SentenceTransformer(str(default_model_path()), device="cpu")
    started = time.perf_counter()
    model.encode(texts, batch_size=32, normalize_embeddings=True)
    return {"texts": len(texts), "encode_seconds": time.perf_counter() - started}


def timed_bare_encode(db: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, "--bare-encode", db], capture_output=True,
                            text=True, cwd=ROOT, check=False,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    if result.returncode != 0:
        raise SystemExit(f"bare encode failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def rows_of(run: dict[str, Any], bare: float) -> list[tuple[str, float, str, str]]:
    """Table rows: each step's seconds, share of the run's process time and of the encode."""
    from pipelines.flows.timings import STAGES, other_seconds

    timings = run["timings"]
    whole = run["process_seconds"]
    steps = [("python start + imports", whole - timings["total"])]
    steps.append(("prefect start-up", timings["startup"] or 0.0))
    # the JSON summary sorts its keys: put the stages back in the order a run goes through them
    steps += sorted(timings["stages"].items(), key=lambda item: STAGES.index(item[0]))
    steps.append(("other (records, artifacts, task overhead)", other_seconds(timings)))
    rows = [(name, seconds, f"{seconds / whole:.1%}", f"{seconds / bare:.3f}")
            for name, seconds in steps]
    rows.append(("whole run (process)", whole, "100.0%", f"{whole / bare:.3f}"))
    rows.append(("bare fp32 encode", bare, f"{bare / whole:.1%}", "1.000"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", default="2013", help="session year(s), e.g. 2013")
    parser.add_argument("--repeat", type=int, default=2, help="repetitions (default 2)")
    parser.add_argument("--speeches", type=int, default=None,
                        help="keep only the first N speeches of the session (a quicker check)")
    parser.add_argument("--bare-encode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_encode:  # the child side
        print(json.dumps(bare_encode(args.bare_encode)))
        return 0
    if not ARCHIVE.is_file():
        print(f"bench_run_stages: skipped, the archive {ARCHIVE} is not here (only development "
              "machines and CI have ../shared/data)", file=sys.stderr)
        return 0
    repeats = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        template = root / "template.duckdb"
        statements = ingest_template(template, args.years, args.speeches)
        for n in range(args.repeat):
            run = timed_run(template, root / f"run{n}")
            bare = timed_bare_encode(run["db"])
            ratio = run["process_seconds"] / bare["encode_seconds"]
            print(f"-- repetition {n + 1}: {statements} speeches, {run['segments']} segments, "
                  f"{bare['texts']} distinct paragraphs ({run['model_key']})")
            print(format_table(rows_of(run, bare["encode_seconds"]),
                               ["step", "seconds", "share of run", "x bare encode"]))
            print(f"run / bare fp32 encode: {ratio:.3f} (target <= {TARGET_RATIO})", flush=True)
            repeats.append({"run_process_seconds": round(run["process_seconds"], 3),
                            "timings": run["timings"], "segments": run["segments"],
                            "texts": bare["texts"], "model_key": run["model_key"],
                            "bare_encode_seconds": round(bare["encode_seconds"], 3),
                            "ratio": round(ratio, 4)})
    write_result("bench_run_stages", {"years": args.years, "speeches": statements,
                                      "subset": args.speeches is not None,
                                      "target_ratio": TARGET_RATIO, "repeats": repeats})
    return 0


if __name__ == "__main__":
    sys.exit(main())
