"""The report model: frozen records that :func:`reports.build.build_report` makes and the
renderers (HTML, SVG, XLSX) read.

Numbers that may be missing are ``None`` (never NaN), so renderers only test for ``None``.
Sequences are tuples, sorted where the order is not meaningful, so the same store always gives
the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# -- shared records --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quote:
    """A paragraph a state said, with where and when it said it.

    ``url`` is the statement's web address when known; ``source`` is the file path relative to
    the corpus folder (shown as text when there is no ``url``).
    """

    state: str
    name: str
    session: str
    text: str
    source: str = ""
    url: str = ""
    on_behalf_of: str = ""
    issue: str = ""


@dataclass(frozen=True, slots=True)
class Estimate:
    """A value with its 95 % interval (``lo``/``hi`` ``None`` when there is none)."""

    value: float | None
    lo: float | None = None
    hi: float | None = None


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


# -- focus states ----------------------------------------------------------------------------


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


# -- taxonomy table and draft forecast sections -------------------------------------------


@dataclass(frozen=True, slots=True)
class IssueRow:
    """One issue of the taxonomy as the report shows it."""

    id: str
    label: str
    contested: bool
    minus: str = ""
    plus: str = ""


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


# -- findings (the report's opening summary; built by reports.findings) -------------------


@dataclass(frozen=True, slots=True)
class MoveFinding:
    """A state whose stance on an issue changed beyond its 95 % interval between two sessions.

    ``pole`` is ``"minus"`` or ``"plus"`` (where it moved), ``pole_label`` the taxonomy's words
    for it; ``crossed`` is true when the stance changed sign (it changed sides).
    """

    state: str
    name: str
    issue: str
    label: str
    shift: Estimate
    stance_from: float | None
    stance_to: float | None
    pole: str
    pole_label: str
    crossed: bool
    sentence: str


@dataclass(frozen=True, slots=True)
class TrendFinding:
    """An issue whose dispersion falls (converging) or rises (diverging) over the sessions;
    ``before``/``after``: its dispersion in the first and the last session."""

    issue: str
    label: str
    direction: str
    measure: str
    before: float | None
    after: float | None
    slope: Estimate
    heading: str
    sentence: str


@dataclass(frozen=True, slots=True)
class Counterpart:
    """A partner or opponent with its alignment score, interval and reading."""

    state: str
    name: str
    score: Estimate
    reading: str = ""


@dataclass(frozen=True, slots=True)
class IssueCounterparts:
    """The closest partners and clearest opponents of one focus state on one issue
    (``issue`` is ``"*"`` for all issues together)."""

    issue: str
    label: str
    partners: tuple[Counterpart, ...]
    opponents: tuple[Counterpart, ...]


@dataclass(frozen=True, slots=True)
class FocusFinding:
    """One focus state's counterparts, overall first, then per contested issue."""

    state: str
    name: str
    issues: tuple[IssueCounterparts, ...]
    missing: str = ""


@dataclass(frozen=True, slots=True)
class QualityWarning:
    """A reason to read the findings with care. ``kind``: ``illustrative``, ``language``,
    ``thin``, ``no_stance`` or ``quarantine``; ``share`` the proportion it is about, if any."""

    kind: str
    text: str
    share: float | None = None


@dataclass(frozen=True, slots=True)
class Findings:
    """The report's opening summary. ``from_session``/``to_session`` are empty when there is
    only one session; ``movers_total`` counts every significant mover, ``movers`` the first
    ones by size."""

    from_session: str
    to_session: str
    movers: tuple[MoveFinding, ...]
    movers_total: int
    trends: tuple[TrendFinding, ...]
    focus: tuple[FocusFinding, ...]
    warnings: tuple[QualityWarning, ...]
