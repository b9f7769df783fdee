"""Like-minded partners of a state, with the issues that drive the score and quotable evidence.

Partners are ranked by overall (or one issue's) alignment. For each partner, the *drivers* are
the issues contributing most to the weighted mean (most negatively, for the most opposed), and
the *evidence* is, for each driver, a pair of paragraphs, one per state, that supports the
claim: on a contested issue both take the **same side** for a partner (**opposite sides** for
an opponent), each on the side of its state's position; on other issues the most similar pair.
Paragraphs of national statements are preferred to those a state delivered for a group, and
those to a group statement another member delivered for it (``delivered_by``: an EU member whose
position rests on the EU's statements is quoted as the EU, only when nothing of its own supports
the claim); when no paragraph pair supports the claim on a driver, that driver has no evidence
rather than a contradicting one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nlp.alignment import OVERALL, SEMANTIC, AlignmentResult, describe_alignment


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
    delivered_by: str = ""
    partner_delivered_by: str = ""


@dataclass(frozen=True, slots=True)
class Partner:
    """A ranked partner (or opponent) of the focal state."""

    state: str
    score: float
    lo: float
    hi: float
    drivers: list[tuple[str, float]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    basis: str = "issues"
    label: str = ""


def quote(text: str, limit: int = 320) -> str:
    """A quotation trimmed at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def voice(on_behalf_of: str, delivered_by: str = "") -> str:
    """Whose words a quote is, after the state's code: ``""`` (its own), ``"for EU"`` (it
    spoke for the group) or ``"via EU, delivered by HUN"`` (a member quoted through a group
    statement another delivered)."""
    if delivered_by:
        return f"via {on_behalf_of or 'a group'}, delivered by {delivered_by}"
    return f"for {on_behalf_of}" if on_behalf_of else ""


def issue_drivers(result: AlignmentResult, a: int, b: int, top: int = 3, *,
                  opposed: bool = False) -> list[tuple[str, float]]:
    """Issues with the largest weighted contribution to the overall alignment of ``a`` and ``b``
    (the most negative ones when ``opposed``)."""
    contributions = []
    sign = -1.0 if opposed else 1.0
    for issue, matrix in result.issues.items():
        value = matrix[a, b]
        if np.isfinite(value):
            contributions.append((issue, float(value), sign * result.weights[issue] * float(value)))
    contributions.sort(key=lambda t: (-t[2], t[0]))
    return [(issue, round(value, 4)) for issue, value, _ in contributions[:top]]


def _sides(rows: pd.DataFrame) -> np.ndarray:
    stance = rows["stance"].to_numpy(dtype=float)
    return np.where(np.isfinite(stance), np.sign(stance), 0.0)


def best_pairs(own: pd.DataFrame, vectors: np.ndarray, state: str, partner: str, issue: str,
               *, contested: bool, opposed: bool = False,
               position_sides: tuple[float, float] | None = None) -> Evidence | None:
    """The pair of the two states' own paragraphs on ``issue`` that best supports the claim.

    Args:
        own: tagged rows of own segments with ``seg, state, session, issue, stance, text,
            source`` (and optionally ``on_behalf_of`` and ``delivered_by``: the state that
            delivered a group statement quoted for another member) columns.
        vectors: segment embeddings ``(n_segments, d)`` indexed by ``seg``.
        contested: whether the issue has sides.
        opposed: look for opposite sides (the two states are opponents) instead of the same.
        position_sides: signs of the two states' positions on the issue; when given (and not
            0), each paragraph must take its state's side.

    Returns:
        The evidence, or ``None`` when no pair supports the claim (for a contested issue, no
        pair of paragraphs on the required sides; for another issue, an opponent).
    """
    on_issue = own["issue"] == issue
    mine = own[on_issue & (own["state"] == state)]
    theirs = own[on_issue & (own["state"] == partner)]
    if mine.empty or theirs.empty or (opposed and not contested):
        return None
    similarity = vectors[mine["seg"].to_numpy()] @ vectors[theirs["seg"].to_numpy()].T
    score = similarity.astype(np.float64)
    if contested:
        s1, s2 = _sides(mine), _sides(theirs)
        if position_sides is not None:
            p1, p2 = position_sides
            s1 = np.where((p1 != 0) & (s1 != p1), 0.0, s1)
            s2 = np.where((p2 != 0) & (s2 != p2), 0.0, s2)
        wanted = (s1[:, None] == -s2[None, :]) if opposed else (s1[:, None] == s2[None, :])
        valid = wanted & (s1[:, None] != 0) & (s2[None, :] != 0)
        if not valid.any():
            return None
        # opponents: the clearest contrast on the same question, i.e. still on topic
        score = np.where(valid, score, -np.inf)
    national = [_column(frame, "on_behalf_of") == "" for frame in (mine, theirs)]
    via = [_column(frame, "delivered_by") != "" for frame in (mine, theirs)]
    # a national paragraph pair beats any pair with a group statement in it, and a statement a
    # state delivered itself beats one another member delivered for it
    score = (score + 10.0 * (national[0][:, None] & national[1][None, :])
             - 3.0 * (via[0][:, None].astype(float) + via[1][None, :]))
    i, j = np.unravel_index(int(np.argmax(score)), score.shape)
    x, y = mine.iloc[i], theirs.iloc[j]
    return Evidence(issue=issue, similarity=round(float(similarity[i, j]), 4), state=state,
                    session=x["session"], quote=quote(x["text"]), source=x["source"],
                    partner=partner, partner_session=y["session"], partner_quote=quote(y["text"]),
                    partner_source=y["source"],
                    on_behalf_of=str(x.get("on_behalf_of", "") or ""),
                    partner_on_behalf_of=str(y.get("on_behalf_of", "") or ""),
                    delivered_by=str(x.get("delivered_by", "") or ""),
                    partner_delivered_by=str(y.get("delivered_by", "") or ""))


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A text column as strings (empty where missing or absent)."""
    if name not in frame:
        return np.full(len(frame), "", dtype=object)
    return frame[name].to_numpy(dtype=object, na_value="")


def rank_partners(result: AlignmentResult, state: str, *, issue: str = OVERALL, top: int = 10,
                  own: pd.DataFrame | None = None, vectors: np.ndarray | None = None,
                  contested: frozenset[str] = frozenset(),
                  evidence_per_partner: int = 2, exclude: frozenset[str] = frozenset(),
                  sides: dict[tuple[str, str], float] | None = None
                  ) -> tuple[list[Partner], list[Partner]]:
    """Most aligned and most opposed states for ``state``.

    Args:
        exclude: states not to rank (e.g. the members of the state's own groups).
        sides: (state, issue) -> stance of the state's position, so that each quoted paragraph
            takes its state's side.

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
                  if b != a and np.isfinite(row[b]) and result.states[b] not in exclude]
    candidates.sort(key=lambda t: (-t[1], result.states[t[0]]))
    sides = sides or {}
    passes: list[pd.DataFrame] = []
    if own is not None:
        relayed = _column(own, "delivered_by") != ""
        passes = [own[~relayed], own] if relayed.any() else [own]

    def side(who: str, driver: str) -> float:
        value = sides.get((who, driver))
        return float(np.sign(value)) if value is not None and np.isfinite(value) else 0.0

    def build(b: int, score: float, opposed: bool) -> Partner:
        other = result.states[b]
        if issue != OVERALL:
            drivers = [(issue, round(score, 4))]
        elif result.basis(a, b) == SEMANTIC:
            drivers = []
        else:
            drivers = issue_drivers(result, a, b, opposed=opposed)
        found: dict[str, Evidence] = {}
        # the states' own words on any driver first; a group statement another member
        # delivered only for the drivers still without a quote
        for rows in passes:
            for driver, _ in drivers:
                if vectors is None or len(found) >= evidence_per_partner:
                    break
                if driver not in found and (pair := best_pairs(
                        rows, vectors, state, other, driver, contested=driver in contested,
                        opposed=opposed,
                        position_sides=(side(state, driver), side(other, driver)))):
                    found[driver] = pair
        evidence = [found[d] for d, _ in drivers if d in found]
        return Partner(state=other, score=round(score, 4),
                       lo=round(float(lo[a, b]), 4) if lo is not None else float("nan"),
                       hi=round(float(hi[a, b]), 4) if hi is not None else float("nan"),
                       drivers=drivers, evidence=evidence, basis=result.basis(a, b),
                       label=describe_alignment(score))

    partners = [build(b, s, False) for b, s in candidates[:top]]
    opposed = [build(b, s, True) for b, s in reversed(candidates[-top:])]
    return partners, opposed
