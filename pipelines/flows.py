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
from pipelines import stages
from pipelines.progress import stderr_progress
from pipelines.settings import PipelineConfig, provenance
from pipelines.storage import open_store


def new_run_id(kind: str) -> str:
    """A unique run id such as ``ingest-3f2a9c1d0b7e``."""
    return f"{kind}-{uuid.uuid4().hex[:12]}"


@task(name="ingest folder", retries=2, retry_delay_seconds=[1, 5])
def ingest_folder_task(folder: str, db: str, run_id: str, config: PipelineConfig) -> dict[str, Any]:
    """Ingest one folder of statements and return its report as a dict."""
    with open_store(db) as store, stderr_progress(f"ingest {folder}") as progress:
        report = ingest_folder(folder, store, run_id=run_id, max_bytes=config.ingest.max_bytes,
                               progress=progress)
    return report.to_dict()


@task(name="segment statements")
def segment_task(db: str, config: PipelineConfig) -> dict[str, Any]:
    return stages.segment_new_statements(db, config)


@task(name="embed segments")
def embed_task(db: str, config: PipelineConfig) -> dict[str, Any]:
    with stderr_progress("embed segments") as progress:
        return stages.embed_new_segments(db, config, progress=progress)


@task(name="tag issues and stance")
def annotate_task(db: str, config: PipelineConfig) -> dict[str, Any]:
    return stages.annotate_segments(db, config)


@task(name="discover topics")
def topics_task(db: str, config: PipelineConfig) -> dict[str, Any]:
    return stages.discover_corpus_topics(db, config)


@task(name="positions, alignment, coalitions, convergence")
def analyze_task(db: str, config: PipelineConfig) -> dict[str, Any]:
    from pipelines.analysis import run_analysis

    return run_analysis(db, config)


@task(name="publish run summary")
def publish_summary_task(db: str, result: dict[str, Any], focus: list[str]) -> None:
    """Markdown summary and top-partner tables as Prefect artifacts (shown in the UI)."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    from pipelines.queries import partners_document
    from pipelines.summary import run_markdown

    with open_store(db, read_only=True) as store:
        create_markdown_artifact(run_markdown(store, result), key="update-summary",
                                 description="What this update changed")
        for state in focus:
            try:
                document = partners_document(store, state, top=10)
            except ValueError:
                continue
            create_table_artifact(
                [{"partner": p["state"], "name": p["name"], "score": p["score"],
                  "lo": p["lo"], "hi": p["hi"],
                  "drivers": ", ".join(d["issue"] for d in p["drivers"])}
                 for p in document["partners"]],
                key=f"partners-{state.lower()}", description=f"Top partners of {state}")


@task(name="record run start")
def start_run_task(db: str, run_id: str, kind: str, record: dict[str, Any]) -> None:
    with open_store(db) as store:
        store.start_run(run_id, kind, record)


@task(name="record run end")
def finish_run_task(db: str, run_id: str, status: str, counts: dict[str, Any],
                    record: dict[str, Any], message: str = "") -> str:
    with open_store(db) as store:
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


INGEST_COUNTS = ("seen", "ingested", "new_versions", "unchanged", "duplicates", "quarantined",
                 "ignored")


def _ingest(folders: list[str], db: str, run_id: str, config: PipelineConfig) -> dict[str, Any]:
    summary = combine_reports([ingest_folder_task(f, db, run_id, config) for f in folders])
    get_run_logger().info("ingested %d, unchanged %d, duplicates %d, quarantined %d",
                          summary["ingested"], summary["unchanged"], summary["duplicates"],
                          summary["quarantined"])
    return summary


def _nlp(db: str, config: PipelineConfig) -> dict[str, Any]:
    return {"segment": segment_task(db, config), "embed": embed_task(db, config),
            "annotate": annotate_task(db, config), "topics": topics_task(db, config)}


def _analyze(db: str, config: PipelineConfig) -> dict[str, Any]:
    return {"analyze": analyze_task(db, config)}


def _recorded(kind: str, db: str, config: PipelineConfig, folders: list[str],
              body: Any) -> dict[str, Any]:
    """Run ``body(run_id)`` between a start and an end record in the ``runs`` table."""
    run_id = new_run_id(kind)
    record = provenance(config=config, inputs={
        str(Path(f).resolve()): folder_fingerprint(f) for f in folders})
    start_run_task(db, run_id, kind, record)
    try:
        counts = body(run_id)
    except Exception as err:
        finish_run_task(db, run_id, "failed", {}, record, message=str(err)[:500])
        raise
    stored = {k: ({c: v[c] for c in INGEST_COUNTS} if k == "ingest" else v)
              for k, v in counts.items()}
    counts["corpus_hash"] = finish_run_task(db, run_id, "completed", stored, record)
    counts["run_id"] = run_id
    return counts


@flow(name="ingest", log_prints=False)
def ingest_flow(folders: list[str], db: str,
                config: PipelineConfig | None = None) -> dict[str, Any]:
    """Ingest folders of statements into the store and record the run's provenance."""
    config = config or PipelineConfig()
    result = _recorded("ingest", db, config, folders,
                       lambda run_id: {"ingest": _ingest(folders, db, run_id, config)})
    summary = result["ingest"]
    summary.update(run_id=result["run_id"], corpus_hash=result["corpus_hash"])
    return summary


@flow(name="embed", log_prints=False)
def embed_flow(db: str, config: PipelineConfig | None = None) -> dict[str, Any]:
    """Segment new statements, embed new segments, tag issues and stance, discover topics."""
    config = config or PipelineConfig()
    return _recorded("embed", db, config, [], lambda run_id: _nlp(db, config))


@flow(name="analyze", log_prints=False)
def analyze_flow(db: str, config: PipelineConfig | None = None) -> dict[str, Any]:
    """Positions, alignment, coalitions and convergence from the stored tags and embeddings."""
    config = config or PipelineConfig()
    return _recorded("analyze", db, config, [], lambda run_id: _analyze(db, config))


@flow(name="update", log_prints=False)
def update_flow(folders: list[str], db: str, config: PipelineConfig | None = None,
                focus: list[str] | None = None) -> dict[str, Any]:
    """The whole chain, incrementally: ingest the folders, then every analysis stage.

    Publishes a Markdown summary of what changed and, for each ``focus`` state, a table of its
    top partners as Prefect artifacts.
    """
    config = config or PipelineConfig()

    def body(run_id: str) -> dict[str, Any]:
        return {"ingest": _ingest(folders, db, run_id, config), **_nlp(db, config),
                **_analyze(db, config)}

    result = _recorded("update", db, config, folders, body)
    publish_summary_task(db, result, list(focus or []))
    return result
