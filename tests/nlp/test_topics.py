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


def test_spanish_and_french_function_words_are_not_keywords():
    labels = np.array([0, 0, 1, 1])
    words = class_tfidf_keywords(
        ["Los estados que apoyan las normas de la ciberseguridad",
         "Las normas de los estados sobre la ciberseguridad",
         "Les États et la souveraineté dans une convention des Nations",
         "Une convention sur la souveraineté des États dans le cyberespace"], labels)
    assert "ciberseguridad" in words[0] and "souveraineté" in words[1]
    assert not {"los", "las", "que", "des", "les", "une", "dans"} & set(words[0] + words[1])


def test_topic_shares_sum_to_one():
    shares = topic_shares(np.array([0, 0, 1, NOISE]), ["A", "A", "A", "B"])
    assert shares == {"A": {0: 2 / 3, 1: 1 / 3}}


def test_bad_parameters():
    texts, vectors = blobs()
    with pytest.raises(ValueError, match="method must be one of"):
        discover_topics(texts, vectors, method="kmeans")
    with pytest.raises(ValueError, match="rows for"):
        discover_topics(texts[:3], vectors)


def many_blobs(n, seed=0, k=12, dim=24):
    rng = np.random.default_rng(seed)
    centres = 4 * np.linalg.qr(rng.normal(size=(dim, dim)))[0][:k]  # orthogonal directions
    truth = rng.integers(0, k, size=n)
    points = centres[truth] + 0.6 * rng.normal(size=(n, dim))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32), truth


def peak_bytes(func, *args, **kwargs):
    import tracemalloc

    tracemalloc.start()
    try:
        result = func(*args, **kwargs)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_topic_memory_grows_linearly_and_sampling_finds_the_clusters():
    from sklearn.metrics import adjusted_rand_score

    small, truth_small = many_blobs(6000)
    large, truth_large = many_blobs(12000, seed=1)
    labels_small, peak_small = peak_bytes(cluster_embeddings, small, sample_size=800)
    labels_large, peak_large = peak_bytes(cluster_embeddings, large, sample_size=800)
    # all pairwise distances of 12,000 rows would be 576 MB; twice the rows, about twice the memory
    assert peak_large < 40e6 and peak_large / peak_small < 2.5
    for labels, truth in ((labels_small, truth_small), (labels_large, truth_large)):
        assert len(set(labels.tolist()) - {NOISE}) == 12
        assert adjusted_rand_score(truth, labels) > 0.95
    again = cluster_embeddings(large, sample_size=800)
    assert np.array_equal(again, labels_large)  # deterministic
    # on a size the full clustering still handles, the sampled one agrees with it
    full = cluster_embeddings(small[:2500], sample_size=None)
    assert adjusted_rand_score(full, cluster_embeddings(small[:2500], sample_size=800)) > 0.98


def test_below_the_sample_size_nothing_changes():
    _, vectors = blobs()
    assert np.array_equal(cluster_embeddings(vectors, min_cluster_size=5, sample_size=100),
                          cluster_embeddings(vectors, min_cluster_size=5, sample_size=None))
    with pytest.raises(ValueError, match="sample_size must be at least 100"):
        cluster_embeddings(vectors, sample_size=10)
