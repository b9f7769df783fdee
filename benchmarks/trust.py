"""Can an analyst trust the alignment? Measures over a store analysed from the sample corpus.

Reads the stored tables only (so a store written by an older version can be measured the
same way, for before/after comparisons): python benchmarks/trust.py STORE.duckdb. Whether the
movers list finds a camp that really shifts is measured apart, on a simulated debate
(``benchmarks/bench_shifting_camp.py``).
"""

from __future__ import annotations

import json
import sys
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WEST = ["USA", "GBR", "CAN", "AUS", "JPN", "DEU", "FRA", "NLD", "EST"]
EAST = ["RUS", "CHN", "IRN", "CUB", "BLR", "NIC", "SYR", "VEN", "PRK"]
EU = ["AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
      "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
      "SWE"]
NOT_WITH_RUSSIA = ["NZL", "KOR", "SGP", "KEN"]


def _outside(frame: pd.DataFrame, value: str, lo: str, hi: str) -> list[int]:
    ok = frame[value].notna() & frame[lo].notna() & frame[hi].notna()
    part = frame[ok]
    outside = (part[value] < part[lo] - 1e-9) | (part[value] > part[hi] + 1e-9)
    return [int(outside.sum()), len(part)]


def camp_stance_agreement(window: pd.DataFrame, camp: list[str],
                          other: list[str] | None = None) -> float:
    """Mean stance agreement (:func:`nlp.similarity.stance_agreement`, the stance part of an
    issue's alignment) over the pairs of ``camp`` (or of ``camp`` x ``other``) and the contested
    issues on which both took a side, from the stored window positions (non-thin).

    1 would mean every such pair reads clearly on the same side of every issue it shares; what
    falls short of it is what the stance readings cost the camp's alignment.
    """
    from nlp.similarity import stance_agreement

    values = []
    scored = window[~window["thin"].astype(bool) & window["stance"].notna()]
    for _, part in scored.groupby("issue", sort=True):
        states = part["state"].tolist()
        matrix = stance_agreement(part["stance"].to_numpy(dtype=float))
        at = {s: i for i, s in enumerate(states)}
        pairs = combinations(camp, 2) if other is None else ((x, y) for x in camp for y in other)
        values += [matrix[at[x], at[y]] for x, y in pairs if x in at and y in at]
    return round(float(np.mean(values)), 3) if values else float("nan")


def trust_metrics(db: str | Path) -> dict[str, Any]:
    """The issue-12 measures of a store (see the README's before/after table)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        a = con.execute("SELECT state_a, state_b, score, lo, hi FROM alignment "
                        "WHERE issue = '*' AND session = '*'").df()
        positions = con.execute("SELECT state, issue, session, stance, stance_lo, stance_hi, "
                                "thin FROM positions").df()
        dispersion = con.execute("SELECT * FROM dispersion").df()
        columns = {r[0] for r in con.execute("DESCRIBE coalitions").fetchall()}
        # stores analysed before coalitions had unattached states: every state belongs
        attached = "attached" if "attached" in columns else "true AS attached"
        coalitions = con.execute(f"SELECT state, coalition, {attached} FROM coalitions "
                                 "WHERE issue = '*'").df()
        speakers = {r[0] for r in con.execute(
            "SELECT DISTINCT state FROM statements WHERE superseded_by IS NULL").fetchall()}
        sessions = [r[0] for r in con.execute(
            "SELECT session FROM statements WHERE superseded_by IS NULL GROUP BY session "
            "ORDER BY min(date)").fetchall()]
        movers = con.execute("SELECT * FROM movers").df()
    finally:
        con.close()
    score = {(x, y): s for x, y, s in zip(a["state_a"], a["state_b"], a["score"], strict=True)}

    def pair(x: str, y: str) -> float:
        return float(score.get(tuple(sorted((x, y))), np.nan))

    def within(camp: list[str]) -> list[float]:
        return [pair(x, y) for x, y in combinations(camp, 2)]

    eu_rus = [pair(s, "RUS") for s in EU if s in speakers]
    cluster = dict(zip(coalitions["state"], coalitions["coalition"], strict=True))
    belongs = coalitions[coalitions["attached"].astype(bool)]
    russia = sorted(s for s, c in zip(belongs["state"], belongs["coalition"], strict=True)
                    if c == cluster.get("RUS"))
    unattached = sorted(coalitions.loc[~coalitions["attached"].astype(bool), "state"])
    window = positions[positions["session"] == "*"]
    thin = window[window["thin"].astype(bool)]
    thin_all = int(thin.groupby("issue")["state"].nunique().max()) if len(thin) else 0
    thin_speakers = int(thin[thin["state"].isin(speakers)].groupby("issue")["state"].nunique()
                        .max()) if len(thin) else 0
    sd = dispersion.rename(columns={"stance_sd_lo": "sd_lo", "stance_sd_hi": "sd_hi"})
    outside = [sum(v) for v in zip(_outside(sd, "stance_sd", "sd_lo", "sd_hi"),
                                   _outside(sd, "semantic_spread", "spread_lo", "spread_hi"),
                                   strict=True)]
    last = movers[movers["to_session"] == sessions[-1]] if len(sessions) > 1 else movers
    n_speakers = len(speakers)
    finite = a["score"].notna()
    return {
        "usa_rus": round(pair("USA", "RUS"), 3),
        "est_rus": round(pair("EST", "RUS"), 3),
        "eu_rus_mean": round(float(np.nanmean(eu_rus)), 3),
        "eu_rus_max": round(float(np.nanmax(eu_rus)), 3),
        "eu_rus_pairs": int(np.isfinite(eu_rus).sum()),
        "within_west_mean": round(float(np.nanmean(within(WEST))), 3),
        "within_west_min": round(float(np.nanmin(within(WEST))), 3),
        "within_east_mean": round(float(np.nanmean(within(EAST))), 3),
        "within_east_min": round(float(np.nanmin(within(EAST))), 3),
        "within_west_stance_agreement": camp_stance_agreement(window, WEST),
        "within_east_stance_agreement": camp_stance_agreement(window, EAST),
        "across_camps_stance_agreement": camp_stance_agreement(window, WEST, EAST),
        "across_camps_mean": round(float(np.nanmean([pair(x, y) for x in WEST for y in EAST])),
                                   3),
        "all_pairs_mean": round(float(a["score"].mean()), 3),
        "score_min": round(float(a["score"].min()), 3),
        "score_max": round(float(a["score"].max()), 3),
        "russia_cluster": russia,
        "not_with_russia_but_is": [s for s in NOT_WITH_RUSSIA if s in russia],
        "unattached": unattached,
        "dispersion_outside_interval": outside,
        "alignment_outside_interval": _outside(a, "score", "lo", "hi"),
        "stance_outside_interval": _outside(positions, "stance", "stance_lo", "stance_hi"),
        "max_thin_states_per_issue_all": thin_all,
        "max_thin_states_per_issue_speakers": thin_speakers,
        "states_in_corpus": n_speakers,
        "pairs_scored_share": round(float(finite.sum()) / max(1, n_speakers * (n_speakers - 1)
                                                              / 2), 3),
        "movers_all": len(movers),
        "movers_last_session": len(last),
        "movers_last_session_states": sorted(set(last["state"])),
    }


def coalition_votes(db: str | Path, votes: str | Path, roll_calls: str | Path, *,
                    years: list[int] | None = None, n_random: int = 500,
                    seed: int = 0) -> dict[str, Any]:
    """Do coalitions with unattached states agree better with real UN votes than the partition?

    From the stored overall coalitions and real roll-call votes (``years``: those roll calls
    only; all by default). Measures, over the clustered states that voted:

    - ``within_agreement``: mean vote agreement (share of roll calls both voted on where they
      voted alike) of the pairs inside a coalition, for the partition (``all``: every clustered
      state in the coalition it was clustered in) and for the members (``members``: unattached
      states left out), and ``within_alike``, the share of those pairs that voted alike on every
      roll call both voted on;
    - ``random_drop``: the members' figure when as many states as are unattached are left out
      at random instead (mean and 2.5-97.5 % range over ``n_random`` draws);
    - ``vote_margin``: per state, its mean agreement with its coalition's members minus that with
      the other coalitions' members, averaged over the members and over the unattached states.
    """
    import duckdb

    from corpora.votes import read_votes
    from nlp.votes import agreement_matrices, select_roll_calls, vote_matrix

    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = con.execute("SELECT state, coalition, attached FROM coalitions "
                            "WHERE issue = '*' ORDER BY state").df()
    finally:
        con.close()
    data = read_votes(Path(votes), roll_calls=Path(roll_calls))
    rcids = (select_roll_calls(data.roll_calls, years=years) if years
             else data.roll_calls["rcid"].tolist())
    voted = set(data.votes["rcid"])
    rcids = [r for r in rcids if r in voted]
    states, matrix = vote_matrix(data.votes, rcids)
    agreement = agreement_matrices(states, matrix, min_common=3)["agreement"]
    frame = frame[frame["state"].isin(agreement.index)]
    label = dict(zip(frame["state"], frame["coalition"].astype(int), strict=True))
    members = set(frame.loc[frame["attached"].astype(bool), "state"])
    present = sorted(label)

    def pairs(kept: set[str]) -> np.ndarray:
        values = np.array([agreement.loc[x, y] for x, y in combinations(sorted(kept), 2)
                           if label[x] == label[y]], dtype=float)
        return values[np.isfinite(values)]

    def margin(state: str) -> float:
        own = [t for t in members if t != state and label[t] == label[state]]
        other = [t for t in members if label[t] != label[state]]
        return float(np.nanmean(agreement.loc[state, own]) -
                     np.nanmean(agreement.loc[state, other]))

    every, kept = pairs(set(present)), pairs(members)
    rng = np.random.default_rng(seed)
    n_out = len(present) - len(members & set(present))
    draws = [pairs(set(present) - set(rng.choice(present, n_out, replace=False))).mean()
             for _ in range(n_random)]
    unattached = [s for s in present if s not in members]
    return {
        "roll_calls": len(rcids), "states": len(present), "unattached": unattached,
        "within_pairs": {"all": int(every.size), "members": int(kept.size)},
        "within_agreement": {"all": round(float(every.mean()), 3),
                             "members": round(float(kept.mean()), 3)},
        "within_alike": {"all": round(float((every == 1).mean()), 3),
                         "members": round(float((kept == 1).mean()), 3)},
        "random_drop": {"mean": round(float(np.mean(draws)), 3),
                        "lo": round(float(np.percentile(draws, 2.5)), 3),
                        "hi": round(float(np.percentile(draws, 97.5)), 3)},
        "vote_margin": {
            "members": round(float(np.mean([margin(s) for s in present if s in members])), 3),
            "unattached": (round(float(np.mean([margin(s) for s in unattached])), 3)
                           if unattached else None)},
    }


if __name__ == "__main__":
    from benchmarks.common import SHARED_DATA

    result: dict[str, Any] = {"trust": trust_metrics(sys.argv[1])}
    if SHARED_DATA.is_dir():
        cyber = (SHARED_DATA / "cyber_ict_votes_long.csv", SHARED_DATA / "cyber_ict_roll_calls.csv")
        result["coalition_votes"] = {
            "cyber votes 2018-2019": coalition_votes(sys.argv[1], *cyber, years=[2018, 2019]),
            "all cyber/ICT votes": coalition_votes(sys.argv[1], *cyber)}
    print(json.dumps(result, indent=2))
