"""The embedded DuckDB store: a declared, versioned schema and the statement tables.

The schema is a list of numbered migrations per *component*. ``corpora`` owns the statement,
quarantine, duplicate and run tables; later stages (the pipelines layer) register their own
components with :class:`Schema` so this package never needs to know what they store.

DuckDB lets one process open a database file for writing at a time; a second writer gets a clear
:class:`StoreLockedError` instead of a corrupted file.

This module holds :class:`Store`: its connection, transactions, migrations and the statement
table. The corpora schema (:data:`CORPORA_SCHEMA`, :class:`Schema`, the statement columns) is
in :mod:`corpora.store_schema`, and the record-keeping tables (quarantine, duplicates, corpora,
retired statements, runs) in the mixin :class:`corpora.store_records.StoreRecords`; import
everything from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from corpora.errors import StoreError, StoreLockedError
from corpora.model import Statement
from corpora.store_records import StoreRecords
from corpora.store_schema import CORPORA_SCHEMA, RETIRED, STATEMENT_COLUMNS, Schema, now_utc

__all__ = ["CORPORA_SCHEMA", "RETIRED", "STATEMENT_COLUMNS", "Schema", "Store"]


class Store(StoreRecords):
    """A DuckDB database file with migrated schemas.

    Use as a context manager, or call :meth:`close`. ``read_only=True`` opens for reading, which
    several processes may do at once when no writer holds the file.

    Example:
        >>> with Store("data/likeminded.duckdb") as store:  # doctest: +SKIP
        ...     store.count_statements()
    """

    def __init__(self, path: str | Path, *, read_only: bool = False,
                 schemas: Sequence[Schema] = ()) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(f"store {self.path} does not exist; run 'likeminded ingest' or "
                             "'likeminded run' first")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as err:
            if "lock" in str(err).lower():
                raise StoreLockedError(
                    f"store {self.path} is in use by another likeminded process; wait for it "
                    "to finish (or use another --db)"
                ) from err
            raise StoreError(f"cannot open store {self.path}: {err}") from err
        except duckdb.Error as err:
            raise StoreError(f"cannot open store {self.path}: not a DuckDB database or "
                             f"corrupt ({err})") from err
        if not read_only:
            self.migrate([CORPORA_SCHEMA, *schemas])

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block in one transaction: all of it is stored, or none of it."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- schema ----------------------------------------------------------------------------
    def schema_versions(self) -> dict[str, int]:
        """Applied version per component (empty for a new file)."""
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        ).fetchall()[0][0]
        if not exists:
            return {}
        rows = self.con.execute(
            "SELECT component, max(version) FROM schema_version GROUP BY component"
        ).fetchall()
        return dict(rows)

    def migrate(self, schemas: Iterable[Schema]) -> None:
        """Apply pending migrations of each schema, each version in its own transaction.

        Raises:
            StoreError: when the file's schema is newer than this code knows.
        """
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (component VARCHAR NOT NULL, "
            "version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL, "
            "PRIMARY KEY (component, version))"
        )
        applied = self.schema_versions()
        for schema in schemas:
            current = applied.get(schema.component, 0)
            if current > schema.version:
                raise StoreError(
                    f"store {self.path} has {schema.component} schema version {current}, newer "
                    f"than this likeminded knows ({schema.version}); upgrade likeminded"
                )
            for number in range(current + 1, schema.version + 1):
                with self.transaction() as con:
                    for statement in schema.migrations[number - 1]:
                        con.execute(statement)
                    con.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                                [schema.component, number, now_utc()])

    # -- statements ------------------------------------------------------------------------
    def statement_index(self) -> list[tuple[str, str, int, str, str, bool]]:
        """Light index of all statements: (id, document, version, content_hash, source, current)."""
        return self.con.execute(
            "SELECT id, document, version, content_hash, source, superseded_by IS NULL "
            "FROM statements"
        ).fetchall()

    def insert_statements(self, con: duckdb.DuckDBPyConnection,
                          statements: Sequence[tuple[Statement, int]]) -> None:
        """Insert ``(statement, version)`` pairs inside a caller's transaction."""
        if not statements:
            return
        rows = [
            [s.id, s.document, version, s.state, s.on_behalf_of, s.aligned_with, s.forum,
             s.session, s.date, s.agenda_item, s.language, s.title, s.source, s.url, s.text,
             s.content_hash, s.encoding, s.ingested_at.replace(tzinfo=None)]
            for s, version in statements
        ]
        placeholders = ", ".join("?" for _ in STATEMENT_COLUMNS)
        con.executemany(
            f"INSERT INTO statements ({', '.join(STATEMENT_COLUMNS)}) VALUES ({placeholders})",
            rows,
        )

    def supersede(self, con: duckdb.DuckDBPyConnection,
                  pairs: Sequence[tuple[str, str]]) -> None:
        """Mark ``old_id`` as superseded by ``new_id`` for each pair (caller's transaction)."""
        if pairs:
            now = now_utc()
            con.executemany(
                "UPDATE statements SET superseded_by = ?, superseded_at = ? WHERE id = ?",
                [[new, now, old] for old, new in pairs],
            )

    def restore(self, con: duckdb.DuckDBPyConnection, statement_id: str) -> None:
        """Make a superseded statement current again (its file was reverted)."""
        con.execute("UPDATE statements SET superseded_by = NULL, superseded_at = NULL "
                    "WHERE id = ?", [statement_id])

    def current_statements(self, *, columns: Sequence[str] = STATEMENT_COLUMNS,
                           where: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Current (not superseded) statements as dicts, ordered by session, state and id."""
        unknown = set(columns) - set(STATEMENT_COLUMNS) - {"superseded_by"}
        if unknown:
            raise ValueError(f"columns: unknown statement column(s) {sorted(unknown)}")
        sql = (f"SELECT {', '.join(columns)} FROM statements WHERE superseded_by IS NULL"
               + (f" AND ({where})" if where else "") + " ORDER BY session, state, id")
        cursor = self.con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count_statements(self, *, current_only: bool = True) -> int:
        sql = "SELECT count(*) FROM statements"
        if current_only:
            sql += " WHERE superseded_by IS NULL"
        return int(self.con.execute(sql).fetchall()[0][0])

    def has_statement(self, statement_id: str) -> bool:
        """Whether a statement (current or not) has this id."""
        return bool(self.con.execute("SELECT count(*) FROM statements WHERE id = ?",
                                     [statement_id]).fetchall()[0][0])

    def current_version(self, statement_id: str, *, document: str | None, state: str | None,
                        session: str | None) -> str | None:
        """``statement_id`` when it is current, else the newest current version of
        ``document`` by the same state in the same session (``None`` when there is none)."""
        rows = self.con.execute(
            "SELECT id FROM statements WHERE superseded_by IS NULL AND (id = ? OR (document = ? "
            "AND state = ? AND session = ?)) ORDER BY (id = ?) DESC, version DESC, id LIMIT 1",
            [statement_id, document, state, session, statement_id]).fetchall()
        return rows[0][0] if rows else None

    def current_states(self) -> list[str]:
        """ISO3 codes of the states with current statements, sorted."""
        return [r[0] for r in self.con.execute(
            "SELECT DISTINCT state FROM statements WHERE superseded_by IS NULL ORDER BY state"
        ).fetchall()]

    def count_states(self) -> int:
        """How many states have current statements."""
        return int(self.con.execute("SELECT count(DISTINCT state) FROM statements "
                                    "WHERE superseded_by IS NULL").fetchall()[0][0])

    def session_order(self) -> list[str]:
        """Session ids of the current statements in time order: first statement date, then
        id."""
        return [r[0] for r in self.con.execute(
            "SELECT session FROM statements WHERE superseded_by IS NULL GROUP BY session "
            "ORDER BY min(date), session").fetchall()]

    def session_summary(self) -> list[tuple[str, str, dt.date, dt.date, int, int]]:
        """Per session of the current statements, in time order: ``(forum, session, first
        date, last date, statements, states)``."""
        return self.con.execute(
            "SELECT forum, session, min(date), max(date), count(*), count(DISTINCT state) "
            "FROM statements WHERE superseded_by IS NULL GROUP BY forum, session "
            "ORDER BY min(date), session").fetchall()

    def language_counts(self) -> list[tuple[str, int]]:
        """``(language, statements)`` of the current statements, most frequent first."""
        return self.con.execute(
            "SELECT language, count(*) FROM statements WHERE superseded_by IS NULL "
            "GROUP BY language ORDER BY count(*) DESC, language").fetchall()

    def session_texts(self, session: str) -> dict[str, str]:
        """State -> its current statements of ``session``, joined by newlines in id order."""
        rows = self.con.execute(
            "SELECT state, string_agg(text, '\n' ORDER BY id) FROM statements WHERE "
            "session = ? AND superseded_by IS NULL GROUP BY state", [session]).fetchall()
        return {state: text for state, text in rows}

    def current_content_hashes(self) -> list[str]:
        """Content hashes of the current statements."""
        return [r[0] for r in self.con.execute(
            "SELECT content_hash FROM statements WHERE superseded_by IS NULL").fetchall()]

    def latest_statement_date(self) -> dt.date | None:
        """Date of the latest current statement (``None`` when there is none).

        Group membership is read on this date wherever the corpus as a whole needs one group
        roster (cohesion, ``partners --beyond-groups``, the report's formal groups):
        superseded and retired statements do not count.
        """
        day = self.con.execute(
            "SELECT max(date) FROM statements WHERE superseded_by IS NULL").fetchall()[0][0]
        return day

    def statement_history(self, document: str) -> list[dict[str, Any]]:
        """Every version of one document, oldest first."""
        cursor = self.con.execute(
            "SELECT id, version, content_hash, ingested_at, superseded_by, superseded_at "
            "FROM statements WHERE document = ? ORDER BY version", [document])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def corpus_hash(self) -> str:
        """SHA-256 over the sorted ids of the current statements (the corpus's provenance)."""
        import hashlib

        ids = self.con.execute(
            "SELECT id FROM statements WHERE superseded_by IS NULL ORDER BY id").fetchall()
        digest = hashlib.sha256()
        for (sid,) in ids:
            digest.update(sid.encode("ascii"))
            digest.update(b"\n")
        return digest.hexdigest()
