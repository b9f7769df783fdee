"""Store fixtures of the pipeline tests (the Prefect harness is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "likeminded.duckdb"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    """A store whose embedding cache already holds the taxonomy's seed sentences.

    Fitting the tagger and the stance model embeds about 1,100 seed sentences with the real
    model; doing that once per session instead of once per test saves minutes.
    """
    from pipelines.settings import PipelineConfig
    from pipelines.stages.text import fitted_models

    template = tmp_path_factory.mktemp("seeded") / "template.duckdb"
    fitted_models(PipelineConfig(), str(template))
    return template


@pytest.fixture
def seeded_db(tmp_path, seeded_template) -> Path:
    """A fresh copy of :func:`seeded_template` for one test."""
    import shutil

    target = tmp_path / "seeded.duckdb"
    shutil.copy(seeded_template, target)
    return target


@pytest.fixture(scope="session")
def analysed(tmp_path_factory, sample_dir, prefect_harness, seeded_template):
    """The update flow run twice on a two-session, 20-state slice of the sample corpus.

    Shared by every test that reads an analysed store (partners, coalitions, forecast, ...);
    tests that write to the store work on a copy (:func:`analysed_copy`).
    """
    import shutil

    from pipelines.flows.pipeline import update_flow
    from pipelines.settings import PipelineConfig
    from tests.pipelines.corpus_slices import slice_corpus

    root = tmp_path_factory.mktemp("update")
    corpus = slice_corpus(sample_dir, root / "corpus")
    db = str(root / "lm.duckdb")
    shutil.copy(seeded_template, db)
    config = PipelineConfig()
    config = config.model_copy(update={"analysis": config.analysis.model_copy(
        update={"n_boot": 30, "topic_min_size": 3})})
    first = update_flow([str(corpus)], db, config, focus=["KEN"])
    second = update_flow([str(corpus)], db, config)
    return {"db": db, "first": first, "second": second, "root": root, "config": config}


@pytest.fixture
def analysed_copy(analysed, tmp_path) -> Path:
    """A private copy of the analysed store, for tests that write to it."""
    import shutil

    target = tmp_path / "analysed.duckdb"
    shutil.copy(analysed["db"], target)
    return target


@pytest.fixture(scope="session")
def unga_seeded_template(tmp_path_factory, seeded_template) -> Path:
    """:func:`seeded_template` with the ``unga`` taxonomy's seed sentences cached too."""
    import shutil

    from pipelines.settings import AnalysisConfig, PipelineConfig
    from pipelines.stages.text import fitted_models

    template = tmp_path_factory.mktemp("seeded-unga") / "template.duckdb"
    shutil.copy(seeded_template, template)
    fitted_models(PipelineConfig(analysis=AnalysisConfig(taxonomy="unga")), str(template))
    return template


@pytest.fixture(scope="session")
def sample_analysed(tmp_path_factory, sample_dir, seeded_template):
    """The whole sample corpus through the real stages (no topics, no report), once per session.

    Returns ``(db, config, annotate_summary)``. Embedding and tagging about 1,400 paragraphs is
    the costliest fixture of the suite: the issue 11 (stance) and issue 12 (camps) checks share it.
    """
    import shutil

    from corpora.ingest import ingest_folder
    from pipelines.settings import PipelineConfig
    from pipelines.stages.analysis import run_analysis
    from pipelines.stages.text import annotate_segments, embed_new_segments, segment_new_statements
    from pipelines.store.storage import open_store

    db = str(tmp_path_factory.mktemp("sample") / "sample.duckdb")
    shutil.copy(seeded_template, db)
    config = PipelineConfig()
    config = config.model_copy(update={"analysis": config.analysis.model_copy(
        update={"n_boot": 30})})
    with open_store(db) as store:
        ingest_folder(sample_dir, store, run_id="test-sample")
    segment_new_statements(db, config)
    embed_new_segments(db, config)
    annotated = annotate_segments(db, config)
    run_analysis(db, config)
    return db, config, annotated
