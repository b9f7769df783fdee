"""Prefect flows. Thin: each task opens the store, calls one library function, stores the result.

Task inputs are small (paths, ids, config models); retries are used only where I/O can fail
transiently. This is the only package that imports Prefect.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd
from prefect import Task, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.task_runners import ThreadPoolTaskRunner

from corpora.ingest import folder_fingerprint, ingest_folder
from corpora.ledger import IngestSummary
from nlp.positions import WINDOW, IssuePositions
from pipelines.flows.locking import store_lock
from pipelines.flows.progress import stderr_progress
from pipelines.flows.report import render_report_task
from pipelines.flows.timings import StageClock, Timings, timing_rows
from pipelines.resources import load_model
from pipelines.settings import AnalysisConfig, EmbeddingConfig, PipelineConfig, provenance
from pipelines.stages import analysis
from pipelines.stages import text as stages
from pipelines.stages.results import (
    AnalysisCounts,
    AnnotateCounts,
    EmbedCounts,
    ReportFiles,
    SegmentCounts,
    TopicCounts,
)
from pipelines.store.storage import open_store, save_run_timings


class RunResult(TypedDict, total=False):
    """What a flow returns (``likeminded run --json``): each stage's counts (those it ran),
    the wall times, and the run's id and corpus hash."""

    ingest: dict[str, Any]  # combine_reports(); the ingest flow returns this alone
    segment: SegmentCounts
    embed: EmbedCounts
    annotate: AnnotateCounts
    topics: TopicCounts
    analyze: AnalysisCounts
    report: ReportFiles
    timings: Timings
    corpus_hash: str
    run_id: str


def new_run_id(kind: str) -> str:
    """A unique run id such as ``ingest-3f2a9c1d0b7e``."""
    return f"{kind}-{uuid.uuid4().hex[:12]}"


@task(name="ingest folder")  # local files: no retries (nothing transient to wait out)
def ingest_folder_task(folder: str, db: str, run_id: str,
                       config: PipelineConfig) -> IngestSummary:
    """Ingest one folder of statements and return its report as a dict."""
    with open_store(db) as store, stderr_progress(f"ingest {folder}") as progress:
        report = ingest_folder(folder, store, run_id=run_id, limits=config.ingest.limits(),
                               progress=progress)
    return report.to_dict()


@task(name="segment statements")
def segment_task(db: str, config: PipelineConfig) -> SegmentCounts:
    return stages.segment_new_statements(db, config)


@task(name="plan embedding", cache_policy=NO_CACHE)
def plan_embedding_task(db: str, config: PipelineConfig) -> stages.EmbeddingPlan:
    return stages.plan_embedding(db, config)


@task(name="encode chunk", cache_policy=NO_CACHE)
def encode_chunk_task(texts: list[str], embedding: EmbeddingConfig) -> np.ndarray:
    return stages.encode_texts(texts, embedding)


@task(name="store embeddings", cache_policy=NO_CACHE)
def store_embeddings_task(db: str, model_key: str, hashes: list[str],
                          vectors: np.ndarray) -> int:
    return stages.store_embeddings(db, model_key, hashes, vectors)


@task(name="tag issues and stance")
def annotate_task(db: str, config: PipelineConfig) -> AnnotateCounts:
    return stages.annotate_segments(db, config)


@task(name="discover topics")
def topics_task(db: str, config: PipelineConfig) -> TopicCounts:
    return stages.discover_corpus_topics(db, config)


@task(name="load analysis inputs", cache_policy=NO_CACHE)
def prepare_analysis_task(db: str, config: PipelineConfig) -> analysis.PreparedAnalysis:
    return analysis.prepare_analysis(db, config)


@task(name="positions", task_run_name="positions: {issue}", cache_policy=NO_CACHE)
def issue_positions_task(issue: str, rows: pd.DataFrame, vectors: np.ndarray,
                         sessions: list[str], config: AnalysisConfig) -> IssuePositions:
    return analysis.issue_positions(issue, rows, vectors, sessions, config)


@task(name="alignment, coalitions, convergence", cache_policy=NO_CACHE)
def finish_analysis_task(db: str, config: PipelineConfig, prepared: analysis.PreparedAnalysis,
                         parts: list[IssuePositions]) -> AnalysisCounts:
    return analysis.finish_analysis(db, config, prepared, parts)


@task(name="publish run summary")
def publish_summary_task(db: str, result: RunResult, focus: list[str]) -> None:
    """Markdown summary and top-partner tables as Prefect artifacts (shown in the UI)."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    from pipelines.flows.summary import run_markdown
    from pipelines.store.queries import partners_document

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
        with store.transaction():
            store.finish_run(run_id, status=status, counts=counts, message=message,
                             provenance=record)
            if "timings" in counts:
                save_run_timings(store, timing_rows(run_id, counts["timings"]))
    return corpus_hash


@task(name="record run timings")
def record_timings_task(db: str, run_id: str, timings: Timings) -> None:
    """Replace a recorded run's timings (a stage ran after its end record: the report)."""
    with open_store(db) as store, store.transaction() as con:
        row = con.execute("SELECT counts FROM runs WHERE run_id = ?", [run_id]).fetchone()
        counts = {**json.loads(row[0]), "timings": timings} if row else {"timings": timings}
        con.execute("UPDATE runs SET counts = ? WHERE run_id = ?",
                    [json.dumps(counts, sort_keys=True, default=str), run_id])
        save_run_timings(store, timing_rows(run_id, timings))


def combine_reports(reports: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
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
    total["ignored_files"] = [f for r in reports for f in r.get("ignored_files", [])]
    total["quarantine"] = [q for r in reports for q in r["quarantine"]]
    total["duplicate_files"] = [d for r in reports for d in r["duplicate_files"]]
    return total


INGEST_COUNTS = ("seen", "ingested", "new_versions", "unchanged", "duplicates", "quarantined",
                 "ignored")


def _ingest(folders: list[str], db: str, run_id: str, config: PipelineConfig,
            clock: StageClock) -> dict[str, Any]:
    with clock.stage("ingest"):
        summary = combine_reports([ingest_folder_task(f, db, run_id, config) for f in folders])
    get_run_logger().info("ingested %d, unchanged %d, duplicates %d, quarantined %d",
                          summary["ingested"], summary["unchanged"], summary["duplicates"],
                          summary["quarantined"])
    return summary


def _distributed() -> bool:
    """Whether this flow run's task runner spreads submitted tasks over other processes."""
    context = FlowRunContext.get()
    return context is not None and not isinstance(context.task_runner, ThreadPoolTaskRunner)


def _runner_description() -> str:
    """The task runner of this flow run, for the provenance (results do not depend on it)."""
    context = FlowRunContext.get()
    if context is None or isinstance(context.task_runner, ThreadPoolTaskRunner):
        return "local"
    runner = context.task_runner
    address = getattr(runner, "address", None)
    return f"{type(runner).__name__} {address}" if address else type(runner).__name__


def _each(work: Task, calls: list[tuple[Any, ...]]) -> Iterator[Any]:
    """Results of ``work(*args)`` for each call, in order.

    With a distributed task runner (Dask) every call is submitted at once and the cluster runs
    them in parallel; otherwise they run one after the other in this process (threads would only
    compete for the cores the model and BLAS already use).
    """
    if not _distributed():
        for args in calls:
            yield work(*args)
        return
    futures = deque(work.submit(*args) for args in calls)
    while futures:
        yield futures.popleft().result()  # the result is released once the caller has it


def _embed(db: str, config: PipelineConfig) -> EmbedCounts:
    started = time.perf_counter()
    plan = plan_embedding_task(db, config)
    done = 0
    with stderr_progress("embed segments") as progress:
        calls = [(texts, config.embedding) for _, texts in plan.chunks]
        for (hashes, _), vectors in zip(plan.chunks, _each(encode_chunk_task, calls),
                                        strict=True):
            done += store_embeddings_task(db, plan.model_key, hashes, vectors)
            if progress is not None:
                progress(done, plan.pending)
    return stages.embedding_counts(plan, started)


def _nlp(db: str, config: PipelineConfig, clock: StageClock) -> RunResult:
    result: RunResult = {}
    with clock.stage("segment"):
        result["segment"] = segment_task(db, config)
    with clock.stage("embed"):
        result["embed"] = _embed(db, config)
    with clock.stage("annotate"):
        result["annotate"] = annotate_task(db, config)
    with clock.stage("topics"):
        result["topics"] = topics_task(db, config)
    return result


def _analyze(db: str, config: PipelineConfig, clock: StageClock) -> RunResult:
    with clock.stage("analyze"):
        prepared = prepare_analysis_task(db, config)
        if prepared.unchanged:
            get_run_logger().info("analysis inputs unchanged: keeping the stored results")
            return {"analyze": prepared.reused()}
        sessions = prepared.inputs.sessions
        calls = [(issue, rows, vectors, sessions, config.analysis)
                 for issue, rows, vectors in analysis.issue_jobs(prepared)]
        parts = list(_each(issue_positions_task, calls))
        details = finish_analysis_task(db, config, prepared, parts).copy()
    validate = details.pop(analysis.VALIDATE_SECONDS, None)
    if validate is not None:  # timed inside the analysis: counted as its own stage
        clock.move(validate, "analyze", "validate")
    return {"analyze": details}


def _report(db: str, out: str, config: PipelineConfig, clock: StageClock) -> ReportFiles:
    with clock.stage("report"):
        return render_report_task(db, out, [], [], WINDOW, config)


def start_model_loading(config: PipelineConfig) -> threading.Thread:
    """Load the embedding model in a background thread, while Prefect starts.

    Without ``PREFECT_API_URL`` the first flow call starts Prefect's ephemeral API server, a
    separate process, and waits for it; importing torch and loading the model meanwhile overlaps
    the two. Nothing computed depends on it: the embed stage waits for the loading to finish.
    """
    thread = threading.Thread(target=load_model, args=(config.embedding,),
                              name="likeminded-model-loading", daemon=True)
    thread.start()
    return thread


def record_failure(db: str, run_id: str, err: BaseException) -> None:
    """Mark a run ``interrupted`` (a signal, Ctrl-C) or ``failed`` (an error), directly in the
    store: no Prefect task, so this works while the flow engine is shutting down."""
    from prefect.exceptions import TerminationSignal

    interrupted = isinstance(err, KeyboardInterrupt | SystemExit | TerminationSignal)
    status = "interrupted" if interrupted else "failed"
    message = "interrupted by a signal" if interrupted else str(err)
    try:
        with open_store(db) as store:
            store.finish_run(run_id, status=status, counts={}, message=message[:500])
    except Exception:
        pass


def _recorded(kind: str, db: str, config: PipelineConfig, folders: list[str],
              body: Callable[[str], RunResult], clock: StageClock) -> RunResult:
    """Run ``body(run_id)`` between a start and an end record in the ``runs`` table; the end
    record holds the run's counts and ``clock``'s timings (also in ``run_timings``)."""
    run_id = new_run_id(kind)
    record = provenance(config=config, inputs={
        str(Path(f).resolve()): folder_fingerprint(f) for f in folders},
        task_runner=_runner_description(),
        taxonomy=stages.get_taxonomy(config.analysis.taxonomy).provenance())
    start_run_task(db, run_id, kind, record)
    try:
        counts = body(run_id)
    except BaseException as err:
        record_failure(db, run_id, err)
        raise
    counts["timings"] = clock.timings()
    stored: dict[str, Any] = dict(counts)
    if "ingest" in counts:
        stored["ingest"] = {c: counts["ingest"][c] for c in INGEST_COUNTS}
    counts["corpus_hash"] = finish_run_task(db, run_id, "completed", stored, record)
    counts["run_id"] = run_id
    return counts


@flow(name="ingest", log_prints=False)
def ingest_flow(folders: list[str], db: str, config: PipelineConfig | None = None,
                called_at: float | None = None) -> dict[str, Any]:
    """Ingest folders of statements into the store and record the run's provenance.

    ``called_at`` (``time.time()`` of the call) lets the run time Prefect's start-up.
    """
    clock = StageClock(called_at)
    config = config or PipelineConfig()
    with store_lock(db):
        result = _recorded("ingest", db, config, folders,
                           lambda run_id: {"ingest": _ingest(folders, db, run_id, config, clock)},
                           clock)
    summary = result["ingest"]
    summary.update(run_id=result["run_id"], corpus_hash=result["corpus_hash"])
    return summary


@flow(name="embed", log_prints=False)
def embed_flow(db: str, config: PipelineConfig | None = None,
               called_at: float | None = None) -> RunResult:
    """Segment new statements, embed new segments, tag issues and stance, discover topics."""
    clock = StageClock(called_at)
    config = config or PipelineConfig()
    with store_lock(db):
        return _recorded("embed", db, config, [], lambda run_id: _nlp(db, config, clock), clock)


@flow(name="analyze", log_prints=False)
def analyze_flow(db: str, config: PipelineConfig | None = None,
                 called_at: float | None = None) -> RunResult:
    """Positions, alignment, coalitions and convergence from the stored tags and embeddings."""
    clock = StageClock(called_at)
    config = config or PipelineConfig()
    with store_lock(db):
        return _recorded("analyze", db, config, [], lambda run_id: _analyze(db, config, clock),
                         clock)


@flow(name="update", log_prints=False)
def update_flow(folders: list[str], db: str, config: PipelineConfig | None = None,
                focus: list[str] | None = None, report_out: str | None = None,
                called_at: float | None = None) -> RunResult:
    """The whole chain, incrementally: ingest the folders, then every analysis stage.

    With ``report_out`` the report and the table exports are written there as the last stage
    (``report`` in the result: its index file and the number of files). Each stage's wall time
    is in the result's ``timings`` and in the ``run_timings`` table; ``called_at``
    (``time.time()`` of the call) adds Prefect's start-up. Publishes a Markdown summary of what
    changed and, for each ``focus`` state, a table of its top partners as Prefect artifacts.
    """
    clock = StageClock(called_at)
    config = config or PipelineConfig()

    def body(run_id: str) -> RunResult:
        return {"ingest": _ingest(folders, db, run_id, config, clock),
                **_nlp(db, config, clock), **_analyze(db, config, clock)}

    with store_lock(db):  # also when served: a scheduled and a manual run never interleave
        result = _recorded("update", db, config, folders, body, clock)
        if report_out is not None:  # after the run's record: the report shows its provenance
            result["report"] = _report(db, report_out, config, clock)
            result["timings"] = clock.timings()
            record_timings_task(db, result["run_id"], result["timings"])
    publish_summary_task(db, result, list(focus or []))
    return result
