"""Convergence over time: dispersion of positions per issue and session, trend, movers.

* **Dispersion** of an issue in a session: for contested issues the standard deviation of the
  states' mean stances; for every issue, the semantic spread ``1 - mean cosine`` of the states'
  position directions to their mean direction. Intervals: bootstrap over states.
* **Trend**: least-squares slope of dispersion against the session's position in time
  (sessions, in order); negative = converging. Interval: bootstrap over states.
* **Movers**: states whose position on an issue shifted most between two sessions. The shift
  combines the change in stance and in direction (``0.5 * |delta stance| + 0.5 * (1 - cos)``);
  ``toward`` lists the states whose later positions the mover got closest to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp.positions import Positions
from nlp.stats import nan_percentiles


@dataclass(frozen=True)
class ConvergenceResult:
    """``dispersion``: ``issue, session, order, n_states, stance_sd, stance_sd_lo,
    stance_sd_hi, semantic_spread, spread_lo, spread_hi``; ``trends``: ``issue, measure,
    slope, lo, hi, sessions, direction``."""

    dispersion: pd.DataFrame
    trends: pd.DataFrame


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 1e-12, norms, 1.0)


def _spread(directions: np.ndarray) -> float:
    if len(directions) < 2:
        return float("nan")
    unit = _unit(directions)
    centre = _unit(unit.mean(axis=0))
    return float(1.0 - np.mean(unit @ centre))


def _spreads(unit: np.ndarray) -> np.ndarray:
    """Semantic spread of each replicate in ``(n_boot, n, k)`` unit vectors, ``(n_boot,)``."""
    centre = _unit(unit.mean(axis=1))
    return 1.0 - np.einsum("bnk,bk->bn", unit, centre).mean(axis=1)


def measure_dispersion(positions: Positions, *, session_order: Sequence[str],
                       contested: Sequence[str], n_boot: int = 200, min_states: int = 3,
                       random_state: int = 0) -> ConvergenceResult:
    """Dispersion per issue and session, and its trend over the sessions."""
    rng = np.random.default_rng(random_state)
    table = positions.table
    usable = table[~table["thin"] & table["session"].isin(session_order)]
    records = []
    boot_store: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    for (issue, session), part in usable.groupby(["issue", "session"], sort=True):
        if len(part) < min_states:
            continue
        directions = positions.directions[part.index.to_numpy()]
        stances = part["stance"].to_numpy(dtype=float)
        picks = rng.integers(0, len(part), size=(n_boot, len(part)))
        boot_spread = _spreads(_unit(directions)[picks])
        finite = stances[np.isfinite(stances)]
        is_contested = issue in contested
        sd = float(np.std(finite, ddof=1)) if is_contested and finite.size >= min_states \
            else np.nan
        boot_sd = np.full(n_boot, np.nan)
        if np.isfinite(sd):
            draws = finite[rng.integers(0, finite.size, size=(n_boot, finite.size))]
            boot_sd = draws.std(axis=1, ddof=1)
        boot_store[(issue, session)] = (boot_spread, boot_sd)
        (spread_lo,), (spread_hi,) = nan_percentiles(boot_spread[:, None], (2.5, 97.5))
        (sd_lo,), (sd_hi,) = nan_percentiles(boot_sd[:, None], (2.5, 97.5))
        records.append({"issue": issue, "session": session,
                        "order": list(session_order).index(session), "n_states": len(part),
                        "stance_sd": sd, "stance_sd_lo": sd_lo, "stance_sd_hi": sd_hi,
                        "semantic_spread": _spread(directions), "spread_lo": spread_lo,
                        "spread_hi": spread_hi})
    dispersion = pd.DataFrame(records, columns=[
        "issue", "session", "order", "n_states", "stance_sd", "stance_sd_lo", "stance_sd_hi",
        "semantic_spread", "spread_lo", "spread_hi"])
    trends = []
    for issue, part in dispersion.groupby("issue", sort=True):
        part = part.sort_values("order")
        for measure, column, boot_index in (("stance_sd", "stance_sd", 1),
                                            ("semantic_spread", "semantic_spread", 0)):
            ok = part[np.isfinite(part[column])]
            if len(ok) < 2:
                continue
            x = ok["order"].to_numpy(dtype=float)
            slope = float(np.polyfit(x, ok[column].to_numpy(), 1)[0])
            boots = np.stack([boot_store[(issue, s)][boot_index] for s in ok["session"]], axis=1)
            finite_rows = np.isfinite(boots).all(axis=1)
            slopes = np.array([np.polyfit(x, row, 1)[0] for row in boots[finite_rows]])
            lo, hi = (np.percentile(slopes, [2.5, 97.5]) if slopes.size else (np.nan, np.nan))
            direction = ("converging" if hi < 0 else "diverging" if lo > 0 else "stable")
            trends.append({"issue": issue, "measure": measure, "slope": slope, "lo": float(lo),
                           "hi": float(hi), "sessions": len(ok), "direction": direction})
    return ConvergenceResult(dispersion=dispersion, trends=pd.DataFrame(trends, columns=[
        "issue", "measure", "slope", "lo", "hi", "sessions", "direction"]))


def find_movers(positions: Positions, *, from_session: str, to_session: str,
                issues: Sequence[str] | None = None, top: int = 10,
                toward_k: int = 3) -> pd.DataFrame:
    """States whose positions shifted most between two sessions.

    Returns:
        DataFrame ``state, issue, from_session, to_session, shift, stance_from, stance_to,
        toward`` (``toward``: list of states), largest shift first, one row per state (its
        issue with the largest shift).
    """
    columns = ["state", "issue", "from_session", "to_session", "shift", "stance_from",
               "stance_to", "toward"]
    table = positions.table[~positions.table["thin"]]
    if issues is not None:
        table = table[table["issue"].isin(issues)]
    table = table.assign(row=table.index.to_numpy())
    before = table[table["session"] == from_session]
    after = table[table["session"] == to_session]
    pairs = before.merge(after, on=["state", "issue"], suffixes=("_b", "_a"))
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    vb = _unit(positions.directions[pairs["row_b"].to_numpy()])
    va = _unit(positions.directions[pairs["row_a"].to_numpy()])
    sb, sa = pairs["stance_b"].to_numpy(float), pairs["stance_a"].to_numpy(float)
    both = np.isfinite(sb) & np.isfinite(sa)
    shift = 0.5 * np.where(both, np.abs(sa - sb), 0.0) + 0.5 * (1.0 - np.sum(vb * va, axis=1))
    pairs = pairs.assign(shift=np.round(shift, 6))
    pairs = pairs.sort_values(["shift", "state", "issue"], ascending=[False, True, True],
                              kind="stable").drop_duplicates("state").head(top)
    records = []
    for row in pairs.itertuples():
        others = after[(after["issue"] == row.issue) & (after["state"] != row.state)]
        toward: list[str] = []
        if len(others):
            b_dir = _unit(positions.directions[row.row_b])
            a_dir = _unit(positions.directions[row.row_a])
            dirs = _unit(positions.directions[others["row"].to_numpy()])
            gain = dirs @ a_dir - dirs @ b_dir
            if np.isfinite(row.stance_a) and np.isfinite(row.stance_b):
                st = others["stance"].to_numpy(dtype=float)
                gain = gain + np.where(np.isfinite(st), np.abs(st - row.stance_b)
                                       - np.abs(st - row.stance_a), 0.0)
            order = np.argsort(-gain, kind="stable")[:toward_k]
            toward = [str(others["state"].iloc[i]) for i in order if gain[i] > 0]
        records.append({"state": row.state, "issue": row.issue, "from_session": from_session,
                        "to_session": to_session, "shift": float(row.shift),
                        "stance_from": float(row.stance_b), "stance_to": float(row.stance_a),
                        "toward": toward})
    return pd.DataFrame(records, columns=columns)
