"""One XLSX workbook with a sheet per table, for analysts who work in Excel.

Each sheet has a bold, frozen header row and an auto-filter; ISO3 columns have a country-name
column beside them (see :func:`reports.exports.with_names`). Text that Excel would read as a
formula is stored as text, cells over Excel's limits are cut with a note, and the file's bytes
do not depend on the time it was written.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from reports.exports import flatten
from reports.xlsx_writer import RawWorkbook

MAX_ROWS = 1_048_575
MAX_CELL = 32_767
FIXED_TIME = dt.datetime(2000, 1, 1)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def sheet_name(name: str, taken: set[str]) -> str:
    """An Excel-safe, unique sheet name (31 characters, no ``[]:*?/\\``)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "sheet"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f"_{n}"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    text = _ILLEGAL.sub("", str(value))
    if len(text) > MAX_CELL:
        text = text[:MAX_CELL - 40] + " … [cut: longer than an Excel cell]"
    return text


def _cell(ws: Any, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=_cell_value(value))
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula stays text
    if bold:
        cell.font = Font(bold=True)
    return cell


def _width(frame: pd.DataFrame, column: str) -> float:
    sample = frame[column].head(200).map(lambda v: len(str(v)) if v is not None else 0)
    longest = max([len(column), *sample.tolist()]) if len(sample) else len(column)
    return float(min(60, max(8, longest + 2)))


def render_xlsx(tables: Mapping[str, pd.DataFrame], *,
                provenance: Mapping[str, Any] | None = None) -> bytes:
    """The workbook as bytes: an ``about`` sheet, then one sheet per table in the given order.

    Written by :class:`reports.xlsx_writer.RawWorkbook` (openpyxl took 26 s for the quarter of a
    million alignment rows of one General Debate session)."""
    book = RawWorkbook(clean=_cell_value)
    taken: set[str] = set()
    about_title = sheet_name("about", taken)
    about: list[list[tuple[Any, bool]]] = [[("likeminded tables", True)]]
    about += [[(key, False), (value, False)] for key, value in sorted((provenance or {}).items())]
    about += [[], [("sheet", True), ("rows", True), ("note", True)]]
    sheets = []
    for name, frame in tables.items():
        title = sheet_name(name, taken)
        note = (f"only the first {MAX_ROWS} rows; the CSV and Parquet files have all"
                if len(frame) > MAX_ROWS else "")
        about.append([(title, False), (len(frame), False), (note, False)])
        sheets.append((title, flatten(frame).head(MAX_ROWS)))
    book.add_rows(about_title, about)
    for title, frame in sheets:
        book.add_frame(title, frame, [_width(frame, column) for column in frame.columns])
    return book.to_bytes(_stamp(provenance or {}))


def _stamp(provenance: Mapping[str, Any]) -> dt.datetime:
    """The run's finish time as the workbook's date (a fixed date when unknown)."""
    try:
        return dt.datetime.fromisoformat(str(provenance.get("finished_at"))).replace(
            tzinfo=None, microsecond=0)
    except ValueError:
        return FIXED_TIME


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The same zip with every entry's timestamp fixed and the document's modification time
    set to ``stamp`` (openpyxl writes the current time), so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()
