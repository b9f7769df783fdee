"""The embedded DuckDB store: a declared, versioned schema and the statement tables.

The schema is a list of numbered migrations per *component*. ``corpora`` owns the statement,
quarantine, duplicate and run tables; later stages (the pipelines layer) register their own
components with :class:`Schema` so this package never needs to know what they store.

DuckDB lets one process open a database file for writing at a time; a second writer gets a clear
:class:`StoreLockedError` instead of a corrupted file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from corpora.errors import StoreError, StoreLockedError
from corpora.model import Statement


@dataclass(frozen=True, slots=True)
class Schema:
    """A component's migrations: ``migrations[i]`` brings the component to version ``i + 1``."""

    component: str
    migrations: tuple[tuple[str, ...], ...]

    @property
    def version(self) -> int:
        return len(self.migrations)


CORPORA_SCHEMA = Schema(
    component="corpora",
    migrations=(
        (
            """CREATE TABLE statements (
                id VARCHAR PRIMARY KEY,
                document VARCHAR NOT NULL,
                version INTEGER NOT NULL,
                state VARCHAR NOT NULL,
                on_behalf_of VARCHAR NOT NULL DEFAULT '',
                aligned_with VARCHAR NOT NULL DEFAULT '',
                forum VARCHAR NOT NULL,
                session VARCHAR NOT NULL,
                date DATE NOT NULL,
                agenda_item VARCHAR NOT NULL DEFAULT '',
                language VARCHAR NOT NULL DEFAULT '',
                title VARCHAR NOT NULL DEFAULT '',
                source VARCHAR NOT NULL,
                url VARCHAR NOT NULL DEFAULT '',
                text VARCHAR NOT NULL,
                content_hash VARCHAR NOT NULL,
                encoding VARCHAR NOT NULL,
                ingested_at TIMESTAMP NOT NULL,
                superseded_by VARCHAR,
                superseded_at TIMESTAMP
            )""",
            "CREATE INDEX statements_document ON statements(document)",
            """CREATE TABLE quarantine (
                source VARCHAR NOT NULL,
                field VARCHAR NOT NULL DEFAULT '',
                reason VARCHAR NOT NULL,
                run_id VARCHAR NOT NULL,
                first_seen TIMESTAMP NOT NULL,
                last_seen TIMESTAMP NOT NULL,
                PRIMARY KEY (source, reason)
            )""",
            """CREATE TABLE duplicates (
                source VARCHAR NOT NULL,
                duplicate_of VARCHAR NOT NULL,
                reason VARCHAR NOT NULL,
                run_id VARCHAR NOT NULL,
                first_seen TIMESTAMP NOT NULL,
                last_seen TIMESTAMP NOT NULL,
                PRIMARY KEY (source, duplicate_of)
            )""",
            """CREATE TABLE runs (
                run_id VARCHAR PRIMARY KEY,
                kind VARCHAR NOT NULL,
                started_at TIMESTAMP NOT NULL,
                finished_at TIMESTAMP,
                status VARCHAR NOT NULL,
                provenance JSON NOT NULL,
                counts JSON NOT NULL,
                message VARCHAR NOT NULL DEFAULT ''
            )""",
        ),
        (
            """CREATE TABLE retired (
                id VARCHAR PRIMARY KEY,
                document VARCHAR NOT NULL,
                reason VARCHAR NOT NULL DEFAULT '',
                retired_at TIMESTAMP NOT NULL
            )""",
        ),
        (
            # which corpus each document was last ingested from, and whether that corpus
            # declared itself illustrative (corpus.yaml): every version of a document shares it
            """CREATE TABLE corpus_documents (
                document VARCHAR PRIMARY KEY,
                corpus VARCHAR NOT NULL,
                illustrative BOOLEAN NOT NULL,
                note VARCHAR NOT NULL DEFAULT '',
                recorded_at TIMESTAMP NOT NULL
            )""",
        ),
    ),
)
RETIRED = "retired"
"""``superseded_by`` of a statement taken out of the corpus with ``likeminded retire``."""

STATEMENT_COLUMNS: tuple[str, ...] = (
    "id", "document", "version", "state", "on_behalf_of", "aligned_with", "forum", "session",
    "date", "agenda_item", "language", "title", "source", "url", "text", "content_hash",
    "encoding", "ingested_at",
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class Store:
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
                                [schema.component, number, _now()])

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
            now = _now()
            con.executemany(
                "UPDATE statements SET superseded_by = ?, superseded_at = ? WHERE id = ?",
                [[new, now, old] for old, new in pairs],
            )

    def restore(self, con: duckdb.DuckDBPyConnection, statement_id: str) -> None:
        """Make a superseded statement current again (its file was reverted)."""
        con.execute("UPDATE statements SET superseded_by = NULL, superseded_at = NULL "
                    "WHERE id = ?", [statement_id])

    def record_quarantine(self, con: duckdb.DuckDBPyConnection, run_id: str,
                          items: Sequence[tuple[str, str, str]]) -> None:
        """Upsert ``(source, field, reason)`` quarantine entries (caller's transaction)."""
        now = _now()
        for source, field, reason in items:
            con.execute(
                "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, reason) "
                "DO UPDATE SET last_seen = excluded.last_seen, run_id = excluded.run_id",
                [source, field, reason, run_id, now, now],
            )

    def record_duplicates(self, con: duckdb.DuckDBPyConnection, run_id: str,
                          items: Sequence[tuple[str, str, str]]) -> None:
        """Upsert ``(source, duplicate_of, reason)`` duplicate entries (caller's transaction)."""
        now = _now()
        for source, duplicate_of, reason in items:
            con.execute(
                "INSERT INTO duplicates VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                "(source, duplicate_of) DO UPDATE SET last_seen = excluded.last_seen, "
                "run_id = excluded.run_id, reason = excluded.reason",
                [source, duplicate_of, reason, run_id, now, now],
            )

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

    def count_duplicates(self) -> int:
        """Files recorded as duplicates of an ingested one."""
        return int(self.con.execute("SELECT count(*) FROM duplicates").fetchall()[0][0])

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

    # -- corpora ----------------------------------------------------------------------------
    def record_corpus(self, con: duckdb.DuckDBPyConnection, documents: Iterable[str], *,
                      corpus: str, illustrative: bool, note: str = "") -> None:
        """Record that ``documents`` were (last) ingested from ``corpus``."""
        rows = [(d, corpus, illustrative, note, _now()) for d in sorted(set(documents))]
        if rows:
            con.executemany("INSERT OR REPLACE INTO corpus_documents VALUES (?, ?, ?, ?, ?)",
                            rows)

    def illustrative_summary(self) -> dict[str, Any]:
        """Current statements from corpora that declared themselves illustrative:
        ``{"statements": n, "corpora": [names], "notes": [notes]}`` (``n`` is 0 when none, and
        for a store opened read-only before its schema knew corpora)."""
        if not self.con.execute("SELECT count(*) FROM information_schema.tables WHERE "
                                "table_name = 'corpus_documents'").fetchall()[0][0]:
            return {"statements": 0, "corpora": [], "notes": []}
        rows = self.con.execute(
            "SELECT c.corpus, c.note, count(*) FROM statements s JOIN corpus_documents c "
            "ON c.document = s.document WHERE s.superseded_by IS NULL AND c.illustrative "
            "GROUP BY c.corpus, c.note ORDER BY c.corpus, c.note").fetchall()
        return {"statements": int(sum(r[2] for r in rows)),
                "corpora": sorted({r[0] for r in rows}),
                "notes": sorted({r[1] for r in rows if r[1]})}

    # -- retired statements ----------------------------------------------------------------
    def find_statements(self, key: str) -> list[dict[str, Any]]:
        """Statements (any version) whose id, id prefix (8+ characters), document or source is
        ``key``, or whose document ends with ``/key``."""
        cursor = self.con.execute(
            "SELECT id, document, version, source, superseded_by FROM statements WHERE id = ? "
            "OR (length(?) >= 8 AND starts_with(id, ?)) OR document = ? OR source = ? "
            "OR ends_with(document, '/' || ?) ORDER BY document, version",
            [key, key, key, key, key, key])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def retired_ids(self) -> set[str]:
        """Ids of the statements retired with ``likeminded retire``."""
        return {row[0] for row in self.con.execute("SELECT id FROM retired").fetchall()}

    def retire(self, statement_id: str, *, reason: str = "") -> None:
        """Take a statement out of the corpus (recorded in ``retired``; see :meth:`unretire`).

        A retired statement is no longer current, so no stage reads it; re-ingesting its file
        quarantines it instead of bringing it back.
        """
        with self.transaction() as con:
            document = con.execute("SELECT document FROM statements WHERE id = ?",
                                   [statement_id]).fetchall()
            if not document:
                raise StoreError(f"no statement with id {statement_id!r} in {self.path}")
            con.execute("INSERT INTO retired VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                        [statement_id, document[0][0], reason, _now()])
            con.execute("UPDATE statements SET superseded_by = ?, superseded_at = ? "
                        "WHERE id = ? AND superseded_by IS NULL",
                        [RETIRED, _now(), statement_id])

    def unretire(self, statement_id: str) -> bool:
        """Undo :meth:`retire`; the statement is current again unless its document has a newer
        current version. Returns whether it was retired."""
        with self.transaction() as con:
            row = con.execute("DELETE FROM retired WHERE id = ? RETURNING document",
                              [statement_id]).fetchall()
            if not row:
                return False
            current = con.execute("SELECT count(*) FROM statements WHERE document = ? AND "
                                  "superseded_by IS NULL", [row[0][0]]).fetchall()[0][0]
            if not current:
                con.execute("UPDATE statements SET superseded_by = NULL, superseded_at = NULL "
                            "WHERE id = ? AND superseded_by = ?", [statement_id, RETIRED])
        return True

    # -- runs ------------------------------------------------------------------------------
    def start_run(self, run_id: str, kind: str, provenance: dict[str, Any]) -> None:
        self.con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, NULL, 'running', ?, '{}', '')",
            [run_id, kind, _now(), json.dumps(provenance, sort_keys=True, default=str)],
        )

    def finish_run(self, run_id: str, *, status: str, counts: dict[str, Any],
                   message: str = "", provenance: dict[str, Any] | None = None) -> None:
        params: list[Any] = [_now(), status, json.dumps(counts, sort_keys=True, default=str),
                             message]
        extra = ""
        if provenance is not None:
            extra = ", provenance = ?"
            params.append(json.dumps(provenance, sort_keys=True, default=str))
        self.con.execute(
            f"UPDATE runs SET finished_at = ?, status = ?, counts = ?, message = ?{extra} "
            "WHERE run_id = ?", [*params, run_id])

    def mark_interrupted_runs(self, message: str) -> int:
        """Mark every run still ``running`` as ``interrupted`` (call only with the store lock
        held: then no run can be in progress). Returns how many were marked."""
        rows = self.con.execute(
            "UPDATE runs SET status = 'interrupted', finished_at = ?, message = ? "
            "WHERE status = 'running' RETURNING run_id", [_now(), message]).fetchall()
        return len(rows)

    def runs(self, *, limit: int = 20) -> list[dict[str, Any]]:
        cursor = self.con.execute(
            "SELECT run_id, kind, started_at, finished_at, status, provenance, counts, message "
            "FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ?", [limit])
        names = [d[0] for d in cursor.description]
        out = []
        for row in cursor.fetchall():
            record = dict(zip(names, row, strict=True))
            record["provenance"] = json.loads(record["provenance"])
            record["counts"] = json.loads(record["counts"])
            out.append(record)
        return out

    def quarantine(self) -> list[dict[str, Any]]:
        cursor = self.con.execute(
            "SELECT source, field, reason, first_seen, last_seen FROM quarantine ORDER BY source")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
