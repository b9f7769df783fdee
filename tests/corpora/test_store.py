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
