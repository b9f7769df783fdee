import pytest

from corpora.errors import StoreError
from corpora.store import CORPORA_SCHEMA, Schema, Store


def test_new_store_is_migrated_to_the_current_version(tmp_path):
    with Store(tmp_path / "a.duckdb") as store:
        assert store.schema_versions() == {"corpora": CORPORA_SCHEMA.version}


def test_components_migrate_incrementally(tmp_path):
    v1 = Schema("extra", (("CREATE TABLE extra (a INTEGER)",),))
    v2 = Schema("extra", (*v1.migrations, ("ALTER TABLE extra ADD COLUMN b INTEGER",)))
    with Store(tmp_path / "a.duckdb", schemas=[v1]) as store:
        store.con.execute("INSERT INTO extra VALUES (1)")
    with Store(tmp_path / "a.duckdb", schemas=[v2]) as store:
        assert store.schema_versions()["extra"] == 2
        assert store.con.execute("SELECT a, b FROM extra").fetchall() == [(1, None)]


def test_a_newer_schema_is_refused(tmp_path):
    with Store(tmp_path / "a.duckdb") as store:
        store.con.execute("INSERT INTO schema_version VALUES ('corpora', 99, now())")
    with pytest.raises(StoreError, match="newer than this likeminded knows"):
        Store(tmp_path / "a.duckdb")


def test_failed_migration_rolls_back(tmp_path):
    bad = Schema("broken", (("CREATE TABLE ok (a INTEGER)", "CREATE TABLE nope (syntax"),))
    with pytest.raises(Exception):  # noqa: B017 - DuckDB's parser error type is an implementation detail
        Store(tmp_path / "a.duckdb", schemas=[bad])
    with Store(tmp_path / "a.duckdb") as store:
        assert "broken" not in store.schema_versions()
        sql = "SELECT table_name FROM information_schema.tables"
        tables = {r[0] for r in store.con.execute(sql).fetchall()}
        assert "ok" not in tables


def test_read_only_store_must_exist(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "missing.duckdb", read_only=True)


def test_not_a_database(tmp_path):
    path = tmp_path / "junk.duckdb"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError):
        Store(path)


def test_runs_are_recorded(tmp_path):
    with Store(tmp_path / "a.duckdb") as store:
        store.start_run("r1", "ingest", {"config_hash": "abc"})
        store.finish_run("r1", status="completed", counts={"ingest": {"seen": 3}})
        (run,) = store.runs()
        assert run["status"] == "completed" and run["counts"] == {"ingest": {"seen": 3}}
        assert run["provenance"] == {"config_hash": "abc"} and run["finished_at"] is not None


def _put(store, *statements):
    with store.transaction() as con:
        store.insert_statements(con, [(s, 1) for s in statements])


def _said(state, session, day, text="We support capacity building.", **extra):
    import datetime as dt

    from corpora.model import Statement

    return Statement.create(text=f"{state}: {text}", state=state, forum="first committee",
                            session=session, date=dt.date(*day), source=f"{state}-{session}.txt",
                            **extra)


def test_statement_queries_read_current_statements_only(tmp_path):
    import datetime as dt

    with Store(tmp_path / "a.duckdb") as store:
        assert store.session_order() == [] and store.latest_statement_date() is None
        fra = _said("FRA", "UNGA-C1-75", (2020, 10, 9))
        _put(store, _said("BRA", "UNGA-C1-76", (2021, 10, 1)), fra,
             _said("FRA", "UNGA-C1-74", (2019, 10, 1), text="Norms first."),
             _said("FRA", "UNGA-C1-74", (2019, 10, 1), text="And confidence building."),
             _said("CHN", "UNGA-C1-73", (2021, 10, 1)))
        # time order by first date, ties broken by session id
        assert store.session_order() == ["UNGA-C1-74", "UNGA-C1-75", "UNGA-C1-73",
                                         "UNGA-C1-76"]
        assert store.current_states() == ["BRA", "CHN", "FRA"] and store.count_states() == 3
        first = store.session_summary()[0]
        assert first[:2] + first[4:] == ("UNGA-C1", "UNGA-C1-74", 2, 1)
        assert store.language_counts() == [("", 5)]
        texts = store.session_texts("UNGA-C1-74")
        assert list(texts) == ["FRA"] and texts["FRA"].count("\n") == 1
        assert store.has_statement(fra.id) and not store.has_statement("no-such-id")
        assert store.current_version(fra.id, document=None, state=None, session=None) == fra.id
        store.retire(fra.id)
        assert "UNGA-C1-75" not in store.session_order()
        assert store.current_version(fra.id, document=fra.document, state="FRA",
                                     session="UNGA-C1-75") is None
        assert store.has_statement(fra.id) and fra.content_hash not in (
            store.current_content_hashes())
        assert store.latest_statement_date() == dt.date(2021, 10, 1)
        assert store.count_duplicates() == 0
