"""Convergence over time: dispersion and centre of positions per issue and session, trends,
movers.

* **Dispersion** of an issue in a session: for contested issues the standard deviation of the
  states' mean stances (``stance_sd``); for every issue, the semantic spread ``1 - mean
  cosine`` of the states' position directions to their mean direction (``semantic_spread``).
* **Centre** of a contested issue in a session: the mean of the states' stances, from -1 (the
  minus pole) to +1 (the plus pole); its trend says which pole the debate is heading for.
* Intervals: bootstrap over states, laid around the estimate (:func:`nlp.stats.centred_interval`).
* **Trend**: least-squares slope of a measure against the session's position in time;
  ``converging``/``diverging`` (dispersion) or ``toward_plus``/``toward_minus`` (centre) when the
  slope's 95 % interval excludes 0, else ``stable``/``steady``.
* **Movers**: states whose stance on a contested issue changed by more than its bootstrap
  interval between two sessions, with enough paragraphs on that issue in both (paragraphs
  that only join a consensus take no stance, so adopting an agreed text is not a move); each
  move names the pole it went toward and the camp (coalition) whose mean stance it got closer
  to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp.positions import Positions
from nlp.stats import centred_interval

MEASURES = ("stance_sd", "semantic_spread", "centre")
"""The measures of :func:`measure_dispersion`, as named in every table and output."""


@dataclass(frozen=True)
class ConvergenceResult:
    """``dispersion``: ``issue, session, order, n_states, stance_sd, stance_sd_lo,
    stance_sd_hi, semantic_spread, spread_lo, spread_hi, centre, centre_lo, centre_hi``;
    ``trends``: ``issue, measure, slope, lo, hi, sessions, direction``."""

    dispersion: pd.DataFrame
    trends: pd.DataFrame


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 1e-12, norms, 1.0)


def _spreads(unit: np.ndarray) -> np.ndarray:
    """Semantic spread of each set in ``(..., n, k)`` unit vectors, ``(...)``."""
    centre = _unit(unit.mean(axis=-2))
    return 1.0 - np.einsum("...nk,...k->...n", unit, centre).mean(axis=-1)


def _trend_direction(measure: str, lo: float, hi: float) -> str:
    if measure == "centre":
        return "toward_plus" if lo > 0 else "toward_minus" if hi < 0 else "steady"
    return "converging" if hi < 0 else "diverging" if lo > 0 else "stable"


def measure_dispersion(positions: Positions, *, session_order: Sequence[str],
                       contested: Sequence[str], n_boot: int = 200, min_states: int = 3,
                       random_state: int = 0) -> ConvergenceResult:
    """Dispersion and centre per issue and session, and their trends over the sessions."""
    rng = np.random.default_rng(random_state)
    table = positions.table
    usable = table[~table["thin"] & table["session"].isin(session_order)]
    records = []
    boot_store: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    for (issue, session), part in usable.groupby(["issue", "session"], sort=True):
        if len(part) < min_states:
            continue
        unit = _unit(positions.directions[part.index.to_numpy()].astype(np.float64))
        stances = part["stance"].to_numpy(dtype=float)
        picks = rng.integers(0, len(part), size=(n_boot, len(part)))
        spread = float(_spreads(unit))
        boots = {"semantic_spread": _spreads(unit[picks])}
        finite = stances[np.isfinite(stances)]
        values = {"semantic_spread": spread, "stance_sd": np.nan, "centre": np.nan}
        boots["stance_sd"] = boots["centre"] = np.full(n_boot, np.nan)
        if issue in contested and finite.size >= min_states:
            draws = finite[rng.integers(0, finite.size, size=(n_boot, finite.size))]
            values["stance_sd"] = float(np.std(finite, ddof=1))
            values["centre"] = float(finite.mean())
            boots["stance_sd"], boots["centre"] = draws.std(axis=1, ddof=1), draws.mean(axis=1)
        boot_store[(issue, session)] = boots
        bounds = {"semantic_spread": (0.0, 2.0), "stance_sd": (0.0, 2.0), "centre": (-1.0, 1.0)}
        ci = {m: centred_interval(values[m], boots[m], bounds=bounds[m]) for m in MEASURES}
        records.append({"issue": issue, "session": session,
                        "order": list(session_order).index(session), "n_states": len(part),
                        "stance_sd": values["stance_sd"], "stance_sd_lo": float(ci["stance_sd"][0]),
                        "stance_sd_hi": float(ci["stance_sd"][1]),
                        "semantic_spread": spread, "spread_lo": float(ci["semantic_spread"][0]),
                        "spread_hi": float(ci["semantic_spread"][1]),
                        "centre": values["centre"], "centre_lo": float(ci["centre"][0]),
                        "centre_hi": float(ci["centre"][1])})
    dispersion = pd.DataFrame(records, columns=[
        "issue", "session", "order", "n_states", "stance_sd", "stance_sd_lo", "stance_sd_hi",
        "semantic_spread", "spread_lo", "spread_hi", "centre", "centre_lo", "centre_hi"])
    trends = []
    for issue, part in dispersion.groupby("issue", sort=True):
        part = part.sort_values("order")
        for measure in MEASURES:
            ok = part[np.isfinite(part[measure])]
            if len(ok) < 2:
                continue
            x = ok["order"].to_numpy(dtype=float)
            slope = float(np.polyfit(x, ok[measure].to_numpy(), 1)[0])
            stacked = np.stack([boot_store[(issue, s)][measure] for s in ok["session"]], axis=1)
            finite_rows = np.isfinite(stacked).all(axis=1)
            centred_x = x - x.mean()
            slopes = (stacked[finite_rows] - stacked[finite_rows].mean(axis=1, keepdims=True)
                      ) @ centred_x / (centred_x @ centred_x)
            lo, hi = (centred_interval(slope, slopes) if slopes.size else (np.nan, np.nan))
            lo, hi = float(lo), float(hi)
            trends.append({"issue": issue, "measure": measure, "slope": slope, "lo": lo,
                           "hi": hi, "sessions": len(ok),
                           "direction": _trend_direction(measure, lo, hi)})
    return ConvergenceResult(dispersion=dispersion, trends=pd.DataFrame(trends, columns=[
        "issue", "measure", "slope", "lo", "hi", "sessions", "direction"]))


MOVER_COLUMNS = ["state", "issue", "from_session", "to_session", "shift", "shift_lo", "shift_hi",
                 "stance_from", "stance_to", "pole", "camp", "toward"]


EVIDENCE_COLUMNS = ["state", "issue", "session", "n_main", "n_main_own"]


def mover_evidence(rows: pd.DataFrame, *, margin: float = 0.1) -> pd.DataFrame:
    """Paragraphs that take a side on an issue *and are about it*, per state, issue and session.

    A paragraph is about an issue when the issue's tag score is within ``margin`` of the
    paragraph's best tag score: a paragraph on IHL that also grazes the information space
    (tagged there at 0.49 beside 0.71 for IHL) says nothing of the state's position on the
    information space, and a misread stance on such a side tag is what made states "move".

    Args:
        rows: tag rows with columns ``seg, state, session, issue, score, stance, kind``
            (group statements expanded to their members, ``kind`` ``own`` or ``group``).
        margin: how far below the paragraph's best score an issue's score may lie.

    Returns:
        :data:`EVIDENCE_COLUMNS`: ``n_main`` such paragraphs (own or a group's on the state's
        behalf), ``n_main_own`` of them its own.
    """
    if rows.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    best = rows.groupby(["seg", "state"])["score"].transform("max")
    main = rows[(rows["score"] >= best - margin) & rows["stance"].notna()]
    main = main.assign(own=(main["kind"] == "own").astype(int))
    counts = main.groupby(["state", "issue", "session"], sort=True).agg(
        n_main=("seg", "size"), n_main_own=("own", "sum")).reset_index()
    return counts[EVIDENCE_COLUMNS]


def find_movers(positions: Positions, *, from_session: str, to_session: str,
                contested: Sequence[str], camps: Mapping[str, int] | None = None,
                issues: Sequence[str] | None = None, top: int | None = None,
                toward_k: int = 3, min_paragraphs: int = 2,
                min_shift: float = 0.25, evidence: pd.DataFrame | None = None
                ) -> pd.DataFrame:
    """States whose stance on a contested issue moved by more than its bootstrap interval.

    The change ``stance_to - stance_from`` gets a 95 % interval from the two sessions'
    intervals (independent segments: half-widths add in quadrature); it is a move when the
    interval excludes 0 and it is at least ``min_shift`` (a quarter of a pole-to-centre
    distance: smaller, statistically clear changes are changes of tone). A move also needs
    evidence in *both* sessions: at least ``min_paragraphs`` paragraphs on the issue that take
    a side (``n_stance``: the state's own, and its groups' on its behalf), at least one of them
    its own (``n_own``). Two paragraphs, one of them misread, are enough to flip a stance; the
    stance interval's prior toward 0 (:class:`nlp.positions.PositionConfig`) widens such
    positions too, but a count rule keeps a move off the list however the paragraphs read.
    With ``evidence``, the paragraphs counted are those about the issue (:func:`mover_evidence`).

    Args:
        camps: state -> coalition, to name the camp a mover moved toward.
        min_paragraphs: paragraphs taking a side on the issue needed in each of the two
            sessions (``analysis.movers.min_paragraphs``).
        evidence: the counts of :func:`mover_evidence`; when given, only paragraphs that are
            about the issue count (``n_main``, ``n_main_own``) instead of every tagged one.

    Returns:
        DataFrame of :data:`MOVER_COLUMNS`, largest change first: ``pole`` is ``plus`` or
        ``minus`` (the pole it moved toward), ``camp`` the coalition whose mean stance on the
        issue it got closer to (-1 if none), ``toward`` up to ``toward_k`` of that camp's
        members nearest its new stance.
    """
    table = positions.table[~positions.table["thin"] & positions.table["issue"].isin(
        list(contested) if issues is None else list(set(contested) & set(issues)))]
    if min_paragraphs < 1:
        raise ValueError(f"min_paragraphs must be at least 1; got {min_paragraphs}")
    table = table[np.isfinite(table["stance"].to_numpy(float))
                  & np.isfinite(table["stance_lo"].to_numpy(float))
                  & np.isfinite(table["stance_hi"].to_numpy(float))
                  & (table["n_stance"] >= min_paragraphs) & (table["n_own"] >= 1)]
    if evidence is not None:
        table = table.merge(evidence, on=["state", "issue", "session"], how="inner")
        table = table[(table["n_main"] >= min_paragraphs) & (table["n_main_own"] >= 1)]
    before = table[table["session"] == from_session]
    after = table[table["session"] == to_session]
    pairs = before.merge(after, on=["state", "issue"], suffixes=("_b", "_a"))
    if pairs.empty:
        return pd.DataFrame(columns=MOVER_COLUMNS)
    sb, sa = pairs["stance_b"].to_numpy(float), pairs["stance_a"].to_numpy(float)
    shift = sa - sb
    below = np.hypot(sa - pairs["stance_lo_a"].to_numpy(float),
                     pairs["stance_hi_b"].to_numpy(float) - sb)
    above = np.hypot(pairs["stance_hi_a"].to_numpy(float) - sa,
                     sb - pairs["stance_lo_b"].to_numpy(float))
    pairs = pairs.assign(shift=np.round(shift, 6), shift_lo=np.round(shift - below, 6),
                         shift_hi=np.round(shift + above, 6))
    moved = pairs[((pairs["shift_lo"] > 0) | (pairs["shift_hi"] < 0))
                  & (pairs["shift"].abs() >= min_shift)]
    moved = moved.assign(size=moved["shift"].abs()).sort_values(
        ["size", "state", "issue"], ascending=[False, True, True], kind="stable")
    if top is not None:
        moved = moved.head(top)
    camps = dict(camps or {})
    records = []
    for row in moved.itertuples():
        others = after[(after["issue"] == row.issue) & (after["state"] != row.state)]
        camp, toward = _camp_toward(others, camps, row.stance_b, row.stance_a, toward_k)
        records.append({"state": row.state, "issue": row.issue, "from_session": from_session,
                        "to_session": to_session, "shift": float(row.shift),
                        "shift_lo": float(row.shift_lo), "shift_hi": float(row.shift_hi),
                        "stance_from": float(row.stance_b), "stance_to": float(row.stance_a),
                        "pole": "plus" if row.shift > 0 else "minus", "camp": camp,
                        "toward": toward})
    return pd.DataFrame(records, columns=MOVER_COLUMNS)


def _camp_toward(others: pd.DataFrame, camps: Mapping[str, int], before: float, after: float,
                 k: int) -> tuple[int, list[str]]:
    """The camp whose members' mean stance the mover got closest to, and its nearest members."""
    labelled = others[others["state"].isin(list(camps))]
    if labelled.empty:
        return -1, []
    labelled = labelled.assign(camp=labelled["state"].map(camps))
    means = labelled.groupby("camp")["stance"].mean()
    gain = (means - before).abs() - (means - after).abs()
    closer = means[gain > 0]
    if closer.empty:
        return -1, []
    camp = int((closer - after).abs().sort_values(kind="stable").index[0])
    members = labelled[labelled["camp"] == camp]
    order = (members["stance"] - after).abs().to_numpy().argsort(kind="stable")[:k]
    return camp, [str(members["state"].iloc[i]) for i in order]
