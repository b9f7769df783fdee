"""Real-data benchmark (``make bench-real``, opt-in): the General Debate archive end to end.

Ingests the UN General Debate archive in ``../shared/data`` into a fresh store with the ``unga``
taxonomy, runs every stage, validates each session against that session's UN votes, writes the
report, and prints per stage the wall time and the peak resident memory. Each stage runs in its
own process (so its peak is its own, not the largest so far), in order, on the same store: the
numbers are what a new user's ``ingest-ungdc`` then ``run`` costs, stage by stage.

The embedding stage is set beside a bare ``SentenceTransformer.encode`` (fp32, batch 32, all
texts in one call: the reference of the README's performance table) of the same paragraphs, in
the same run.

Long on 2 cores (the whole archive is about 42,000 segments): ``--years 2013`` runs one session
(about 3,800 segments) and extrapolates the time linearly to the whole archive, saying so.

Usage: python benchmarks/bench_real.py [--years 2013-2019] [--store DIR] [--skip-encode]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import SHARED_DATA, format_table, peak_rss_mb, write_result

ARCHIVE = SHARED_DATA / "ungdc_2013-2024_no2017.tar.gz"
STAGES = ("ingest", "segment", "embed", "bare_encode", "annotate", "topics", "analyze",
          "validate", "report")
NLP_STAGES = ("segment", "embed", "annotate", "topics", "analyze")
WHOLE_ARCHIVE_SEGMENTS = 42_006
"""Segments of the whole archive (2,129 speeches), for the extrapolation of partial runs."""


def _config() -> Any:
    from pipelines.settings import AnalysisConfig, PipelineConfig

    return PipelineConfig(analysis=AnalysisConfig(taxonomy="unga"))


def run_stage(stage: str, db: str, years: str, out: str) -> dict[str, Any]:
    """One stage in this process; returns its details (time and peak memory added by main)."""
    from pipelines.stages import text as stages

    config = _config()
    if stage == "ingest":
        from corpora.ungdc import ingest_ungdc, parse_years
        from pipelines.store.storage import open_store

        with open_store(db) as store:
            report = ingest_ungdc(ARCHIVE, store, run_id="bench-real",
                                  years=parse_years(years) if years else None)
        return {"ingested": report.ingested, "quarantined": len(report.quarantine)}
    if stage == "segment":
        return stages.segment_new_statements(db, config)
    if stage == "embed":
        return stages.embed_new_segments(db, config)
    if stage == "bare_encode":
        return bare_encode(db)
    if stage == "annotate":
        return stages.annotate_segments(db, config)
    if stage == "topics":
        return stages.discover_corpus_topics(db, config)
    if stage == "analyze":
        from pipelines.stages.analysis import run_analysis

        return run_analysis(db, config)
    if stage == "validate":
        from pipelines.stages.vote_sessions import store_session_validation, validate_sessions
        from pipelines.store.storage import open_store

        with open_store(db) as store:
            document = validate_sessions(
                store, votes=SHARED_DATA / "unvotes_votes.csv.gz",
                roll_calls=SHARED_DATA / "unvotes_roll_calls.csv.gz",
                issues=SHARED_DATA / "unvotes_roll_call_issues.csv",
                groups=SHARED_DATA / "country_blocks_membership.csv", config=config)
            store_session_validation(store, document)
        return {"sessions": document["sessions"], "summary": document["summary"],
                "movers": document["movers"]}
    if stage == "report":
        from pipelines.stages.report_writer import write_report

        written = write_report(db, out, config=config)
        return {"files": written["files"]}
    raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")


def bare_encode(db: str) -> dict[str, Any]:
    """The same paragraphs as the embedding stage, through a plain fp32 ``encode`` call."""
    from sentence_transformers import SentenceTransformer

    from nlp.embeddings import default_model_path
    from pipelines.store.storage import open_store

    with open_store(db, read_only=True) as store:
        texts = [r[0] for r in store.con.execute(
            "SELECT DISTINCT g.text FROM segments g WHERE g.kind = 'substantive' "
            "ORDER BY g.text").fetchall()]
    model = SentenceTransformer(str(default_model_path()), device="cpu")
    started = time.perf_counter()
    model.encode(texts, batch_size=32, normalize_embeddings=True)
    return {"texts": len(texts), "encode_seconds": round(time.perf_counter() - started, 3)}


def child(stage: str, db: str, years: str, out: str) -> dict[str, Any]:
    """Run ``stage`` in a fresh process; its wall time and own peak memory."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--stage", stage, "--db", db, "--years", years,
         "--out", out], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"stage {stage} failed:\n{result.stderr[-3000:]}")
    document = json.loads(result.stdout.strip().splitlines()[-1])
    return {"stage": stage, "seconds": round(seconds, 2), **document}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", default="", help="e.g. 2013 or 2013-2019 (default: all)")
    parser.add_argument("--store", default="", help="folder for the store and the report "
                        "(default: a temporary folder, removed afterwards)")
    parser.add_argument("--skip-encode", action="store_true",
                        help="do not time the bare encode (saves the embedding time again)")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:  # the child side
        details = run_stage(args.stage, args.db, args.years, args.out)
        print(json.dumps({"peak_mb": round(peak_rss_mb(), 1), "details": details},
                         default=str))
        return 0
    if not ARCHIVE.is_file():
        print(f"bench_real: the archive {ARCHIVE} is not here (only development machines and "
              "CI have ../shared/data); nothing to measure", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.store or tmp)
        root.mkdir(parents=True, exist_ok=True)
        db = str(root / "ungdc.duckdb")
        if Path(db).exists():
            raise SystemExit(f"{db} exists; bench_real needs a fresh store")
        results = [child(stage, db, args.years, str(root / "report"))
                   for stage in STAGES if not (stage == "bare_encode" and args.skip_encode)]
    summarise(results, args.years)
    return 0


def summarise(results: list[dict[str, Any]], years: str) -> None:
    by_stage = {r["stage"]: r for r in results}
    pipeline = [r for r in results if r["stage"] != "bare_encode"]
    total = sum(r["seconds"] for r in pipeline)
    embed = by_stage["embed"]["seconds"]
    non_embedding = sum(r["seconds"] for r in pipeline if r["stage"] in NLP_STAGES
                        and r["stage"] != "embed")
    nlp_total = sum(r["seconds"] for r in pipeline if r["stage"] in NLP_STAGES)
    segments = by_stage["segment"]["details"].get("segments", 0)
    rows = [(r["stage"], r["seconds"], r["peak_mb"]) for r in results]
    print(format_table(rows, ["stage", "seconds", "peak MiB"]))
    payload: dict[str, Any] = {
        "years": years or "all", "segments": segments, "stages": results,
        "total_seconds": round(total, 2), "peak_mb": max(r["peak_mb"] for r in results),
        "non_embedding_share_of_nlp_run": round(non_embedding / nlp_total, 4)
        if nlp_total else None}
    if "bare_encode" in by_stage:
        bare = by_stage["bare_encode"]["details"]["encode_seconds"]
        payload["embed_vs_bare_encode"] = round(bare / embed, 3) if embed else None
        print(f"embedding stage {embed:.1f} s vs bare fp32 encode {bare:.1f} s of the same "
              f"paragraphs: {payload['embed_vs_bare_encode']}x")
    print(f"peak memory of any stage: {payload['peak_mb']:.0f} MiB; non-embedding stages: "
          f"{payload['non_embedding_share_of_nlp_run']:.0%} of segment..analyze")
    if years and segments:
        factor = WHOLE_ARCHIVE_SEGMENTS / segments
        payload["extrapolated_whole_archive_seconds"] = round(total * factor, 1)
        print(f"partial run ({years}, {segments} segments): the whole archive "
              f"({WHOLE_ARCHIVE_SEGMENTS} segments) would take about {total * factor:.0f} s "
              "if time grows linearly (an extrapolation, not a measurement)")
    validation = by_stage.get("validate", {}).get("details", {})
    if validation.get("summary"):
        print("vote validation:", json.dumps(validation["summary"]))
    write_result("bench_real", payload)


if __name__ == "__main__":
    sys.exit(main())
