"""The report model's draft forecast section: how each state is likely to react to a draft
text, issue by issue (:class:`DraftForecast`). :mod:`reports.draft_section` renders it; import
the records from :mod:`reports.model`.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.model_base import Estimate, Quote

__all__ = ["DraftForecast", "DraftIssue", "DraftState"]


@dataclass(frozen=True, slots=True)
class DraftState:
    """One state's likely reaction, with its closest paragraph."""

    state: str
    name: str
    stance: Estimate
    voice: str
    reason: str
    closest: Quote | None


@dataclass(frozen=True, slots=True)
class DraftIssue:
    """The draft's side on one issue and the states by camp."""

    issue: str
    label: str
    side: int
    pole: str
    stance: float | None
    camps: tuple[tuple[str, tuple[DraftState, ...]], ...]
    unknown: tuple[tuple[str, str, str], ...]  # (state, name, reason)


@dataclass(frozen=True, slots=True)
class DraftForecast:
    """The section: the draft, its tags and the per-issue camps."""

    draft: str
    tags: tuple[str, ...]
    issues: tuple[DraftIssue, ...]
    note: str = ""
