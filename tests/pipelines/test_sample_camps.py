"""The whole sample corpus, analysed once: the camps written into it come out of the alignment
(issue 12). Slow: it embeds and tags the whole corpus (about 1,400 paragraphs)."""

from itertools import combinations

import numpy as np
import pytest

from benchmarks.trust import EU, trust_metrics
from pipelines.store.storage import open_store

pytestmark = pytest.mark.slow

WEST = ["USA", "GBR", "CAN", "AUS", "DEU", "FRA", "NLD"]
EAST = ["RUS", "CHN", "IRN", "BLR", "NIC", "SYR", "VEN"]


@pytest.fixture(scope="module")
def sample_store(sample_analysed):
    from pathlib import Path

    return Path(sample_analysed[0])


@pytest.fixture(scope="module")
def overall(sample_store):
    with open_store(sample_store, read_only=True) as store:
        frame = store.con.execute("SELECT state_a, state_b, score, basis FROM alignment "
                                  "WHERE issue = '*' AND session = '*'").df()
    return {(a, b): (s, basis) for a, b, s, basis in frame.itertuples(index=False)}


def pair(overall, a, b):
    return overall.get(tuple(sorted((a, b))), (np.nan, ""))


def test_the_other_side_is_opposed(overall):
    assert pair(overall, "USA", "RUS")[0] <= -0.2
    eu = {s: pair(overall, s, "RUS") for s in EU}
    scored = {s: v for s, v in eu.items() if np.isfinite(v[0])}
    assert len(scored) >= 10
    assert all(score <= -0.2 for score, _ in scored.values()), scored


def test_camps_are_like_minded(overall):
    for camp in (WEST, EAST):
        values = {(a, b): pair(overall, a, b)[0] for a, b in combinations(camp, 2)}
        finite = [v for v in values.values() if np.isfinite(v)]
        # like-minded on average, and no pair of the same camp reads as mixed-to-opposed
        assert np.mean(finite) >= 0.5 and min(finite) > 0.0, values


def test_coalitions_recover_the_camps(sample_store):
    metrics = trust_metrics(sample_store)
    assert "RUS" in metrics["russia_cluster"]
    assert metrics["not_with_russia_but_is"] == []
    assert {"CHN", "IRN"} <= set(metrics["russia_cluster"])


def test_unattached_states_vote_less_with_their_coalition(sample_store, shared_data):
    """Real UN votes, not built from the sample: states left between coalitions vote with the
    coalition they were clustered in less than its members do, and leaving them out does not
    lower the vote agreement inside coalitions (cyber votes of 2018-19)."""
    from benchmarks.trust import coalition_votes

    found = coalition_votes(sample_store, shared_data / "cyber_ict_votes_long.csv",
                            shared_data / "cyber_ict_roll_calls.csv", years=[2018, 2019],
                            n_random=20)
    assert found["roll_calls"] == 6 and found["unattached"]
    assert found["vote_margin"]["unattached"] < found["vote_margin"]["members"]
    assert found["within_agreement"]["members"] >= found["within_agreement"]["all"]


def test_numbers_agree_with_themselves(sample_store):
    metrics = trust_metrics(sample_store)
    assert metrics["dispersion_outside_interval"][0] == 0
    assert metrics["alignment_outside_interval"][0] == 0
    assert metrics["stance_outside_interval"][0] == 0
    assert metrics["max_thin_states_per_issue_speakers"] <= metrics["states_in_corpus"]
    assert metrics["pairs_scored_share"] >= 0.9


def test_chair_remarks_and_consensus_are_not_positions(sample_store):
    with open_store(sample_store, read_only=True) as store:
        chair = store.con.execute(
            "SELECT s.state, g.text FROM segments g JOIN statements s ON s.id = g.statement_id "
            "WHERE g.kind = 'capacity'").fetchall()
        moved = {r[0] for r in store.con.execute(
            "SELECT state FROM movers WHERE to_session = 'OEWG-2025-11'").fetchall()}
    assert any(state == "SGP" and "As Chair" in text for state, text in chair)
    assert not any("As a small state" in text for _, text in chair)
    # Canada only joined the consensus on the Global Mechanism in the last session
    assert "CAN" not in moved


def test_movers_rest_on_evidence_in_both_sessions(sample_store):
    """Every stored move has at least ``analysis.movers.min_paragraphs`` paragraphs taking a side
    on its issue, one at least the state's own, in both sessions, and leaves its interval."""
    from pipelines.settings import MoversConfig

    least = MoversConfig().min_paragraphs
    with open_store(sample_store, read_only=True) as store:
        rows = store.con.execute(
            "SELECT m.state, m.issue, m.shift_lo, m.shift_hi, p.n_stance, p.n_own FROM movers m "
            "JOIN positions p ON p.state = m.state AND p.issue = m.issue "
            "AND p.session IN (m.from_session, m.to_session)").fetchall()
        n_movers = store.con.execute("SELECT count(*) FROM movers").fetchall()[0][0]
    assert len(rows) == 2 * n_movers
    for state, issue, lo, hi, n_stance, n_own in rows:
        assert n_stance >= least and n_own >= 1, (state, issue)
        assert lo > 0 or hi < 0, (state, issue)
