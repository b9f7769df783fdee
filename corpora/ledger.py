"""What an ingestion did, and storing it: outcome records, the report whose counts add up, and
the ledger that versions and deduplicates statements before storing them in one transaction.

Shared by every ingestion path (folders, the UN General Debate Corpus).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from corpora.errors import InputError
from corpora.model import Statement
from corpora.names import printable
from corpora.store import Store

if TYPE_CHECKING:
    import duckdb

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class QuarantinedFile:
    """An input that could not be ingested, and why."""

    source: str
    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class DuplicateFile:
    """An input whose text is already stored from another file."""

    source: str
    duplicate_of: str
    reason: str


class IngestSummary(TypedDict):
    """:meth:`IngestReport.to_dict`: the ``--json`` output of ``likeminded ingest`` (one
    folder)."""

    root: str
    run_id: str
    seen: int
    ingested: int
    new_versions: int
    unchanged: int
    duplicates: int
    quarantined: int
    ignored: int
    ignored_files: list[str]
    encodings: dict[str, int]
    quarantine: list[dict[str, Any]]
    duplicate_files: list[dict[str, Any]]


@dataclass(slots=True)
class IngestReport:
    """What one ingestion did; the counts add up (``seen`` is their sum)."""

    root: str
    run_id: str
    ingested: int = 0
    new_versions: int = 0
    unchanged: int = 0
    ignored_files: list[str] = field(default_factory=list)
    quarantine: list[QuarantinedFile] = field(default_factory=list)
    duplicate_list: list[DuplicateFile] = field(default_factory=list)
    encodings: dict[str, int] = field(default_factory=dict)
    statement_ids: list[str] = field(default_factory=list)

    @property
    def ignored(self) -> int:
        return len(self.ignored_files)

    @property
    def duplicates(self) -> int:
        return len(self.duplicate_list)

    @property
    def quarantined(self) -> int:
        return len(self.quarantine)

    @property
    def seen(self) -> int:
        return self.ingested + self.unchanged + self.duplicates + self.quarantined

    @property
    def changed_nothing(self) -> bool:
        return self.ingested == 0

    def to_dict(self) -> IngestSummary:
        """JSON-ready summary (the ``--json`` output of ``likeminded ingest``)."""
        return {
            "root": self.root,
            "run_id": self.run_id,
            "seen": self.seen,
            "ingested": self.ingested,
            "new_versions": self.new_versions,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "ignored": self.ignored,
            "ignored_files": list(self.ignored_files),
            "encodings": dict(sorted(self.encodings.items())),
            "quarantine": [asdict(q) for q in self.quarantine],
            "duplicate_files": [asdict(d) for d in self.duplicate_list],
        }


def quarantine_reason(source: str, err: Exception) -> QuarantinedFile:
    """A one-line quarantine entry for any failure while reading ``source``."""
    if isinstance(err, InputError):
        return QuarantinedFile(source, err.field or "", printable(str(err)))
    return QuarantinedFile(source, "file", printable(
        f"{source}: could not be read ({type(err).__name__}: {str(err)[:200]})"))


class StatementLedger:
    """Sorts statements into new, new version, unchanged or duplicate, then stores them at once.

    Every ingestion path (folders, the UN General Debate Corpus, ...) builds its
    :class:`Statement` records its own way and hands them to one ledger, so that they are
    versioned and deduplicated alike: a statement whose id is stored under the same document is
    *unchanged* (or made current again when its file went back to an earlier text); one whose
    text is already stored from another document is a *duplicate*; one whose document is stored
    with another text is a *new version* that supersedes it. Quarantined inputs go straight into
    ``report.quarantine``; :meth:`commit` writes statements, quarantine and duplicates in one
    transaction.

    Args:
        store: an open, writable store (its statement index is read once, here).
        report: the report to count into; ``statement.source`` names inputs in it.
    """

    def __init__(self, store: Store, report: IngestReport) -> None:
        self._store = store
        self._report = report
        self._by_id: dict[str, tuple[str, bool]] = {}
        self._current_by_document: dict[str, tuple[str, int]] = {}
        self._current_by_hash: dict[str, tuple[str, str]] = {}  # hash -> (source, document)
        self._max_version: dict[str, int] = {}
        for sid, document, version, chash, source, current in store.statement_index():
            self._by_id[sid] = (document, current)
            self._max_version[document] = max(self._max_version.get(document, 0), version)
            if current:
                self._current_by_document[document] = (sid, version)
                self._current_by_hash.setdefault(chash, (source, document))
        self._retired = store.retired_ids()
        self._inserts: list[tuple[Statement, int]] = []
        self._superseded: list[tuple[str, str]] = []
        self._restored: list[tuple[str, str]] = []

    def add(self, statement: Statement) -> None:
        """Count one statement in the report and queue what storing it needs."""
        report = self._report
        if statement.id in self._retired:
            report.quarantine.append(QuarantinedFile(
                statement.source, "file", f"{statement.source}: statement {statement.id[:12]} "
                "was retired with 'likeminded retire'; 'likeminded retire --undo "
                f"{statement.id[:12]}' brings it back"))
            return
        report.encodings[statement.encoding] = report.encodings.get(statement.encoding, 0) + 1
        known = self._by_id.get(statement.id)
        previous = self._current_by_document.get(statement.document)
        if known is not None and known[0] == statement.document:
            if known[1]:
                report.unchanged += 1
            else:  # the file went back to an earlier text: that version is current again
                self._restored.append((statement.id, previous[0] if previous else ""))
                self._by_id[statement.id] = (statement.document, True)
                self._current_by_document[statement.document] = (statement.id, 0)
                report.ingested += 1
                report.new_versions += 1
                report.statement_ids.append(statement.id)
            return
        same_text = self._current_by_hash.get(statement.content_hash)
        if known is not None or (same_text is not None and same_text[1] != statement.document):
            original = same_text[0] if same_text else (known[0] if known else "")
            report.duplicate_list.append(DuplicateFile(
                statement.source, original,
                f"{statement.source}: same text as {original}, already stored"))
            return
        version = self._max_version.get(statement.document, 0) + 1
        if previous is not None:
            self._superseded.append((previous[0], statement.id))
            report.new_versions += 1
        self._inserts.append((statement, version))
        self._by_id[statement.id] = (statement.document, True)
        self._current_by_document[statement.document] = (statement.id, version)
        self._current_by_hash[statement.content_hash] = (statement.source, statement.document)
        self._max_version[statement.document] = version
        report.ingested += 1
        report.statement_ids.append(statement.id)

    def commit(self, run_id: str,
               also: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> None:
        """Store the queued statements, versions, quarantine and duplicates in one transaction
        (and whatever ``also`` writes, in the same one)."""
        store, report = self._store, self._report
        with store.transaction() as con:
            if also is not None:
                also(con)
            store.insert_statements(con, self._inserts)
            store.supersede(con, self._superseded)
            for restored_id, replaced_id in self._restored:
                if replaced_id:
                    store.supersede(con, [(replaced_id, restored_id)])
                store.restore(con, restored_id)
            store.record_quarantine(con, run_id, [(q.source, q.field, q.reason)
                                                  for q in report.quarantine])
            store.record_duplicates(con, run_id, [(d.source, d.duplicate_of, d.reason)
                                                  for d in report.duplicate_list])
