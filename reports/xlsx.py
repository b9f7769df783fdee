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
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from reports.exports import flatten

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
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_ | bool):
        return bool(value)
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


def _column_values(series: pd.Series) -> list[Any]:
    """Cell values of a column: numbers as Python numbers (NaN as empty), the rest cleaned."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
        return [None if v is pd.NA or v is None else v for v in series.astype(object).tolist()]
    if pd.api.types.is_float_dtype(series):
        return [None if v != v or v in (math.inf, -math.inf) else v for v in series.tolist()]
    return [_cell_value(v) for v in series.tolist()]


def _rows(ws: Any, frame: pd.DataFrame) -> Any:
    columns = [_column_values(frame[c]) for c in frame.columns]
    for row in zip(*columns, strict=True):
        if any(isinstance(v, str) and v.startswith("=") for v in row):
            row = tuple(_cell(ws, v) if isinstance(v, str) and v.startswith("=") else v
                        for v in row)
        yield row


def _width(frame: pd.DataFrame, column: str) -> float:
    sample = frame[column].head(200).map(lambda v: len(str(v)) if v is not None else 0)
    longest = max([len(column), *sample.tolist()]) if len(sample) else len(column)
    return float(min(60, max(8, longest + 2)))


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def render_xlsx(tables: Mapping[str, pd.DataFrame], *,
                provenance: Mapping[str, Any] | None = None) -> bytes:
    """The workbook as bytes: an ``about`` sheet, then one sheet per table in the given order."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    about = workbook.create_sheet(sheet_name("about", taken))
    about.append([_cell(about, "likeminded tables", bold=True)])
    for key, value in sorted((provenance or {}).items()):
        about.append([_cell(about, key), _cell(about, value)])
    about.append([])
    about.append([_cell(about, "sheet", bold=True), _cell(about, "rows", bold=True),
                  _cell(about, "note", bold=True)])
    sheets = []
    for name, frame in tables.items():
        title = sheet_name(name, taken)
        note = (f"only the first {MAX_ROWS} rows; the CSV and Parquet files have all"
                if len(frame) > MAX_ROWS else "")
        about.append([_cell(about, title), _cell(about, len(frame)), _cell(about, note)])
        sheets.append((title, flatten(frame).head(MAX_ROWS)))
    for title, frame in sheets:
        ws = workbook.create_sheet(title)
        ws.freeze_panes = "A2"
        for k, column in enumerate(frame.columns, start=1):
            ws.column_dimensions[_column_letter(k)].width = _width(frame, column)
        if len(frame.columns):
            ws.auto_filter.ref = f"A1:{_column_letter(len(frame.columns))}{len(frame) + 1}"
        ws.append([_cell(ws, c, bold=True) for c in frame.columns])
        for row in _rows(ws, frame):
            ws.append(row)
    stamp = _stamp(provenance or {})
    workbook.properties.created = workbook.properties.modified = stamp
    raw = io.BytesIO()
    workbook.save(raw)
    return _fixed_zip(raw.getvalue(), stamp)


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
