"""Shared fixtures: paths to the bundled corpora and the shared reference data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample"
SAMPLE_BAD = ROOT / "corpora" / "sample_bad"
SHARED_DATA = ROOT.parent / "shared" / "data"

# Prefect must never phone home from the test suite, wherever it is imported.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_bad_dir() -> Path:
    return SAMPLE_BAD


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared reference data not found at {SHARED_DATA} (only CI and "
                    "development machines have ../shared/data)")
    return SHARED_DATA
