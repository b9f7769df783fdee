"""State x state alignment from positions, per issue and overall, with bootstrap intervals.

The scale has two sides: **+1** = same positions, **0** = unrelated or mixed, **-1** =
opposite positions. For two states with (non-thin) positions on an issue:

* **semantic similarity** is the cosine of their position directions after centring them on
  the mean position of the states scored on that issue (in that session): 0 is what an average
  state says, so two states stressing the same side of the debate score positive, opposite
  sides negative, and states saying what everybody says about 0 (optionally divided by the
  issue's typical similarity, ``relative_semantic``);
* **stance agreement** (contested issues, both states having taken a side) is the product of
  their stances divided by the issue's squared typical stance (the root mean square of the
  scored states' stances), clipped to [-1, 1]: two states clearly on the same side score +1,
  clearly on opposite sides -1, and a state that is mixed (stance near 0) about 0 with anyone;
* the **issue alignment** is ``stance_weight * stance agreement + (1 - stance_weight) *
  semantic similarity`` where stance agreement exists, else the semantic similarity.

The **overall alignment** is the weighted mean of issue alignments over the issues both states
address, contested issues weighing ``contested_weight`` (they are where camps show) and others 1.
Pairs sharing fewer than ``min_issues`` issues get, when whole positions are given, the
semantic similarity of their whole positions (the centred cosine of the mean embeddings of
everything each state said), with ``basis`` ``"semantic"`` instead of ``"issues"``.

Intervals come from the same computation over the positions' bootstrap replicates, laid around
the estimate (:func:`nlp.stats.centred_interval`), so every estimate is inside its interval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp.positions import WINDOW, Positions, WholePositions
from nlp.similarity import (
    centre_positions,
    cosine_scale,
    pairwise_cosine,
    semantic_similarity,
    stance_agreement,
    stance_scale,
)
from nlp.stats import centred_interval

OVERALL = "*"
"""Issue label of the overall (all-issue) alignment."""

ISSUES, SEMANTIC = "issues", "semantic"
"""Values of ``basis``: scored over shared issues, or over whole positions."""

OPPOSED_BELOW = -0.2
"""Alignments below this are described as opposed."""

LIKE_MINDED_ABOVE = 0.5
"""Alignments above this are described as like-minded."""


def describe_alignment(score: float | None) -> str:
    """The word for an alignment on the two-sided scale: the one definition the CLI, the
    report and the exports use (``opposed`` < -0.2 <= ``mixed or unrelated`` <= 0.5 <
    ``like-minded``; ``no score`` when missing)."""
    if score is None or not np.isfinite(score):
        return "no score"
    if score < OPPOSED_BELOW:
        return "opposed"
    if score > LIKE_MINDED_ABOVE:
        return "like-minded"
    return "mixed or unrelated"


@dataclass(frozen=True, slots=True)
class AlignmentConfig:
    """Parameters of the alignment score (see the module docstring).

    Attributes:
        stance_weight: weight of stance agreement in a contested issue's alignment.
        contested_weight: weight of contested issues in the overall mean (others: 1).
        min_issues: shared issues needed for an ``issues``-based overall alignment.
        min_centre: positions on an issue needed to centre them on their mean (with fewer,
            centring would push every pair apart); they are already centred on the mean of the
            issue's paragraphs.
        relative_semantic: divide semantic similarities by the issue's typical similarity
            (see :func:`semantic_similarity`), so that they span the same two-sided range as
            stance agreement. Off by default: on issues where states say much the same thing,
            it stretches noise to the full scale.
    """

    stance_weight: float = 0.7
    contested_weight: float = 4.0
    min_issues: int = 2
    min_centre: int = 5
    relative_semantic: bool = False

    def validate(self) -> None:
        if not 0 <= self.stance_weight <= 1:
            raise ValueError(f"stance_weight must be in [0, 1]; got {self.stance_weight}")
        if self.contested_weight <= 0:
            raise ValueError(f"contested_weight must be positive; got {self.contested_weight}")
        if self.min_issues < 1:
            raise ValueError(f"min_issues must be at least 1; got {self.min_issues}")
        if self.min_centre < 2:
            raise ValueError(f"min_centre must be at least 2; got {self.min_centre}")


@dataclass(frozen=True)
class AlignmentResult:
    """Square matrices over ``states``.

    Attributes:
        states: ISO3 codes, the row and column order.
        issues: issue -> ``(n, n)`` issue alignment (NaN where a state lacks a position).
        overall: ``(n, n)`` overall alignment.
        overall_lo / overall_hi: 95 % bootstrap interval of ``overall`` (window only).
        issue_lo / issue_hi: issue -> ``(n, n)`` intervals (window only).
        weights: issue -> weight used in the overall mean.
        semantic: ``(n, n)`` booleans, True where ``overall`` is the semantic similarity of
            whole positions (``basis`` ``"semantic"``) rather than a mean over shared issues.
        overall_boot: ``(n_boot, n, n)`` bootstrap replicates of ``overall`` (when intervals
            were computed), for intervals of differences such as :func:`alignment_change`.
    """

    states: list[str]
    issues: dict[str, np.ndarray]
    overall: np.ndarray
    overall_lo: np.ndarray | None
    overall_hi: np.ndarray | None
    issue_lo: dict[str, np.ndarray]
    issue_hi: dict[str, np.ndarray]
    weights: dict[str, float]
    semantic: np.ndarray | None = None
    overall_boot: np.ndarray | None = None

    def frame(self, issue: str = OVERALL) -> pd.DataFrame:
        """Alignment matrix as a DataFrame with ISO3 row and column labels."""
        matrix = self.overall if issue == OVERALL else self.issues[issue]
        return pd.DataFrame(matrix, index=self.states, columns=self.states)

    def basis(self, a: int, b: int) -> str:
        """``"semantic"`` or ``"issues"``: what the overall alignment of ``a``, ``b`` rests on."""
        return SEMANTIC if self.semantic is not None and bool(self.semantic[a, b]) else ISSUES

    def long(self, *, session: str = WINDOW) -> pd.DataFrame:
        """Long table ``state_a, state_b, issue, session, score, lo, hi, basis`` (a < b, finite)."""
        n = len(self.states)
        a, b = np.triu_indices(n, k=1)
        frames = []
        items = [(OVERALL, self.overall, self.overall_lo, self.overall_hi)] + [
            (issue, m, self.issue_lo.get(issue), self.issue_hi.get(issue))
            for issue, m in sorted(self.issues.items())]
        states = np.array(self.states)
        for issue, matrix, lo, hi in items:
            values = matrix[a, b]
            keep = np.isfinite(values)
            semantic = (self.semantic[a, b][keep] if issue == OVERALL and self.semantic is not None
                        else np.zeros(int(keep.sum()), bool))
            frames.append(pd.DataFrame({
                "state_a": states[a[keep]], "state_b": states[b[keep]], "issue": issue,
                "session": session, "score": values[keep],
                "lo": lo[a, b][keep] if lo is not None else np.nan,
                "hi": hi[a, b][keep] if hi is not None else np.nan,
                "basis": np.where(semantic, SEMANTIC, ISSUES)}))
        return pd.concat(frames, ignore_index=True)

    @classmethod
    def from_long(cls, frame: pd.DataFrame, *, weights: Callable[[str], float] | None = None
                  ) -> AlignmentResult:
        """The inverse of :meth:`long` for one session: columns ``state_a, state_b, issue,
        score, lo, hi`` and optionally ``basis``. Pairs absent from the table are NaN; the
        diagonal is 1. ``weights`` gives each issue's weight in the overall mean (default 1);
        the overall matrix is read from the table, not recomputed. Bootstrap replicates are not
        stored, so ``overall_boot`` is ``None``."""
        states = sorted(set(frame["state_a"]) | set(frame["state_b"]))
        index = {s: i for i, s in enumerate(states)}
        n = len(states)

        def square(part: pd.DataFrame, column: str) -> np.ndarray:
            matrix = np.full((n, n), np.nan)
            a, b = part["state_a"].map(index).to_numpy(), part["state_b"].map(index).to_numpy()
            matrix[a, b] = matrix[b, a] = part[column].to_numpy(dtype=float)
            np.fill_diagonal(matrix, 1.0)
            return matrix

        issues, los, his = {}, {}, {}
        for issue, part in frame.groupby("issue"):
            if issue == OVERALL:
                continue
            issues[str(issue)] = square(part, "score")
            if part["lo"].notna().any():
                los[str(issue)], his[str(issue)] = square(part, "lo"), square(part, "hi")
        overall = frame[frame["issue"] == OVERALL]
        has_interval = bool(overall["lo"].notna().any())
        semantic = np.zeros((n, n), bool)
        if "basis" in overall.columns:
            marked = overall[overall["basis"] == SEMANTIC]
            a = marked["state_a"].map(index).to_numpy(dtype=int)
            b = marked["state_b"].map(index).to_numpy(dtype=int)
            semantic[a, b] = semantic[b, a] = True
        return cls(states=states, issues=issues, overall=square(overall, "score"),
                   overall_lo=square(overall, "lo") if has_interval else None,
                   overall_hi=square(overall, "hi") if has_interval else None,
                   issue_lo=los, issue_hi=his,
                   weights={i: 1.0 if weights is None else weights(i) for i in issues},
                   semantic=semantic)


def issue_alignment(directions: np.ndarray, stances: np.ndarray, *, contested: bool,
                    stance_weight: float, scale: np.ndarray | float | None = None,
                    min_centre: int = 5, semantic_scale: np.ndarray | float | None = None,
                    relative: bool = True) -> np.ndarray:
    """Issue alignment ``(..., n, n)`` from directions ``(..., n, k)`` and stances ``(..., n)``."""
    semantic = semantic_similarity(directions, min_centre=min_centre, scale=semantic_scale,
                                   relative=relative)
    if not contested:
        return semantic
    agreement = stance_agreement(stances, scale)
    both = np.isfinite(agreement)
    combined = stance_weight * np.where(both, agreement, 0.0) + (1 - stance_weight) * semantic
    return np.where(both, combined, semantic)


def _overall(per_issue: Iterable[tuple[np.ndarray, float]], shape: tuple[int, ...],
             min_issues: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean over issues, and the number of issues each pair shares."""
    total = np.zeros(shape)
    weight = np.zeros(shape)
    count = np.zeros(shape)
    for matrix, w in per_issue:
        ok = np.isfinite(matrix)
        total += np.where(ok, matrix, 0.0) * w
        weight += ok * w
        count += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = total / weight
    overall[count < min_issues] = np.nan
    return overall, count


def score_alignment(positions: Positions, *, contested: Iterable[str], session: str = WINDOW,
                    issues: Iterable[str] | None = None, states: list[str] | None = None,
                    config: AlignmentConfig | None = None, intervals: bool = True,
                    whole: WholePositions | None = None) -> AlignmentResult:
    """Alignment between every pair of states for one session (or the window).

    Args:
        positions: output of :func:`nlp.positions.estimate_positions`.
        contested: ids of contested issues (they have stances).
        session: a session id, or ``WINDOW`` for positions pooled over all sessions.
        issues: restrict to these issues (all by default).
        states: row/column order (by default every state with a non-thin position, and every
            state of ``whole``).
        config: see :class:`AlignmentConfig`.
        intervals: compute bootstrap intervals (for the window, and for the sessions whose
            replicates ``positions`` kept: the last two).
        whole: whole positions of the same session; pairs sharing fewer than
            ``config.min_issues`` issues are scored on them (``basis`` ``"semantic"``).
    """
    config = config or AlignmentConfig()
    config.validate()
    contested = set(contested)
    table = positions.table
    selected = table[(table["session"] == session) & ~table["thin"]]
    wanted = sorted(set(selected["issue"]) if issues is None else set(issues) & set(
        selected["issue"]))
    if states is None:
        found = set(selected["state"]) | (set(whole.states) if whole is not None else set())
        states = sorted(found)
    index = {s: i for i, s in enumerate(states)}
    n = len(states)
    matrices, los, his, weights = {}, {}, {}, {}
    boot_parts: list[tuple[np.ndarray, float]] = []
    for issue in wanted:
        rows = selected[selected["issue"] == issue]
        rows = rows[rows["state"].isin(index)]
        at = rows["state"].map(index).to_numpy()
        k = positions.directions.shape[1]
        directions = np.full((n, k), np.nan)
        directions[at] = positions.directions[rows.index.to_numpy()]
        stances = np.full(n, np.nan)
        stances[at] = rows["stance"].to_numpy(dtype=float)
        is_contested = issue in contested
        with np.errstate(all="ignore"):
            scale = stance_scale(stances) if is_contested else None
            semantic_scale = cosine_scale(pairwise_cosine(centre_positions(directions,
                                                                   config.min_centre)))
        matrices[issue] = issue_alignment(directions, stances, contested=is_contested,
                                          stance_weight=config.stance_weight, scale=scale,
                                          min_centre=config.min_centre,
                                          semantic_scale=semantic_scale,
                                          relative=config.relative_semantic)
        weights[issue] = config.contested_weight if is_contested else 1.0
        source = _replicate_source(positions, issue, session) if intervals else None
        if source is not None:
            boot = _replicate_alignment(source, rows, at, n, is_contested, scale,
                                        semantic_scale, config)
            los[issue], his[issue] = centred_interval(matrices[issue], boot, bounds=(-1, 1))
            boot_parts.append((boot, weights[issue]))
    overall, count = _overall(((m, weights[i]) for i, m in matrices.items()), (n, n),
                              config.min_issues)
    semantic = None
    whole_matrix = whole_boot = None
    if whole is not None:
        whole_matrix, whole_boot = _whole_alignment(whole, index, n, config, intervals)
        semantic = (count < config.min_issues) & np.isfinite(whole_matrix)
        np.fill_diagonal(semantic, False)
        overall = np.where(semantic, whole_matrix, overall)
    overall_lo = overall_hi = boot_overall = None
    if boot_parts:
        n_boot = boot_parts[0][0].shape[0]
        boot_overall, _ = _overall(boot_parts, (n_boot, n, n), config.min_issues)
        if semantic is not None and whole_boot is not None and whole_boot.shape[0] == n_boot:
            boot_overall = np.where(semantic[None], whole_boot, boot_overall)
        boot_overall[:, ~np.isfinite(overall)] = np.nan
        overall_lo, overall_hi = centred_interval(overall, boot_overall, bounds=(-1, 1))
    if semantic is not None and whole_matrix is not None and whole_boot is not None and (
            boot_overall is None or whole_boot.shape[0] != boot_overall.shape[0]):
        # whole positions resampled on their own: their pairs get their own intervals
        lo, hi = centred_interval(whole_matrix, whole_boot, bounds=(-1, 1))
        overall_lo = np.where(semantic, lo, np.nan if overall_lo is None else overall_lo)
        overall_hi = np.where(semantic, hi, np.nan if overall_hi is None else overall_hi)
    return AlignmentResult(states=states, issues=matrices, overall=overall,
                           overall_lo=overall_lo, overall_hi=overall_hi, issue_lo=los,
                           issue_hi=his, weights=weights, semantic=semantic,
                           overall_boot=boot_overall)


def alignment_change(before: AlignmentResult, after: AlignmentResult, *,
                     from_session: str, to_session: str) -> pd.DataFrame:
    """Change of overall alignment of every pair scored over shared issues in both sessions,
    with its interval.

    Returns:
        DataFrame ``state_a, state_b, from_session, to_session, before, after, delta,
        delta_lo, delta_hi`` (a < b); the interval comes from the difference of the two
        sessions' replicates (NaN when either has none).
    """
    common = sorted(set(before.states) & set(after.states))
    ib = np.array([before.states.index(s) for s in common], dtype=int)
    ia = np.array([after.states.index(s) for s in common], dtype=int)
    x = before.overall[np.ix_(ib, ib)].copy()
    y = after.overall[np.ix_(ia, ia)].copy()
    # a score over shared issues and one over whole positions are not comparable
    for result, index, values in ((before, ib, x), (after, ia, y)):
        if result.semantic is not None:
            values[result.semantic[np.ix_(index, index)]] = np.nan
    delta = y - x
    lo = hi = np.full_like(delta, np.nan)
    if before.overall_boot is not None and after.overall_boot is not None:
        boot = after.overall_boot[:, ia][:, :, ia] - before.overall_boot[:, ib][:, :, ib]
        lo, hi = centred_interval(delta, boot, bounds=(-2, 2))
    a, b = np.triu_indices(len(common), k=1)
    keep = np.isfinite(delta[a, b])
    names = np.array(common, dtype=object)
    return pd.DataFrame({
        "state_a": names[a[keep]], "state_b": names[b[keep]], "from_session": from_session,
        "to_session": to_session, "before": x[a, b][keep], "after": y[a, b][keep],
        "delta": delta[a, b][keep], "delta_lo": lo[a, b][keep], "delta_hi": hi[a, b][keep]})


def _whole_alignment(whole: WholePositions, index: dict[str, int], n: int,
                     config: AlignmentConfig, intervals: bool
                     ) -> tuple[np.ndarray, np.ndarray | None]:
    """Centred cosine of whole positions ``(n, n)`` and of their replicates."""
    at = np.array([index[s] for s in whole.states if s in index], dtype=int)
    picks = np.array([i for i, s in enumerate(whole.states) if s in index], dtype=int)
    vectors = np.full((n, whole.vectors.shape[1]), np.nan)
    vectors[at] = whole.vectors[picks]
    # whole positions stay plain centred cosines: a weaker basis (it also carries style and
    # language) is not stretched to the full scale
    matrix = semantic_similarity(vectors, min_centre=config.min_centre, relative=False)
    boot = None
    if intervals and whole.replicates is not None:
        replicates = np.full((whole.replicates.shape[0], n, whole.vectors.shape[1]), np.nan)
        replicates[:, at] = whole.replicates[:, picks]
        boot = semantic_similarity(replicates, min_centre=config.min_centre, relative=False)
    return matrix, boot


def _replicate_source(positions: Positions, issue: str,
                      session: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(row indices, replicates) of one issue's positions in ``session``, if kept."""
    if session == WINDOW:
        if issue not in positions.replicates:
            return None
        return positions.window_rows[issue], positions.replicates[issue]
    key = (issue, session)
    if key not in positions.session_replicates:
        return None
    return positions.session_rows[key], positions.session_replicates[key]


def _replicate_alignment(source: tuple[np.ndarray, np.ndarray], rows: pd.DataFrame,
                         at: np.ndarray, n: int, contested: bool,
                         scale: np.ndarray | float | None,
                         semantic_scale: np.ndarray | float | None,
                         config: AlignmentConfig) -> np.ndarray:
    """Issue alignment over bootstrap replicates ``(n_boot, n, n)``."""
    table_rows, replicates = source
    local = {row: i for i, row in enumerate(table_rows)}
    picks = np.array([local[r] for r in rows.index.to_numpy()], dtype=int)
    boot = replicates[:, picks, :]
    n_boot, _, width = boot.shape
    directions = np.full((n_boot, n, width - 1), np.nan)
    directions[:, at] = boot[:, :, :-1]
    stances = np.full((n_boot, n), np.nan)
    stances[:, at] = boot[:, :, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return issue_alignment(directions, stances, contested=contested,
                               stance_weight=config.stance_weight, scale=scale,
                               min_centre=config.min_centre, semantic_scale=semantic_scale,
                               relative=config.relative_semantic)
