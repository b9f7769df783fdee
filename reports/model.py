"""The report model: frozen records that :func:`reports.build.build_report` makes and the
renderers (HTML, SVG, XLSX) read.

Numbers that may be missing are ``None`` (never NaN), so renderers only test for ``None``.
Sequences are tuples, sorted where the order is not meaningful, so the same store always gives
the same report.

This module holds :class:`Report` and the sections every report has (summary and data quality,
what changed, the alignment overview, issues, topics, validation, the taxonomy table). Three
families of records live in their own modules and are re-exported here, so every record is
imported from ``reports.model``: the focus-state briefs (:mod:`reports.model_focus`), the draft
forecast (:mod:`reports.model_draft`) and the findings (:mod:`reports.model_findings`);
:class:`Quote` and :class:`Estimate`, which all of them use, are in :mod:`reports.model_base`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.model_base import Estimate, Quote
from reports.model_draft import DraftForecast, DraftIssue, DraftState
from reports.model_findings import (
    Counterpart,
    Findings,
    FocusFinding,
    IssueCounterparts,
    MoveFinding,
    QualityWarning,
    TrendFinding,
)
from reports.model_focus import (
    EvidencePair,
    FocusBrief,
    JoinableStatement,
    PartnerEntry,
    PartnerList,
    PositionRow,
)

__all__ = ["Changes", "Coalition", "Cohesion", "Counterpart", "DataQuality", "DispersionPoint",
           "DraftForecast", "DraftIssue", "DraftState", "Estimate", "EvidencePair", "Findings",
           "FocusBrief", "FocusFinding", "GroupRow", "GroupStance", "Heatmap", "IssueCounterparts",
           "IssueRow", "IssueSection", "IssueTrend", "JoinableStatement", "LanguageCoverage",
           "MapPoint", "MoveFinding", "Mover", "PairChange", "PartnerEntry", "PartnerList",
           "PositionRow", "QualityWarning", "QuarantineItem", "Quote", "Report", "SessionCount",
           "SessionValidation", "SessionValidationRow", "StancePoint", "StateMap", "Summary",
           "ThinIssue", "TopicRow", "Topics", "TrendFinding", "Unattached", "Validation",
           "ValidationRow"]


# -- summary and data quality ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionCount:
    """Statements of one session of one forum."""

    forum: str
    session: str
    date_from: str
    date_to: str
    statements: int
    states: int


@dataclass(frozen=True, slots=True)
class Summary:
    """What the report is built from: corpus counts and provenance."""

    statements: int
    states: int
    sessions: tuple[SessionCount, ...]
    date_from: str
    date_to: str
    languages: tuple[tuple[str, int], ...]
    provenance: tuple[tuple[str, str], ...]
    versions: tuple[tuple[str, str], ...]
    scope: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class QuarantineItem:
    source: str
    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class ThinIssue:
    """States whose evidence on an issue is too thin to place them (too few segments)."""

    issue: str
    label: str
    addressed: int
    thin: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LanguageCoverage:
    """How much of one language's text the taxonomy reaches: paragraphs, tagged, given a side."""

    language: str
    segments: int
    tag_rate: float
    stance_rate: float


@dataclass(frozen=True, slots=True)
class DataQuality:
    quarantined: tuple[QuarantineItem, ...]
    duplicates: int
    thin: tuple[ThinIssue, ...]
    languages: tuple[LanguageCoverage, ...] = ()
    language_warnings: tuple[str, ...] = ()


# -- what changed ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mover:
    """A state whose position on an issue shifted between two sessions."""

    state: str
    name: str
    issue: str
    label: str
    shift: Estimate
    stance_from: float | None
    stance_to: float | None
    direction: str
    toward: tuple[str, ...]
    before: Quote | None = None
    after: Quote | None = None
    camp: int | None = None


@dataclass(frozen=True, slots=True)
class PairChange:
    """A pair of states whose overall alignment changed between two sessions."""

    state_a: str
    name_a: str
    state_b: str
    name_b: str
    before: float
    after: float
    delta_lo: float | None = None
    delta_hi: float | None = None

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class IssueTrend:
    """Convergence of one issue: dispersion before and after, and the trend over all sessions."""

    issue: str
    label: str
    measure: str
    before: float | None
    after: float | None
    slope: Estimate
    direction: str
    heading: str = ""


@dataclass(frozen=True, slots=True)
class Changes:
    from_session: str
    to_session: str
    movers: tuple[Mover, ...]
    pairs: tuple[PairChange, ...]
    trends: tuple[IssueTrend, ...]


# -- alignment overview ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupRow:
    """Membership marks of one formal group over the heatmap's states (in its order)."""

    group: str
    name: str
    members: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Overall alignment ``matrix[i][j]`` of ``states`` (ordered by coalition)."""

    session: str
    states: tuple[str, ...]
    names: tuple[str, ...]
    coalitions: tuple[int, ...]
    matrix: tuple[tuple[float | None, ...], ...]
    groups: tuple[GroupRow, ...]


@dataclass(frozen=True, slots=True)
class MapPoint:
    state: str
    name: str
    x: float
    y: float
    coalition: int


@dataclass(frozen=True, slots=True)
class StateMap:
    """States placed in 2-D so that aligned states are close (classical MDS of 1 - alignment)."""

    points: tuple[MapPoint, ...]
    explained: float


@dataclass(frozen=True, slots=True)
class Coalition:
    id: int
    states: tuple[str, ...]
    groups: tuple[tuple[str, int], ...]
    positions: str = ""


@dataclass(frozen=True, slots=True)
class Unattached:
    """A clustered state that belongs to no coalition: its silhouette is below the membership
    floor (``analysis.coalition_min_silhouette``). ``nearest`` is the coalition whose members it
    aligns with most on average (``nearest_alignment``), ``clustered_with`` the one the
    clustering put it in."""

    state: str
    name: str
    clustered_with: int
    silhouette: float
    nearest: int | None
    nearest_alignment: float | None


@dataclass(frozen=True, slots=True)
class Cohesion:
    """How closely a formal group's members align, and how many sit in one coalition."""

    group: str
    name: str
    members_present: int
    cohesion: float | None
    main_coalition: int | None
    share_in_main: float | None


# -- issues, topics, validation --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StancePoint:
    state: str
    name: str
    stance: Estimate
    coalition: int | None


@dataclass(frozen=True, slots=True)
class GroupStance:
    """Members of a group placed on an issue (``states``), and the mean and SD of the stances
    of those that took a side."""

    group: str
    name: str
    members: int
    mean: float | None
    sd: float | None
    states: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DispersionPoint:
    session: str
    value: Estimate
    n_states: int


@dataclass(frozen=True, slots=True)
class IssueSection:
    issue: str
    label: str
    description: str
    contested: bool
    poles: tuple[str, str]
    addressed: int
    stances: tuple[StancePoint, ...]
    groups: tuple[GroupStance, ...]
    measure: str
    timeline: tuple[DispersionPoint, ...]
    trend: IssueTrend | None


@dataclass(frozen=True, slots=True)
class TopicRow:
    topic_id: int
    label: str
    keywords: tuple[str, ...]
    size: int
    shares: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Topics:
    sessions: tuple[str, ...]
    rows: tuple[TopicRow, ...]


@dataclass(frozen=True, slots=True)
class ValidationRow:
    measure: str
    spearman: Estimate
    pearson: Estimate
    n_pairs: int
    n_states: int
    n_roll_calls: int


@dataclass(frozen=True, slots=True)
class Validation:
    source: str
    selection: str
    text_issue: str
    text_session: str
    rows: tuple[ValidationRow, ...]


@dataclass(frozen=True, slots=True)
class SessionValidationRow:
    """One session and roll-call issue area of the per-session vote validation."""

    session: str
    vote_issue: str
    n_roll_calls: int
    n_pairs: int
    cells: tuple[Estimate | None, ...]
    """Spearman per method of :data:`reports.vote_sessions.METHODS` (``None``: not computed)."""


@dataclass(frozen=True, slots=True)
class SessionValidation:
    """Speech alignment vs votes session by session, beside baselines."""

    measure: str
    rows: tuple[SessionValidationRow, ...]
    sentence: str
    """What the table means, in one sentence computed from it."""


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the HTML report and the per-state pages show."""

    title: str
    session: str
    summary: Summary
    quality: DataQuality
    changes: Changes | None
    heatmap: Heatmap | None
    state_map: StateMap | None
    coalitions: tuple[Coalition, ...]
    cohesion: tuple[Cohesion, ...]
    focus: tuple[FocusBrief, ...]
    issues: tuple[IssueSection, ...]
    topics: Topics | None
    validation: Validation | None
    glossary: tuple[tuple[str, str], ...] = field(default=())
    taxonomy: tuple[IssueRow, ...] = field(default=())
    draft: DraftForecast | None = None
    vote_sessions: SessionValidation | None = None
    findings: Findings | None = None
    illustrative: str = ""
    """The illustrative-data warning shown on every page (``""``: the data is real)."""
    unattached: tuple[Unattached, ...] = field(default=())
    """States between coalitions (overall alignment), lowest silhouette first."""


# -- taxonomy table --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssueRow:
    """One issue of the taxonomy as the report shows it."""

    id: str
    label: str
    contested: bool
    minus: str = ""
    plus: str = ""
