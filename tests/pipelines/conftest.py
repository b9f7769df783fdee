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
    from pipelines.stages import fitted_models

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
