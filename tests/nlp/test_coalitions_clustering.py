"""Coalitions are clustered without importing scikit-learn (a quick ``coalitions`` query), with
the same labels and silhouettes as scikit-learn's average-linkage clustering."""

import numpy as np
import pytest

from nlp.coalitions import _average_linkage, _cut, _distance, _silhouette


def _matrices():
    rng = np.random.default_rng(7)
    for n in (3, 5, 12, 40):
        points = rng.normal(size=(n, 4))
        yield np.linalg.norm(points[:, None] - points[None], axis=2)
        # ties: distances on a coarse grid, as alignments rounded in the store are
        coarse = np.round(rng.uniform(-1, 1, size=(n, n)), 1)
        yield _distance((coarse + coarse.T) / 2)


@pytest.mark.parametrize("distance", list(_matrices()), ids=lambda d: f"n{len(d)}")
def test_same_labels_and_silhouettes_as_scikit_learn(distance):
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_samples

    children = _average_linkage(distance)
    for k in range(2, min(9, len(distance))):
        expected = AgglomerativeClustering(n_clusters=k, metric="precomputed",
                                           linkage="average").fit_predict(distance)
        labels = _cut(children, k)
        np.testing.assert_array_equal(labels, expected)
        np.testing.assert_array_equal(_silhouette(distance, labels),
                                      silhouette_samples(distance, expected,
                                                         metric="precomputed"))
