"""Vote agreement: selection, vote matrix, agreement / kappa / S score, correlation with text."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import cohen_kappa_score

from nlp.votes import (
    _weighted_pearson,
    _weighted_spearman,
    agreement_matrices,
    correlate_alignment,
    select_roll_calls,
    vote_matrix,
)

NAN = np.nan


@pytest.fixture()
def roll_calls() -> pd.DataFrame:
    return pd.DataFrame({
        "rcid": ["101", "102", "103", "104"],
        "session": pd.array([90, 90, 91, pd.NA], dtype="Int64"),
        "date": [dt.date(2035, 12, 5), dt.date(2035, 12, 22), dt.date(2036, 11, 30), pd.NaT],
        "year": pd.array([2035, 2035, 2036, 2037], dtype="Int64"),
        "resolution": ["A/RES/90/11", "A/RES/90/12", "A/RES/91/5A", ""],
        "title": ["ICT security: open-ended working group", "Programme of Action",
                  "Capacity building", "Nuclear testing"],
        "description": ["", "Responsible State behaviour in CYBERSPACE", "", ""],
    })


# --- select_roll_calls ----------------------------------------------------------------------------


def test_select_by_each_criterion(roll_calls):
    assert select_roll_calls(roll_calls, ids=[102, "104"]) == ["102", "104"]
    assert select_roll_calls(roll_calls, resolutions=["a/res/90/12", " A/RES/91/ 5A"]) == [
        "102", "103"]
    assert select_roll_calls(roll_calls, resolutions=["R/90/11"]) == ["101"]  # Voeten form
    assert select_roll_calls(roll_calls, sessions=[90]) == ["101", "102"]
    assert select_roll_calls(roll_calls, keywords=["cyberspace"]) == ["102"]
    assert select_roll_calls(roll_calls, keywords=["ICT SECURITY", "capacity"]) == ["101", "103"]
    assert select_roll_calls(roll_calls, years=[2036, 2037]) == ["103", "104"]


def test_select_takes_the_union_in_table_order(roll_calls):
    chosen = select_roll_calls(roll_calls, ids=["104"], sessions=[90], keywords=["programme"])
    assert chosen == ["101", "102", "104"]


def test_select_errors_name_the_criteria(roll_calls):
    with pytest.raises(ValueError, match=r"no roll call matches ids=\['999'\], sessions=\[12\]"):
        select_roll_calls(roll_calls, ids=["999"], sessions=[12])
    with pytest.raises(ValueError, match="give at least one of ids, resolutions"):
        select_roll_calls(roll_calls)
    with pytest.raises(ValueError, match="'resolution' column for resolutions"):
        select_roll_calls(roll_calls[["rcid"]], resolutions=["A/RES/90/11"])
    with pytest.raises(ValueError, match="keywords need a 'title'"):
        select_roll_calls(roll_calls[["rcid"]], keywords=["cyber"])


# --- vote_matrix ----------------------------------------------------------------------------------


def test_vote_matrix_codes_votes_and_marks_absences():
    votes = pd.DataFrame({"rcid": ["1", "1", "1", "2", "2", "3"],
                          "state": ["USA", "RUS", "FRA", "USA", "FRA", "CHN"],
                          "vote": ["yes", "no", "abstain", "no", "yes", "yes"]})
    states, matrix = vote_matrix(votes, ["2", "1"])
    assert states == ["FRA", "RUS", "USA"]  # CHN voted only on 3
    np.testing.assert_array_equal(matrix, [[1.0, 0.5], [NAN, 0.0], [0.0, 1.0]])
    assert matrix.shape == (3, 2) and matrix.dtype == float


def test_vote_matrix_errors():
    votes = pd.DataFrame({"rcid": ["1", "1"], "state": ["USA", "USA"], "vote": ["yes", "no"]})
    with pytest.raises(ValueError, match="USA voted more than once on roll call 1"):
        vote_matrix(votes, ["1"])
    with pytest.raises(ValueError, match=r"no votes for roll calls \['9'\]"):
        vote_matrix(votes.iloc[:1], ["1", "9"])
    with pytest.raises(ValueError, match=r"unknown vote values \['maybe'\]"):
        vote_matrix(votes.iloc[:1].assign(vote="maybe"), ["1"])
    with pytest.raises(ValueError, match=r"rcids repeat \['1'\]"):
        vote_matrix(votes.iloc[:1], ["1", "1"])
    with pytest.raises(ValueError, match="needs a 'state' column"):
        vote_matrix(votes[["rcid", "vote"]], ["1"])


# --- agreement_matrices: hand-computed -----------------------------------------------------------

STATES = ["AAA", "BBB", "CCC"]
MATRIX = np.array([
    [1.0, 1.0, 0.0, 0.5],
    [1.0, 0.0, 0.0, 0.5],
    [0.0, NAN, 1.0, 1.0],
])


def test_hand_computed_agreement_kappa_and_s_score():
    result = agreement_matrices(STATES, MATRIX, min_common=1)
    agreement, kappa, s_score = result["agreement"], result["kappa"], result["s_score"]
    # A-B: 4 common votes, 3 identical; A's shares yes/no/abstain 2/4, 1/4, 1/4 and B's 1/4, 2/4,
    # 1/4 give p_e = 0.3125, kappa = (0.75 - 0.3125) / 0.6875 = 7/11; distances 0, 1, 0, 0.
    assert agreement.loc["AAA", "BBB"] == pytest.approx(0.75)
    assert kappa.loc["AAA", "BBB"] == pytest.approx(7 / 11)
    assert s_score.loc["AAA", "BBB"] == pytest.approx(1 - 2 * 0.25)
    # A-C: 3 common votes (C is absent on the 2nd), none identical; A's shares 1/3 each, C's
    # yes 2/3, no 1/3 give p_e = 1/3, kappa = -0.5; distances 1, 1, 0.5 -> d = 5/6.
    assert agreement.loc["AAA", "CCC"] == 0.0
    assert kappa.loc["AAA", "CCC"] == pytest.approx(-0.5)
    assert s_score.loc["AAA", "CCC"] == pytest.approx(1 - 2 * 5 / 6)
    assert kappa.loc["BBB", "CCC"] == pytest.approx(-0.5)
    assert result["n_common"].loc["AAA", "CCC"] == 3
    assert list(result["n_common"].to_numpy().diagonal()) == [4, 4, 3]


def test_kappa_matches_scikit_learn_on_common_votes():
    kappa = agreement_matrices(STATES, MATRIX, min_common=1)["kappa"]
    for a, b in [(0, 1), (0, 2), (1, 2)]:
        both = ~np.isnan(MATRIX[a]) & ~np.isnan(MATRIX[b])
        expected = cohen_kappa_score(MATRIX[a, both].astype(str), MATRIX[b, both].astype(str))
        assert kappa.iloc[a, b] == pytest.approx(expected)


def test_matrices_are_symmetric_with_unit_diagonal_and_state_axes():
    result = agreement_matrices(STATES, MATRIX, min_common=1)
    for name in ("agreement", "kappa", "s_score"):
        frame = result[name]
        assert list(frame.index) == STATES and list(frame.columns) == STATES
        np.testing.assert_allclose(frame.to_numpy(), frame.to_numpy().T)
        np.testing.assert_allclose(np.diag(frame.to_numpy()), 1.0)


def test_nan_below_min_common():
    result = agreement_matrices(STATES, MATRIX, min_common=4)
    for name in ("agreement", "kappa", "s_score"):
        frame = result[name]
        assert np.isnan(frame.loc["AAA", "CCC"]) and np.isnan(frame.loc["CCC", "BBB"])
        assert np.isnan(frame.loc["CCC", "CCC"])  # C voted only 3 times
        assert np.isfinite(frame.loc["AAA", "BBB"])
    assert result["n_common"].loc["AAA", "CCC"] == 3  # counts are never masked


def test_kappa_undefined_when_both_always_cast_the_same_single_vote():
    result = agreement_matrices(["X", "Y"], np.ones((2, 5)), min_common=1)
    assert result["agreement"].loc["X", "Y"] == 1.0
    assert result["s_score"].loc["X", "Y"] == 1.0
    assert np.isnan(result["kappa"].loc["X", "Y"])


def test_agreement_matrices_validate_inputs():
    with pytest.raises(ValueError, match="must have shape"):
        agreement_matrices(["A"], MATRIX, min_common=1)
    with pytest.raises(ValueError, match=r"got \[0.3\]"):
        agreement_matrices(["A"], np.array([[0.3]]), min_common=1)
    with pytest.raises(ValueError, match="min_common must be an integer >= 1; got 0"):
        agreement_matrices(STATES, MATRIX, min_common=0)


def test_un_sized_input_matches_a_direct_computation():
    """193 states x 600 roll calls (the shape of a real selection); spot-checked pair by pair."""
    rng = np.random.default_rng(7)
    matrix = rng.choice([0.0, 0.5, 1.0, NAN], size=(193, 600), p=[0.2, 0.1, 0.55, 0.15])
    matrix[5, 30:] = NAN  # a state that left: few common votes
    states = [f"S{i:03d}" for i in range(193)]
    result = agreement_matrices(states, matrix, min_common=40)
    assert result["kappa"].shape == (193, 193)
    for a, b in [(0, 1), (10, 150), (192, 3), (5, 6)]:
        both = ~np.isnan(matrix[a]) & ~np.isnan(matrix[b])
        x, y = matrix[a, both], matrix[b, both]
        if both.sum() < 40:
            assert np.isnan(result["s_score"].iloc[a, b])
            continue
        assert result["agreement"].iloc[a, b] == pytest.approx(np.mean(x == y))
        assert result["s_score"].iloc[a, b] == pytest.approx(1 - 2 * np.mean(np.abs(x - y)))
        assert result["kappa"].iloc[a, b] == pytest.approx(
            cohen_kappa_score(x.astype(str), y.astype(str)))
    assert np.isnan(result["agreement"].iloc[5, 6])
    values = result["s_score"].to_numpy()
    assert np.nanmin(values) >= -1 and np.nanmax(values) <= 1


# --- correlate_alignment --------------------------------------------------------------------------


def _symmetric(values: np.ndarray, states: list[str]) -> pd.DataFrame:
    full = (values + values.T) / 2
    np.fill_diagonal(full, 1.0)
    return pd.DataFrame(full, index=states, columns=states)


@pytest.fixture()
def two_matrices() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(3)
    states = [f"S{i:02d}" for i in range(30)]
    text = _symmetric(rng.normal(size=(30, 30)), states)
    vote = text + _symmetric(rng.normal(scale=0.7, size=(30, 30)), states)
    return text, vote


def test_identical_matrices_correlate_perfectly(two_matrices):
    text, _ = two_matrices
    result = correlate_alignment(text, text.copy(), n_boot=200)
    assert result["spearman"] == pytest.approx(1.0)
    assert result["pearson"] == pytest.approx(1.0)
    assert result["spearman_ci"] == pytest.approx((1.0, 1.0))
    assert result["pearson_ci"] == pytest.approx((1.0, 1.0))
    assert result["n_pairs"] == 30 * 29 // 2 and result["n_states"] == 30


def test_point_estimates_match_scipy_over_the_upper_triangle(two_matrices):
    text, vote = two_matrices
    result = correlate_alignment(text, vote, n_boot=0)
    upper = np.triu_indices(30, k=1)
    x, y = text.to_numpy()[upper], vote.to_numpy()[upper]
    assert result["spearman"] == pytest.approx(stats.spearmanr(x, y)[0])
    assert result["pearson"] == pytest.approx(stats.pearsonr(x, y)[0])
    assert np.isnan(result["spearman_ci"][0]) and np.isnan(result["pearson_ci"][1])


def test_bootstrap_is_deterministic_and_brackets_the_estimate(two_matrices):
    text, vote = two_matrices
    first = correlate_alignment(text, vote, n_boot=300, random_state=11)
    again = correlate_alignment(text, vote, n_boot=300, random_state=11)
    other = correlate_alignment(text, vote, n_boot=300, random_state=12)
    assert first == again
    assert first["spearman_ci"] != other["spearman_ci"]
    for name in ("spearman", "pearson"):
        low, high = first[f"{name}_ci"]
        assert low < first[name] < high


def test_pairs_only_where_both_matrices_have_the_states_and_finite_values(two_matrices):
    text, vote = two_matrices
    vote = vote.drop(index="S00", columns="S00")  # 29 states left in common
    vote.loc["S01", "S02"] = NAN  # the upper-triangle value is the one used
    text = text.copy()
    text.loc["S03", "S04"] = np.inf
    result = correlate_alignment(text, vote, n_boot=10)
    assert result["n_states"] == 29
    assert result["n_pairs"] == 29 * 28 // 2 - 2
    with pytest.raises(ValueError, match="need at least 3"):
        correlate_alignment(text.iloc[:2, :2], vote, n_boot=10)


def test_state_bootstrap_weights_equal_repeating_pairs():
    """A replicate drawing state a c_a times counts pair (a, b) c_a * c_b times."""
    rng = np.random.default_rng(5)
    x = np.round(rng.normal(size=40), 1)  # ties on purpose
    y = x + rng.normal(size=40)
    weights = rng.integers(0, 4, size=40).astype(float)
    expanded_x, expanded_y = np.repeat(x, weights.astype(int)), np.repeat(y, weights.astype(int))
    x_groups = np.unique(x, return_inverse=True)[1]
    y_groups = np.unique(y, return_inverse=True)[1]
    assert _weighted_spearman(x_groups, y_groups, weights) == pytest.approx(
        stats.spearmanr(expanded_x, expanded_y)[0])
    assert _weighted_pearson(x, y, weights) == pytest.approx(
        stats.pearsonr(expanded_x, expanded_y)[0])
