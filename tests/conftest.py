"""Shared fixtures: paths to the bundled corpora and the shared reference data."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample"
SAMPLE_BAD = ROOT / "corpora" / "sample_bad"
SHARED_DATA = ROOT.parent / "shared" / "data"

# Prefect must never phone home from the test suite, wherever it is imported.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Keep Prefect's own files out of the user's home and quiet, before Prefect is imported; the
# folder made here goes when the session ends (one was left behind per run).
if "PREFECT_HOME" not in os.environ:
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="likeminded-prefect-")
    atexit.register(shutil.rmtree, os.environ["PREFECT_HOME"], ignore_errors=True)
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# The suite's results must be the same on every CPU. With precision "auto" the embedder runs in
# bf16 where the CPU has it natively, and bf16 kernels differ between CPU families (AMX and
# AVX512-BF16 round differently): on the sample corpus that moved Belarus's treaty stance across
# zero and changed the forecast and partner tests. So the suite embeds in fp32 unless told
# otherwise; the bf16 path has its own tests (batch independence, crash safety), which set it
# explicitly and skip where the CPU lacks it.
os.environ.setdefault("LIKEMINDED_PRECISION", "fp32")


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test harness (a temporary local API server and database) for the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


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
