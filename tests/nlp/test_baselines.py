"""Baselines a text alignment should beat: TF-IDF, mean embeddings, same group."""

import numpy as np
import pytest

from nlp.baselines import mean_embedding_similarity, same_group_prior, tfidf_similarity


def test_tfidf_similarity_is_higher_for_shared_vocabulary():
    frame = tfidf_similarity({
        "AAA": "occupation settlements palestinian statehood jerusalem refugees",
        "BBB": "palestinian statehood occupation jerusalem settlements borders",
        "CCC": "climate adaptation finance emissions islands warming",
        "DDD": "emissions climate warming islands adaptation oceans"}, min_df=1)
    assert list(frame.index) == ["AAA", "BBB", "CCC", "DDD"]
    assert np.allclose(np.diag(frame), 1.0)
    assert frame.loc["AAA", "BBB"] > frame.loc["AAA", "CCC"]
    with pytest.raises(ValueError, match="at least 2 states"):
        tfidf_similarity({"AAA": "text"})


def test_mean_embedding_similarity_centred_and_not():
    vectors = np.array([[1, 0.1], [1, 0.0], [1, -0.1], [1, -0.2]], dtype=np.float32)
    keys = ["AAA", "AAA", "BBB", "BBB"]
    raw = mean_embedding_similarity(vectors, keys)
    centred = mean_embedding_similarity(vectors, keys, centre=True)
    assert raw.loc["AAA", "BBB"] > 0.9  # uncentred: every speech looks alike
    assert centred.loc["AAA", "BBB"] == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="rows for"):
        mean_embedding_similarity(vectors, keys[:3])


def test_same_group_prior():
    frame = same_group_prior(["AAA", "BBB", "CCC", "DDD"],
                             {"AAA": "G1", "BBB": "G1", "CCC": "G2"})
    assert frame.loc["AAA", "BBB"] == 1 and frame.loc["AAA", "CCC"] == 0
    assert np.isnan(frame.loc["AAA", "DDD"]) and frame.loc["DDD", "DDD"] == 1
