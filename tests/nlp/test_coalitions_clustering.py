"""Coalitions are clustered without importing scikit-learn (a quick ``coalitions`` query), with
the same labels and silhouettes as scikit-learn's average-linkage clustering."""

import numpy as np
import pandas as pd
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


def _camps_and_one_between() -> pd.DataFrame:
    """Two camps (like-minded inside, opposed across) and X, mildly closer to camp A."""
    states = ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "X"]
    camp = {s: s[0] for s in states}
    matrix = np.array([[1.0 if a == b else 0.8 if camp[a] == camp[b] else -0.6
                        for b in states] for a in states])
    x = states.index("X")
    matrix[x, :4] = matrix[:4, x] = 0.15
    matrix[x, 4:8] = matrix[4:8, x] = 0.05
    matrix[x, x] = 1.0
    return pd.DataFrame(matrix, index=states, columns=states)


def test_a_state_between_camps_belongs_to_no_coalition():
    from nlp.coalitions import compare_with_groups, find_coalitions

    frame = _camps_and_one_between()
    partition = find_coalitions(frame)
    assert partition.k == 2 and partition.attached.all() and partition.unattached() == []
    result = find_coalitions(frame, min_silhouette=0.25)
    # the clustering is the same; only membership changes
    np.testing.assert_array_equal(result.labels, partition.labels)
    np.testing.assert_array_equal(result.silhouette, partition.silhouette)
    x = result.states.index("X")
    assert result.silhouette[x] < 0.25 and not result.attached[x]
    assert sorted(map(sorted, result.members().values())) == [
        ["A1", "A2", "A3", "A4"], ["B1", "B2", "B3", "B4"]]
    assert "X" not in result.membership()
    (row,) = result.unattached()
    a = result.membership()["A1"]
    b = result.membership()["B1"]
    assert row["state"] == "X" and row["nearest"] == a
    assert row["alignment"] == {a: 0.15, b: 0.05}
    assert result.nearest(x) == (a, 0.15)
    # a group with X counts X against the share in its main coalition
    groups = compare_with_groups(result, {"G": ["A1", "A2", "X"]})
    assert groups.to_dict(orient="records") == [
        {"group": "G", "members_placed": 3, "main_coalition": a, "share_in_main": 0.6667}]
    assert find_coalitions(frame, min_silhouette=-1.0).attached.all()


def test_a_floor_above_every_silhouette_leaves_no_member():
    from nlp.coalitions import find_coalitions

    result = find_coalitions(_camps_and_one_between(), min_silhouette=1.0)
    assert result.members() == {} and len(result.unattached()) == 9
    assert all(row["nearest"] is None for row in result.unattached())
