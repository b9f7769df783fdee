"""Prefect flows. Thin: each task opens the store, calls one library function, stores the result.

Task inputs are small (paths, ids, config models); retries are used only where I/O can fail
transiently. This is the only package that imports Prefect.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from corpora.ingest import folder_fingerprint, ingest_folder
from corpora.store import Store
from pipelines.settings import PipelineConfig, provenance


def new_run_id(kind: str) -> str:
    """A unique run id such as ``ingest-3f2a9c1d0b7e``."""
    return f"{kind}-{uuid.uuid4().hex[:12]}"


@task(name="ingest folder", retries=2, retry_delay_seconds=[1, 5])
def ingest_folder_task(folder: str, db: str, run_id: str, config: PipelineConfig) -> dict[str, Any]:
    """Ingest one folder of statements and return its report as a dict."""
    with Store(db) as store:
        report = ingest_folder(folder, store, run_id=run_id, max_bytes=config.ingest.max_bytes)
    return report.to_dict()


@task(name="record run start")
def start_run_task(db: str, run_id: str, kind: str, record: dict[str, Any]) -> None:
    with Store(db) as store:
        store.start_run(run_id, kind, record)


@task(name="record run end")
def finish_run_task(db: str, run_id: str, status: str, counts: dict[str, Any],
                    record: dict[str, Any], message: str = "") -> str:
    with Store(db) as store:
        corpus_hash = store.corpus_hash()
        record = {**record, "corpus_hash": corpus_hash,
                  "statements": store.count_statements()}
        store.finish_run(run_id, status=status, counts=counts, message=message,
                         provenance=record)
    return corpus_hash


def combine_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum per-folder ingest reports into one (lists concatenated, counts added)."""
    total: dict[str, Any] = {"folders": [r["root"] for r in reports]}
    for key in ("seen", "ingested", "new_versions", "unchanged", "duplicates", "quarantined",
                "ignored"):
        total[key] = sum(r[key] for r in reports)
    encodings: dict[str, int] = {}
    for report in reports:
        for name, count in report["encodings"].items():
            encodings[name] = encodings.get(name, 0) + count
    total["encodings"] = dict(sorted(encodings.items()))
    total["quarantine"] = [q for r in reports for q in r["quarantine"]]
    total["duplicate_files"] = [d for r in reports for d in r["duplicate_files"]]
    return total


@flow(name="ingest", log_prints=False)
def ingest_flow(folders: list[str], db: str, config: PipelineConfig | None = None,
                run_id: str | None = None) -> dict[str, Any]:
    """Ingest folders of statements into the store and record the run's provenance."""
    config = config or PipelineConfig()
    run_id = run_id or new_run_id("ingest")
    logger = get_run_logger()
    record = provenance(config=config, inputs={
        str(Path(f).resolve()): folder_fingerprint(f) for f in folders})
    start_run_task(db, run_id, "ingest", record)
    try:
        reports = [ingest_folder_task(folder, db, run_id, config) for folder in folders]
    except Exception as err:
        finish_run_task(db, run_id, "failed", {}, record, message=str(err))
        raise
    summary = combine_reports(reports)
    summary["run_id"] = run_id
    corpus_hash = finish_run_task(db, run_id, "completed", {"ingest": {
        k: summary[k] for k in ("seen", "ingested", "new_versions", "unchanged", "duplicates",
                                "quarantined", "ignored")}}, record)
    summary["corpus_hash"] = corpus_hash
    logger.info("ingested %d, unchanged %d, duplicates %d, quarantined %d",
                summary["ingested"], summary["unchanged"], summary["duplicates"],
                summary["quarantined"])
    return summary
