import numpy as np
import pytest

from nlp.topics import (
    NOISE,
    class_tfidf_keywords,
    cluster_embeddings,
    discover_topics,
    topic_shares,
)


def blobs(seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 16))
    points = np.vstack([c + 0.05 * rng.normal(size=(10, 16)) for c in centres])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    texts = (["ransomware hospitals health"] * 10 + ["undersea cables infrastructure"] * 10
             + ["gender women participation"] * 10)
    return texts, points.astype(np.float32)


@pytest.mark.parametrize("method", ["agglomerative", "hdbscan"])
def test_clusters_are_found_and_deterministic(method):
    texts, vectors = blobs()
    first = discover_topics(texts, vectors, method=method, min_cluster_size=5)
    second = discover_topics(texts, vectors, method=method, min_cluster_size=5)
    assert np.array_equal(first.labels, second.labels) and first.topics == second.topics
    assert len(first.topics) == 3
    assert {t.keywords[0] for t in first.topics} <= {"ransomware", "hospitals", "health",
                                                    "undersea", "cables", "infrastructure",
                                                    "gender", "women", "participation"}
    assert sorted(t.size for t in first.topics) == [10, 10, 10]


def test_small_clusters_become_noise_and_ids_follow_size():
    _, vectors = blobs()
    labels = cluster_embeddings(vectors[:25], min_cluster_size=6)
    assert (labels == NOISE).sum() == 5
    assert (labels == 0).sum() >= (labels == 1).sum()


def test_keywords_exclude_given_stop_words():
    labels = np.array([0, 0, 1, 1])
    words = class_tfidf_keywords(["Kenya ransomware", "Kenya hospitals", "cables", "cables"],
                                 labels, stop_words=["Kenya"])
    assert "kenya" not in words[0]


def test_topic_shares_sum_to_one():
    shares = topic_shares(np.array([0, 0, 1, NOISE]), ["A", "A", "A", "B"])
    assert shares == {"A": {0: 2 / 3, 1: 1 / 3}}


def test_bad_parameters():
    texts, vectors = blobs()
    with pytest.raises(ValueError, match="method must be one of"):
        discover_topics(texts, vectors, method="kmeans")
    with pytest.raises(ValueError, match="rows for"):
        discover_topics(texts[:3], vectors)
