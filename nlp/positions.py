"""State positions per issue and session: direction of what they say, mean stance, evidence.

Input is one row per (segment, issue) tag attributed to a state, with a weight: 1 for the
state's own segments and ``group_weight`` for segments of group statements delivered on its
behalf (see :func:`expand_group_rows`). A position is the weighted mean of the tagged segments'
embeddings, projected on the issue's principal components after centring on the issue's mean
(so similarity measures *relative* position within the debate), and the weighted mean of the
segments' stances on contested issues. Intervals come from a Poisson bootstrap over segments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from nlp.stats import nan_percentiles

WINDOW = "*"
"""Session label of positions pooled over every session in the analysed window."""


@dataclass(frozen=True, slots=True)
class PositionConfig:
    """Parameters of position estimation.

    Attributes:
        group_weight: weight of a group statement's segments for each member (own: 1).
        min_weight: positions with less evidence weight than this are marked thin.
        group_only: whether a member that never spoke on the issue itself holds a position
            from its groups' statements alone; by default such positions are marked thin, so
            silent members are not scored as if they had spoken.
        components: dimensions of the per-issue projection of embeddings.
        n_boot: bootstrap replicates for intervals.
        random_state: seed of the bootstrap.
    """

    group_weight: float = 0.5
    min_weight: float = 1.0
    group_only: bool = False
    components: int = 32
    n_boot: int = 100
    random_state: int = 0

    def validate(self) -> None:
        if not 0 <= self.group_weight <= 1:
            raise ValueError(f"group_weight must be in [0, 1]; got {self.group_weight}")
        if self.min_weight <= 0:
            raise ValueError(f"min_weight must be positive; got {self.min_weight}")
        if self.components < 2:
            raise ValueError(f"components must be at least 2; got {self.components}")
        if self.n_boot < 10:
            raise ValueError(f"n_boot must be at least 10; got {self.n_boot}")


@dataclass(frozen=True)
class Positions:
    """Positions and their directions.

    Attributes:
        table: one row per (state, issue, session) with columns ``state, issue, session,
            n_own, n_group, weight, stance, stance_lo, stance_hi, n_stance, thin``;
            ``session == WINDOW`` rows pool all sessions.
        directions: ``(len(table), k)`` float32 projected mean directions, row-aligned.
        replicates: issue -> ``(n_boot, n_rows_of_issue_window, k + 1)`` bootstrap replicates
            of the window positions (direction and stance), for alignment intervals.
        window_rows: issue -> row indices into ``table`` of that issue's window positions.
    """

    table: pd.DataFrame
    directions: np.ndarray
    replicates: Mapping[str, np.ndarray]
    window_rows: Mapping[str, np.ndarray]


def expand_group_rows(rows: pd.DataFrame, recipients: Mapping[str, Sequence[str]], *,
                      group_weight: float) -> pd.DataFrame:
    """Attribute group statements' rows to every recipient state.

    Args:
        rows: tagged rows with columns ``statement_id, state, ...``; own rows get weight 1.
        recipients: statement id -> states on whose behalf (or in alignment with whom) it was
            delivered, e.g. the group's members on the statement's date.
        group_weight: weight of the attributed copies.

    Returns:
        The rows with ``weight`` and ``kind`` (``own`` or ``group``) columns, plus one copy per
        recipient (other than the speaker) of each group statement's rows.
    """
    own = rows.assign(weight=1.0, kind="own")
    if not recipients or group_weight == 0:
        return own.reset_index(drop=True)
    copies = []
    for statement_id, states in recipients.items():
        part = rows[rows["statement_id"] == statement_id]
        if part.empty:
            continue
        for state in states:
            if state in set(part["state"]):
                continue
            copies.append(part.assign(state=state, weight=group_weight, kind="group"))
    if not copies:
        return own.reset_index(drop=True)
    return pd.concat([own, *copies], ignore_index=True)


def issue_projection(vectors: np.ndarray, components: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``(d,)`` and top principal axes ``(k, d)`` of an issue's segment vectors ``(n, d)``."""
    mean = vectors.mean(axis=0)
    centred = vectors - mean
    k = max(1, min(components, vectors.shape[0] - 1, vectors.shape[1]))
    # SVD of the smaller Gram side is enough and deterministic up to sign; fix signs
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:k]
    signs = np.sign(axes[np.arange(k), np.argmax(np.abs(axes), axis=1)])
    return mean, (axes * signs[:, None]).astype(np.float32)


def estimate_positions(rows: pd.DataFrame, vectors: np.ndarray, *, session_order: Sequence[str],
                       config: PositionConfig | None = None) -> Positions:
    """Estimate positions per (state, issue, session) and per (state, issue) over the window.

    Args:
        rows: one row per tag with columns ``seg`` (row of ``vectors``), ``state``, ``session``,
            ``issue``, ``stance`` (float, NaN when none), ``weight``, ``kind``.
        vectors: ``(n_segments, d)`` L2-normalised segment embeddings.
        session_order: sessions in chronological order (defines the window).
        config: see :class:`PositionConfig`.
    """
    config = config or PositionConfig()
    config.validate()
    rng = np.random.default_rng(config.random_state)
    tables, directions, replicates, window_rows = [], [], {}, {}
    offset = 0
    sessions = [s for s in session_order if s in set(rows["session"])]
    for issue in sorted(rows["issue"].unique()):
        part = rows[(rows["issue"] == issue) & rows["session"].isin(sessions)]
        segs = np.unique(part["seg"].to_numpy())
        mean, axes = issue_projection(vectors[segs], config.components)
        projected = (vectors[part["seg"].to_numpy()] - mean) @ axes.T  # (m, k)
        weight = part["weight"].to_numpy(dtype=np.float64)
        stance = part["stance"].to_numpy(dtype=np.float64)
        has_stance = ~np.isnan(stance)
        for scope in (*sessions, WINDOW):
            mask = np.ones(len(part), bool) if scope == WINDOW else (
                part["session"].to_numpy() == scope)
            if not mask.any():
                continue
            table, direction, cell, cells = _aggregate(
                part[mask], projected[mask], weight[mask], stance[mask], has_stance[mask])
            table.insert(1, "issue", issue)
            table.insert(2, "session", scope)
            boot = _bootstrap(cell, cells, projected[mask], weight[mask], stance[mask],
                              has_stance[mask], config.n_boot, rng)
            table["stance_lo"], table["stance_hi"] = nan_percentiles(boot[:, :, -1],
                                                                     (2.5, 97.5))
            table.loc[table["n_stance"] == 0, ["stance_lo", "stance_hi"]] = np.nan
            if scope == WINDOW:
                replicates[issue] = boot.astype(np.float32)
                window_rows[issue] = np.arange(offset, offset + len(table))
            tables.append(table)
            directions.append(direction)
            offset += len(table)
    if not tables:
        empty = pd.DataFrame(columns=["state", "issue", "session", "n_own", "n_group", "weight",
                                      "stance", "stance_lo", "stance_hi", "n_stance", "thin"])
        return Positions(empty, np.zeros((0, config.components), np.float32), {}, {})
    table = pd.concat(tables, ignore_index=True)
    table["thin"] = table["weight"] < config.min_weight
    if not config.group_only:
        table["thin"] |= table["n_own"] == 0
    width = max(d.shape[1] for d in directions)
    padded = [np.pad(d, ((0, 0), (0, width - d.shape[1]))) for d in directions]
    return Positions(table, np.vstack(padded).astype(np.float32), replicates, window_rows)


def _aggregate(part: pd.DataFrame, projected: np.ndarray, weight: np.ndarray, stance: np.ndarray,
               has_stance: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, list[str]]:
    states, cell = np.unique(part["state"].to_numpy(), return_inverse=True)
    n = len(states)
    own = (part["kind"].to_numpy() == "own").astype(float)
    indicator = sparse.csr_matrix((np.ones(len(cell)), (cell, np.arange(len(cell)))),
                                  shape=(n, len(cell)))
    weight_sum = indicator @ weight
    direction = (indicator @ (projected * weight[:, None])) / np.maximum(weight_sum, 1e-12)[:,
                                                                                          None]
    stance_weight = indicator @ (weight * has_stance)
    stance_sum = indicator @ (np.where(has_stance, stance, 0.0) * weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_stance = np.where(stance_weight > 0, stance_sum / stance_weight, np.nan)
    table = pd.DataFrame({
        "state": states, "n_own": (indicator @ own).astype(int),
        "n_group": (indicator @ (1 - own)).astype(int), "weight": weight_sum,
        "stance": mean_stance, "n_stance": (indicator @ has_stance.astype(float)).astype(int)})
    return table, direction.astype(np.float32), cell, list(states)


def _bootstrap(cell: np.ndarray, cells: list[str], projected: np.ndarray, weight: np.ndarray,
               stance: np.ndarray, has_stance: np.ndarray, n_boot: int,
               rng: np.random.Generator) -> np.ndarray:
    """Poisson-bootstrap replicates ``(n_boot, n_cells, k + 1)``: direction and stance."""
    n, m, k = len(cells), len(cell), projected.shape[1]
    indicator = sparse.csr_matrix((np.ones(m), (cell, np.arange(m))), shape=(n, m))
    out = np.empty((n_boot, n, k + 1), dtype=np.float64)
    values = np.where(has_stance, stance, 0.0)
    for b in range(n_boot):
        w = weight * rng.poisson(1.0, size=m)
        total = indicator @ w
        out[b, :, :k] = (indicator @ (projected * w[:, None])) / np.maximum(total, 1e-12)[:, None]
        stance_weight = indicator @ (w * has_stance)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[b, :, k] = np.where(stance_weight > 0,
                                    (indicator @ (values * w)) / stance_weight, np.nan)
        out[b, total == 0, :] = np.nan
    return out
