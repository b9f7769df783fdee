"""Who would back a draft paragraph: states' camps on an issue from their pooled positions.

Given the side a draft takes on a contested issue (``+1`` or ``-1``, from the stance model) and
each state's pooled stance on that issue with its bootstrap interval, a state is

- ``support`` when its stance is on the draft's side and its interval does not cross 0,
- ``oppose`` when it is on the other side and its interval does not cross 0,
- ``swing`` when its interval straddles 0, its segments take both sides, or it moved across 0
  between two sessions,
- ``unknown`` when it has no stance on the issue (it never addressed it, or only without taking
  a side). Unknown states are listed, never guessed.

Each placed state comes with its paragraph closest to the draft (cosine similarity among its
segments tagged with the issue) and whether its evidence is its own voice or a group's.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SUPPORT, OPPOSE, SWING, UNKNOWN = "support", "oppose", "swing", "unknown"
CAMPS = (SUPPORT, OPPOSE, SWING, UNKNOWN)


@dataclass(frozen=True, slots=True)
class Outlook:
    """One state's likely reaction to the draft on one issue.

    Attributes:
        state: ISO3 code.
        camp: one of :data:`CAMPS`.
        stance: pooled stance in [-1, 1] (``None`` when unknown); ``lo``/``hi`` its interval.
        lean: ``stance * draft side``: > 0 leans toward the draft, < 0 against it.
        voice: ``own``, ``group`` or ``own and group``: whose statements the position rests on.
        both_sides: the state's tagged segments on the issue include stances of both signs.
        reason: why the state is a swing state or unknown (empty otherwise).
        closest_seg: the state's segment closest to the draft (index into the vectors) or
            ``None``; ``closest_similarity`` its cosine similarity; ``closest_kind`` whether it
            reached the state as its own (``own``) or a group's (``group``) statement.
    """

    state: str
    camp: str
    stance: float | None
    lo: float | None
    hi: float | None
    lean: float | None
    voice: str
    both_sides: bool
    reason: str
    closest_seg: int | None
    closest_similarity: float | None
    closest_kind: str


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _voice(n_own: int, n_group: int) -> str:
    if n_own and n_group:
        return "own and group"
    return "group" if n_group else "own"


def forecast_issue(side: int, positions: pd.DataFrame, rows: pd.DataFrame,
                   vectors: np.ndarray, draft: np.ndarray, states: Sequence[str], *,
                   excluded: Collection[int] = (), pinned: Collection[int] = (),
                   moves: Mapping[str, tuple[float | None, float | None]] | None = None
                   ) -> list[Outlook]:
    """Place every state of ``states`` in a camp toward a draft on one issue.

    Args:
        side: the draft's side on the issue, ``+1`` or ``-1``.
        positions: pooled positions on this issue, one row per state, columns ``state, stance,
            stance_lo, stance_hi, n_own, n_group`` (stance NaN when the state took no side).
        rows: the issue's tagged rows attributed to states, columns ``seg, state, stance, kind``
            (``kind`` is ``own`` or ``group``; stance NaN where no side).
        vectors: unit-norm segment embeddings ``(n_segments, d)`` indexed by ``rows.seg``.
        draft: the draft's unit-norm embedding ``(d,)``.
        states: the states to place (those without a position come out ``unknown``).
        excluded: segments never shown as the closest paragraph (rejected quotes).
        pinned: segments shown as the state's paragraph whenever they qualify (pinned quotes).
        moves: state -> (stance before, stance after) of its latest move on the issue between
            sessions; a move across 0 makes the state a swing state.

    Returns:
        One :class:`Outlook` per state: supporters first (strongest lean first), then
        opponents (strongest against first), swing states, unknown ones; ties by ISO3 code.

    Raises:
        ValueError: ``side`` is not -1 or +1.
    """
    if side not in (-1, 1):
        raise ValueError(f"side must be -1 or +1; got {side!r}")
    by_state = {r.state: r for r in positions.itertuples(index=False)}
    grouped = {state: part for state, part in rows.groupby("state", sort=True)}
    similarity = vectors @ draft if len(vectors) else np.zeros(0)
    pinned_set, excluded_set = set(pinned), set(excluded)
    out = []
    for state in sorted(set(states)):
        part = grouped.get(state)
        seg, sim, kind = None, None, ""
        if part is not None:
            candidates = part[~part["seg"].isin(excluded_set)]
            preferred = candidates[candidates["seg"].isin(pinned_set)]
            pool = preferred if len(preferred) else candidates
            if len(pool):
                scores = similarity[pool["seg"].to_numpy()]
                best = int(np.argmax(scores))  # first of equals: rows are in a stable order
                seg, sim = int(pool["seg"].iloc[best]), round(float(scores[best]), 4)
                kind = str(pool["kind"].iloc[best])
        stances = part["stance"].dropna().to_numpy() if part is not None else np.zeros(0)
        both = bool((stances > 0).any() and (stances < 0).any())
        position = by_state.get(state)
        stance = _number(position.stance) if position is not None else None
        voice = _voice(int(position.n_own), int(position.n_group)) if position is not None \
            else ""
        if position is None or stance is None:  # no position: no stance
            reason = ("addressed the issue without taking a side" if part is not None
                      else "never addressed the issue")
            out.append(Outlook(state, UNKNOWN, None, None, None, None, voice, both, reason,
                               seg, sim, kind))
            continue
        lo, hi = _number(position.stance_lo), _number(position.stance_hi)
        reasons = []
        if lo is not None and hi is not None and lo < 0 < hi:
            reasons.append("interval straddles 0")
        if both:
            reasons.append("evidence on both sides")
        before, after = (moves or {}).get(state, (None, None))
        if before is not None and after is not None and before * after < 0:
            reasons.append(f"moved from {before:+.2f} to {after:+.2f}")
        lean = stance * side
        camp = SWING if reasons else (SUPPORT if lean > 0 else OPPOSE)
        out.append(Outlook(state, camp, stance, lo, hi, round(lean, 4), voice, both,
                           "; ".join(reasons), seg, sim, kind))
    order = {camp: n for n, camp in enumerate(CAMPS)}

    def key(o: Outlook) -> tuple[int, float, str]:
        if o.camp == SUPPORT:
            return order[o.camp], -(o.lean or 0.0), o.state
        if o.camp == OPPOSE:
            return order[o.camp], o.lean or 0.0, o.state
        if o.camp == SWING:
            return order[o.camp], abs(o.lean or 0.0), o.state
        return order[o.camp], 0.0, o.state

    return sorted(out, key=key)


def draft_side(stance: float | None) -> int:
    """``+1``/``-1`` for a draft's stance, ``0`` when it takes no side (``None`` or NaN)."""
    if stance is None or math.isnan(stance) or stance == 0:
        return 0
    return 1 if stance > 0 else -1


__all__ = ["CAMPS", "OPPOSE", "SUPPORT", "SWING", "UNKNOWN", "Outlook", "draft_side",
           "forecast_issue"]
