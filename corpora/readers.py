"""Read the text out of statement files: .txt, .md, .html/.htm, .pdf and .docx.

Every reader returns a :class:`Document` or raises :class:`InputError` with a reason that names the
file, so the ingestion step can quarantine it and carry on.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import os
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corpora.errors import InputError
from corpora.markup import ReadLimits, docx_text, html_text

__all__ = ["DEFAULT_MAX_BYTES", "MIN_TEXT_CHARS", "SUPPORTED_SUFFIXES", "Document", "ReadLimits",
           "decode_bytes", "read_document", "split_front_matter"]

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


class _FrontMatterLoader(yaml.BaseLoader):
    """Every scalar as a string (a date such as ``2024-02-30`` or a 5,000-digit number reaches
    field validation as text) and no aliases (a few bytes of anchors cannot expand)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed in front "
                                              "matter", event.start_mark)
        return super().compose_node(parent, index)


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def split_front_matter(text: str, *, source: str) -> tuple[dict[str, str], str]:
    """Split YAML front matter (between ``---`` lines at the top) from the body.

    Values are read as plain strings; aliases, and values that are lists or mappings, are
    refused with the field named.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.load(match.group(1), Loader=_FrontMatterLoader) or {}
    except RecursionError:
        raise InputError(f"{source}: front matter is nested too deeply", source=source,
                         field="front matter") from None
    except yaml.YAMLError as err:
        detail = getattr(err, "problem", None) or err.__class__.__name__
        raise InputError(f"{source}: front matter is not valid YAML ({detail})",
                         source=source, field="front matter") from err
    if not isinstance(meta, dict):
        raise InputError(f"{source}: front matter must be a mapping of fields, got "
                         f"{type(meta).__name__}", source=source, field="front matter")
    clean: dict[str, str] = {}
    for key, value in meta.items():
        name = str(key).strip().lower()
        if not isinstance(value, str):
            raise InputError(f"{source}: front matter field {name[:40]!r} must be a single "
                             f"value, got a {type(value).__name__}", source=source, field=name)
        clean[name] = "" if value.strip() in _NULLS else value.strip()
    return clean, text[match.end():]


def _read_plain(data: bytes, source: str, limits: ReadLimits) -> Document:
    text, encoding = decode_bytes(data, source=source)
    front, body = split_front_matter(text, source=source)
    return Document(text=body, encoding=encoding, front_matter=front)


def _read_html(data: bytes, source: str, limits: ReadLimits) -> Document:
    text, encoding = decode_bytes(data, source=source)
    return Document(text=html_text(text, source=source, limits=limits), encoding=encoding)


def _read_pdf(data: bytes, source: str, limits: ReadLimits) -> Document:
    import pypdf
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    cap = limits.max_decompressed_bytes
    inflation: dict[str, Any] = {name: cap for name in (
        "zlib_maximum_output_length", "lzw_maximum_output_length",
        "run_length_maximum_output_length", "array_based_stream_maximum_output_length",
        "brotli_maximum_output_length", "jbig2_maximum_output_length")}
    with pypdf.apply_configuration(**inflation):
        return _extract_pdf(data, source, limits, PdfReader, PyPdfError)


def _extract_pdf(data: bytes, source: str, limits: ReadLimits, reader_class: Any,
                 pdf_error: type[Exception]) -> Document:
    pages: list[str] = []
    try:
        reader = reader_class(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(f"{source}: encrypted PDF; decrypt it first", source=source,
                             field="text")
        n_pages = len(reader.pages)
        if n_pages > limits.max_pages:
            raise limits.over(source, "pages", n_pages, "max_pages")
        chars = 0
        for page in reader.pages:
            text = (page.extract_text() or "").strip()
            chars += len(text)
            if chars > limits.max_chars:
                raise limits.over(source, "characters of text", chars, "max_chars")
            if text:
                pages.append(text)
    except InputError:
        raise
    except (pdf_error, ValueError, KeyError, TypeError, OSError, AttributeError,
            IndexError, AssertionError, RecursionError, zlib.error) as err:
        raise InputError(f"{source}: corrupt or unreadable PDF ({err.__class__.__name__}: "
                         f"{str(err)[:120]})", source=source, field="text") from err
    return Document(text="\n\n".join(pages), encoding="pdf")


def _read_docx(data: bytes, source: str, limits: ReadLimits) -> Document:
    return Document(text=docx_text(data, source=source, limits=limits), encoding="docx")


_READERS: dict[str, Callable[[bytes, str, ReadLimits], Document]] = {
    ".txt": _read_plain,
    ".md": _read_plain,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}


def read_document(path: Path, *, source: str | None = None, max_bytes: int | None = None,
                  limits: ReadLimits | None = None, follow_symlinks: bool = True) -> Document:
    """Read one statement file.

    Whatever goes wrong while reading one file (including errors of the parsing libraries,
    exhausted recursion or memory) becomes an :class:`InputError` that names it, so ingestion
    quarantines that file and carries on with the others.

    Args:
        path: the file.
        source: how to name the file in messages (defaults to ``str(path)``).
        max_bytes: files larger than this are refused (overrides ``limits.max_bytes``).
        limits: caps on the work the file may cause (the defaults of :class:`ReadLimits`).
        follow_symlinks: ``False`` refuses a file that is (or became, since it was listed) a
            symbolic link.

    Raises:
        InputError: unsupported type, too large, over a limit, unreadable, binary, corrupt or
            empty.
    """
    limits = limits or ReadLimits()
    if max_bytes is not None:
        limits = dataclasses.replace(limits, max_bytes=max_bytes)
    name = source or str(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"{name}: unsupported file type {path.suffix!r}; expected one of "
                         f"{', '.join(SUPPORTED_SUFFIXES)}", source=name, field="file")
    try:
        flags = os.O_RDONLY | (0 if follow_symlinks else os.O_NOFOLLOW)
        with os.fdopen(os.open(path, flags), "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limits.max_bytes:
                raise InputError(f"{name}: {size:,} bytes is over the size cap of "
                                 f"{limits.max_bytes:,} bytes (ingest.max_bytes, --max-bytes)",
                                 source=name, field="file")
            data = handle.read(limits.max_bytes + 1)
    except OSError as err:
        raise InputError(f"{name}: cannot read file ({err.strerror})", source=name,
                         field="file") from err
    if len(data) > limits.max_bytes:  # grew while we read it
        raise InputError(f"{name}: more than the size cap of {limits.max_bytes:,} bytes "
                         "(ingest.max_bytes, --max-bytes)", source=name, field="file")
    try:
        document = reader(data, name, limits)
    except InputError:
        raise
    except Exception as err:  # a parser (RecursionError and MemoryError included)'s own failure
        raise InputError(f"{name}: unreadable {path.suffix.lower().lstrip('.')} file "
                         f"({type(err).__name__}: {str(err)[:160]})", source=name,
                         field="text") from err
    if len(document.text) > limits.max_chars:
        raise limits.over(name, "characters of text", len(document.text), "max_chars")
    if len("".join(document.text.split())) < MIN_TEXT_CHARS:
        raise InputError(f"{name}: empty file (fewer than {MIN_TEXT_CHARS} characters of text)",
                         source=name, field="text")
    return document
