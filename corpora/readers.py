"""Read the text out of statement files: .txt, .md, .html/.htm, .pdf and .docx.

Every reader returns a :class:`Document` or raises :class:`InputError` with a reason that names the
file, so the ingestion step can quarantine it and carry on.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from corpora.errors import InputError

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MIN_TEXT_CHARS = 20
"""Below this many non-space characters a file counts as empty."""

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Document:
    """Text extracted from one file, with the encoding used and any front-matter metadata."""

    text: str
    encoding: str
    front_matter: dict[str, str] = field(default_factory=dict)


def decode_bytes(data: bytes, *, source: str) -> tuple[str, str]:
    """Decode file bytes: UTF-8 (BOM optional), UTF-16 with BOM, then cp1252, then latin-1.

    Returns:
        The text and the name of the encoding that worked.

    Raises:
        InputError: when the bytes look binary (NUL bytes or many control characters).
    """
    if data.startswith(codecs.BOM_UTF8):
        return _checked(data[3:].decode("utf-8", errors="strict"), "utf-8-sig", source)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data.decode("utf-16"), "utf-16", source)
        except UnicodeDecodeError as err:
            raise InputError(f"{source}: has a UTF-16 byte-order mark but is not valid UTF-16 "
                             f"({err.reason})", source=source, field="text") from err
    if b"\x00" in data[:8192]:
        raise InputError(f"{source}: binary content (NUL bytes), not a text file",
                         source=source, field="text")
    for encoding in ("utf-8", "cp1252"):
        try:
            return _checked(data.decode(encoding), encoding, source)
        except UnicodeDecodeError:
            continue
    return _checked(data.decode("latin-1"), "latin-1", source)


def _checked(text: str, encoding: str, source: str) -> tuple[str, str]:
    sample = text[:20000]
    if sample and len(_CONTROL.findall(sample)) > max(5, len(sample) // 100):
        raise InputError(f"{source}: looks like binary data decoded as {encoding} "
                         "(many control characters)", source=source, field="text")
    return text, encoding


def split_front_matter(text: str, *, source: str) -> tuple[dict[str, str], str]:
    """Split YAML front matter (between ``---`` lines at the top) from the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as err:
        raise InputError(f"{source}: front matter is not valid YAML ({err.__class__.__name__})",
                         source=source, field="front matter") from err
    if not isinstance(meta, dict):
        raise InputError(f"{source}: front matter must be a mapping of fields, got "
                         f"{type(meta).__name__}", source=source, field="front matter")
    clean = {str(k).strip().lower(): "" if v is None else str(v).strip() for k, v in meta.items()}
    return clean, text[match.end():]


def _read_plain(data: bytes, source: str) -> Document:
    text, encoding = decode_bytes(data, source=source)
    front, body = split_front_matter(text, source=source)
    return Document(text=body, encoding=encoding, front_matter=front)


def _read_html(data: bytes, source: str) -> Document:
    from bs4 import BeautifulSoup

    text, encoding = decode_bytes(data, source=source)
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    blocks = [el.get_text(" ", strip=True)
              for el in soup.find_all(["p", "li", "h1", "h2", "h3", "h4", "blockquote", "td"])]
    blocks = [b for b in blocks if b]
    body = "\n\n".join(blocks) if blocks else soup.get_text("\n", strip=True)
    return Document(text=body, encoding=encoding)


def _read_pdf(data: bytes, source: str) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(f"{source}: encrypted PDF; decrypt it first", source=source,
                             field="text")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as err:
        raise InputError(f"{source}: corrupt or unreadable PDF ({err.__class__.__name__}: "
                         f"{str(err)[:120]})", source=source, field="text") from err
    return Document(text="\n\n".join(p.strip() for p in pages if p.strip()), encoding="pdf")


def _read_docx(data: bytes, source: str) -> Document:
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise InputError(f"{source}: corrupt or unreadable .docx ({err.__class__.__name__})",
                         source=source, field="text") from err
    paragraphs = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    return Document(text="\n\n".join(paragraphs), encoding="docx")


_READERS: dict[str, Callable[[bytes, str], Document]] = {
    ".txt": _read_plain,
    ".md": _read_plain,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}


def read_document(path: Path, *, source: str | None = None,
                  max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one statement file.

    Args:
        path: the file.
        source: how to name the file in messages (defaults to ``str(path)``).
        max_bytes: files larger than this are refused.

    Raises:
        InputError: unsupported type, too large, unreadable, binary, corrupt or empty.
    """
    name = source or str(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"{name}: unsupported file type {path.suffix!r}; expected one of "
                         f"{', '.join(SUPPORTED_SUFFIXES)}", source=name, field="file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{name}: {size:,} bytes is over the size cap of {max_bytes:,} "
                             "bytes (--max-bytes)", source=name, field="file")
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{name}: cannot read file ({err.strerror})", source=name,
                         field="file") from err
    document = reader(data, name)
    if len("".join(document.text.split())) < MIN_TEXT_CHARS:
        raise InputError(f"{name}: empty file (fewer than {MIN_TEXT_CHARS} characters of text)",
                         source=name, field="text")
    return document
