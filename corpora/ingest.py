"""Folder ingestion: find statement files, attach metadata, store statements, quarantine the rest.

Nothing is lost: every entry seen ends up *ingested* (new statement or new version of a changed
file), *unchanged* (already stored), a *duplicate* (same text already stored from another file) or
*quarantined* with a reason, and ``seen == ingested + unchanged + duplicates + quarantined``.

An entry is a statement file under the folder, or a ``metadata.csv`` row whose file is missing or
outside the folder. ``metadata.csv`` files themselves, the ``fetch_report.json`` that
``likeminded fetch manifest`` writes, ``README``/``LICENSE`` files and hidden files are not
statements and are counted as ``ignored``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from corpora.errors import InputError
from corpora.groups import GroupTable, default_groups
from corpora.metadata import (
    FETCH_REPORT_FILE,
    METADATA_FILE,
    Metadata,
    MetadataRow,
    read_metadata_csv,
    validate_metadata,
)
from corpora.model import Statement
from corpora.names import has_undecodable_bytes, printable
from corpora.readers import SUPPORTED_SUFFIXES, ReadLimits, read_document
from corpora.store import Store

_IGNORED_STEMS = {"readme", "license", "licence", "notice", "changelog"}

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

    def to_dict(self) -> dict[str, Any]:
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


@dataclass(frozen=True, slots=True)
class _Entry:
    """One thing to ingest: a file (maybe missing) and the metadata row naming it, if any."""

    source: str
    path: Path | None
    row: MetadataRow | None = None
    problem: QuarantinedFile | None = None


def _relative(path: Path, root: Path) -> str:
    """How a file under ``root`` is named in reports and in the store (always printable)."""
    return printable(path.relative_to(root).as_posix())


def _is_ignored(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    if any(p.startswith(".") for p in parts):
        return True
    return (path.name.lower() in (METADATA_FILE, FETCH_REPORT_FILE)
            or path.stem.lower() in _IGNORED_STEMS)


def _walk(root: Path) -> tuple[list[Path], list[_Entry]]:
    """Files under ``root`` (sorted) and the symbolic links that cannot be read as one of them.

    A link to a file inside the folder is read like the file; a link that leads outside the
    folder (or nowhere) is refused, and a link to a folder is never followed.
    """
    files: list[Path] = []
    refused: list[_Entry] = []
    for path in sorted(root.rglob("*")):
        if not path.is_symlink():
            if path.is_file():
                files.append(path)
            continue
        source = _relative(path, root)
        if path.relative_to(root).parts[0].startswith("."):
            continue
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            refused.append(_problem(source, "file", f"{source}: broken symbolic link; refused"))
            continue
        if not target.is_relative_to(root):
            refused.append(_problem(source, "file", f"{source}: symbolic link to "
                                    f"{printable(str(target))}, outside the ingested folder; "
                                    "refused"))
        elif target.is_file():
            files.append(path)
        # a link to a folder inside the root: its files are found at their own place
    return files, refused


def _problem(source: str, field: str, reason: str) -> _Entry:
    return _Entry(source=source, path=None, problem=QuarantinedFile(source, field, reason))


def discover(root: Path, limits: ReadLimits | None = None) -> tuple[list[_Entry], list[str]]:
    """List the entries under ``root`` (sorted, so runs are deterministic) and the ignored files.

    Ignored: hidden files, ``metadata.csv``, ``fetch_report.json``, README/LICENSE-like files
    and any file of an unsupported type that no ``metadata.csv`` names (a file a
    ``metadata.csv`` names is meant as a statement: an unsupported type is quarantined).
    """
    limits = limits or ReadLimits()
    root = root.resolve()
    files, entries = _walk(root)
    ignored: list[str] = []
    rows_by_file: dict[Path, MetadataRow] = {}
    for csv_path in (p for p in files if p.name.lower() == METADATA_FILE):
        csv_source = _relative(csv_path, root)
        try:
            rows = read_metadata_csv(csv_path, source=csv_source, limits=limits)
        except (InputError, OSError) as err:
            field = getattr(err, "field", None) or "file"
            entries.append(_problem(csv_source, field, printable(str(err))))
            continue
        for row in rows:
            where = f"{csv_source} line {row.line}"
            target = (csv_path.parent / row.file).resolve() if row.file else None
            if row.problem and (target is None or not target.is_file()):
                entries.append(_problem(where, row.problem_field, printable(row.problem)))
            elif target is None:
                entries.append(_problem(where, "file", f"{where}: field 'file' is empty"))
            elif not target.is_relative_to(root):
                entries.append(_problem(where, "file", printable(
                    f"{where}: file {row.file!r} is outside the ingested folder {root}; "
                    "refused")))
            elif not target.is_file():
                entries.append(_problem(where, "file", printable(
                    f"{where}: file {row.file!r} does not exist")))
            elif target in rows_by_file:
                first = rows_by_file[target]
                entries.append(_problem(where, "file", printable(
                    f"{where}: file {row.file!r} is already described by "
                    f"{_relative(first.csv_path, root)} line {first.line}")))
            else:
                rows_by_file[target] = row
    for path in files:
        source = _relative(path, root)
        target = path.resolve() if path.is_symlink() else path
        row = rows_by_file.get(target)
        if _is_ignored(path, root) or (row is None and path.suffix.lower()
                                       not in SUPPORTED_SUFFIXES):
            ignored.append(source)
        elif has_undecodable_bytes(str(path.relative_to(root))):
            entries.append(_problem(source, "file", f"{source}: file name is not valid UTF-8 "
                                    "(undecodable bytes shown as \\xNN); rename the file"))
        elif row is not None and row.problem:
            entries.append(_problem(source, row.problem_field,
                                    printable(f"{source}: {row.problem}")))
        else:
            entries.append(_Entry(source=source, path=path, row=row))
    return entries, ignored


def _metadata_for(entry: _Entry, front_matter: dict[str, str], groups: GroupTable,
                  limits: ReadLimits) -> Metadata:
    fields = dict(front_matter)
    source = entry.source
    if entry.row is not None:
        fields.update({k: v for k, v in entry.row.fields.items() if v})
        source = f"{entry.source} ({entry.row.csv_path.name} line {entry.row.line})"
    elif not front_matter:
        raise InputError(f"{entry.source}: no metadata: not listed in any {METADATA_FILE} and "
                         "no YAML front matter", source=entry.source, field="metadata")
    for name, value in fields.items():
        if len(value) > limits.max_field_chars or len(name) > limits.max_field_chars:
            raise InputError(f"{source}: field {name[:40]!r} has {len(value):,} characters, over "
                             f"the limit of {limits.max_field_chars:,} (ingest.max_field_chars)",
                             source=entry.source, field=name[:40])
    return validate_metadata(fields, source=source, groups=groups)


def _read_entry(entry: _Entry, groups: GroupTable, limits: ReadLimits,
                stamp: dt.datetime) -> Statement:
    """The statement of one entry; raises InputError naming it."""
    assert entry.path is not None
    if entry.path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{entry.source}: unsupported file type {printable(entry.path.suffix) or '(none)'!r};"
            f" expected one of {', '.join(SUPPORTED_SUFFIXES)}", source=entry.source,
            field="file")
    document = read_document(entry.path, source=entry.source, limits=limits)
    meta = _metadata_for(entry, document.front_matter, groups, limits)
    return Statement.create(
        text=document.text, state=meta.state, forum=meta.forum, session=meta.session,
        date=meta.date, source=entry.source, document=entry.source,
        encoding=document.encoding, ingested_at=stamp, **meta.optional())


def quarantine_reason(source: str, err: Exception) -> QuarantinedFile:
    """A one-line quarantine entry for any failure while reading ``source``."""
    if isinstance(err, InputError):
        return QuarantinedFile(source, err.field or "", printable(str(err)))
    return QuarantinedFile(source, "file", printable(
        f"{source}: could not be read ({type(err).__name__}: {str(err)[:200]})"))


def ingest_folder(
    root: str | Path,
    store: Store,
    *,
    run_id: str,
    groups: GroupTable | None = None,
    max_bytes: int | None = None,
    limits: ReadLimits | None = None,
    progress: ProgressCallback | None = None,
    now: dt.datetime | None = None,
) -> IngestReport:
    """Ingest every statement file under ``root`` into ``store`` in one transaction.

    One bad file never stops the others: whatever goes wrong while reading it (a parser's error,
    a limit, exhausted recursion or memory) quarantines that file with a one-line reason naming
    it.

    Args:
        root: the folder (read recursively; never modified).
        store: an open, writable store.
        run_id: recorded with quarantine and duplicate entries.
        groups: groups table for ``on_behalf_of``; the bundled one by default.
        max_bytes: files larger than this are quarantined (overrides ``limits.max_bytes``).
        limits: caps on the work one file may cause (:class:`ReadLimits` defaults).
        progress: called as ``progress(done, total)`` after each entry.
        now: ingest time to record (defaults to the current UTC time).

    Returns:
        An :class:`IngestReport` whose counts add up.

    Raises:
        InputError: when ``root`` is not a folder.
    """
    limits = limits or ReadLimits()
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    root_path = Path(root).resolve()
    if not root_path.is_dir():
        raise InputError(f"{printable(str(root))}: not a folder; expected a folder of statement "
                         "files", source=printable(str(root)), field="path")
    groups = groups or default_groups()
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    report = IngestReport(root=printable(str(root_path)), run_id=run_id)
    entries, report.ignored_files = discover(root_path, limits)

    ledger = StatementLedger(store, report)
    for done, entry in enumerate(entries, start=1):
        try:
            if entry.problem is not None:
                report.quarantine.append(entry.problem)
                continue
            statement = _read_entry(entry, groups, limits, stamp)
        except Exception as err:  # one file's failure, whatever it is, is that file's alone
            report.quarantine.append(quarantine_reason(entry.source, err))
            continue
        finally:
            if progress is not None:
                progress(done, len(entries))
        ledger.add(statement)
    ledger.commit(run_id)
    return report


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

    def commit(self, run_id: str) -> None:
        """Store the queued statements, versions, quarantine and duplicates in one transaction."""
        store, report = self._store, self._report
        with store.transaction() as con:
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


def folder_fingerprint(root: str | Path) -> str:
    """SHA-256 over the relative paths and sizes of the files under ``root``.

    Cheap provenance for a raw input folder (the corpus hash proper is over statement ids).
    """
    root_path = Path(root).resolve()
    digest = hashlib.sha256()
    for path in sorted(p for p in root_path.rglob("*") if p.is_file() or p.is_symlink()):
        try:
            size = path.lstat().st_size  # a link's own size: never follow it out of the folder
        except OSError:
            continue
        digest.update(f"{_relative(path, root_path)}\t{size}\n".encode())
    return digest.hexdigest()
