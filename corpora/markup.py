"""Text out of HTML and .docx in one bounded, linear pass.

Both readers stream: HTML through :class:`html.parser.HTMLParser` (no tree is built, each text
node is visited once and belongs to its innermost block element, so nesting never repeats text
and never costs quadratic time), .docx through lxml's pull parser over ``word/document.xml``
(paragraphs are released as soon as their text is taken). Every limit of :class:`ReadLimits`
is checked while reading, so a small hostile file stops early instead of exhausting memory.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

from corpora.errors import InputError


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Caps on the work one input file may cause (see the README, "Limits and safety").

    Attributes:
        max_bytes: size of the file on disk.
        max_chars: characters of text extracted from one file.
        max_decompressed_bytes: bytes a compressed container (.docx parts, PDF streams) may
            inflate to.
        max_pages: pages of a PDF.
        max_paragraphs: paragraphs of a .docx (table cells included) or blocks of an HTML page.
        max_nesting: depth of nested HTML elements.
        max_metadata_rows: rows of one ``metadata.csv``.
        max_field_chars: characters of one metadata field (CSV cell or front-matter value).
    """

    max_bytes: int = 20 * 1024 * 1024
    max_chars: int = 5_000_000
    max_decompressed_bytes: int = 100 * 1024 * 1024
    max_pages: int = 2_000
    max_paragraphs: int = 100_000
    max_nesting: int = 512
    max_metadata_rows: int = 100_000
    max_field_chars: int = 10_000

    def over(self, source: str, what: str, value: int, cap: str, *,
             field: str = "text") -> InputError:
        """The quarantine reason for ``what`` exceeding the limit named ``cap``."""
        limit = getattr(self, cap)
        return InputError(f"{source}: {what} {value:,} is over the limit of {limit:,} "
                          f"(ingest.{cap})", source=source, field=field)


# -- HTML ----------------------------------------------------------------------------------------
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "title"})
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "html", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul",
})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
# a start tag of one of these closes an open element of the same kind (HTML's implied end tags),
# so a page of unclosed <p> or <li> is a list of siblings, not a deep nest
_SELF_CLOSING_SIBLINGS = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option"})
_CLOSES_P = _BLOCKS - {"body", "html", "td", "th", "tr", "tbody", "thead", "tfoot", "caption"}


class _HtmlText(HTMLParser):
    """Collect the text of each block element; text outside any block is kept too."""

    def __init__(self, source: str, limits: ReadLimits) -> None:
        super().__init__(convert_charrefs=True)
        self.source, self.limits = source, limits
        self.stack: list[str] = []
        self.open: Counter[str] = Counter()
        self.buffer: list[str] = []
        self.blocks: list[str] = []
        self.chars = 0
        self.n_blocks = 0

    def _flush(self) -> None:
        self.n_blocks += 1
        if self.n_blocks > self.limits.max_paragraphs:
            raise self.limits.over(self.source, "blocks of text", self.n_blocks,
                                   "max_paragraphs")
        if self.buffer:
            text = " ".join("".join(self.buffer).split())
            self.buffer = []
            if text:
                self.chars += len(text)
                if self.chars > self.limits.max_chars:
                    raise self.limits.over(self.source, "characters of text", self.chars,
                                           "max_chars")
                self.blocks.append(text)

    def _close(self, tag: str) -> None:
        """Pop open elements up to and including the innermost ``tag`` (amortised O(1))."""
        while self.stack:
            top = self.stack.pop()
            self.open[top] -= 1
            if top in _BLOCKS:
                self._flush()
            if top == tag:
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag == "br":
                self.buffer.append(" ")
            return
        if tag in _SELF_CLOSING_SIBLINGS and self.open[tag]:
            self._close(tag)
        elif tag in _CLOSES_P and self.open["p"]:
            self._close("p")
        if tag == "body" and self.open["head"]:
            self._close("head")
        if tag in _BLOCKS:
            self._flush()
        self.stack.append(tag)
        self.open[tag] += 1
        if len(self.stack) > self.limits.max_nesting:
            raise self.limits.over(self.source, "nesting depth of HTML elements",
                                   len(self.stack), "max_nesting")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.buffer.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.open[tag]:
            self._close(tag)

    def handle_data(self, data: str) -> None:
        if not any(self.open[t] for t in _SKIPPED):
            self.buffer.append(data)


def html_text(text: str, *, source: str, limits: ReadLimits) -> str:
    """The text of an HTML page: one paragraph per block element, scripts and styles dropped.

    Text directly in ``<body>`` or in ``<div>``s is kept as well as ``<p>``, headings, list
    items and table cells.

    Raises:
        InputError: the page nests deeper than ``limits.max_nesting`` or holds more than
            ``limits.max_paragraphs`` blocks or ``limits.max_chars`` characters.
    """
    parser = _HtmlText(source, limits)
    parser.feed(text)
    parser.close()
    parser._flush()
    return "\n\n".join(parser.blocks)


# -- .docx ---------------------------------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RUN_TEXT: dict[str, str | None] = {
    f"{_W}t": None, f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n",
    f"{_W}noBreakHyphen": "-"}
_CHUNK = 1 << 16


def docx_text(data: bytes, *, source: str, limits: ReadLimits) -> str:
    """The paragraphs of a .docx body, table cells included, in document order.

    Raises:
        InputError: not a readable .docx (corrupt zip, encrypted part, unsupported compression,
            bad CRC, malformed XML) or over one of ``limits``.
    """
    from lxml import etree

    def corrupt(detail: str) -> InputError:
        return InputError(f"{source}: corrupt or unreadable .docx ({detail})", source=source,
                          field="text")

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise corrupt(f"{type(err).__name__}: not a zip archive") from err
    with archive:
        try:
            info = archive.getinfo("word/document.xml")
        except KeyError:
            raise corrupt("no word/document.xml part") from None
        if info.flag_bits & 0x1:
            raise corrupt("word/document.xml is encrypted")
        declared = sum(i.file_size for i in archive.infolist())
        if declared > limits.max_decompressed_bytes:
            raise limits.over(source, "decompressed size in bytes", declared,
                              "max_decompressed_bytes")
        parser = etree.XMLPullParser(events=("end",), tag=(f"{_W}p",), resolve_entities=False,
                                     no_network=True, load_dtd=False, huge_tree=False)
        paragraphs: list[str] = []
        n_paragraphs = chars = inflated = 0
        try:
            with archive.open(info) as handle:
                while chunk := handle.read(_CHUNK):
                    inflated += len(chunk)
                    if inflated > limits.max_decompressed_bytes:  # the header may lie
                        raise limits.over(source, "decompressed size in bytes", inflated,
                                          "max_decompressed_bytes")
                    parser.feed(chunk)
                    for _, element in parser.read_events():
                        n_paragraphs += 1
                        if n_paragraphs > limits.max_paragraphs:
                            raise limits.over(source, "paragraphs", n_paragraphs,
                                              "max_paragraphs")
                        text = "".join(
                            (node.text or "") if (fixed := _RUN_TEXT[node.tag]) is None
                            else fixed
                            for node in element.iter(*_RUN_TEXT)).strip()
                        element.clear()
                        if text:
                            chars += len(text)
                            if chars > limits.max_chars:
                                raise limits.over(source, "characters of text", chars,
                                                  "max_chars")
                            paragraphs.append(text)
            parser.close()
        except InputError:
            raise
        except etree.XMLSyntaxError as err:
            raise corrupt(f"malformed XML: {str(err)[:120]}") from err
        except NotImplementedError as err:  # deflate64, implode, ... (before RuntimeError)
            raise corrupt(f"unsupported compression: {str(err)[:120]}") from err
        except RuntimeError as err:  # zipfile: "File ... is encrypted, password required"
            raise corrupt(f"encrypted part: {str(err)[:120]}") from err
        except (zipfile.BadZipFile, OSError, EOFError) as err:  # bad CRC, truncated data
            raise corrupt(f"{type(err).__name__}: {str(err)[:120]}") from err
    return "\n\n".join(paragraphs)
