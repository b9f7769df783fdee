"""One Prefect test harness (a temporary local API server and database) for the whole session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Keep Prefect's own files out of the user's home and quiet, before Prefect is imported.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="likeminded-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "likeminded.duckdb"
