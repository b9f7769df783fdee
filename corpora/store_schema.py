"""The corpora component's declared schema: the :class:`Schema` record every component's
migrations take, the statement, quarantine, duplicate, run, retired and corpus tables
(:data:`CORPORA_SCHEMA`), the statement columns and the timestamp convention of the store.

:class:`corpora.store.Store` applies the migrations; import these names from
:mod:`corpora.store`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["CORPORA_SCHEMA", "RETIRED", "STATEMENT_COLUMNS", "Schema", "now_utc"]


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


def now_utc() -> dt.datetime:
    """The time as the store's TIMESTAMP columns hold it: UTC, naive, whole seconds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
