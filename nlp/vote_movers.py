"""Do the states that move in their statements also move in their votes?

A state's **camp agreement** in a session is its mean vote agreement with the members of a
reference camp (e.g. the Western European and Others Group), itself excluded. The **vote movers**
between two sessions are the states whose camp agreement changed most (absolute change). Text
movers come from the statements (:func:`nlp.convergence.find_movers`). If text and votes were
unrelated, the number of states in both lists would follow a hypergeometric distribution: drawing
``n`` text movers from the ``N`` states that could be either, of which ``K`` are vote movers, the
expected overlap is ``n K / N``; :func:`mover_overlap` reports it with the one-sided p-value of
the observed overlap.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.stats import hypergeom


def camp_agreement(agreement: pd.DataFrame, camp: Iterable[str]) -> pd.Series:
    """Per state, mean agreement with the camp's members present (NaN when none has a value).

    Args:
        agreement: ``(n, n)`` state x state vote agreement (NaN where unknown).
        camp: ISO3 codes of the reference camp.
    """
    members = [s for s in agreement.columns if s in set(camp)]
    if not members:
        raise ValueError("camp_agreement: no member of the camp voted in these roll calls")
    values = agreement[members].to_numpy(dtype=float).copy()
    for j, member in enumerate(members):  # a member's agreement with itself does not count
        values[agreement.index.get_loc(member), j] = np.nan
    with warnings.catch_warnings():  # a state with no camp member in common: NaN, no warning
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(values, axis=1)
    return pd.Series(means, index=agreement.index, name="camp_agreement")


def vote_movers(before: pd.Series, after: pd.Series, *, top: int,
                among: Iterable[str] | None = None) -> list[str]:
    """The ``top`` states with the largest absolute change of camp agreement (ties by code)."""
    change = (after - before).dropna()
    if among is not None:
        change = change[change.index.isin(set(among))]
    frame = pd.DataFrame({"state": change.index, "size": change.abs().to_numpy()})
    frame = frame.sort_values(["size", "state"], ascending=[False, True], kind="stable")
    return frame["state"].head(top).tolist()


def mover_overlap(text_movers: Sequence[str], vote_movers_: Sequence[str],
                  population: Iterable[str]) -> dict[str, object]:
    """Overlap of two mover lists within a population, against its value by chance.

    Returns:
        ``population`` (N), ``text_movers`` (n), ``vote_movers`` (K), ``overlap`` (observed),
        ``expected`` (``n K / N``), ``p_value`` (P(overlap >= observed) under the
        hypergeometric law) and ``states`` (the overlap, sorted).
    """
    pool = set(population)
    text = set(text_movers) & pool
    votes = set(vote_movers_) & pool
    both = sorted(text & votes)
    n_pool = len(pool)
    expected = len(text) * len(votes) / n_pool if n_pool else float("nan")
    p_value = (float(hypergeom.sf(len(both) - 1, n_pool, len(votes), len(text)))
               if n_pool else float("nan"))
    return {"population": n_pool, "text_movers": len(text), "vote_movers": len(votes),
            "overlap": len(both), "expected": round(expected, 4), "p_value": round(p_value, 6),
            "states": both}
