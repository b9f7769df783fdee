"""Movers in the votes against movers in the statements, and the overlap by chance."""

import numpy as np
import pandas as pd
import pytest

from nlp.vote_movers import camp_agreement, mover_overlap, vote_movers


def square(states, values):
    return pd.DataFrame(np.array(values, dtype=float), index=states, columns=states)


def test_camp_agreement_excludes_self_and_missing():
    states = ["AAA", "BBB", "CCC", "DDD"]
    agreement = square(states, [[1, .8, .2, np.nan],
                                [.8, 1, .4, .5],
                                [.2, .4, 1, .9],
                                [np.nan, .5, .9, 1]])
    result = camp_agreement(agreement, ["AAA", "BBB"])
    assert result["AAA"] == pytest.approx(.8) and result["BBB"] == pytest.approx(.8)
    assert result["CCC"] == pytest.approx(.3) and result["DDD"] == pytest.approx(.5)
    with pytest.raises(ValueError, match="no member of the camp"):
        camp_agreement(agreement, ["ZZZ"])


def test_vote_movers_rank_absolute_change():
    before = pd.Series({"AAA": .5, "BBB": .5, "CCC": .5, "DDD": np.nan})
    after = pd.Series({"AAA": .9, "BBB": .2, "CCC": .55, "DDD": .1})
    assert vote_movers(before, after, top=2) == ["AAA", "BBB"]
    assert vote_movers(before, after, top=5, among=["CCC", "BBB"]) == ["BBB", "CCC"]


def test_overlap_against_the_hypergeometric_expectation():
    population = [f"S{i:02d}" for i in range(20)]
    found = mover_overlap(population[:5], population[3:8], population)
    assert found["overlap"] == 2 and found["states"] == ["S03", "S04"]
    assert found["expected"] == pytest.approx(5 * 5 / 20)
    # P(X >= 2) for X ~ Hypergeometric(N=20, K=5, n=5)
    from math import comb
    exact = sum(comb(5, k) * comb(15, 5 - k) for k in range(2, 6)) / comb(20, 5)
    assert found["p_value"] == pytest.approx(exact, abs=1e-6)
    outside = mover_overlap(["XXX", *population[:2]], population[:2], population)
    assert outside["text_movers"] == 2 and outside["overlap"] == 2
