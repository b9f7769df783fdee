"""Like-minded partners of a state, with the issues that drive the score and quotable evidence.

Partners are ranked by overall (or one issue's) alignment. For each partner, the *drivers* are
the issues contributing most to the weighted mean, and the *evidence* is, for each driver, the
pair of the two states' own segments on that issue with the highest cosine similarity (on
contested issues only pairs taking the same side, when there are any).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nlp.alignment import OVERALL, AlignmentResult


@dataclass(frozen=True, slots=True)
class Evidence:
    """Two segments, one per state, that show a shared position on an issue."""

    issue: str
    similarity: float
    state: str
    session: str
    quote: str
    source: str
    partner: str
    partner_session: str
    partner_quote: str
    partner_source: str
    on_behalf_of: str = ""
    partner_on_behalf_of: str = ""


@dataclass(frozen=True, slots=True)
class Partner:
    """A ranked partner (or opponent) of the focal state."""

    state: str
    score: float
    lo: float
    hi: float
    drivers: list[tuple[str, float]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def quote(text: str, limit: int = 320) -> str:
    """A quotation trimmed at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def issue_drivers(result: AlignmentResult, a: int, b: int, top: int = 3) -> list[tuple[str, float]]:
    """Issues with the largest weighted contribution to the overall alignment of ``a`` and ``b``."""
    contributions = []
    for issue, matrix in result.issues.items():
        value = matrix[a, b]
        if np.isfinite(value):
            contributions.append((issue, float(value), result.weights[issue] * float(value)))
    contributions.sort(key=lambda t: (-t[2], t[0]))
    return [(issue, round(value, 4)) for issue, value, _ in contributions[:top]]


def best_pairs(own: pd.DataFrame, vectors: np.ndarray, state: str, partner: str, issue: str,
               *, contested: bool) -> Evidence | None:
    """Most similar pair of the two states' own segments tagged with ``issue``.

    Args:
        own: tagged rows of own segments with ``seg, state, session, issue, stance, text,
            source`` columns.
        vectors: segment embeddings ``(n_segments, d)`` indexed by ``seg``.
    """
    mine = own[(own["state"] == state) & (own["issue"] == issue)]
    theirs = own[(own["state"] == partner) & (own["issue"] == issue)]
    if mine.empty or theirs.empty:
        return None
    similarity = vectors[mine["seg"].to_numpy()] @ vectors[theirs["seg"].to_numpy()].T
    if contested:
        s1 = np.sign(mine["stance"].to_numpy(dtype=float))[:, None]
        s2 = np.sign(theirs["stance"].to_numpy(dtype=float))[None, :]
        same_side = (s1 == s2) & np.isfinite(s1) & np.isfinite(s2) & (s1 != 0)
        if same_side.any():
            similarity = np.where(same_side, similarity, -np.inf)
    i, j = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
    x, y = mine.iloc[i], theirs.iloc[j]
    return Evidence(issue=issue, similarity=round(float(similarity[i, j]), 4), state=state,
                    session=x["session"], quote=quote(x["text"]), source=x["source"],
                    partner=partner, partner_session=y["session"], partner_quote=quote(y["text"]),
                    partner_source=y["source"],
                    on_behalf_of=str(x.get("on_behalf_of", "") or ""),
                    partner_on_behalf_of=str(y.get("on_behalf_of", "") or ""))


def rank_partners(result: AlignmentResult, state: str, *, issue: str = OVERALL, top: int = 10,
                  own: pd.DataFrame | None = None, vectors: np.ndarray | None = None,
                  contested: frozenset[str] = frozenset(),
                  evidence_per_partner: int = 2) -> tuple[list[Partner], list[Partner]]:
    """Most aligned and most opposed states for ``state``.

    Raises:
        ValueError: ``state`` has no alignment (not in the matrix), naming the state.
    """
    if state not in result.states:
        raise ValueError(f"state {state!r} has no alignment scores in this selection (too "
                         "little evidence, or not in the corpus)")
    a = result.states.index(state)
    if issue == OVERALL:
        row, lo, hi = result.overall[a], result.overall_lo, result.overall_hi
    else:
        if issue not in result.issues:
            raise ValueError(f"issue {issue!r} has no alignment scores in this selection")
        row, lo, hi = result.issues[issue][a], result.issue_lo.get(issue), result.issue_hi.get(
            issue)
    candidates = [(b, float(row[b])) for b in range(len(result.states))
                  if b != a and np.isfinite(row[b])]
    candidates.sort(key=lambda t: (-t[1], result.states[t[0]]))

    def build(b: int, score: float, with_evidence: bool) -> Partner:
        drivers = issue_drivers(result, a, b) if issue == OVERALL else [(issue, round(score, 4))]
        evidence: list[Evidence] = []
        if with_evidence and own is not None and vectors is not None:
            for driver, _ in drivers[:evidence_per_partner]:
                found = best_pairs(own, vectors, state, result.states[b], driver,
                                   contested=driver in contested)
                if found is not None:
                    evidence.append(found)
        return Partner(state=result.states[b], score=round(score, 4),
                       lo=round(float(lo[a, b]), 4) if lo is not None else float("nan"),
                       hi=round(float(hi[a, b]), 4) if hi is not None else float("nan"),
                       drivers=drivers, evidence=evidence)

    partners = [build(b, s, True) for b, s in candidates[:top]]
    opposed = [build(b, s, False) for b, s in reversed(candidates[-top:])]
    return partners, opposed
