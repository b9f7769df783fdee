"""Honest intervals for thin evidence and movers that moved (unit and property tests on
synthetic positions; issue 12)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.bench_shifting_camp import shifting_camp_metrics
from nlp.convergence import find_movers, mover_evidence
from nlp.positions import PositionConfig, Positions, estimate_positions
from pipelines.settings import AnalysisConfig, PipelineConfig


def _one_state(stances: list[float], *, sessions: tuple[str, ...] = ("S1",)) -> pd.DataFrame:
    """Tag rows of one state on one issue: ``stances`` said in every session."""
    rows = [{"seg": i * len(sessions) + j, "state": "AAA", "session": s, "issue": "treaty",
             "stance": x, "weight": 1.0, "kind": "own", "statement_id": f"AAA-{s}"}
            for i, x in enumerate(stances) for j, s in enumerate(sessions)]
    other = [{"seg": len(rows) + j, "state": "BBB", "session": s, "issue": "treaty",
              "stance": 0.5, "weight": 1.0, "kind": "own", "statement_id": f"BBB-{s}"}
             for j, s in enumerate(sessions)]
    return pd.DataFrame(rows + other)


def _stance_interval(stances: list[float], *, prior: float = 1.0) -> tuple[float, float, float]:
    rows = _one_state(stances)
    vectors = np.random.default_rng(0).normal(size=(len(rows), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    table = estimate_positions(rows, vectors, session_order=["S1"], config=PositionConfig(
        n_boot=200, components=4, stance_prior=prior)).table
    row = table[(table["state"] == "AAA") & (table["session"] == "S1")].iloc[0]
    return float(row["stance"]), float(row["stance_lo"]), float(row["stance_hi"])


@settings(max_examples=6, deadline=None)
@given(pattern=st.lists(st.floats(-0.95, 0.95), min_size=2, max_size=2))
def test_interval_widens_as_paragraphs_get_fewer(pattern):
    widths = []
    for repeat in (16, 4, 1):  # 32, 8 and 2 paragraphs with the same stances
        estimate, lo, hi = _stance_interval(pattern * repeat)
        assert lo - 1e-9 <= estimate <= hi + 1e-9
        widths.append(hi - lo)
    assert widths[0] <= widths[1] <= widths[2]
    if abs(np.mean(pattern)) > 0.3:  # the prior toward 0 shows on a clear position
        assert widths[2] > widths[0] + 0.1


def test_two_paragraphs_no_longer_look_certain():
    """Two paragraphs at -0.6 and -0.7 (the analyst's UKR example): about 0.1 wide without
    the prior, several times that with it, and the estimate is the paragraphs' own mean."""
    estimate, lo, hi = _stance_interval([-0.6, -0.7], prior=0.0)
    assert hi - lo < 0.15
    estimate_p, lo_p, hi_p = _stance_interval([-0.6, -0.7])
    assert estimate_p == pytest.approx(estimate) == pytest.approx(-0.65)
    assert hi_p - lo_p > 0.4 and lo_p <= estimate_p <= hi_p


def test_prior_leaves_alignment_replicates_and_is_deterministic():
    rows = _one_state([0.6, 0.7, -0.2], sessions=("S1", "S2"))
    vectors = np.random.default_rng(1).normal(size=(len(rows), 8)).astype(np.float32)
    runs = [estimate_positions(rows, vectors, session_order=["S1", "S2"], config=PositionConfig(
        n_boot=40, components=4, stance_prior=p)) for p in (0.0, 1.0, 1.0)]
    # the replicates kept for alignment intervals are the paragraphs' own
    for issue, boot in runs[0].replicates.items():
        np.testing.assert_array_equal(boot, runs[1].replicates[issue])
    for key, boot in runs[0].session_replicates.items():
        np.testing.assert_array_equal(boot, runs[1].session_replicates[key])
    pd.testing.assert_frame_equal(runs[0].table.drop(columns=["stance_lo", "stance_hi"]),
                                  runs[1].table.drop(columns=["stance_lo", "stance_hi"]))
    pd.testing.assert_frame_equal(runs[1].table, runs[2].table)


# -- movers ----------------------------------------------------------------------------------
def _positions(records: list[tuple]) -> Positions:
    table = pd.DataFrame(records, columns=["state", "session", "n_own", "n_stance", "stance",
                                           "stance_lo", "stance_hi"])
    table = table.assign(issue="treaty", thin=False, n_group=0, weight=table["n_own"])
    return Positions(table, np.zeros((len(table), 2), np.float32), {}, {})


def test_a_move_needs_enough_paragraphs_in_both_sessions():
    positions = _positions([
        ("AAA", "S1", 4, 4, -0.7, -0.8, -0.6), ("AAA", "S2", 4, 4, 0.6, 0.5, 0.7),
        ("BBB", "S1", 4, 4, -0.7, -0.8, -0.6), ("BBB", "S2", 2, 2, 0.6, 0.5, 0.7),
        ("CCC", "S1", 0, 4, -0.7, -0.8, -0.6), ("CCC", "S2", 4, 4, 0.6, 0.5, 0.7)])
    movers = find_movers(positions, from_session="S1", to_session="S2", contested=["treaty"],
                         min_paragraphs=3)
    assert list(movers["state"]) == ["AAA"]  # BBB: two paragraphs after; CCC: groups only
    loose = find_movers(positions, from_session="S1", to_session="S2", contested=["treaty"],
                        min_paragraphs=2)
    assert sorted(loose["state"]) == ["AAA", "BBB"]
    with pytest.raises(ValueError, match="min_paragraphs"):
        find_movers(positions, from_session="S1", to_session="S2", contested=["treaty"],
                    min_paragraphs=0)


def test_a_move_must_leave_its_interval():
    positions = _positions([
        ("AAA", "S1", 5, 5, -0.5, -0.9, 0.1), ("AAA", "S2", 5, 5, 0.2, -0.3, 0.6)])
    assert find_movers(positions, from_session="S1", to_session="S2",
                       contested=["treaty"]).empty


def test_movers_config_is_validated_and_hashed():
    with pytest.raises(ValueError, match="min_paragraphs"):
        AnalysisConfig(movers={"min_paragraphs": 0})
    with pytest.raises(ValueError, match="stance_prior"):
        AnalysisConfig(stance_prior=-1)
    base = PipelineConfig()
    stricter = PipelineConfig(analysis=AnalysisConfig(movers={"min_paragraphs": 3}))
    assert base.analysis.movers.min_paragraphs == 2
    assert base.config_hash() != stricter.config_hash()


def test_shifting_camp_found_with_fewer_false_movers():
    """The simulated debate of benchmarks/bench_shifting_camp.py: with the prior on stance intervals
    the movers list names more of the camp that shifted and no more false movers than the
    earlier rule; three paragraphs per session name more than a quarter of the camp with less
    than half the earlier false moves."""
    before = shifting_camp_metrics(draws=3, stance_prior=0.0, min_paragraphs=2, n_boot=60)
    after = shifting_camp_metrics(draws=3, n_boot=60)
    strict = shifting_camp_metrics(draws=3, min_paragraphs=3, n_boot=60)
    assert after["recall"] > before["recall"] > 0.25
    assert after["false_mover_rate"] <= before["false_mover_rate"]
    assert strict["recall"] > 0.25
    assert strict["false_mover_rate"] < before["false_mover_rate"] / 2


def test_only_paragraphs_about_the_issue_are_evidence_of_a_move():
    """A paragraph on IHL that grazes the information space (0.49 beside 0.71) is no evidence
    of a move on the information space."""
    rows = pd.DataFrame([
        # seg, state, session, issue, score, stance, kind
        (0, "AAA", "S2", "ihl", 0.71, -0.9, "own"),
        (0, "AAA", "S2", "info", 0.49, 0.7, "own"),
        (1, "AAA", "S2", "info", 0.70, 0.6, "own"),
        (2, "AAA", "S2", "info", 0.66, 0.5, "group"),
        (2, "AAA", "S2", "ihl", 0.70, None, "group"),
        (3, "AAA", "S2", "info", 0.60, None, "own")],
        columns=["seg", "state", "session", "issue", "score", "stance", "kind"])
    evidence = mover_evidence(rows, margin=0.1).set_index(["state", "issue", "session"])
    assert evidence.loc[("AAA", "info", "S2")].tolist() == [2, 1]  # segs 1 and 2 (2: group)
    assert evidence.loc[("AAA", "ihl", "S2")].tolist() == [1, 1]
    assert mover_evidence(rows, margin=1.0).set_index(["state", "issue", "session"]).loc[
        ("AAA", "info", "S2"), "n_main"] == 3
    positions = _positions([
        ("AAA", "S1", 4, 4, -0.7, -0.8, -0.6), ("AAA", "S2", 4, 4, 0.6, 0.5, 0.7)])
    counts = pd.DataFrame([("AAA", "treaty", "S1", 4, 4), ("AAA", "treaty", "S2", 2, 1)],
                          columns=["state", "issue", "session", "n_main", "n_main_own"])
    args = dict(from_session="S1", to_session="S2", contested=["treaty"], min_paragraphs=3)
    assert list(find_movers(positions, **args)["state"]) == ["AAA"]
    assert find_movers(positions, **args, evidence=counts).empty
    counts.loc[1, "n_main"] = 3
    assert list(find_movers(positions, **args, evidence=counts)["state"]) == ["AAA"]
