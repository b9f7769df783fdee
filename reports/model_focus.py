"""The report model's focus-state records: the brief of one state (:class:`FocusBrief`), its
partners and opponents with the paragraphs that show them, its positions beside the groups'
and the joint statements it could join. :mod:`reports.focus` builds them; import them from
:mod:`reports.model`.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.model_base import Estimate, Quote

__all__ = ["EvidencePair", "FocusBrief", "JoinableStatement", "PartnerEntry", "PartnerList",
           "PositionRow"]


@dataclass(frozen=True, slots=True)
class EvidencePair:
    """Two paragraphs, the focus state's and the partner's, that show the shared position."""

    issue: str
    label: str
    similarity: float | None
    mine: Quote
    theirs: Quote


@dataclass(frozen=True, slots=True)
class PartnerEntry:
    state: str
    name: str
    score: Estimate
    drivers: tuple[tuple[str, str, float], ...] = ()
    evidence: tuple[EvidencePair, ...] = ()
    basis: str = "issues"
    label: str = ""


@dataclass(frozen=True, slots=True)
class PartnerList:
    issue: str
    label: str
    partners: tuple[PartnerEntry, ...]
    opposed: tuple[PartnerEntry, ...]


@dataclass(frozen=True, slots=True)
class PositionRow:
    """The focus state's position on an issue and each group's average stance."""

    issue: str
    label: str
    contested: bool
    stance: Estimate
    n_own: int
    n_group: int
    thin: bool
    group_means: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class JoinableStatement:
    """A joint or cross-regional statement whose stances match the focus state's."""

    group: str
    group_name: str
    session: str
    fit: float
    issues: tuple[str, ...]
    quote: Quote


@dataclass(frozen=True, slots=True)
class FocusBrief:
    state: str
    name: str
    statements: int
    member_of: tuple[str, ...]
    coalition: int | None
    overall: PartnerList | None
    per_issue: tuple[PartnerList, ...]
    group_columns: tuple[tuple[str, str], ...]
    positions: tuple[PositionRow, ...]
    joinable: tuple[JoinableStatement, ...]
    missing: str = ""
