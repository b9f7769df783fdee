"""Prefect flows for the connectors: ingesting the UN General Debate Corpus.

Same pattern as :mod:`pipelines.flows.pipeline`: a small task opens the store and calls one library
function; the flow records the run (provenance and counts) in the ``runs`` table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from corpora.ledger import IngestSummary
from corpora.ungdc import ingest_ungdc, source_fingerprint
from pipelines.flows.locking import store_lock
from pipelines.flows.pipeline import (
    INGEST_COUNTS,
    combine_reports,
    finish_run_task,
    new_run_id,
    record_failure,
    start_run_task,
)
from pipelines.flows.progress import stderr_progress
from pipelines.settings import PipelineConfig, provenance
from pipelines.store.storage import open_store


@task(name="ingest UNGDC")  # local files: no retries
def ingest_ungdc_task(path: str, db: str, run_id: str, years: list[int] | None,
                      config: PipelineConfig) -> IngestSummary:
    """Ingest the corpus folder or archive at ``path`` and return its report as a dict."""
    with open_store(db) as store, stderr_progress(f"ingest UNGDC {path}") as progress:
        report = ingest_ungdc(path, store, run_id=run_id,
                              years=None if years is None else frozenset(years),
                              max_bytes=config.ingest.max_bytes, progress=progress)
    return report.to_dict()


@flow(name="ingest-ungdc", log_prints=False)
def ingest_ungdc_flow(path: str, db: str, years: list[int] | None = None,
                      config: PipelineConfig | None = None) -> dict[str, Any]:
    """Ingest the UN General Debate Corpus (folder, .zip or .tar.gz) and record the run.

    Args:
        path: the corpus as distributed.
        db: the store file.
        years: only these years (all when ``None``).
        config: pipeline configuration (its ``ingest.max_bytes`` applies).

    Returns:
        The ingest summary (as ``likeminded ingest`` prints it) with ``run_id`` and
        ``corpus_hash``.
    """
    config = config or PipelineConfig()
    with store_lock(db):
        return _ingest_ungdc(path, db, years, config)


def _ingest_ungdc(path: str, db: str, years: list[int] | None,
                  config: PipelineConfig) -> dict[str, Any]:
    run_id = new_run_id("ingest-ungdc")
    record = provenance(config=config, inputs={str(Path(path).resolve()): source_fingerprint(path)},
                        years=sorted(years) if years is not None else "all")
    start_run_task(db, run_id, "ingest-ungdc", record)
    try:
        summary = combine_reports([ingest_ungdc_task(path, db, run_id, years, config)])
    except BaseException as err:
        record_failure(db, run_id, err)
        raise
    get_run_logger().info("ingested %d, unchanged %d, duplicates %d, quarantined %d",
                          summary["ingested"], summary["unchanged"], summary["duplicates"],
                          summary["quarantined"])
    counts = {"ingest": {c: summary[c] for c in INGEST_COUNTS}}
    summary["corpus_hash"] = finish_run_task(db, run_id, "completed", counts, record)
    summary["run_id"] = run_id
    return summary
