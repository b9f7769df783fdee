"""State x state alignment from positions, per issue and overall, with bootstrap intervals.

For two states with (non-thin) positions on an issue:

* **semantic similarity** is the cosine of their position directions, which are centred on the
  issue's mean and projected on its principal components: +1 when they stress the same side of
  what is said about the issue, about 0 when unrelated, negative when opposite;
* **stance agreement** (contested issues, both states having taken a side) is
  ``1 - |stance_a - stance_b|`` in [-1, 1];
* the **issue alignment** is ``stance_weight * stance agreement + (1 - stance_weight) *
  semantic similarity`` where stance agreement exists, else the semantic similarity.

The **overall alignment** is the weighted mean of issue alignments over the issues both states
address, contested issues weighing ``contested_weight`` (they are where camps show) and others 1;
pairs sharing fewer than ``min_issues`` issues get NaN.

Intervals come from the same computation over the positions' bootstrap replicates. Resampling
makes mean directions noisier, which biases replicate cosines downwards, so the 95 % interval is
the replicates' 2.5-97.5 percentile range re-centred on the estimate
(``estimate - (median - p2.5)`` to ``estimate + (p97.5 - median)``), clipped to [-1, 1].
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp.positions import WINDOW, Positions
from nlp.stats import nan_percentiles

OVERALL = "*"
"""Issue label of the overall (all-issue) alignment."""


@dataclass(frozen=True, slots=True)
class AlignmentConfig:
    """Parameters of the alignment score (see the module docstring)."""

    stance_weight: float = 0.7
    contested_weight: float = 2.0
    min_issues: int = 2

    def validate(self) -> None:
        if not 0 <= self.stance_weight <= 1:
            raise ValueError(f"stance_weight must be in [0, 1]; got {self.stance_weight}")
        if self.contested_weight <= 0:
            raise ValueError(f"contested_weight must be positive; got {self.contested_weight}")
        if self.min_issues < 1:
            raise ValueError(f"min_issues must be at least 1; got {self.min_issues}")


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
    """

    states: list[str]
    issues: dict[str, np.ndarray]
    overall: np.ndarray
    overall_lo: np.ndarray | None
    overall_hi: np.ndarray | None
    issue_lo: dict[str, np.ndarray]
    issue_hi: dict[str, np.ndarray]
    weights: dict[str, float]

    def frame(self, issue: str = OVERALL) -> pd.DataFrame:
        """Alignment matrix as a DataFrame with ISO3 row and column labels."""
        matrix = self.overall if issue == OVERALL else self.issues[issue]
        return pd.DataFrame(matrix, index=self.states, columns=self.states)

    def long(self, *, session: str = WINDOW) -> pd.DataFrame:
        """Long table ``state_a, state_b, issue, session, score, lo, hi`` (a < b, finite)."""
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
            frames.append(pd.DataFrame({
                "state_a": states[a[keep]], "state_b": states[b[keep]], "issue": issue,
                "session": session, "score": values[keep],
                "lo": lo[a, b][keep] if lo is not None else np.nan,
                "hi": hi[a, b][keep] if hi is not None else np.nan}))
        return pd.concat(frames, ignore_index=True)


def _cosine(directions: np.ndarray) -> np.ndarray:
    """Pairwise cosine ``(..., n, n)`` of ``(..., n, k)`` vectors (NaN rows stay NaN)."""
    directions = np.asarray(directions, dtype=np.float32)
    norms = np.linalg.norm(directions, axis=-1, keepdims=True)
    valid = np.isfinite(norms) & (norms > 1e-12)
    # zeros instead of NaN rows keep the product on the fast BLAS path; mask afterwards
    unit = np.where(valid, directions / np.where(valid, norms, 1.0), 0.0).astype(np.float32)
    product = (unit @ np.swapaxes(unit, -1, -2)).astype(np.float64)
    missing = ~valid[..., 0]
    product[np.broadcast_to(missing[..., :, None], product.shape)] = np.nan
    product[np.broadcast_to(missing[..., None, :], product.shape)] = np.nan
    return product


def issue_alignment(directions: np.ndarray, stances: np.ndarray, *, contested: bool,
                    stance_weight: float) -> np.ndarray:
    """Issue alignment ``(..., n, n)`` from directions ``(..., n, k)`` and stances ``(..., n)``."""
    semantic = _cosine(directions)
    if not contested:
        return semantic
    agreement = 1.0 - np.abs(stances[..., :, None] - stances[..., None, :])
    both = np.isfinite(agreement)
    combined = stance_weight * np.where(both, agreement, 0.0) + (1 - stance_weight) * semantic
    return np.where(both, combined, semantic)


def _overall(per_issue: Iterable[tuple[np.ndarray, float]], shape: tuple[int, ...],
             min_issues: int) -> np.ndarray:
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
    return overall


def score_alignment(positions: Positions, *, contested: Iterable[str], session: str = WINDOW,
                    issues: Iterable[str] | None = None, states: list[str] | None = None,
                    config: AlignmentConfig | None = None,
                    intervals: bool = True) -> AlignmentResult:
    """Alignment between every pair of states for one session (or the window).

    Args:
        positions: output of :func:`nlp.positions.estimate_positions`.
        contested: ids of contested issues (they have stances).
        session: a session id, or ``WINDOW`` for positions pooled over all sessions.
        issues: restrict to these issues (all by default).
        states: row/column order (by default every state with a non-thin position).
        config: see :class:`AlignmentConfig`.
        intervals: compute bootstrap intervals (window only).
    """
    config = config or AlignmentConfig()
    config.validate()
    contested = set(contested)
    table = positions.table
    selected = table[(table["session"] == session) & ~table["thin"]]
    wanted = sorted(set(selected["issue"]) if issues is None else set(issues) & set(
        selected["issue"]))
    states = states or sorted(selected["state"].unique())
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
        matrices[issue] = issue_alignment(directions, stances, contested=is_contested,
                                          stance_weight=config.stance_weight)
        weights[issue] = config.contested_weight if is_contested else 1.0
        if intervals and session == WINDOW and issue in positions.replicates:
            boot = _replicate_alignment(positions, issue, rows, at, n, is_contested, config)
            los[issue], his[issue] = _interval(matrices[issue], boot)
            boot_parts.append((boot, weights[issue]))
    overall = _overall(((m, weights[i]) for i, m in matrices.items()), (n, n), config.min_issues)
    overall_lo = overall_hi = None
    if boot_parts:
        n_boot = boot_parts[0][0].shape[0]
        boot_overall = _overall(boot_parts, (n_boot, n, n), config.min_issues)
        overall_lo, overall_hi = _interval(overall, boot_overall)
        overall_lo[np.isnan(overall)] = np.nan
        overall_hi[np.isnan(overall)] = np.nan
    return AlignmentResult(states=states, issues=matrices, overall=overall,
                           overall_lo=overall_lo, overall_hi=overall_hi, issue_lo=los,
                           issue_hi=his, weights=weights)


def _interval(estimate: np.ndarray, boot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected 95 % interval (see the module docstring)."""
    low, median, high = nan_percentiles(boot, (2.5, 50.0, 97.5))
    lo = np.clip(estimate - (median - low), -1.0, 1.0)
    hi = np.clip(estimate + (high - median), -1.0, 1.0)
    missing = ~np.isfinite(estimate)
    lo[missing] = np.nan
    hi[missing] = np.nan
    return lo, hi


def _replicate_alignment(positions: Positions, issue: str, rows: pd.DataFrame, at: np.ndarray,
                         n: int, contested: bool, config: AlignmentConfig) -> np.ndarray:
    """Issue alignment over bootstrap replicates ``(n_boot, n, n)``."""
    window = positions.window_rows[issue]
    local = {row: i for i, row in enumerate(window)}
    picks = np.array([local[r] for r in rows.index.to_numpy()], dtype=int)
    boot = positions.replicates[issue][:, picks, :]
    n_boot, _, width = boot.shape
    directions = np.full((n_boot, n, width - 1), np.nan)
    directions[:, at] = boot[:, :, :-1]
    stances = np.full((n_boot, n), np.nan)
    stances[:, at] = boot[:, :, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return issue_alignment(directions, stances, contested=contested,
                               stance_weight=config.stance_weight)
