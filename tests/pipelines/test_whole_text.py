"""analysis.whole_text_weight: the overall alignment blended with whole-text similarity."""

import numpy as np
import pandas as pd
import pytest

from nlp.alignment import AlignmentResult
from pipelines.stages.analysis import blend_whole_text
from pipelines.stages.analysis_inputs import AnalysisInputs


def inputs() -> AnalysisInputs:
    vectors = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.1], [0, 0, 1]],
                       dtype=np.float32)
    segments = pd.DataFrame({"seg": range(5), "state": ["AAA", "BBB", "CCC", "CCC", "DDD"],
                             "session": ["S1", "S1", "S1", "S1", "S2"]})
    return AnalysisInputs(rows=pd.DataFrame(), vectors=vectors, segments=segments,
                          sessions=["S1", "S2"])


def result() -> AlignmentResult:
    overall = np.array([[1, 0.5, np.nan], [0.5, 1, -0.2], [np.nan, -0.2, 1]])
    return AlignmentResult(states=["AAA", "BBB", "CCC"], issues={}, overall=overall,
                           overall_lo=None, overall_hi=None, issue_lo={}, issue_hi={},
                           weights={})


def test_zero_weight_changes_nothing():
    original = result()
    assert blend_whole_text(original, inputs(), ["S1"], 0.0) is original


def test_blend_and_fill():
    blended = blend_whole_text(result(), inputs(), ["S1"], 0.5)
    means = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0.95, 0.05]])
    centred = means - means.mean(axis=0)
    unit = centred / np.linalg.norm(centred, axis=1, keepdims=True)
    whole = unit @ unit.T
    assert blended.overall[0, 1] == pytest.approx(0.5 * 0.5 + 0.5 * whole[0, 1], abs=1e-6)
    assert blended.overall[0, 2] == pytest.approx(whole[0, 2], abs=1e-6)  # no issues in common
    assert np.allclose(np.diag(blended.overall), 1.0)
    assert blended.overall_lo is None


def test_scaled_whole_text_blends_closeness_on_the_scaled_components():
    from nlp.scaling import scaled_similarity
    from pipelines.settings import AnalysisConfig
    from pipelines.stages.analysis import scaled_positions

    base = inputs()
    words = {"AAA": "sanctions embargo blockade", "BBB": "sanctions embargo peoples",
             "CCC": "rules treaty democracy", "DDD": "rules treaty democracy"}
    segments = base.segments.assign(
        statement_id=[f"{s}-1" for s in base.segments["state"]], idx=range(5),
        text=[words[s] + f" paragraph{i}" for i, s in enumerate(base.segments["state"])])
    data = AnalysisInputs(rows=base.rows, vectors=base.vectors, segments=segments,
                          sessions=base.sessions)
    embedding = AnalysisConfig(whole_text_weight=0.5)
    assert scaled_positions(data, embedding) is None  # the default method needs no scaling
    config = AnalysisConfig(whole_text_weight=0.5, whole_text_method="scaled_tfidf",
                            whole_text_dims=1)
    coords = scaled_positions(data, config)
    assert list(coords.index) == [("S1", "AAA"), ("S1", "BBB"), ("S1", "CCC"), ("S2", "DDD")]
    blended = blend_whole_text(result(), data, ["S1"], 0.5, scaled=coords)
    whole = scaled_similarity(coords, ["S1"])
    assert blended.overall[0, 1] == pytest.approx(0.5 * 0.5 + 0.5 * whole.loc["AAA", "BBB"])
    assert blended.overall[0, 2] == pytest.approx(whole.loc["AAA", "CCC"])
    # the two "sanctions" speeches are the closest pair, the "rules" one the farthest
    assert whole.loc["AAA", "BBB"] == 1.0 and whole.loc["AAA", "CCC"] < 0
    assert not np.allclose(blended.overall,
                           blend_whole_text(result(), data, ["S1"], 0.5).overall)
