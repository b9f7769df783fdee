"""The scaling helpers of ``benchmarks/bench_gd_scaling.py`` (PCA, correspondence analysis,
distances, closeness to a camp) on small synthetic matrices."""

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA

from benchmarks.bench_gd_scaling import (
    _ca,
    _centre_per_session,
    _closeness,
    _pca,
    distance_alignment,
)


@pytest.mark.parametrize("shape", [(30, 8), (6, 40)])  # more rows than columns, and fewer
def test_pca_scores_match_scikit_learn_up_to_sign(shape):
    x = np.random.default_rng(0).normal(size=shape)
    x -= x.mean(axis=0)
    k = 3
    ours = _pca(x, k, whiten=False)
    reference = PCA(n_components=k, svd_solver="full").fit_transform(x)
    for j in range(k):
        assert np.allclose(np.abs(ours[:, j]), np.abs(reference[:, j]), atol=1e-8)
    white = _pca(x, k, whiten=True)
    assert np.allclose(white.std(axis=0, ddof=1), 1.0)
    assert np.allclose(white[:, 0] * ours[0, 0] / white[0, 0], ours[:, 0])  # same direction


def test_centring_is_per_session():
    index = pd.MultiIndex.from_tuples([("a", "X"), ("a", "Y"), ("b", "X"), ("b", "Z")],
                                      names=["session", "state"])
    frame = pd.DataFrame([[1.0, 0.0], [3.0, 2.0], [10.0, 10.0], [20.0, 30.0]], index=index)
    centred = _centre_per_session(frame)
    assert np.allclose(centred, [[-1, -1], [1, 1], [-5, -10], [5, 10]])


def test_correspondence_analysis_keeps_the_total_inertia():
    counts = np.random.default_rng(1).poisson(3.0, size=(7, 12)).astype(float) + 1
    total = counts.sum()
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / total
    inertia = ((counts - expected) ** 2 / expected).sum() / total  # chi-square / n
    principal = _ca(counts, 6, whiten=False)  # rank is at most min(7, 12) - 1 = 6
    masses = counts.sum(axis=1) / total
    assert (masses[:, None] * principal ** 2).sum() == pytest.approx(inertia, rel=1e-9)
    standard = _ca(counts, 6, whiten=True)  # standard coordinates: unit weighted variance
    assert np.allclose((masses[:, None] * standard ** 2).sum(axis=0), 1.0)


def test_distance_alignment_reads_only_the_first_k_components():
    coords = pd.DataFrame([[0.0, 0.0], [3.0, 100.0], [0.0, 4.0]], index=["A", "B", "C"])
    one = distance_alignment(coords, 1)
    assert one.loc["A", "B"] == -3.0 and one.loc["A", "C"] == 0.0 == one.loc["A", "A"]
    two = distance_alignment(coords, 2)
    assert two.loc["A", "C"] == pytest.approx(-4.0) and two.loc["B", "A"] == two.loc["A", "B"]


def test_closeness_leaves_a_camp_member_out_of_its_own_centroid():
    coords = pd.DataFrame([[0.0], [2.0], [10.0]], index=["W1", "W2", "R"])
    raw = -np.array([2.0, 2.0, 9.0])  # W1 to W2, W2 to W1, R to the centroid 1.0
    z = (raw - raw.mean()) / raw.std(ddof=1)
    assert np.allclose(_closeness(coords, 1, {"W1", "W2"}).to_numpy(), z)


def test_benchmarks_that_need_a_store_are_opt_in():
    """``make bench`` runs every ``bench_*.py`` but the opt-in ones; a script whose ``--db`` is
    required would fail it (``bench_gd_scaling`` did, until it was listed)."""
    import re

    from benchmarks.run_all import HERE, OPT_IN

    needs_store = {p.stem for p in HERE.glob("bench_*.py")
                   if re.search(r'"--db",\s*required=True', p.read_text(encoding="utf-8"))}
    assert needs_store and needs_store <= OPT_IN
    assert all((HERE / f"{name}.py").is_file() for name in OPT_IN)
