"""Pipeline benchmark: Prefect's overhead on an update run, and the cost of an incremental update.

1. The ephemeral Prefect API server's start-up, timed with an empty flow.
2. Sessions 1-4 of the sample corpus through the stage functions directly (no Prefect).
3. The same through the ``update`` flow, in a fresh store: the difference is Prefect's overhead.
4. The fifth session added, ``update`` again: its time as a share of a full first run (3).
5. ``update`` once more with nothing new: its time as a share of (3).
6. Sessions 1-4 through ``update`` on a 2-worker Dask ``LocalCluster`` (fresh store): its time
   against (3), and whether every result table is identical to the local run's.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import SAMPLE, format_table, timer, write_result

SESSIONS = ["oewg-2019-1", "unga-c1-2021", "oewg-2023-5", "oewg-2024-8"]
LATER = "oewg-2025-11"


RESULT_TABLES = ("embeddings", "segment_issues", "topics", "positions", "alignment",
                 "coalitions", "dispersion", "trends", "movers")


def result_tables(db: str) -> dict[str, str]:
    """A digest of each result table's sorted content."""
    import hashlib

    from pipelines.store.storage import open_store

    digests = {}
    with open_store(db, read_only=True) as store:
        for table in RESULT_TABLES:
            rows = store.con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            digests[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        for session in SESSIONS:
            shutil.copytree(SAMPLE / session, corpus / session)
        os.environ["PREFECT_HOME"] = str(root / "prefect")
        from pipelines.settings import PipelineConfig, configure_prefect

        configure_prefect(root / "x.duckdb")
        from prefect import flow

        from corpora.ingest import ingest_folder
        from pipelines.flows.pipeline import update_flow
        from pipelines.stages import text as stages
        from pipelines.stages.analysis import run_analysis
        from pipelines.store.storage import open_store

        @flow(name="empty")
        def empty() -> int:
            return 1

        config = PipelineConfig()
        with timer() as server_start:
            empty()
        with timer() as second_empty:
            empty()
        direct_db = str(root / "direct.duckdb")
        stages.get_embedder(config.embedding).model  # noqa: B018 - load the model outside timings
        with timer() as direct:
            with open_store(direct_db) as store:
                ingest_folder(corpus, store, run_id="direct")
            stages.segment_new_statements(direct_db, config)
            stages.embed_new_segments(direct_db, config)
            stages.annotate_segments(direct_db, config)
            stages.discover_corpus_topics(direct_db, config)
            run_analysis(direct_db, config)
        flow_db = str(root / "flow.duckdb")
        with timer() as full:
            update_flow([str(corpus)], flow_db, config)
        local_tables = result_tables(flow_db)
        shutil.copytree(SAMPLE / LATER, corpus / LATER)
        with timer() as incremental:
            result = update_flow([str(corpus)], flow_db, config)
        with timer() as nothing_new:
            update_flow([str(corpus)], flow_db, config)
        shutil.rmtree(corpus / LATER)
        from pipelines.flows.runners import make_task_runner

        dask_db = str(root / "dask.duckdb")
        runner = make_task_runner("dask", workers=2)
        with timer() as on_dask:
            update_flow.with_options(task_runner=runner)([str(corpus)], dask_db, config)
        identical = result_tables(dask_db) == local_tables
    overhead = (full() - direct()) / full()
    results = {
        "server_start_seconds": round(server_start(), 3),
        "empty_flow_seconds": round(second_empty(), 3),
        "direct_seconds": round(direct(), 3), "flow_seconds": round(full(), 3),
        "prefect_overhead_share": round(overhead, 4),
        "incremental_seconds": round(incremental(), 3),
        "incremental_share_of_full": round(incremental() / full(), 4),
        "incremental_new_statements": result["ingest"]["ingested"],
        "incremental_new_embeddings": result["embed"]["new_embeddings"],
        "nothing_new_seconds": round(nothing_new(), 3),
        "nothing_new_share_of_full": round(nothing_new() / full(), 4),
        "dask_seconds": round(on_dask(), 3),
        "dask_over_local": round(on_dask() / full(), 4),
        "dask_identical": identical,
    }
    print(format_table([
        ("ephemeral Prefect server start (s)", results["server_start_seconds"], "once per process"),
        ("empty flow run (s)", results["empty_flow_seconds"], ""),
        ("sessions 1-4, stage functions directly (s)", results["direct_seconds"], "reference"),
        ("sessions 1-4, update flow (s)", results["flow_seconds"], ""),
        ("Prefect overhead share of the update run", results["prefect_overhead_share"], "<= 0.10"),
        ("adding session 5: update (s)", results["incremental_seconds"], ""),
        ("incremental update / full first run", results["incremental_share_of_full"], ""),
        ("update with nothing new / full first run", results["nothing_new_share_of_full"],
         "analyses reused"),
        ("sessions 1-4, update on 2-worker Dask LocalCluster (s)", results["dask_seconds"], ""),
        ("Dask LocalCluster / local update flow", results["dask_over_local"],
         "same 2 cores; cluster start included"),
        ("Dask results identical to local", results["dask_identical"], "every result table"),
    ], ["measure", "value", "note"]))
    print(f"\nwrote {write_result('pipeline', results)}")


if __name__ == "__main__":
    main()
