"""Small pure helpers shared by the builders: numbers, names and quotes."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from reports.model import Estimate, Quote

OVERALL = "*"
"""Issue label of the overall alignment (as in :mod:`nlp.alignment`)."""

WINDOW = "*"
"""Session label of all sessions pooled (as in :mod:`nlp.positions`)."""

Namer = Callable[[str], str]


def num(value: Any, digits: int = 4) -> float | None:
    """A finite float rounded to ``digits``, or ``None`` for missing, NaN and infinities."""
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, digits) if math.isfinite(number) else None


def estimate(value: Any, lo: Any = None, hi: Any = None) -> Estimate:
    return Estimate(num(value), num(lo), num(hi))


def label_of(issue_info: Mapping[str, Mapping[str, str]], issue: str) -> str:
    """Readable label of an issue id (the id itself when the taxonomy does not know it)."""
    if issue == OVERALL:
        return "All issues"
    return str(issue_info.get(issue, {}).get("label") or issue)


def is_contested(issue_info: Mapping[str, Mapping[str, str]], issue: str) -> bool:
    return issue_info.get(issue, {}).get("kind") == "contested"


def trim(text: str, limit: int = 420) -> str:
    """Collapse whitespace and cut at a word boundary with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def quote_from_row(row: Mapping[str, Any], namer: Namer) -> Quote:
    """A :class:`Quote` from a ``quotes`` table row."""
    state = str(row["state"])
    url = str(row.get("url") or "")
    source = str(row.get("source") or "")
    return Quote(state=state, name=namer(state), session=str(row["session"]),
                 text=trim(str(row["text"])), source=source, url=url,
                 on_behalf_of=str(row.get("on_behalf_of") or ""),
                 issue=str(row.get("issue") or ""))


def split_source(value: str) -> tuple[str, str]:
    """``(url, source)`` of a stored source that is either a web address or a file path."""
    value = str(value or "")
    if value.startswith(("http://", "https://")):
        return value, ""
    return "", value


def session_index(order: tuple[str, ...] | list[str]) -> dict[str, int]:
    return {s: i for i, s in enumerate(order)}
