"""The store's record-keeping tables beside the statements: quarantine and duplicates, the
corpus each document came from, retired statements and runs.

:class:`StoreRecords` is a mixin of :class:`corpora.store.Store` (it uses the store's
connection, path and transactions); use its methods through ``Store``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from corpora.errors import StoreError
from corpora.store_schema import RETIRED, now_utc

__all__ = ["StoreRecords"]


class StoreRecords:
    """Quarantine, duplicates, corpora, retired statements and runs (mixed into ``Store``)."""

    if TYPE_CHECKING:  # what the methods use of the Store they are mixed into
        con: duckdb.DuckDBPyConnection
        path: Path

        def transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...

    # -- quarantine and duplicates ---------------------------------------------------------
    def record_quarantine(self, con: duckdb.DuckDBPyConnection, run_id: str,
                          items: Sequence[tuple[str, str, str]]) -> None:
        """Upsert ``(source, field, reason)`` quarantine entries (caller's transaction)."""
        now = now_utc()
        for source, field, reason in items:
            con.execute(
                "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, reason) "
                "DO UPDATE SET last_seen = excluded.last_seen, run_id = excluded.run_id",
                [source, field, reason, run_id, now, now],
            )

    def record_duplicates(self, con: duckdb.DuckDBPyConnection, run_id: str,
                          items: Sequence[tuple[str, str, str]]) -> None:
        """Upsert ``(source, duplicate_of, reason)`` duplicate entries (caller's transaction)."""
        now = now_utc()
        for source, duplicate_of, reason in items:
            con.execute(
                "INSERT INTO duplicates VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                "(source, duplicate_of) DO UPDATE SET last_seen = excluded.last_seen, "
                "run_id = excluded.run_id, reason = excluded.reason",
                [source, duplicate_of, reason, run_id, now, now],
            )

    def count_duplicates(self) -> int:
        """Files recorded as duplicates of an ingested one."""
        return int(self.con.execute("SELECT count(*) FROM duplicates").fetchall()[0][0])

    def quarantine(self) -> list[dict[str, Any]]:
        cursor = self.con.execute(
            "SELECT source, field, reason, first_seen, last_seen FROM quarantine ORDER BY source")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # -- corpora ----------------------------------------------------------------------------
    def record_corpus(self, con: duckdb.DuckDBPyConnection, documents: Iterable[str], *,
                      corpus: str, illustrative: bool, note: str = "") -> None:
        """Record that ``documents`` were (last) ingested from ``corpus``."""
        rows = [(d, corpus, illustrative, note, now_utc()) for d in sorted(set(documents))]
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
                        [statement_id, document[0][0], reason, now_utc()])
            con.execute("UPDATE statements SET superseded_by = ?, superseded_at = ? "
                        "WHERE id = ? AND superseded_by IS NULL",
                        [RETIRED, now_utc(), statement_id])

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
            [run_id, kind, now_utc(), json.dumps(provenance, sort_keys=True, default=str)],
        )

    def finish_run(self, run_id: str, *, status: str, counts: dict[str, Any],
                   message: str = "", provenance: dict[str, Any] | None = None) -> None:
        params: list[Any] = [now_utc(), status, json.dumps(counts, sort_keys=True, default=str),
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
            "WHERE status = 'running' RETURNING run_id", [now_utc(), message]).fetchall()
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
