"""The download cache: sidecar records keyed by URL, and the content types each extension allows.

Every download into a folder is recorded in ``<folder>/.fetch/<key>.json`` (url, file, sha256,
bytes, fetched_at, etag, last_modified, content_type), ``<key>`` being :func:`url_key` of the URL.
The folder is hidden, so a destination stays ingestible by ``likeminded ingest``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from corpora.errors import FetchError

FETCH_DIR = ".fetch"

CONTENT_TYPES: dict[str, tuple[str, ...]] = {
    ".pdf": ("application/pdf", "application/x-pdf"),
    ".html": ("text/html", "application/xhtml+xml"),
    ".htm": ("text/html", "application/xhtml+xml"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    ".txt": ("text/plain",),
    ".csv": ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"),
}
"""Content types accepted for each file extension."""
GENERIC_TYPES: tuple[str, ...] = (
    "application/octet-stream", "binary/octet-stream", "application/download",
    "application/force-download", "application/x-download", "")
"""Types that say nothing: accepted where magic bytes (or a CSV's nature) can confirm the file."""
MAGIC: dict[str, bytes] = {".pdf": b"%PDF-", ".docx": b"PK\x03\x04"}
"""How the files of an extension must start."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One fetched URL: where it is, what it is, and whether the network was needed."""

    url: str
    path: Path
    sha256: str
    bytes: int
    content_type: str
    fetched_at: str
    etag: str = ""
    last_modified: str = ""
    cached: bool = False
    resumed: bool = False

    def sidecar(self) -> dict[str, Any]:
        """The JSON recorded for the download."""
        record = asdict(self)
        record["file"] = self.path.name
        for transient in ("path", "cached", "resumed"):
            record.pop(transient)
        return record

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (for ``--json`` outputs)."""
        return {**self.sidecar(), "path": str(self.path), "cached": self.cached,
                "resumed": self.resumed}


def url_key(url: str) -> str:
    """Cache key of a URL: the first 20 hex digits of its SHA-256."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:20]


def sidecar_path(url: str, folder: Path) -> Path:
    """Where the record of ``url``'s download into ``folder`` lives."""
    return folder / FETCH_DIR / f"{url_key(url)}.json"


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of a file, read in blocks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_json(path: Path, record: dict[str, Any]) -> None:
    """Write JSON atomically (temporary file, then rename)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from a file, or ``None`` when missing or unreadable."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def cached_result(url: str, folder: Path) -> FetchResult | None:
    """The recorded download of ``url`` in ``folder`` if its file is intact, else ``None``.

    Intact means the file named by the sidecar exists with the recorded size and SHA-256.
    """
    record = read_json(sidecar_path(url, folder))
    if record is None or record.get("url") != url or not record.get("file"):
        return None
    path = folder / str(record["file"])
    if not path.is_file() or path.stat().st_size != record.get("bytes"):
        return None
    if sha256_file(path) != record.get("sha256"):
        return None
    return FetchResult(url=url, path=path, sha256=record["sha256"], bytes=record["bytes"],
                       content_type=record.get("content_type", ""),
                       fetched_at=record.get("fetched_at", ""), etag=record.get("etag", ""),
                       last_modified=record.get("last_modified", ""), cached=True)


def record_download(result: FetchResult, folder: Path) -> Path:
    """Write the sidecar of a download; returns its path."""
    sidecar = sidecar_path(result.url, folder)
    sidecar.parent.mkdir(parents=True, exist_ok=True)
    write_json(sidecar, result.sidecar())
    return sidecar


def choose_extension(url: str, content_type: str, allowed: tuple[str, ...]) -> str:
    """The extension a download is saved under, checked against its content type.

    The URL's own extension wins when it is one of ``allowed`` and the content type fits it;
    a URL without one (a web page such as ``/statement?id=3``) takes the extension of its type.

    Raises:
        FetchError: when the type does not fit the URL's extension or any allowed one.
    """
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix in allowed:
        accepted = CONTENT_TYPES.get(suffix, ())
        if content_type in accepted or (content_type in GENERIC_TYPES and
                                        (suffix in MAGIC or suffix == ".csv")):
            return suffix
        raise FetchError(f"{url}: served as {content_type or 'no content type'!r}, expected "
                         f"{' or '.join(accepted)} for a {suffix} URL (often an error or login "
                         "page)", url=url)
    for extension in allowed:
        if content_type in CONTENT_TYPES.get(extension, ()):
            return extension
    expected = sorted({t for e in allowed for t in CONTENT_TYPES.get(e, ())})
    raise FetchError(f"{url}: unsupported content type {content_type or '(none)'!r}; expected "
                     f"one of {', '.join(expected)}", url=url)


def check_magic(path: Path, extension: str, *, url: str) -> None:
    """Raise :class:`FetchError` when a file does not start as its extension requires."""
    magic = MAGIC.get(extension)
    if magic is None:
        return
    with path.open("rb") as handle:
        head = handle.read(len(magic))
    if head != magic:
        raise FetchError(f"{url}: not a {extension} file (it does not start with {magic!r})",
                         url=url)
