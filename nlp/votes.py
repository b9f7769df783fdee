"""Vote agreement between states, and how it relates to alignment measured in their statements.

Inputs are the tables read by ``corpora.votes`` (passed in by the pipelines layer): ``votes`` with
columns ``rcid, state, vote`` (vote in yes/no/abstain) and ``roll_calls`` with ``rcid, session,
date, resolution, title, description`` (``year`` and ``short`` used when present).

Votes are coded yes = 1, abstain = 0.5, no = 0 (NaN = absent). For two states and the ``n`` roll
calls on which both voted:

* **agreement** = share of those roll calls with identical votes;
* **kappa** (Cohen's) = ``(p_o - p_e) / (1 - p_e)`` with ``p_o`` the agreement and ``p_e = sum_k
  p_a(k) p_b(k)``, ``p_a(k)`` being the share of the ``n`` votes of state a in category k (yes,
  abstain, no); NaN when ``p_e == 1`` (both cast one and the same vote every time);
* **S score** (Signorino & Ritter 1999, three-point ordinal scale) = ``1 - 2 d / d_max`` with
  ``d = mean |x_a - x_b|`` over the ``n`` roll calls and ``d_max = 1`` (yes against no), so it runs
  from -1 (always opposite) to 1 (always identical); a yes against an abstention counts half.

Every score is NaN where ``n < min_common``. The matrices come from a few products of one-hot
vote indicators, so 193 states x 1,000 roll calls take milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypedDict

import numpy as np
import pandas as pd

VOTE_VALUES: dict[str, float] = {"yes": 1.0, "abstain": 0.5, "no": 0.0}
"""Numeric coding of votes in :func:`vote_matrix`."""

_VOETEN_SYMBOL = re.compile(r"^(R|ESS|SS)/(\d+)/(.+)$")


def _normalise_symbol(symbol: object) -> str:
    """Upper case, no spaces, Voeten's ``R/73/27`` as ``A/RES/73/27`` (as ``corpora.votes``)."""
    compact = re.sub(r"\s+", "", str(symbol)).upper()
    match = _VOETEN_SYMBOL.match(compact)
    if match:
        kind, session, rest = match.groups()
        prefix = {"R": "", "ESS": "ES-", "SS": "S-"}[kind]
        return f"A/RES/{prefix}{session}/{rest}"
    return compact


def select_roll_calls(
    roll_calls: pd.DataFrame,
    *,
    ids: Iterable[str | int] = (),
    resolutions: Iterable[str] = (),
    sessions: Iterable[int] = (),
    keywords: Iterable[str] = (),
    years: Iterable[int] = (),
) -> list[str]:
    """Roll-call ids matching any of the criteria given (their union), in the table's order.

    Args:
        roll_calls: table with an ``rcid`` column and, as the criteria need them, ``resolution``,
            ``session``, ``date`` (or ``year``), ``title``/``description``/``short``.
        ids: roll-call ids (compared as strings).
        resolutions: symbols, compared normalised (``"a/res/73/27"`` matches ``"A/RES/73/27"``;
            Voeten's ``"R/73/27"`` too).
        sessions: General Assembly session numbers.
        keywords: case-insensitive substrings of the title, description or short description.
        years: calendar years of the vote (from ``date``, else ``year``).

    Returns:
        Matching ``rcid`` values as strings, without duplicates.

    Raises:
        ValueError: no criterion given, a column a criterion needs is missing, or nothing matches
            (the message repeats the criteria).
    """
    criteria: dict[str, list[Any]] = {"ids": [str(i).strip() for i in ids],
                "resolutions": [_normalise_symbol(r) for r in resolutions],
                "sessions": [int(s) for s in sessions],
                "keywords": [str(k).casefold() for k in keywords if str(k).strip()],
                "years": [int(y) for y in years]}
    given = {name: values for name, values in criteria.items() if values}
    if not given:
        raise ValueError("select_roll_calls: give at least one of ids, resolutions, sessions, "
                         "keywords or years (for every roll call use roll_calls['rcid'])")
    _require(roll_calls, "rcid", "roll_calls")
    rcid = roll_calls["rcid"].astype(str).str.strip()
    hit = np.zeros(len(roll_calls), dtype=bool)
    if "ids" in given:
        hit |= rcid.isin(given["ids"]).to_numpy()
    if "resolutions" in given:
        _require(roll_calls, "resolution", "roll_calls", why="resolutions")
        symbols = roll_calls["resolution"].fillna("").map(_normalise_symbol)
        hit |= symbols.isin(given["resolutions"]).to_numpy()
    if "sessions" in given:
        _require(roll_calls, "session", "roll_calls", why="sessions")
        session = pd.to_numeric(roll_calls["session"], errors="coerce")
        hit |= session.isin(given["sessions"]).to_numpy()
    if "years" in given:
        hit |= _years(roll_calls).isin(given["years"]).to_numpy()
    if "keywords" in given:
        text_columns = [c for c in ("title", "description", "short") if c in roll_calls]
        if not text_columns:
            raise ValueError("select_roll_calls: keywords need a 'title', 'description' or 'short'"
                             f" column in roll_calls; it has {list(roll_calls.columns)}")
        text = roll_calls[text_columns].fillna("").astype(str).agg(" ".join, axis=1).str.casefold()
        for keyword in given["keywords"]:
            hit |= text.str.contains(keyword, regex=False).to_numpy()
    selected = list(dict.fromkeys(rcid[hit]))
    if not selected:
        shown = ", ".join(f"{name}={values}" for name, values in given.items())
        raise ValueError(f"select_roll_calls: no roll call matches {shown} among the "
                         f"{len(roll_calls)} roll calls given")
    return selected


def _years(roll_calls: pd.DataFrame) -> pd.Series:
    years = pd.Series(np.nan, index=roll_calls.index)
    if "date" in roll_calls:
        years = pd.to_datetime(roll_calls["date"], errors="coerce").dt.year.astype(float)
    if "year" in roll_calls:
        years = years.fillna(pd.to_numeric(roll_calls["year"], errors="coerce"))
    if "date" not in roll_calls and "year" not in roll_calls:
        raise ValueError("select_roll_calls: years need a 'date' or 'year' column in roll_calls; "
                         f"it has {list(roll_calls.columns)}")
    return years


def _require(frame: pd.DataFrame, column: str, name: str, *, why: str = "") -> None:
    if column not in frame:
        reason = f" for {why}" if why else ""
        raise ValueError(f"{name} needs a {column!r} column{reason}; it has {list(frame.columns)}")


def vote_matrix(votes: pd.DataFrame, rcids: Iterable[str]) -> tuple[list[str], np.ndarray]:
    """States x roll calls matrix of coded votes.

    Args:
        votes: table with columns ``rcid``, ``state`` and ``vote`` (yes/no/abstain).
        rcids: the roll calls, in the column order wanted; each must have votes.

    Returns:
        ``(states, matrix)``: the sorted states that voted in at least one of the roll calls, and
        a float array of shape ``(len(states), len(rcids))`` with 1 = yes, 0.5 = abstain, 0 = no
        and NaN = absent.

    Raises:
        ValueError: a column is missing, an id repeats or has no votes, a vote value is unknown,
            or a state voted twice on a roll call.
    """
    for column in ("rcid", "state", "vote"):
        _require(votes, column, "votes")
    wanted = [str(r).strip() for r in rcids]
    if not wanted:
        raise ValueError("vote_matrix: rcids is empty; expected at least one roll-call id")
    repeated = sorted({r for r in wanted if wanted.count(r) > 1})
    if repeated:
        raise ValueError(f"vote_matrix: rcids repeat {repeated}; expected each id once")
    rcid = votes["rcid"].astype(str).str.strip()
    rows = votes.loc[rcid.isin(wanted), ["state", "vote"]].assign(rcid=rcid)
    present = set(rows["rcid"])
    absent = [r for r in wanted if r not in present]
    if absent:
        raise ValueError(f"vote_matrix: no votes for roll calls {absent[:10]}"
                         f"{' ...' if len(absent) > 10 else ''} ({len(absent)} of {len(wanted)})")
    values = rows["vote"].astype(str).str.strip().str.casefold().map(VOTE_VALUES)
    if values.isna().any():
        bad = sorted(set(rows.loc[values.isna(), "vote"].astype(str)))[:10]
        raise ValueError(f"vote_matrix: unknown vote values {bad}; expected one of "
                         f"{sorted(VOTE_VALUES)}")
    twice = rows.duplicated(["rcid", "state"])
    if twice.any():
        first = rows.loc[twice].iloc[0]
        raise ValueError(f"vote_matrix: {first['state']} voted more than once on roll call "
                         f"{first['rcid']} ({int(twice.sum())} repeated state votes in all); "
                         "expected one vote per state and roll call")
    states = sorted(rows["state"].astype(str).unique())
    matrix = np.full((len(states), len(wanted)), np.nan)
    state_index = pd.Index(states).get_indexer(rows["state"].astype(str))
    rcid_index = pd.Index(wanted).get_indexer(rows["rcid"])
    matrix[state_index, rcid_index] = values.to_numpy(dtype=float)
    return states, matrix


def agreement_matrices(
    states: list[str], matrix: np.ndarray, *, min_common: int
) -> dict[str, pd.DataFrame]:
    """Pairwise agreement, Cohen's kappa and S score (see the module docstring).

    Args:
        states: ISO3 codes, one per row of ``matrix``.
        matrix: ``(n_states, n_rollcalls)`` votes coded 1 / 0.5 / 0 / NaN, as from
            :func:`vote_matrix`.
        min_common: fewest roll calls both states voted on for a score (else NaN); the
            pipeline's is the configuration key ``votes.min_common``.

    Returns:
        ``"agreement"``, ``"kappa"``, ``"s_score"``: ``(n_states, n_states)`` symmetric DataFrames
        indexed by state on both axes; ``"n_common"``: the number of roll calls both voted on.

    Raises:
        ValueError: shapes disagree, a value is not one of 1, 0.5, 0 or NaN, or ``min_common < 1``.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != len(states):
        raise ValueError(f"agreement_matrices: matrix must have shape (len(states)={len(states)}, "
                         f"n_rollcalls); got {matrix.shape}")
    if len(set(states)) != len(states):
        raise ValueError("agreement_matrices: states repeat; expected unique state codes")
    if isinstance(min_common, bool) or not isinstance(min_common, int) or min_common < 1:
        raise ValueError(f"agreement_matrices: min_common must be an integer >= 1; "
                         f"got {min_common!r}")
    voted = ~np.isnan(matrix)
    known = matrix[voted]
    if not np.isin(known, (0.0, 0.5, 1.0)).all():
        bad = sorted(set(known[~np.isin(known, (0.0, 0.5, 1.0))].tolist()))[:5]
        raise ValueError(f"agreement_matrices: matrix values must be 1 (yes), 0.5 (abstain), "
                         f"0 (no) or NaN (absent); got {bad}")
    yes, abstain, no = ((matrix == v).astype(float) for v in (1.0, 0.5, 0.0))
    present = voted.astype(float)
    common = present @ present.T
    same = yes @ yes.T + abstain @ abstain.T + no @ no.T
    # Category shares of each state over the roll calls the pair shares: (K @ V.T)[a, b] counts
    # a's votes in category K where b voted too.
    expected = np.zeros_like(common)
    for category in (yes, abstain, no):
        shared = category @ present.T
        expected += shared * shared.T
    half = yes @ abstain.T + abstain @ no.T
    distance = (yes @ no.T) + (yes @ no.T).T + 0.5 * (half + half.T)
    enough = common >= min_common
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = same / common
        p_e = expected / common**2
        kappa = np.where(np.isclose(p_e, 1.0), np.nan, (p_o - p_e) / (1.0 - p_e))
        s_score = 1.0 - 2.0 * distance / common
    index = pd.Index(states, name="state")

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(np.where(enough, values, np.nan), index=index, columns=index.copy())

    return {
        "agreement": frame(p_o),
        "kappa": frame(kappa),
        "s_score": frame(s_score),
        "n_common": pd.DataFrame(np.rint(common).astype(int), index=index, columns=index.copy()),
    }


class VoteCorrelation(TypedDict):
    """What :func:`correlate_alignment` returns."""

    spearman: float
    pearson: float
    n_pairs: int
    n_states: int
    n_boot: int
    spearman_ci: tuple[float, float]
    pearson_ci: tuple[float, float]


def correlate_alignment(
    text_alignment: pd.DataFrame,
    vote_agreement: pd.DataFrame,
    *,
    n_boot: int = 1000,
    random_state: int | np.random.Generator | None = 0,
) -> VoteCorrelation:
    """Correlate text alignment with vote agreement over state pairs, with state-bootstrap CIs.

    The pairs are the upper triangle (each unordered pair once) over the states that index both
    matrices' rows and columns, kept where both values are finite. Pairs that share a state are not
    independent, so the intervals resample STATES with replacement: a replicate keeps every pair
    of two distinct drawn states, a pair counting ``c_a * c_b`` times when state a was drawn
    ``c_a`` times and b ``c_b`` times (the vertex, or "dyadic", bootstrap). Intervals are the
    2.5 and 97.5 percentiles of the replicates with a defined correlation.

    Args:
        text_alignment: ``(n, n)`` state x state alignment (ISO3 index and columns).
        vote_agreement: ``(m, m)`` state x state vote agreement (e.g. ``"s_score"``).
        n_boot: bootstrap replicates (0 for none: NaN intervals).
        random_state: seed or generator; the same seed gives the same intervals.

    Returns:
        ``spearman``, ``pearson`` (floats, NaN when a side is constant), ``spearman_ci`` and
        ``pearson_ci`` ((low, high) tuples), ``n_pairs``, ``n_states``, ``n_boot``.

    Raises:
        ValueError: fewer than 3 usable pairs, or ``n_boot`` negative.
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 0:
        raise ValueError(f"correlate_alignment: n_boot must be an integer >= 0; got {n_boot!r}")
    shared = sorted(set(text_alignment.index) & set(text_alignment.columns)
                    & set(vote_agreement.index) & set(vote_agreement.columns))
    text = text_alignment.loc[shared, shared].to_numpy(dtype=float)
    vote = vote_agreement.loc[shared, shared].to_numpy(dtype=float)
    upper_a, upper_b = np.triu_indices(len(shared), k=1)
    x, y = text[upper_a, upper_b], vote[upper_a, upper_b]
    keep = np.isfinite(x) & np.isfinite(y)
    x, y, pair_a, pair_b = x[keep], y[keep], upper_a[keep], upper_b[keep]
    if len(x) < 3:
        raise ValueError(f"correlate_alignment: {len(x)} state pairs have finite values in both "
                         f"matrices ({len(shared)} states in both); need at least 3")
    # Renumber the states that occur in a usable pair, so the bootstrap draws only those.
    used, inverse = np.unique(np.concatenate([pair_a, pair_b]), return_inverse=True)
    pair_a, pair_b = inverse[: len(x)], inverse[len(x):]
    x_groups, y_groups = np.unique(x, return_inverse=True)[1], np.unique(y, return_inverse=True)[1]
    ones = np.ones(len(x))
    rng = np.random.default_rng(random_state)
    spearman, pearson = np.full(n_boot, np.nan), np.full(n_boot, np.nan)
    for i in range(n_boot):
        counts = np.bincount(rng.integers(0, len(used), size=len(used)),
                             minlength=len(used)).astype(float)
        weights = counts[pair_a] * counts[pair_b]
        spearman[i] = _weighted_spearman(x_groups, y_groups, weights)
        pearson[i] = _weighted_pearson(x, y, weights)
    return VoteCorrelation(spearman=_weighted_spearman(x_groups, y_groups, ones),
                           pearson=_weighted_pearson(x, y, ones), n_pairs=len(x),
                           n_states=len(used), n_boot=n_boot,
                           spearman_ci=_interval(spearman), pearson_ci=_interval(pearson))


def _interval(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return (float("nan"), float("nan"))
    low, high = np.percentile(finite, [2.5, 97.5])
    return (float(low), float(high))


def _weighted_pearson(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
    """Pearson correlation of ``x`` and ``y`` with each point repeated ``weights`` times."""
    total = weights.sum()
    if total <= 0:
        return float("nan")
    dx = x - (weights @ x) / total
    dy = y - (weights @ y) / total
    sxx, syy = weights @ (dx * dx), weights @ (dy * dy)
    if sxx <= 1e-12 * total or syy <= 1e-12 * total:
        return float("nan")
    return float(np.clip((weights @ (dx * dy)) / np.sqrt(sxx * syy), -1.0, 1.0))


def _midranks(groups: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Average ranks of points whose sorted-value group is ``groups``, as if repeated by weight."""
    group_weight = np.bincount(groups, weights=weights)
    below = np.cumsum(group_weight) - group_weight
    return (below + (group_weight + 1.0) / 2.0)[groups]


def _weighted_spearman(x_groups: np.ndarray, y_groups: np.ndarray, weights: np.ndarray) -> float:
    """Spearman correlation of the data with each point repeated ``weights`` times (ties averaged).

    ``x_groups``/``y_groups`` are each point's index among the sorted distinct values, so ranking
    a replicate is two bincounts instead of two sorts.
    """
    return _weighted_pearson(_midranks(x_groups, weights), _midranks(y_groups, weights), weights)
