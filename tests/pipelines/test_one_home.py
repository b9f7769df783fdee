"""Concepts that had two or three implementations and now have one: each test pins the case the
copies disagreed on."""

import datetime as dt

from corpora.model import Statement
from pipelines.settings import PipelineConfig
from pipelines.stages.analysis_inputs import load_analysis_inputs
from pipelines.store.queries import group_members
from pipelines.store.report_data import formal_groups
from pipelines.store.storage import open_store

BEFORE_BREXIT = dt.date(2019, 10, 1)
AFTER_BREXIT = dt.date(2021, 10, 1)


def _statement(state: str, day: dt.date, session: str) -> Statement:
    return Statement.create(text=f"{state} supports an open, secure cyberspace.", state=state,
                            forum="first committee", session=session, date=day,
                            source=f"{state}-{session}.txt")


def test_group_members_are_read_on_the_latest_current_statement_date(tmp_path):
    """A retired statement dated after Brexit used to set the date of the roster in the
    partners query and the report (GBR out of the EU) while the analysis' cohesion read it on
    the latest analysed paragraph (GBR in): all now read it on the latest current statement."""
    db = str(tmp_path / "store.duckdb")
    late = _statement("DEU", AFTER_BREXIT, "UNGA-C1-76")
    with open_store(db) as store:
        with store.transaction() as con:
            store.insert_statements(con, [(_statement("FRA", BEFORE_BREXIT, "UNGA-C1-74"), 1),
                                          (_statement("GBR", BEFORE_BREXIT, "UNGA-C1-74"), 1),
                                          (late, 1)])
        assert store.latest_statement_date() == AFTER_BREXIT
        store.retire(late.id, reason="misdated")
        assert store.latest_statement_date() == BEFORE_BREXIT

        assert "GBR" in group_members(store, ["EU"])["EU"]
        assert "GBR" in formal_groups(store, PipelineConfig())["EU"]["members"]
        inputs = load_analysis_inputs(store, "no-model", 4, group_weight=0.5)
        assert inputs.members_date == BEFORE_BREXIT


def test_no_statement_no_roster(tmp_path):
    with open_store(str(tmp_path / "store.duckdb")) as store:
        assert store.latest_statement_date() is None
        assert group_members(store, ["EU"]) == {}
        assert formal_groups(store, PipelineConfig()) == {}
