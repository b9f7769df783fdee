"""The Dask task runner gives exactly the results of the local runner.

Real model, real DuckDB files, the real Prefect harness and a real 2-worker ``LocalCluster``
(separate processes). The embedding chunks and the per-issue position estimates are the work
that goes to the workers.
"""

import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from pipelines.cli.app import app
from pipelines.flows.pipeline import update_flow
from pipelines.flows.runners import check_dask_address, make_task_runner, share_prefect_api
from pipelines.settings import PipelineConfig
from pipelines.store.storage import open_store
from tests.pipelines.corpus_slices import slice_corpus

TABLES = {
    "embeddings": "SELECT model_key, text_hash, vector FROM embeddings",
    "segments": "SELECT * FROM segments",
    "segment_issues": "SELECT * FROM segment_issues",
    "topics": "SELECT * FROM topics",
    "segment_topics": "SELECT * FROM segment_topics",
    "positions": "SELECT * FROM positions",
    "alignment": "SELECT * FROM alignment",
    "coalitions": "SELECT * FROM coalitions",
    "coalition_summary": "SELECT * FROM coalition_summary",
    "group_cohesion": "SELECT * FROM group_cohesion",
    "dispersion": "SELECT * FROM dispersion",
    "trends": "SELECT * FROM trends",
    "movers": "SELECT * FROM movers",
}
STATES = ["usa", "fra", "deu", "aus", "rus", "chn", "irn", "cub", "ken", "zaf", "bra", "ind",
          "egy", "mex", "idn", "sgp", "eu_esp", "nam_aze"]


def snapshot(db: str) -> dict[str, pd.DataFrame]:
    """Every result table, sorted, with list cells as tuples (so frames compare exactly)."""
    frames = {}
    with open_store(db, read_only=True) as store:
        for name, query in TABLES.items():
            frame = store.con.execute(f"{query} ORDER BY ALL").df()
            for column in frame.columns:
                if frame[column].dtype == object and len(frame) and isinstance(
                        frame[column].iloc[0], list | np.ndarray):
                    frame[column] = frame[column].map(tuple)
            frames[name] = frame
    return frames


def assert_identical(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    for name in TABLES:
        assert len(left[name]) > 0, f"{name} is empty"
        pd.testing.assert_frame_equal(left[name], right[name], check_exact=True, obj=name)


def _embedders_loaded() -> int:
    from pipelines.stages.text import get_embedder

    return get_embedder.cache_info().currsize


@pytest.fixture(scope="module")
def runs(tmp_path_factory, sample_dir, prefect_harness, seeded_template):
    import os

    from distributed import Client, LocalCluster

    api_url = os.environ.get("PREFECT_API_URL")

    root = tmp_path_factory.mktemp("dask")
    first = slice_corpus(sample_dir, root / "two", ["oewg-2023-5", "oewg-2024-8"], STATES)
    both = slice_corpus(sample_dir, root / "three",
                        ["oewg-2023-5", "oewg-2024-8", "oewg-2025-11"], STATES)
    config = PipelineConfig.model_validate({
        "embedding": {"chunk_size": 48},  # several chunks, so both workers get some
        # the test compares runners, not mover quality: on 18 states the default mover rule
        # finds none, so every tagged paragraph counts and one paragraph suffices
        "analysis": {"n_boot": 30, "topic_min_size": 3,
                     "movers": {"min_paragraphs": 1, "main_margin": 1.0}}})
    (root / "config.yaml").write_text(yaml.safe_dump(config.model_dump(mode="json")),
                                      encoding="utf-8")
    local_db, dask_db = str(root / "local.duckdb"), str(root / "dask.duckdb")
    shutil.copy(seeded_template, local_db)
    shutil.copy(seeded_template, dask_db)

    local = update_flow([str(first)], local_db, config)
    local_first = snapshot(local_db)
    update_flow([str(both)], local_db, config)  # then a new session
    local_second = snapshot(local_db)
    share_prefect_api()  # before the workers start, so they report to the harness's API
    with (LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                       dashboard_address=None) as cluster, Client(cluster) as client):
        runner = make_task_runner("dask", cluster.scheduler_address)
        distributed = update_flow.with_options(task_runner=runner)([str(first)], dask_db, config)
        loaded = client.run(_embedders_loaded)
        after_first = snapshot(dask_db)
        # the new session through the command line, on the same cluster
        result = CliRunner().invoke(app, [
            "run", "--corpus", str(both), "--db", dask_db, "--out", str(root / "out"),
            "--config", str(root / "config.yaml"), "--task-runner", "dask",
            "--dask-address", cluster.scheduler_address, "--json"])
    if api_url is None:  # share_prefect_api exported the harness's URL; leave no trace
        os.environ.pop("PREFECT_API_URL", None)
    return {"local": local, "distributed": distributed, "loaded": loaded,
            "after_first": (local_first, after_first), "cli": result,
            "after_second": (local_second, snapshot(dask_db)), "dask_db": dask_db}


def test_dask_runner_matches_the_local_runner_exactly(runs):
    local, distributed = runs["local"], runs["distributed"]
    assert distributed["embed"]["chunks"] >= 4
    assert distributed["embed"]["new_embeddings"] == local["embed"]["new_embeddings"] > 100
    assert distributed["analyze"]["issues"] == local["analyze"]["issues"] >= 10
    # the model was loaded on the workers: the encoding ran there, not in this process
    assert sum(runs["loaded"].values()) >= 1, runs["loaded"]
    assert_identical(*runs["after_first"])


def test_incremental_cli_run_on_the_cluster_matches_too(runs):
    result = runs["cli"]
    assert result.exit_code == 0, result.output
    assert_identical(*runs["after_second"])
    with open_store(runs["dask_db"], read_only=True) as store:
        last = store.runs()[0]
    assert last["provenance"]["task_runner"].startswith("DaskTaskRunner")
    assert last["counts"]["segment"]["statements"] > 0
    assert last["counts"]["ingest"]["unchanged"] == runs["local"]["ingest"]["ingested"]


def test_runner_options_are_checked(prefect_harness, monkeypatch):
    from prefect_dask import DaskTaskRunner

    monkeypatch.delenv("PREFECT_API_URL", raising=False)  # restored after the test
    assert make_task_runner("local") is None
    runner = make_task_runner("dask", workers=3)  # a LocalCluster of 3 single-threaded workers
    assert isinstance(runner, DaskTaskRunner)
    assert runner.cluster_kwargs["n_workers"] == 3
    assert runner.cluster_kwargs["threads_per_worker"] == 1
    assert check_dask_address("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    for bad in ("10.0.0.5:8786", "http://host:8786", "tcp://host"):
        with pytest.raises(ValueError, match="tcp://HOST"):
            check_dask_address(bad)
    with pytest.raises(ValueError, match="expected one of local, dask"):
        make_task_runner("ray")
    with pytest.raises(ValueError, match="needs --task-runner dask"):
        make_task_runner("local", "tcp://host:8786")


def test_bad_runner_option_is_a_one_line_error(tmp_path, sample_dir):
    result = CliRunner().invoke(app, [
        "run", "--corpus", str(sample_dir), "--db", str(tmp_path / "x.duckdb"),
        "--task-runner", "dask", "--dask-address", "localhost:8786"])
    assert result.exit_code == 1
    assert "--dask-address 'localhost:8786': expected tcp://HOST:PORT" in result.output
