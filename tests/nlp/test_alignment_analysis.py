"""Positions, alignment, coalitions, convergence and partners on synthetic data with known camps."""

import numpy as np
import pandas as pd
import pytest

from nlp.alignment import OVERALL, AlignmentConfig, score_alignment
from nlp.coalitions import compare_with_groups, find_coalitions, group_cohesion
from nlp.convergence import find_movers, measure_dispersion
from nlp.partners import quote, rank_partners
from nlp.positions import WINDOW, PositionConfig, estimate_positions, expand_group_rows

CAMP_A = ["AAA", "AAB", "AAC", "AAD"]
CAMP_B = ["BBA", "BBB", "BBC", "BBD"]
SESSIONS = ["S1", "S2", "S3"]
ISSUES = ["treaty", "capacity"]


def synthetic(seed: int = 0, mover: str | None = "AAD"):
    """Two camps with opposite stances on 'treaty'; a mover who joins camp B in S3."""
    rng = np.random.default_rng(seed)
    dim = 16
    axis = {"treaty": rng.normal(size=dim), "capacity": rng.normal(size=dim)}
    camp_dir = rng.normal(size=dim)
    rows, vectors = [], []
    for session in SESSIONS:
        for state in CAMP_A + CAMP_B:
            side = 1.0 if state in CAMP_A else -1.0
            if state == mover and session == "S3":
                side = -1.0
            for issue in ISSUES:
                for _ in range(3):
                    v = axis[issue] + (side * camp_dir if issue == "treaty" else 0) + \
                        0.3 * rng.normal(size=dim)
                    vectors.append(v / np.linalg.norm(v))
                    stance = side * 0.8 + 0.1 * rng.normal() if issue == "treaty" else np.nan
                    rows.append({"seg": len(vectors) - 1, "statement_id": f"{state}-{session}",
                                 "state": state, "session": session, "issue": issue,
                                 "stance": stance})
    frame = expand_group_rows(pd.DataFrame(rows), {}, group_weight=0.5)
    return frame, np.array(vectors, dtype=np.float32)


@pytest.fixture(scope="module")
def positions():
    rows, vectors = synthetic()
    return estimate_positions(rows, vectors, session_order=SESSIONS,
                              config=PositionConfig(n_boot=50, components=8))


def test_positions_have_counts_stances_and_intervals(positions):
    table = positions.table
    window = table[(table["session"] == WINDOW) & (table["issue"] == "treaty")]
    assert len(window) == 8 and not window["thin"].any()
    assert (window["n_own"] == 9).all()
    camp_a = window[window["state"].isin(CAMP_A[:3])]
    assert (camp_a["stance"] > 0.5).all()
    assert (window["stance_lo"] <= window["stance"]).all()
    assert (window["stance"] <= window["stance_hi"]).all()
    capacity = table[table["issue"] == "capacity"]
    assert capacity["stance"].isna().all() and (capacity["n_stance"] == 0).all()
    assert positions.directions.shape == (len(table), 8)


def test_thin_and_group_only_positions():
    rows, vectors = synthetic()
    rows = rows[~((rows["state"] == "BBD") & (rows["issue"] == "capacity"))]
    group_rows = rows[(rows["state"] == "BBA") & (rows["issue"] == "capacity")]
    expanded = expand_group_rows(rows.drop(columns=["weight", "kind"]),
                                 {sid: ["BBD"] for sid in group_rows["statement_id"]},
                                 group_weight=0.5)
    result = estimate_positions(expanded, vectors, session_order=SESSIONS,
                                config=PositionConfig(n_boot=20))
    bbd = result.table[(result.table["state"] == "BBD") & (result.table["issue"] == "capacity")
                       & (result.table["session"] == WINDOW)].iloc[0]
    assert bbd["n_own"] == 0 and bbd["n_group"] == 9 and bbd["thin"]
    allowed = estimate_positions(expanded, vectors, session_order=SESSIONS,
                                 config=PositionConfig(n_boot=20, group_only=True))
    bbd = allowed.table[(allowed.table["state"] == "BBD") & (allowed.table["issue"] == "capacity")
                        & (allowed.table["session"] == WINDOW)].iloc[0]
    assert not bbd["thin"]


def test_alignment_separates_camps_with_intervals(positions):
    result = score_alignment(positions, contested=["treaty"])
    frame = result.frame()
    assert frame.shape == (8, 8)
    within = frame.loc["AAA", "AAB"]
    across = frame.loc["AAA", "BBA"]
    assert within > 0.5 and across < -0.2
    assert np.allclose(frame.to_numpy(), frame.to_numpy().T, equal_nan=True)
    a, b = result.states.index("AAA"), result.states.index("AAB")
    assert result.overall_lo[a, b] <= within <= result.overall_hi[a, b]
    long = result.long()
    assert set(long["issue"]) == {OVERALL, "treaty", "capacity"}
    assert (long["state_a"] < long["state_b"]).all()


def test_alignment_is_deterministic():
    rows, vectors = synthetic()
    runs = [score_alignment(estimate_positions(rows, vectors, session_order=SESSIONS,
                                               config=PositionConfig(n_boot=30)),
                            contested=["treaty"]) for _ in range(2)]
    assert np.array_equal(runs[0].overall, runs[1].overall, equal_nan=True)
    assert np.array_equal(runs[0].overall_lo, runs[1].overall_lo, equal_nan=True)


def test_min_issues_and_config_validation(positions):
    strict = score_alignment(positions, contested=["treaty"], issues=["treaty"],
                             config=AlignmentConfig(min_issues=2))
    assert np.isnan(strict.overall[0, 1])
    with pytest.raises(ValueError, match="stance_weight"):
        score_alignment(positions, contested=[], config=AlignmentConfig(stance_weight=2))


def test_coalitions_recover_the_camps(positions):
    result = find_coalitions(score_alignment(positions, contested=["treaty"]).frame())
    members = result.members()
    assert result.k == 2
    assert {frozenset(v) for v in members.values()} == {frozenset(CAMP_A), frozenset(CAMP_B)}
    groups = {"A": CAMP_A, "MIX": ["AAA", "BBA"]}
    cohesion = group_cohesion(score_alignment(positions, contested=["treaty"]).frame(), groups)
    assert cohesion.set_index("group").loc["A", "cohesion"] > cohesion.set_index(
        "group").loc["MIX", "cohesion"]
    spread = compare_with_groups(result, groups).set_index("group")
    assert spread.loc["A", "share_in_main"] == 1.0 and spread.loc["MIX", "share_in_main"] == 0.5
    with pytest.raises(ValueError, match="k must be between"):
        find_coalitions(score_alignment(positions, contested=["treaty"]).frame(), k=50)


def test_mover_is_found_with_direction(positions):
    camps = {s: 0 for s in CAMP_A} | {s: 1 for s in CAMP_B}
    movers = find_movers(positions, from_session="S2", to_session="S3", contested=["treaty"],
                         camps=camps)
    top = movers.iloc[0]
    assert top["state"] == "AAD" and top["issue"] == "treaty"
    assert set(top["toward"]) <= set(CAMP_B) and top["toward"]
    assert top["stance_from"] > 0 > top["stance_to"]
    assert top["pole"] == "minus" and top["camp"] == 1
    assert top["shift_lo"] <= top["shift"] <= top["shift_hi"] < 0
    # nobody else changed side: their changes stay within their intervals
    assert list(movers["state"]) == ["AAD"]


def test_dispersion_and_trend(positions):
    result = measure_dispersion(positions, session_order=SESSIONS, contested=["treaty"],
                                n_boot=50)
    treaty = result.dispersion[result.dispersion["issue"] == "treaty"]
    assert list(treaty["session"]) == SESSIONS
    assert (treaty["stance_sd_lo"] <= treaty["stance_sd"]).all()
    assert set(result.trends["direction"]) <= {"converging", "diverging", "stable",
                                               "toward_plus", "toward_minus", "steady"}
    d = result.dispersion
    for value, lo, hi in (("stance_sd", "stance_sd_lo", "stance_sd_hi"),
                          ("semantic_spread", "spread_lo", "spread_hi"),
                          ("centre", "centre_lo", "centre_hi")):
        ok = d[value].notna()
        assert ((d.loc[ok, lo] <= d.loc[ok, value]) & (d.loc[ok, value] <= d.loc[ok, hi])).all()
    t = result.trends
    assert ((t["lo"] <= t["slope"]) & (t["slope"] <= t["hi"])).all()


def test_partners_rank_camp_members_with_evidence(positions):
    rows, vectors = synthetic()
    result = score_alignment(positions, contested=["treaty"])
    own = rows.assign(text=lambda f: "We say " + f["issue"] + " things.", source="x.txt")
    partners, opposed = rank_partners(result, "AAA", own=own, vectors=vectors,
                                      contested=frozenset({"treaty"}), top=3)
    assert {p.state for p in partners} <= set(CAMP_A)
    assert {p.state for p in opposed} <= set(CAMP_B)
    assert partners[0].drivers and partners[0].evidence
    evidence = partners[0].evidence[0]
    assert evidence.state == "AAA" and evidence.partner == partners[0].state
    with pytest.raises(ValueError, match="no alignment scores"):
        rank_partners(result, "ZZZ")


def test_quote_is_trimmed_at_a_word():
    assert quote("word " * 200, limit=50).endswith(" …")
    assert quote("short text") == "short text"
