"""Fetch the documents a manifest lists into a folder ready for ``likeminded ingest``.

A manifest is a CSV with the columns ``url,state,forum,session,date`` and optionally the other
columns of ``metadata.csv`` (``on_behalf_of,aligned_with,language,title,agenda_item``), one row
per statement published as a PDF, a web page, a DOCX or a text file. :func:`fetch_manifest`
validates each row's metadata, downloads the document with a :class:`~corpora.connectors.http.
Fetcher` (rate limit, retries, cache, content-type checks, size cap) and writes, in the
destination folder:

- the documents, named ``<slug>-<key>.<ext>`` after their URL (stable across runs);
- ``metadata.csv`` with the columns ``file,state,forum,session,date,on_behalf_of,aligned_with,
  language,title,agenda_item,url`` for every row that was downloaded or already cached;
- ``fetch_report.json``: the counts and, per row, what happened and why a row failed.

A failing row never stops the others. Rows whose metadata is invalid are not downloaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from corpora.connectors.cache import url_key, write_json
from corpora.connectors.http import Fetcher
from corpora.connectors.redirects import host_port
from corpora.countries import name_key
from corpora.errors import FetchError, InputError, OfflineError
from corpora.groups import GroupTable, default_groups
from corpora.metadata import (
    FETCH_REPORT_FILE,
    METADATA_FILE,
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    validate_metadata,
)
from corpora.names import printable, spreadsheet_safe
from corpora.readers import decode_bytes

MANIFEST_REQUIRED: tuple[str, ...] = ("url", *REQUIRED_FIELDS)
METADATA_COLUMNS: tuple[str, ...] = ("file", *REQUIRED_FIELDS, *OPTIONAL_FIELDS)
"""Columns of the ``metadata.csv`` written into the destination."""
DOCUMENT_SUFFIXES: tuple[str, ...] = (".pdf", ".html", ".htm", ".docx", ".txt")
"""What a manifest row may point to (checked against the served content type)."""

_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """One row of a manifest: its line number, URL and metadata fields (raw, stripped)."""

    line: int
    url: str
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What happened to one manifest row: ``downloaded``, ``cached`` or ``failed`` (why)."""

    line: int
    url: str
    status: str
    file: str = ""
    reason: str = ""
    sha256: str = ""
    bytes: int = 0
    offline: bool = False


@dataclass(slots=True)
class ManifestReport:
    """Outcome of :func:`fetch_manifest`; ``rows == downloaded + cached + failed``."""

    manifest: str
    dest: str
    outcomes: list[RowOutcome] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    def _count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def rows(self) -> int:
        return len(self.outcomes)

    @property
    def downloaded(self) -> int:
        return self._count("downloaded")

    @property
    def cached(self) -> int:
        return self._count("cached")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def all_offline(self) -> bool:
        """Nothing could be fetched and every failure was an unreachable host."""
        failed = [o for o in self.outcomes if o.status == "failed"]
        return bool(failed) and len(failed) == self.rows and all(o.offline for o in failed)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the ``--json`` output and ``fetch_report.json``)."""
        return {
            "manifest": self.manifest,
            "dest": self.dest,
            "metadata_file": str(Path(self.dest) / METADATA_FILE),
            "report_file": str(Path(self.dest) / FETCH_REPORT_FILE),
            "rows": self.rows,
            "downloaded": self.downloaded,
            "cached": self.cached,
            "failed": self.failed,
            "failures": [{"line": o.line, "url": o.url, "reason": o.reason}
                         for o in self.outcomes if o.status == "failed"],
            "results": [asdict(o) for o in self.outcomes],
            "stale": list(self.stale),
        }


def read_manifest(path: str | Path) -> list[ManifestRow]:
    """Read a manifest CSV (any encoding :func:`~corpora.readers.decode_bytes` accepts).

    Raises:
        InputError: when the file cannot be read or its header lacks a required column.
    """
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise InputError(f"{source}: cannot read manifest ({err.strerror})", source=source,
                         field="file") from err
    text, _ = decode_bytes(data, source=source)
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in MANIFEST_REQUIRED if c not in header]
    if missing:
        raise InputError(f"{source}: header lacks required column(s) {', '.join(missing)}; "
                         f"expected {','.join(MANIFEST_REQUIRED)} and optionally "
                         f"{','.join(c for c in OPTIONAL_FIELDS if c != 'url')}",
                         source=source, field=missing[0])
    rows = []
    for line, raw in enumerate(reader, start=2):
        fields = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()
                  if k is not None and not isinstance(v, list)}
        if not any(fields.values()):
            continue
        rows.append(ManifestRow(line=line, url=fields.get("url", ""), fields=fields))
    return rows


def document_stem(url: str) -> str:
    """File name (without extension) for a URL: a readable slug plus the URL's cache key."""
    parts = urlsplit(url)
    last = PurePosixPath(parts.path).stem if parts.path.strip("/") else ""
    slug = _SLUG.sub("-", name_key(last or parts.hostname or "document")).strip("-")[:40]
    return f"{slug or 'document'}-{url_key(url)[:10]}"


def _check_row(row: ManifestRow, where: str, groups: GroupTable,
               first_line: dict[str, int]) -> None:
    try:
        parts = urlsplit(row.url)
        scheme, netloc, _ = parts.scheme.lower(), parts.netloc, parts.port
    except ValueError as err:
        raise InputError(f"{where}: field 'url' is not a valid URL ({err}); got {row.url!r}",
                         source=where, field="url") from None
    if scheme not in ("http", "https") or not netloc:
        raise InputError(f"{where}: field 'url' must be an http(s) URL; got {row.url!r}",
                         source=where, field="url")
    if row.url in first_line:
        raise InputError(f"{where}: URL already listed at line {first_line[row.url]}",
                         source=where, field="url")
    validate_metadata(row.fields, source=where, groups=groups)


def fetch_manifest(
    manifest: str | Path,
    dest: str | Path,
    *,
    fetcher: Fetcher,
    groups: GroupTable | None = None,
    refresh: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ManifestReport:
    """Download every document of a manifest and write an ingestible folder.

    Args:
        manifest: the manifest CSV.
        dest: the destination folder (created if missing); reuse it to reuse the cache.
        fetcher: the fetcher (its policy sets rate limit, retries, timeouts, size cap).
        groups: groups table to validate ``on_behalf_of``/``aligned_with``.
        refresh: ask servers whether cached documents changed.
        progress: called as ``progress(done, total)`` after each row.

    Returns:
        The report, also written to ``dest/fetch_report.json``.

    Raises:
        InputError: when the manifest itself is unusable.
    """
    rows = read_manifest(manifest)
    groups = groups or default_groups()
    folder = Path(dest)
    folder.mkdir(parents=True, exist_ok=True)
    report = ManifestReport(manifest=str(manifest), dest=str(folder))
    first_line: dict[str, int] = {}
    written: list[tuple[ManifestRow, str]] = []
    for row in rows:  # redirects may go to any host and port the manifest names
        try:
            fetcher.named_hosts.add(host_port(row.url))
        except ValueError:
            continue
    for done, row in enumerate(rows, start=1):
        where = f"{Path(manifest).name} line {row.line}"
        try:
            _check_row(row, where, groups, first_line)
            first_line[row.url] = row.line
            result = fetcher.fetch(row.url, folder, stem=document_stem(row.url),
                                   allowed=DOCUMENT_SUFFIXES, refresh=refresh)
        except Exception as err:  # one row's failure, whatever it is, is that row's alone
            detail = str(err) if isinstance(err, InputError | FetchError) else (
                f"{type(err).__name__}: {str(err)[:200]}")
            message = detail if detail.startswith(where) else f"{where}: {detail}"
            report.outcomes.append(RowOutcome(row.line, row.url, "failed",
                                              reason=printable(message),
                                              offline=isinstance(err, OfflineError)))
        else:
            report.outcomes.append(RowOutcome(
                row.line, row.url, "cached" if result.cached else "downloaded",
                file=result.path.name, sha256=result.sha256, bytes=result.bytes))
            written.append((row, result.path.name))
        finally:
            if progress is not None:
                progress(done, len(rows))
    _write_metadata(folder / METADATA_FILE, written)
    names = {name for _, name in written}
    report.stale = sorted(
        p.name for p in folder.iterdir()
        if p.is_file() and p.name not in names and not p.name.startswith(".")
        and p.name not in (METADATA_FILE, FETCH_REPORT_FILE))
    record = {**report.to_dict(),
              "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()}
    write_json(folder / FETCH_REPORT_FILE, record)
    return report


def _existing_rows(path: Path, names: set[str]) -> tuple[list[str], list[dict[str, str]]]:
    """Columns and rows of a ``metadata.csv`` already in the destination, except the rows of
    the files this fetch writes (they are replaced)."""
    if not path.is_file():
        return [], []
    text, _ = decode_bytes(path.read_bytes(), source=str(path))
    reader = csv.DictReader(io.StringIO(text))
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    rows = []
    for raw in reader:
        row = {(k or "").strip().lower(): (v or "") for k, v in raw.items()
               if k is not None and not isinstance(v, list)}
        if row.get("file", "") not in names:
            rows.append(row)
    return columns, rows


def _write_metadata(path: Path, written: list[tuple[ManifestRow, str]]) -> None:
    """Write ``metadata.csv``, merged with the rows of an existing one (nothing is lost), every
    cell safe to open in a spreadsheet."""
    old_columns, old_rows = _existing_rows(path, {name for _, name in written})
    columns = [*METADATA_COLUMNS, *(c for c in old_columns if c and c not in METADATA_COLUMNS)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # a bare CR in a field gets quoted
    writer.writerow(columns)
    new_rows = [{**row.fields, "file": name, "url": row.url} for row, name in written]
    for values in [*old_rows, *new_rows]:
        writer.writerow([spreadsheet_safe(values.get(column, "")) for column in columns])
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    os.replace(tmp, path)

