"""Camps toward a draft from pooled positions (pure logic, hand-made arrays)."""

import numpy as np
import pandas as pd
import pytest

from nlp.forecast import OPPOSE, SUPPORT, SWING, UNKNOWN, draft_side, forecast_issue

NAN = float("nan")


def positions():
    return pd.DataFrame([
        # state, stance, lo, hi, n_own, n_group
        ("AAA", 0.8, 0.6, 0.9, 3, 0),    # clearly +1
        ("BBB", 0.4, 0.2, 0.5, 0, 2),    # +1, group voice only
        ("CCC", -0.7, -0.9, -0.5, 2, 1),  # clearly -1
        ("DDD", 0.1, -0.2, 0.4, 2, 0),   # interval across 0
        ("EEE", 0.5, 0.3, 0.6, 2, 0),    # +1 but its own segments take both sides
        ("FFF", NAN, NAN, NAN, 1, 0),    # spoke without taking a side
    ], columns=["state", "stance", "stance_lo", "stance_hi", "n_own", "n_group"])


def rows():
    return pd.DataFrame([
        (0, "AAA", 0.9, "own"), (1, "AAA", 0.7, "own"), (2, "BBB", 0.4, "group"),
        (3, "CCC", -0.7, "own"), (4, "DDD", 0.1, "own"), (5, "EEE", 0.9, "own"),
        (6, "EEE", -0.2, "own"), (7, "FFF", NAN, "own"),
    ], columns=["seg", "state", "stance", "kind"])


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


VECTORS = np.stack([unit([1, 0, 0]), unit([0.6, 0.8, 0]), unit([0, 1, 0]), unit([0, 0, 1]),
                    unit([1, 1, 0]), unit([1, 0, 1]), unit([0, 1, 1]), unit([1, 1, 1])])
DRAFT = unit([0.6, 0.8, 0])
STATES = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG"]


def test_camps_and_order_for_a_plus_draft():
    out = forecast_issue(1, positions(), rows(), VECTORS, DRAFT, STATES)
    assert [(o.state, o.camp) for o in out] == [
        ("AAA", SUPPORT), ("BBB", SUPPORT), ("CCC", OPPOSE), ("DDD", SWING), ("EEE", SWING),
        ("FFF", UNKNOWN), ("GGG", UNKNOWN)]
    by = {o.state: o for o in out}
    assert by["DDD"].reason == "interval straddles 0"
    assert by["EEE"].reason == "evidence on both sides" and by["EEE"].both_sides
    assert by["FFF"].reason == "addressed the issue without taking a side"
    assert by["GGG"].reason == "never addressed the issue" and by["GGG"].stance is None
    assert by["BBB"].voice == "group" and by["CCC"].voice == "own and group"
    assert by["BBB"].closest_kind == "group"
    # AAA's closest paragraph is segment 1 (identical to the draft), not segment 0
    assert by["AAA"].closest_seg == 1 and by["AAA"].closest_similarity == pytest.approx(1.0)


def test_a_minus_draft_swaps_supporters_and_opponents():
    out = forecast_issue(-1, positions(), rows(), VECTORS, DRAFT, STATES)
    camps = {o.state: o.camp for o in out}
    assert camps["CCC"] == SUPPORT and camps["AAA"] == camps["BBB"] == OPPOSE
    assert [o.state for o in out if o.camp == OPPOSE] == ["AAA", "BBB"]  # strongest first
    assert {o.state for o in out if o.camp == SWING} == {"DDD", "EEE"}


def test_rejected_quotes_are_never_shown_and_pinned_ones_preferred():
    out = forecast_issue(1, positions(), rows(), VECTORS, DRAFT, ["AAA"], excluded={1})
    assert out[0].closest_seg == 0
    out = forecast_issue(1, positions(), rows(), VECTORS, DRAFT, ["AAA"], pinned={0})
    assert out[0].closest_seg == 0
    out = forecast_issue(1, positions(), rows(), VECTORS, DRAFT, ["AAA"], excluded={0, 1})
    assert out[0].closest_seg is None and out[0].camp == SUPPORT


def test_draft_side_and_bad_side():
    assert [draft_side(v) for v in (0.4, -0.1, None, NAN, 0.0)] == [1, -1, 0, 0, 0]
    with pytest.raises(ValueError, match="side must be -1 or \\+1; got 0"):
        forecast_issue(0, positions(), rows(), VECTORS, DRAFT, STATES)


def test_a_move_across_zero_makes_a_swing_state():
    out = forecast_issue(1, positions(), rows(), VECTORS, DRAFT, ["AAA", "CCC"],
                         moves={"AAA": (-0.3, 0.8), "CCC": (-0.9, -0.6)})
    by = {o.state: o for o in out}
    assert by["AAA"].camp == SWING and by["AAA"].reason == "moved from -0.30 to +0.80"
    assert by["CCC"].camp == OPPOSE  # moved, but not across 0
