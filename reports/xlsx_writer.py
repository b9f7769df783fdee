"""A direct SpreadsheetML writer for large tables: column-wise, a few seconds per million cells.

openpyxl builds a cell object per value (about 10 µs each: 26 s of a 33 s report on one General
Debate session, whose alignment table has a quarter of a million rows). Here each column of a
frame becomes its cells' XML in one pass (numbers as their shortest round-trip text, text through
one shared-strings table, dates as Excel serial numbers with a date format), and the package is
zipped once with fixed entry times, so equal content gives equal bytes.

Only what the raw workbook needs: sheets of values, a bold frozen header, column widths, an
auto-filter, an ``about`` sheet. The analyst workbook (:mod:`reports.workbook`, small, styled)
keeps openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

EPOCH = pd.Timestamp("1899-12-30")
"""Day 0 of Excel's 1900 date system (as every spreadsheet reads it)."""
DAY = pd.Timedelta(days=1)
BOLD, DATETIME, DATE = 1, 2, 3
"""Style indexes in ``styles.xml``: 0 is the default."""
_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


def column_letter(index: int) -> str:
    """``1`` -> ``A``, ``27`` -> ``AA``."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(slots=True)
class _Sheet:
    title: str
    xml: str
    filter_ref: str | None


@dataclass(slots=True)
class RawWorkbook:
    """Sheets added in order, then :meth:`to_bytes`.

    ``clean`` turns any Python value into a cell value (``None``, bool, int, float, date,
    datetime or text); it is applied to text and object columns only: numeric columns are
    written as they are (NaN and infinities as empty cells)."""

    clean: Callable[[Any], Any]
    sheets: list[_Sheet] = field(default_factory=list)
    strings: dict[str, int] = field(default_factory=dict)

    def _string(self, text: str) -> int:
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return index

    def _cell(self, letter: str, row: int, value: Any, style: str) -> str:
        if value is None or value == "":  # an empty text cell is an empty cell
            return ""
        if isinstance(value, bool | np.bool_):
            return f'<c r="{letter}{row}"{style} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | np.integer):
            return f'<c r="{letter}{row}"{style}><v>{int(value)}</v></c>'
        if isinstance(value, float | np.floating):
            if not math.isfinite(value):
                return ""
            return f'<c r="{letter}{row}"{style}><v>{float(value)!r}</v></c>'
        if isinstance(value, dt.datetime):
            serial = (pd.Timestamp(value.replace(tzinfo=None)) - EPOCH) / DAY
            return f'<c r="{letter}{row}" s="{DATETIME}"><v>{serial!r}</v></c>'
        if isinstance(value, dt.date):
            serial = (pd.Timestamp(value) - EPOCH) / DAY
            return f'<c r="{letter}{row}" s="{DATE}"><v>{serial!r}</v></c>'
        return f'<c r="{letter}{row}"{style} t="s"><v>{self._string(str(value))}</v></c>'

    def _column(self, letter: str, series: pd.Series) -> list[str]:
        """The cells of one column, rows 2 onwards (row 1 is the header)."""
        rows = range(2, len(series) + 2)
        if pd.api.types.is_bool_dtype(series):
            return [f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>'
                    if v is not pd.NA and v is not None else ""
                    for r, v in zip(rows, series.astype(object).tolist(), strict=True)]
        if pd.api.types.is_integer_dtype(series):
            return [f'<c r="{letter}{r}"><v>{v}</v></c>' if v is not pd.NA and v is not None
                    else "" for r, v in zip(rows, series.astype(object).tolist(), strict=True)]
        if pd.api.types.is_float_dtype(series):
            return [f'<c r="{letter}{r}"><v>{v!r}</v></c>'
                    if v == v and v not in (math.inf, -math.inf) else ""
                    for r, v in zip(rows, series.tolist(), strict=True)]
        if pd.api.types.is_datetime64_any_dtype(series):
            naive = series.dt.tz_localize(None) if series.dt.tz is not None else series
            serials = ((naive - EPOCH) / DAY).tolist()
            return [f'<c r="{letter}{r}" s="{DATETIME}"><v>{v!r}</v></c>' if v == v else ""
                    for r, v in zip(rows, serials, strict=True)]
        memo: dict[Any, str] = {}
        out = []
        for r, v in zip(rows, series.tolist(), strict=True):
            if isinstance(v, str):  # most text repeats (codes, issues, sessions): index once
                index = memo.get(v)
                if index is None:
                    cleaned = self.clean(v)
                    index = memo[v] = (str(self._string(cleaned))
                                       if isinstance(cleaned, str) and cleaned else "")
                out.append(f'<c r="{letter}{r}" t="s"><v>{index}</v></c>' if index else "")
            else:
                out.append(self._cell(letter, r, self.clean(v), ""))
        return out

    def add_frame(self, title: str, frame: pd.DataFrame, widths: Sequence[float]) -> None:
        """A sheet with ``frame``'s columns under a bold, frozen header and an auto-filter."""
        letters = [column_letter(k) for k in range(1, len(frame.columns) + 1)]
        header = "".join(self._cell(letter, 1, str(name), f' s="{BOLD}"')
                         for letter, name in zip(letters, frame.columns, strict=True))
        columns = [self._column(letter, frame[name])
                   for letter, name in zip(letters, frame.columns, strict=True)]
        body = [f'<row r="{r}">{"".join(cells)}</row>'
                for r, cells in enumerate(zip(*columns, strict=True), start=2)]
        ref = f"A1:{letters[-1]}{len(frame) + 1}" if letters else None
        self.sheets.append(_Sheet(title, _sheet_xml(
            f'<row r="1">{header}</row>' + "".join(body), widths, frozen=True, ref=ref), ref))

    def add_rows(self, title: str, rows: Sequence[Sequence[tuple[Any, bool]]]) -> None:
        """A small sheet of ``(value, bold)`` cells, row by row (the ``about`` sheet)."""
        xml = []
        for r, row in enumerate(rows, start=1):
            cells = "".join(self._cell(column_letter(k), r, self.clean(value),
                                       f' s="{BOLD}"' if bold else "")
                            for k, (value, bold) in enumerate(row, start=1))
            xml.append(f'<row r="{r}">{cells}</row>')
        self.sheets.append(_Sheet(title, _sheet_xml("".join(xml), (), frozen=False, ref=None),
                                  None))

    def to_bytes(self, stamp: dt.datetime) -> bytes:
        """The ``.xlsx`` package; ``stamp`` is its creation and modification time."""
        parts = {
            "[Content_Types].xml": _content_types(len(self.sheets)),
            "_rels/.rels": _ROOT_RELS,
            "docProps/app.xml": _APP,
            "docProps/core.xml": _core(stamp),
            "xl/workbook.xml": self._workbook_xml(),
            "xl/_rels/workbook.xml.rels": _workbook_rels(len(self.sheets)),
            "xl/styles.xml": _STYLES,
            "xl/sharedStrings.xml": self._shared_strings(),
        }
        for n, sheet in enumerate(self.sheets, start=1):
            parts[f"xl/worksheets/sheet{n}.xml"] = sheet.xml
        raw = io.BytesIO()
        with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as package:
            for name, text in parts.items():
                info = zipfile.ZipInfo(name, date_time=_ENTRY_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                package.writestr(info, text.encode("utf-8"))
        return raw.getvalue()

    def _workbook_xml(self) -> str:
        sheets = "".join(f'<sheet name="{escape(s.title, _QUOTE)}" sheetId="{n}" r:id="rId{n}"/>'
                         for n, s in enumerate(self.sheets, start=1))
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"'{escape(s.title.replace(chr(39), chr(39) * 2))}'!{_absolute(s.filter_ref)}"
            "</definedName>"
            for n, s in enumerate(self.sheets) if s.filter_ref)
        return (f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/>'
                f'</bookViews><sheets>{sheets}</sheets>'
                + (f"<definedNames>{names}</definedNames>" if names else "") + "</workbook>")

    def _shared_strings(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>'
                        for s in self.strings)
        n = len(self.strings)
        return f'{_XML}<sst xmlns="{_MAIN}" count="{n}" uniqueCount="{n}">{items}</sst>'


def _absolute(ref: str | None) -> str:
    start, end = (ref or "A1:A1").split(":")
    return ":".join("$" + "".join(c for c in part if c.isalpha()) + "$"
                    + "".join(c for c in part if c.isdigit()) for part in (start, end))


def _sheet_xml(rows: str, widths: Sequence[float], *, frozen: bool, ref: str | None) -> str:
    view = ('<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
            'activeCell="A2" sqref="A2"/></sheetView>' if frozen
            else '<sheetView workbookViewId="0"/>')
    cols = "".join(f'<col min="{k}" max="{k}" width="{w:g}" customWidth="1"/>'
                   for k, w in enumerate(widths, start=1))
    return (f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>{view}</sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + f"<sheetData>{rows}</sheetData>"
            + (f'<autoFilter ref="{ref}"/>' if ref else "") + "</worksheet>")


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, sheets + 1))
    return (f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
            'package.core-properties+xml"/><Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f"{overrides}</Types>")


def _workbook_rels(sheets: int) -> str:
    kinds = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = "".join(f'<Relationship Id="rId{n}" Type="{kinds}/worksheet" '
                   f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, sheets + 1))
    rels += (f'<Relationship Id="rId{sheets + 1}" Type="{kinds}/styles" Target="styles.xml"/>'
             f'<Relationship Id="rId{sheets + 2}" Type="{kinds}/sharedStrings" '
             'Target="sharedStrings.xml"/>')
    return (f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{rels}</Relationships>')


def _core(stamp: dt.datetime) -> str:
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/'
            'XMLSchema-instance"><dc:creator>likeminded</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{iso}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{iso}</dcterms:modified>'
            "</cp:coreProperties>")


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_QUOTE = {'"': "&quot;"}
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'extended-properties" Target="docProps/app.xml"/></Relationships>')
_APP = (f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>likeminded</Application></Properties>')
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}"><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>")
