"""Coalitions: clusters of states from an alignment matrix, compared with formal groups.

States are clustered by average-linkage agglomerative clustering on the distance
``1 - alignment`` (missing pairs get the largest distance). Unless ``k`` is given, the number of
coalitions is the one in ``k_range`` with the best mean silhouette score (a stated, reproducible
criterion). *Bridge* states are those whose silhouette is lowest: they are about as aligned with
another coalition as with their own. The *cohesion* of a formal group is the mean alignment
between its members that have positions.

A coalition is a group of states like-minded with each other, not a partition of everyone: with
``min_silhouette`` a clustered state *belongs* to its coalition only when its silhouette reaches
that floor (Kaufman and Rousseeuw read 0.25 and below as "no substantial structure"); the others
are *unattached*, listed with the coalition they are nearest to, their silhouette and their mean
alignment with that coalition's members and with the next one. The clustering itself (the tree,
``k``, the silhouettes) does not change with the floor.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import pandas as pd


class Unattached(TypedDict):
    """A clustered state that belongs to no coalition (:meth:`Coalitions.unattached`)."""

    state: str
    clustered_with: int
    silhouette: float
    nearest: int | None
    alignment: dict[int, float]


@dataclass(frozen=True)
class CoalitionResult:
    """Coalitions over ``states``.

    Attributes:
        states: clustered states (those with enough finite alignments).
        labels: coalition id per state (0 = largest coalition).
        k: number of coalitions; ``k_scores``: mean silhouette per candidate k.
        silhouette: per-state silhouette (low = bridge between coalitions).
        nearest_other: per state, the other coalition it is closest to.
        attached: per state, whether it belongs to its coalition (silhouette at least
            ``min_silhouette``); an unattached state's label is the coalition it is nearest to.
        min_silhouette: the floor used (``None``: every clustered state belongs).
        member_alignment: ``(states, k)``: each state's mean alignment with the members of
            each coalition (itself left out; NaN without a scored pair or without members).
    """

    states: list[str]
    labels: np.ndarray
    k: int
    k_scores: dict[int, float]
    silhouette: np.ndarray
    nearest_other: np.ndarray
    attached: np.ndarray
    min_silhouette: float | None
    member_alignment: np.ndarray

    def members(self) -> dict[int, list[str]]:
        """Coalition -> the states that belong to it (unattached states left out; a coalition
        whose states are all unattached is left out)."""
        out: dict[int, list[str]] = {}
        for state, label, ok in zip(self.states, self.labels.tolist(), self.attached.tolist(),
                                    strict=True):
            if ok:
                out.setdefault(int(label), []).append(state)
        return dict(sorted(out.items()))

    def membership(self) -> dict[str, int]:
        """State -> coalition, for the states that belong to one."""
        return {s: c for c, states in self.members().items() for s in states}

    def mean_alignment(self, index: int, coalition: int) -> float | None:
        """Mean alignment of state ``index`` with the members of ``coalition`` (itself left
        out), over the pairs with a score; ``None`` without any."""
        value = self.member_alignment[index, coalition]
        return round(float(value), 4) if np.isfinite(value) else None

    def nearest(self, index: int) -> tuple[int | None, float | None]:
        """The coalition whose members state ``index`` aligns with most on average (the lowest
        id on a tie), and that mean alignment (``(None, None)`` without any score)."""
        means = self.member_alignment[index]
        if not np.isfinite(means).any():
            return None, None
        coalition = int(np.nanargmax(means))
        return coalition, round(float(means[coalition]), 4)

    def unattached(self) -> list[Unattached]:
        """The clustered states that belong to no coalition, lowest silhouette first: the
        coalition the clustering put each in (``clustered_with``), its silhouette, its mean
        alignment with each coalition's members (``alignment``, coalition -> mean, highest
        first) and the coalition it is most aligned with (``nearest``, ``None`` without any
        score)."""
        rows: list[Unattached] = []
        coalitions = list(self.members())
        for i in np.argsort(self.silhouette, kind="stable"):
            if self.attached[i]:
                continue
            means = {c: self.mean_alignment(int(i), c) for c in coalitions}
            scored = sorted(((v, c) for c, v in means.items() if v is not None),
                            key=lambda t: (-t[0], t[1]))
            rows.append({"state": str(self.states[i]), "clustered_with": int(self.labels[i]),
                         "silhouette": round(float(self.silhouette[i]), 4),
                         "nearest": scored[0][1] if scored else None,
                         "alignment": {c: v for v, c in scored}})
        return rows

    def bridges(self, top: int = 10) -> list[dict[str, object]]:
        """States with the lowest silhouette, with their own and nearest other coalition."""
        order = np.argsort(self.silhouette, kind="stable")[:top]
        return [{"state": self.states[i], "coalition": int(self.labels[i]),
                 "nearest_other": int(self.nearest_other[i]),
                 "silhouette": round(float(self.silhouette[i]), 4)} for i in order]


def _distance(alignment: np.ndarray) -> np.ndarray:
    distance = 1.0 - alignment
    finite = np.isfinite(distance)
    fill = np.nanmax(distance[finite]) if finite.any() else 1.0
    distance = np.where(finite, distance, fill)
    distance = (distance + distance.T) / 2
    np.fill_diagonal(distance, 0.0)
    return np.clip(distance, 0.0, None)


def find_coalitions(alignment: pd.DataFrame, *, k: int | None = None,
                    k_range: Sequence[int] = range(2, 9),
                    min_coverage: float = 0.5,
                    min_silhouette: float | None = None) -> CoalitionResult:
    """Cluster states into coalitions.

    Args:
        alignment: square state x state alignment (NaN where unknown).
        k: number of coalitions; chosen by silhouette over ``k_range`` when ``None``.
        k_range: candidate numbers of coalitions.
        min_coverage: states with finite alignment to less than this share of the others are
            left out (too little evidence to place them).
        min_silhouette: a state belongs to its coalition only when its silhouette is at least
            this; the others are unattached (see :meth:`CoalitionResult.unattached`). ``None``:
            every clustered state belongs (a partition).

    Raises:
        ValueError: fewer than three placeable states, or an invalid ``k``.
    """
    matrix = alignment.to_numpy(dtype=float).copy()
    np.fill_diagonal(matrix, np.nan)
    placed = np.isfinite(matrix).any(axis=1)
    coverage = np.isfinite(matrix).sum(axis=1) / max(1, int(placed.sum()) - 1)
    keep = coverage >= min_coverage
    states = [s for s, ok in zip(alignment.index, keep, strict=True) if ok]
    if len(states) < 3:
        raise ValueError(f"need at least 3 states with alignments to form coalitions; got "
                         f"{len(states)}")
    distance = _distance(matrix[np.ix_(keep, keep)])
    candidates = [k] if k is not None else [c for c in k_range if 2 <= c < len(states)]
    if not candidates or (k is not None and not 2 <= k < len(states)):
        raise ValueError(f"k must be between 2 and {len(states) - 1}; got {k}")
    children = _average_linkage(distance)
    best = None
    scores: dict[int, float] = {}
    for c in candidates:
        raw = _cut(children, c)
        values = _silhouette(distance, raw)
        scores[c] = round(float(values.mean()), 4)
        if best is None or scores[c] > best[0] + 1e-9:
            best = (scores[c], c, raw, values)
    assert best is not None
    _, chosen, raw, values = best
    labels = _relabel_by_size(raw)
    nearest = _nearest_other(distance, labels)
    attached = (np.ones(len(states), dtype=bool) if min_silhouette is None
                else values >= min_silhouette - 1e-12)
    return CoalitionResult(states=states, labels=labels, k=chosen, k_scores=scores,
                           silhouette=values, nearest_other=nearest, attached=attached,
                           min_silhouette=min_silhouette,
                           member_alignment=_member_alignment(matrix[np.ix_(keep, keep)],
                                                              labels, attached))


def _member_alignment(matrix: np.ndarray, labels: np.ndarray,
                      attached: np.ndarray) -> np.ndarray:
    """``(n, k)`` mean of each row's finite alignments with each coalition's members (the
    diagonal of ``matrix`` is NaN, so a state is never its own partner)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    out = np.full((len(labels), k), np.nan)
    finite = np.isfinite(matrix)
    values = np.where(finite, matrix, 0.0)
    for c in range(k):
        columns = attached & (labels == c)
        count = finite[:, columns].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, c] = np.where(count > 0, values[:, columns].sum(axis=1) / count, np.nan)
    return out


def _average_linkage(distance: np.ndarray) -> np.ndarray:
    """The merge tree of average-linkage clustering on a square distance matrix: row ``i``
    holds the two nodes merged into node ``n + i`` (leaves are ``0..n-1``).

    The same tree as scikit-learn's ``AgglomerativeClustering(metric="precomputed",
    linkage="average")``, which calls the same SciPy routine; SciPy loads in a fraction of the
    time scikit-learn takes, which keeps ``likeminded coalitions`` a quick query.
    """
    from scipy.cluster.hierarchy import linkage

    i, j = np.triu_indices(len(distance), k=1)
    return linkage(distance[i, j], method="average")[:, :2].astype(np.intp)


def _cut(children: np.ndarray, n_clusters: int) -> np.ndarray:
    """Labels ``0..n_clusters-1`` from cutting the tree into ``n_clusters`` (the largest node
    split first, as scikit-learn's ``_hc_cut`` does)."""
    n = len(children) + 1
    nodes = [-(int(max(children[-1])) + 1)]
    for _ in range(n_clusters - 1):
        first, second = children[-nodes[0] - n]
        heapq.heappush(nodes, -int(first))
        heapq.heappushpop(nodes, -int(second))
    labels = np.zeros(n, dtype=np.intp)
    for label, node in enumerate(nodes):
        stack, leaves = [-node], []
        while stack:
            current = stack.pop()
            if current < n:
                leaves.append(current)
            else:
                stack.extend(children[current - n])
        labels[leaves] = label
    return labels


def _silhouette(distance: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Silhouette of each state for labels ``0..k-1`` (0 in a coalition of one), computed as
    scikit-learn's ``silhouette_samples(metric="precomputed")`` does."""
    freqs = np.bincount(labels)
    sums = np.stack([np.bincount(labels, weights=row, minlength=len(freqs))
                     for row in distance])
    rows = np.arange(len(labels))
    intra = sums[rows, labels]
    sums[rows, labels] = np.inf
    inter = (sums / freqs).min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        intra = intra / (freqs - 1).take(labels, mode="clip")
        values = (inter - intra) / np.maximum(intra, inter)
    return np.nan_to_num(values)


def _relabel_by_size(raw: np.ndarray) -> np.ndarray:
    ids, first, counts = np.unique(raw, return_index=True, return_counts=True)
    order = sorted(zip(ids, first, counts, strict=True), key=lambda t: (-t[2], t[1]))
    mapping = {old: new for new, (old, _, _) in enumerate(order)}
    return np.array([mapping[x] for x in raw])


def _nearest_other(distance: np.ndarray, labels: np.ndarray) -> np.ndarray:
    clusters = sorted(set(labels.tolist()))
    mean_to = np.stack([distance[:, labels == c].mean(axis=1) for c in clusters], axis=1)
    mean_to[np.arange(len(labels)), labels] = np.inf
    return np.array(clusters)[np.argmin(mean_to, axis=1)]


def group_cohesion(alignment: pd.DataFrame,
                   groups: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Mean pairwise alignment among each group's members present in ``alignment``.

    Returns:
        DataFrame with ``group, members_present, pairs, cohesion`` (NaN with < 2 members).
    """
    rows = []
    index = {s: i for i, s in enumerate(alignment.index)}
    matrix = alignment.to_numpy(dtype=float)
    for group, members in sorted(groups.items()):
        present = [index[m] for m in members if m in index]
        values = np.array([])
        if len(present) >= 2:
            sub = matrix[np.ix_(present, present)]
            values = sub[np.triu_indices(len(present), k=1)]
            values = values[np.isfinite(values)]
        rows.append({"group": group, "members_present": len(present), "pairs": int(values.size),
                     "cohesion": float(values.mean()) if values.size else np.nan})
    return pd.DataFrame(rows)


def compare_with_groups(result: CoalitionResult,
                        groups: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """For each formal group: how its members spread over coalitions.

    Returns:
        DataFrame ``group, members_placed, main_coalition, share_in_main`` where
        ``members_placed`` counts the group's clustered members and ``share_in_main`` is the
        share of them that belong to the group's most common coalition (unattached members
        count against it).
    """
    clustered = set(result.states)
    label = result.membership()
    rows = []
    for group, members in sorted(groups.items()):
        placed = [m for m in members if m in clustered]
        belonging = [label[m] for m in placed if m in label]
        if not belonging:
            continue
        values, counts = np.unique(belonging, return_counts=True)
        rows.append({"group": group, "members_placed": len(placed),
                     "main_coalition": int(values[np.argmax(counts)]),
                     "share_in_main": round(float(counts.max() / len(placed)), 4)})
    return pd.DataFrame(rows, columns=["group", "members_placed", "main_coalition",
                                       "share_in_main"])


SHARED_COLUMNS = ["coalition", "issue", "pole", "share", "states", "mean_stance"]


def shared_positions(labels: Mapping[str, int], stances: pd.DataFrame, *,
                     min_share: float = 2 / 3, min_states: int = 3) -> pd.DataFrame:
    """The sides a coalition's members share on contested issues.

    A coalition shares a side of an issue when at least ``min_states`` of its members took a
    side on it and at least ``min_share`` of those took the same one.

    Args:
        labels: state -> coalition.
        stances: one row per (state, issue) position with ``state, issue, stance`` (NaN: no
            side).

    Returns:
        DataFrame of :data:`SHARED_COLUMNS`: ``pole`` is ``plus`` or ``minus``, ``share`` the
        share of members with a side that took it, ``states`` how many took a side, sorted by
        coalition, then share (largest first) and issue.
    """
    frame = stances[stances["state"].isin(list(labels)) & stances["stance"].notna()]
    frame = frame.assign(coalition=frame["state"].map(labels),
                         side=np.sign(frame["stance"].astype(float)))
    frame = frame[frame["side"] != 0]
    rows = []
    for (coalition, issue), part in frame.groupby(["coalition", "issue"], sort=True):
        if len(part) < min_states:
            continue
        plus = float((part["side"] > 0).mean())
        share, pole = (plus, "plus") if plus >= 0.5 else (1 - plus, "minus")
        if share >= min_share:
            rows.append({"coalition": int(coalition), "issue": str(issue), "pole": pole,
                         "share": round(share, 4), "states": len(part),
                         "mean_stance": round(float(part["stance"].mean()), 4)})
    out = pd.DataFrame(rows, columns=SHARED_COLUMNS)
    return out.sort_values(["coalition", "share", "issue"], ascending=[True, False, True],
                           kind="stable", ignore_index=True)


def describe_shared(shared: pd.DataFrame, poles: Mapping[str, tuple[str, str]]) -> str:
    """Shared positions in words, e.g. ``"Existing international law suffices; IHL applies"``
    (``poles``: issue -> (minus label, plus label) from the taxonomy). Positions are separated
    by semicolons, so a semicolon inside a label ("Against unfounded, politicised accusations;
    evidence first") is shown as a comma: one position never reads as two."""
    words = []
    for row in shared.itertuples():
        minus, plus = poles.get(row.issue, ("", ""))
        label = plus if row.pole == "plus" else minus
        words.append((label or f"{row.issue} {row.pole}").replace(";", ","))
    return "; ".join(words)
