"""The report model's findings: the report's opening summary (:class:`Findings`) of movers,
converging and diverging issues, each focus state's counterparts and the reasons to read it
with care. :mod:`reports.findings` builds them; import them from :mod:`reports.model`.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.model_base import Estimate

__all__ = ["Counterpart", "Findings", "FocusFinding", "IssueCounterparts", "MoveFinding",
           "QualityWarning", "TrendFinding"]


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
