"""Exports of stored tables as CSV and Parquet bytes, with country names beside ISO3 codes."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

STATE_COLUMNS = ("state", "state_a", "state_b", "partner")
"""Columns holding ISO3 codes; each gets a ``<column>_name`` column beside it."""


def with_names(frame: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """A copy of ``frame`` with a country-name column after every ISO3 column."""
    out = frame.copy()
    for column in STATE_COLUMNS:
        if column in out.columns and f"{column}_name" not in out.columns:
            position = out.columns.get_loc(column) + 1
            out.insert(position, f"{column}_name",
                       out[column].map(lambda code: names.get(code, code)
                                       if isinstance(code, str) else code))
    return out


def _flat(value: Any) -> Any:
    """Lists (keywords, toward) as ``a; b`` text, dicts as JSON, for CSV and spreadsheets."""
    if isinstance(value, list | tuple | np.ndarray):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with list and dict cells turned into text."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(_flat)
    return out


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet may run a text cell beginning with one of these as a formula (OWASP CSV
injection)."""


def neutralise_cell(value: Any) -> Any:
    """A text cell prefixed with ``'`` when it begins with a formula trigger (OWASP's advice);
    numbers and other text are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that a spreadsheet could run as a formula neutralised;
    numeric columns (negative numbers included) are untouched."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_cell)
    if out.index.dtype == object:
        out.index = out.index.map(neutralise_cell)
    return out


def render_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with CRLF line ends (list cells joined with ``; ``), floats with 6 significant
    digits, text cells safe to open in a spreadsheet (:func:`neutralise_cell`)."""
    # CRLF line ends (RFC 4180): then a field holding a bare CR is quoted as well
    return csv_safe(flatten(frame)).to_csv(index=False, float_format="%.6g",
                                           lineterminator="\r\n").encode()


def render_parquet(frame: pd.DataFrame, provenance: Mapping[str, Any]) -> bytes:
    """Parquet bytes; the provenance is stored as JSON under the ``likeminded`` metadata key."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[b"likeminded"] = json.dumps(dict(provenance), sort_keys=True, default=str).encode()
    sink = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(metadata), sink)
    return sink.getvalue()
