"""Settings chosen on some sessions, reported on the others (nlp.selection)."""

import numpy as np
import pandas as pd
import pytest

from nlp.selection import HELD_OUT_COLUMNS, choose, leave_one_out, split_sessions, two_fold


def scores(table: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"setting": setting, "session": session, "score": value}
                         for setting, by_session in table.items()
                         for session, value in by_session.items()])


# "lucky" is best only in S3: chosen in-sample it would look best there, held out it never is
TABLE = scores({
    "steady": {"S1": 0.30, "S2": 0.30, "S3": 0.30},
    "lucky": {"S1": 0.10, "S2": 0.10, "S3": 0.90},
    "weak": {"S1": 0.20, "S2": 0.25, "S3": 0.20},
})


def test_the_held_out_session_never_chooses_its_own_setting():
    held = leave_one_out(TABLE)
    assert list(held.columns) == list(HELD_OUT_COLUMNS)
    chosen = dict(zip(held["held_out"], held["setting"], strict=True))
    # S3's score is not seen when S3 is held out, so "lucky" is not picked for it
    assert chosen == {"S1": "lucky", "S2": "lucky", "S3": "steady"}
    s3 = held[held["held_out"] == "S3"].iloc[0]
    assert s3["score"] == pytest.approx(0.30) and s3["fit_sessions"] == "S1,S2"
    assert s3["fit_score"] == pytest.approx(0.30)
    # held out, "lucky" scores what it scores in S1 and S2, not its in-sample 0.9
    assert held.set_index("held_out").loc["S1", "score"] == pytest.approx(0.10)


def test_split_and_two_fold_report_only_held_out_sessions():
    one = split_sessions(TABLE, ["S1", "S2"], ["S3"])
    assert one["held_out"].tolist() == ["S3"] and one["setting"].tolist() == ["steady"]
    both = two_fold(TABLE, ["S1"], ["S2", "S3"])
    assert both["held_out"].tolist() == ["S2", "S3", "S1"]
    assert both["setting"].tolist() == ["steady", "steady", "lucky"]
    with pytest.raises(ValueError, match=r"sessions \['S2'\] are both fitted and reported"):
        split_sessions(TABLE, ["S1", "S2"], ["S2"])


def test_ties_go_to_the_first_candidate_and_gaps_are_not_eligible():
    tied = scores({"first": {"S1": 0.5, "S2": 0.5}, "second": {"S1": 0.5, "S2": 0.5}})
    assert choose(tied, ["S1"]) == ("first", 0.5)
    gap = scores({"gappy": {"S1": 0.9, "S2": np.nan}, "full": {"S1": 0.1, "S2": 0.1}})
    assert choose(gap, ["S1", "S2"])[0] == "full"


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"fit sessions \['S9'\] have no scores"):
        choose(TABLE, ["S9"])
    with pytest.raises(ValueError, match="missing \\['score'\\]"):
        choose(TABLE.drop(columns="score"), ["S1"])
    with pytest.raises(ValueError, match="setting 'steady' twice for session 'S1'"):
        choose(pd.concat([TABLE, TABLE.iloc[:1]]), ["S1"])
    with pytest.raises(ValueError, match="need at least two sessions"):
        leave_one_out(TABLE[TABLE["session"] == "S1"])
