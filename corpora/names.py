"""Text safe to print and to open in a spreadsheet.

Printing: no control characters, no undecodable bytes.

File names come from the outside world: one may hold an escape sequence that recolours the
terminal, a newline that forges a line of output, a right-to-left override that disguises its
extension, or bytes that are not UTF-8 at all. :func:`printable` shows each of them as a visible
backslash escape, so every name the ingestion stores and every reason it prints is one plain line.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def has_undecodable_bytes(text: str) -> bool:
    """Whether ``text`` carries bytes that were not UTF-8 (Python's surrogate escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def printable(text: str) -> str:
    """``text`` with control and bidirectional-override characters as ``\\xNN``/``\\uNNNN``
    escapes and bytes that were not UTF-8 as ``\\xNN``.

    Example:
        >>> printable("a\\nb\\x1b[31m.txt")
        'a\\\\x0ab\\\\x1b[31m.txt'
    """
    if has_undecodable_bytes(text):
        text = text.encode("utf-8", "surrogateescape" if _only_escapes(text) else
                           "backslashreplace").decode("utf-8", "backslashreplace")
    return _UNSAFE.sub(_escape, text)


def _only_escapes(text: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in text)


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet may run a cell beginning with one of these as a formula (OWASP CSV injection)."""


def spreadsheet_safe(value: str) -> str:
    """``value`` prefixed with ``'`` when it begins with a formula trigger (OWASP's advice)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def from_spreadsheet_safe(value: str) -> str:
    """Undo :func:`spreadsheet_safe` (a ``metadata.csv`` written by likeminded reads back as
    it was)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value
