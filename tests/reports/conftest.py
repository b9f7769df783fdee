"""Fixtures of the report tests: a hand-made ReportData and a small store built from it."""

from __future__ import annotations

import os
import tempfile

import pytest

# Keep Prefect's files out of the user's home and quiet, before Prefect is imported.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="likeminded-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture
def data():
    from tests.reports.synthetic import make_report_data

    return make_report_data()


@pytest.fixture(scope="session")
def store_path(tmp_path_factory):
    from tests.reports.synthetic import make_store

    return make_store(tmp_path_factory.mktemp("store") / "report.duckdb")
