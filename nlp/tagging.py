"""Multi-label issue tagging: embedding similarity to seed sentences plus keyword evidence.

For a segment ``x`` and issue ``i``::

    similarity_i = mean of the top-k cosine similarities between x and the issue's seeds
    keywords_i   = min(1, keyword hits / 2)
    score_i      = (1 - keyword_weight) * similarity_i + keyword_weight * keywords_i

An issue is tagged when ``score_i`` reaches its threshold, calibrated per issue in :meth:`fit` by
leave-one-out scoring of the seed sentences (each issue's seeds are positives, other issues' seeds
negatives) and taking the threshold with the best F-beta, never below ``min_threshold``. Seeds are
written to be typical of their issue, so leave-one-out similarities run higher than on real
paragraphs; ``beta`` = 2 weights recall accordingly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from nlp.embeddings import Embedder
from nlp.errors import NotFittedError
from nlp.taxonomy import Taxonomy


def keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str]:
    """Case-insensitive alternation of whole-word keyword phrases (longest first)."""
    parts = sorted({re.escape(k.strip()) for k in keywords if k.strip()}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.I)


class IssueTagger:
    """Score segments against every issue and tag those above a calibrated threshold.

    Args:
        keyword_weight: share of the score given to keyword evidence, in [0, 1).
        top_k: number of nearest seeds averaged into the similarity.
        min_threshold: lower bound for calibrated thresholds.
        beta: the F-beta calibrated on (beta > 1 favours recall).

    Attributes (after :meth:`fit`):
        issue_ids_: issue ids, the column order of :meth:`score`.
        thresholds_: calibrated threshold per issue, shape ``(n_issues,)``.
        seed_fbeta_: leave-one-out F-beta on the seeds per issue.
    """

    def __init__(self, *, keyword_weight: float = 0.25, top_k: int = 3,
                 min_threshold: float = 0.3, beta: float = 2.0) -> None:
        self.keyword_weight = keyword_weight
        self.top_k = top_k
        self.min_threshold = min_threshold
        self.beta = beta

    def _validate(self) -> None:
        if not 0 <= self.keyword_weight < 1:
            raise ValueError(f"keyword_weight must be in [0, 1); got {self.keyword_weight}")
        if not isinstance(self.top_k, int) or self.top_k < 1:
            raise ValueError(f"top_k must be a positive integer; got {self.top_k!r}")
        if not 0 <= self.min_threshold < 1:
            raise ValueError(f"min_threshold must be in [0, 1); got {self.min_threshold}")
        if self.beta <= 0:
            raise ValueError(f"beta must be positive; got {self.beta}")

    def fit(self, taxonomy: Taxonomy, embedder: Embedder) -> IssueTagger:
        """Embed the seeds and calibrate a threshold per issue."""
        self._validate()
        self.issue_ids_ = taxonomy.ids
        seeds = [issue.topic_seeds() for issue in taxonomy.issues]
        flat = [s for group in seeds for s in group]
        owner = np.repeat(np.arange(len(seeds)), [len(g) for g in seeds])
        vectors = embedder.encode(flat)
        self.seed_vectors_ = [vectors[owner == i] for i in range(len(seeds))]
        self.patterns_ = [keyword_pattern(issue.keywords) for issue in taxonomy.issues]
        scores = self._scores(flat, vectors, exclude_self=owner)
        self.thresholds_ = np.zeros(len(seeds))
        self.seed_fbeta_ = np.zeros(len(seeds))
        for i in range(len(seeds)):
            self.thresholds_[i], self.seed_fbeta_[i] = self._calibrate(scores[:, i], owner == i)
        return self

    def _calibrate(self, scores: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
        best_t, best_f = self.min_threshold, -1.0
        b2 = self.beta**2
        for t in np.unique(np.round(scores, 4)):
            if t < self.min_threshold:
                continue
            predicted = scores >= t
            tp = np.sum(predicted & positive)
            f = (1 + b2) * tp / max(1, b2 * positive.sum() + predicted.sum())
            if f > best_f:
                best_t, best_f = float(t), float(f)
        return best_t, best_f

    def _scores(self, texts: Sequence[str], vectors: np.ndarray,
                exclude_self: np.ndarray | None = None) -> np.ndarray:
        n = len(texts)
        out = np.zeros((n, len(self.seed_vectors_)), dtype=np.float64)
        keyword_hits = np.array([[len(p.findall(t)) for p in self.patterns_] for t in texts],
                                dtype=np.float64).reshape(n, len(self.patterns_))
        offset = 0
        for i, seeds in enumerate(self.seed_vectors_):
            sims = vectors @ seeds.T
            if exclude_self is not None:  # leave-one-out: a seed may not match itself
                rows = np.flatnonzero(exclude_self == i)
                sims[rows, np.arange(len(rows))] = -1.0
            k = min(self.top_k, seeds.shape[0])
            top = -np.sort(-sims, axis=1)[:, :k]
            out[:, i] = top.mean(axis=1)
            offset += len(seeds)
        keywords = np.minimum(1.0, keyword_hits / 2.0)
        return (1 - self.keyword_weight) * out + self.keyword_weight * keywords

    def score(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Issue scores, shape ``(len(texts), n_issues)``, columns in :attr:`issue_ids_` order."""
        if not hasattr(self, "thresholds_"):
            raise NotFittedError("IssueTagger is not fitted; call fit(taxonomy, embedder) first")
        if vectors.shape[0] != len(texts):
            raise ValueError(f"vectors has {vectors.shape[0]} rows for {len(texts)} texts")
        return self._scores(texts, vectors)

    def tag(self, scores: np.ndarray) -> list[list[str]]:
        """Issue ids at or above their threshold, per row, highest score first."""
        tags = []
        for row in scores:
            hits = np.flatnonzero(row >= self.thresholds_)
            tags.append([self.issue_ids_[j] for j in hits[np.argsort(-row[hits])]])
        return tags
