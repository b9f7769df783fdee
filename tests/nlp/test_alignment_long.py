"""AlignmentResult.long and AlignmentResult.from_long are inverses (the stored alignment table
and the result the queries rebuild from it)."""

import numpy as np
import pandas as pd

from nlp.alignment import OVERALL, SEMANTIC, AlignmentResult


def _result() -> AlignmentResult:
    states = ["BRA", "CHN", "FRA", "USA"]
    rng = np.random.default_rng(3)

    def symmetric() -> np.ndarray:
        m = rng.uniform(-1, 1, (4, 4))
        m = (m + m.T) / 2
        np.fill_diagonal(m, 1.0)
        return m

    overall, cyber = symmetric(), symmetric()
    cyber[0, 3] = cyber[3, 0] = np.nan  # a pair without a shared position on the issue
    semantic = np.zeros((4, 4), bool)
    semantic[1, 2] = semantic[2, 1] = True
    return AlignmentResult(states=states, issues={"cyber": cyber, "trade": symmetric()},
                           overall=overall, overall_lo=overall - 0.1, overall_hi=overall + 0.1,
                           issue_lo={"cyber": cyber - 0.2}, issue_hi={"cyber": cyber + 0.2},
                           weights={"cyber": 4.0, "trade": 1.0}, semantic=semantic)


def test_long_then_from_long_gives_the_same_table():
    table = _result().long(session="S1")
    rebuilt = AlignmentResult.from_long(table, weights=lambda i: 4.0 if i == "cyber" else 1.0)
    pd.testing.assert_frame_equal(rebuilt.long(session="S1"), table)
    assert rebuilt.weights == {"cyber": 4.0, "trade": 1.0}
    assert rebuilt.basis(1, 2) == SEMANTIC and rebuilt.overall_boot is None
    # the pair missing on one issue stays missing; issues without intervals get none
    assert np.isnan(rebuilt.issues["cyber"][0, 3]) and "trade" not in rebuilt.issue_lo


def test_from_long_without_intervals_or_basis():
    table = _result().long()
    table = table[table["issue"] == OVERALL].drop(columns=["basis"]).assign(lo=np.nan, hi=np.nan)
    rebuilt = AlignmentResult.from_long(table)
    assert rebuilt.overall_lo is None and rebuilt.issues == {} and not rebuilt.semantic.any()
    assert np.allclose(np.diag(rebuilt.overall), 1.0)
