"""Folder ingestion: find statement files, attach metadata, store statements, quarantine the rest.

Nothing is lost: every entry seen ends up *ingested* (new statement or new version of a changed
file), *unchanged* (already stored), a *duplicate* (same text already stored from another file) or
*quarantined* with a reason, and ``seen == ingested + unchanged + duplicates + quarantined``.

An entry is a statement file under the folder, or a ``metadata.csv`` row whose file is missing or
outside the folder. ``metadata.csv`` files themselves, the ``fetch_report.json`` that
``likeminded fetch manifest`` writes and the ``corpus.yaml`` at the root (the corpus's name and
whether it is illustrative, recorded per document: :mod:`corpora.corpus_info`) describe the
folder; ``README``/``LICENSE`` files and hidden files are not statements and are counted as
``ignored``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from corpora.corpus_info import CORPUS_FILE, read_corpus_info
from corpora.errors import InputError
from corpora.groups import GroupTable, default_groups
from corpora.ledger import (
    DuplicateFile,
    IngestReport,
    ProgressCallback,
    QuarantinedFile,
    StatementLedger,
    quarantine_reason,
)
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

__all__ = ["DuplicateFile", "IngestReport", "ProgressCallback", "QuarantinedFile",
           "StatementLedger", "discover", "folder_fingerprint", "ingest_folder",
           "quarantine_reason"]

_IGNORED_STEMS = {"readme", "license", "licence", "notice", "changelog"}

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


def _is_description(path: Path, root: Path) -> bool:
    """The folder's own descriptions: read, not statements, not "ignored"."""
    return (path.name.lower() in (METADATA_FILE, FETCH_REPORT_FILE)
            or path.relative_to(root).as_posix() == CORPUS_FILE)


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
        described = rows_by_file.get(target)
        if _is_description(path, root):
            continue
        if _is_ignored(path, root) or (described is None and path.suffix.lower()
                                       not in SUPPORTED_SUFFIXES):
            ignored.append(source)
        elif has_undecodable_bytes(str(path.relative_to(root))):
            entries.append(_problem(source, "file", f"{source}: file name is not valid UTF-8 "
                                    "(undecodable bytes shown as \\xNN); rename the file"))
        elif described is not None and described.problem:
            entries.append(_problem(source, described.problem_field,
                                    printable(f"{source}: {described.problem}")))
        else:
            entries.append(_Entry(source=source, path=path, row=described))
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
    # a link inside the folder is read at its target, and no file is read through a link that
    # appeared after the folder was listed
    path = entry.path.resolve() if entry.path.is_symlink() else entry.path
    document = read_document(path, source=entry.source, limits=limits, follow_symlinks=False)
    meta = _metadata_for(entry, document.front_matter, groups, limits)
    return Statement.create(
        text=document.text, state=meta.state, forum=meta.forum, session=meta.session,
        date=meta.date, source=entry.source, document=entry.source,
        encoding=document.encoding, ingested_at=stamp, **meta.optional())


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
        InputError: when ``root`` is not a folder, or its ``corpus.yaml`` is invalid (named).
    """
    limits = limits or ReadLimits()
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    root_path = Path(root).resolve()
    if not root_path.is_dir():
        raise InputError(f"{printable(str(root))}: not a folder; expected a folder of statement "
                         "files", source=printable(str(root)), field="path")
    groups = groups or default_groups()
    corpus = read_corpus_info(root_path)
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    report = IngestReport(root=printable(str(root_path)), run_id=run_id)
    entries, report.ignored_files = discover(root_path, limits)

    ledger = StatementLedger(store, report)
    documents: list[str] = []
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
        documents.append(statement.document)
    ledger.commit(run_id, also=lambda con: store.record_corpus(
        con, documents, corpus=corpus.name, illustrative=corpus.illustrative, note=corpus.note))
    return report


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
