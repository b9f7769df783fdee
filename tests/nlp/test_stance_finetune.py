"""The fine-tuning experiment's data and plumbing (benchmarks/stance_finetune.py): labels, SetFit
pairs, and the two encoders side by side. The training itself is measured, not tested here."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from benchmarks.stance_cv import seeds_only_taxonomy_data
from benchmarks.stance_finetune import (
    OFF_TOPIC,
    PairEmbedder,
    StanceOn,
    TaggerOn,
    contrastive_labels,
    setfit_pairs,
)
from nlp.taxonomy import parse_taxonomy


@pytest.fixture(scope="module")
def labelled():
    return contrastive_labels(parse_taxonomy(seeds_only_taxonomy_data()))


def test_labels_cover_sides_topics_and_off_topic(labelled):
    taxonomy = parse_taxonomy(seeds_only_taxonomy_data())
    labels = Counter(label for _, label in labelled)
    for issue in taxonomy.contested:
        assert {(issue.id, -1), (issue.id, 0), (issue.id, 1)} <= set(labels)
    assert all((i.id, None) in labels for i in taxonomy.issues if not i.contested)
    assert labels[OFF_TOPIC] == len(set(taxonomy.off_topic))
    assert len({text for text, _ in labelled}) == len(labelled)


def test_setfit_pairs_agree_with_labels_and_are_deterministic(labelled):
    pairs = setfit_pairs(labelled, per_text=2, seed=3)
    assert pairs == setfit_pairs(labelled, per_text=2, seed=3)
    assert pairs != setfit_pairs(labelled, per_text=2, seed=4)
    label = dict(labelled)
    assert all((label[a] == label[b]) == (target == 1.0) for a, b, target in pairs)
    assert len(pairs) == 4 * len(labelled)  # every label here has more than one text
    # the hard negatives: the other sides of the same contested issue
    hard = [(a, b) for a, b, t in pairs if t == 0.0 and isinstance(label[a], tuple)
            and label[a][1] is not None and label[b][0] == label[a][0]]
    contested = sum(isinstance(lab, tuple) and lab[1] is not None for _, lab in labelled)
    assert len(hard) >= contested


class _Fixed:
    def __init__(self, value: float, dimension: int = 3) -> None:
        self.value, self._dimension, self.model_key = value, dimension, f"fixed{value}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts):
        return np.full((len(texts), self._dimension), self.value, dtype=np.float32)


class _Recorder:
    """Stands in for a fitted tagger or stance model: returns the vectors it is given."""

    def __init__(self) -> None:
        self.issue_ids_ = ["x"]

    def score(self, texts, vectors):
        return vectors

    def closest_issue(self, vectors):
        return vectors

    def predict_proba(self, issue_id, vectors):
        return vectors


def test_each_model_reads_its_own_encoder():
    pair = PairEmbedder(_Fixed(1.0), _Fixed(2.0, dimension=2))
    vectors = pair.encode(["a", "b"])
    assert vectors.shape == (2, 5) and pair.dimension == 5
    tagger = TaggerOn(_Recorder(), slice(0, 3))
    stance = StanceOn(_Recorder(), slice(3, None))
    assert np.all(tagger.score(["a", "b"], vectors) == 1.0)
    assert np.all(tagger.closest_issue(vectors) == 1.0)
    assert np.all(stance.predict_proba("x", vectors) == 2.0)
    assert stance.issue_ids_ == ["x"]  # the rest is delegated
