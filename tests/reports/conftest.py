"""Fixtures of the report tests: a hand-made ReportData and a small store built from it."""

from __future__ import annotations

import pytest

# Prefect's environment (a temporary PREFECT_HOME, quiet logs) is set by tests/conftest.py.


@pytest.fixture
def data():
    from tests.reports.synthetic import make_report_data

    return make_report_data()


@pytest.fixture(scope="session")
def store_path(tmp_path_factory):
    from tests.reports.synthetic import make_store

    return make_store(tmp_path_factory.mktemp("store") / "report.duckdb")
