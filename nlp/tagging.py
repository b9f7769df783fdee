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
from collections.abc import Hashable, Sequence
from typing import TypeVar

import numpy as np
from sklearn.linear_model import LogisticRegression

from nlp.embeddings import Embedder
from nlp.errors import NotFittedError
from nlp.taxonomy import Taxonomy

G = TypeVar("G", bound=Hashable)
"""A group key (a session, a ``(forum, session)`` pair)."""


def keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str]:
    """Case-insensitive alternation of whole-word keyword phrases (longest first).

    A keyword ending in ``*`` matches as a prefix (``cyber*``: cybersecurity, cyberspace).
    """
    parts = sorted({re.escape(k.strip().rstrip("*")) + (r"\w*" if k.strip().endswith("*") else "")
                    for k in keywords if k.strip().rstrip("*")}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.I)


def domain_venues(has_cue: Sequence[bool] | np.ndarray, groups: Sequence[G], *,
                  min_share: float = 0.2) -> dict[G, bool]:
    """Per group, whether at least ``min_share`` of its texts carry a domain cue.

    A group (a session of a forum, a batch of texts) where that many texts speak of the field is
    a venue of the field (an OEWG session); in a General Debate session about one paragraph in
    forty uses the vocabulary.
    """
    if len(has_cue) != len(groups):
        raise ValueError(f"groups has {len(groups)} entries for {len(has_cue)} texts")
    if not 0 <= min_share <= 1:
        raise ValueError(f"min_share must be in [0, 1]; got {min_share}")
    totals: dict[G, list[int]] = {}
    for flag, group in zip(has_cue, groups, strict=True):
        counts = totals.setdefault(group, [0, 0])
        counts[0] += int(bool(flag))
        counts[1] += 1
    return {g: c[0] >= min_share * c[1] for g, c in totals.items()}


def domain_context(has_cue: Sequence[bool] | np.ndarray, groups: Sequence[Hashable], *,
                   min_share: float = 0.2) -> np.ndarray:
    """Which texts are in the taxonomy's domain: they have a domain cue, or their group is a
    venue of the field (:func:`domain_venues`). Shape ``(n,)`` bool."""
    venues = domain_venues(has_cue, groups, min_share=min_share)
    return np.asarray(has_cue, dtype=bool) | np.array([venues[g] for g in groups], dtype=bool)


class IssueTagger:
    """Score segments against every issue and tag those above a calibrated threshold.

    Args:
        keyword_weight: share of the score given to keyword evidence, in [0, 1).
        top_k: number of nearest seeds averaged into the similarity.
        min_threshold: lower bound for calibrated thresholds.
        beta: the F-beta calibrated on (beta > 1 favours recall).
        off_domain_factor: texts outside the taxonomy's domain (see :func:`domain_context`)
            are tagged only at this multiple of the threshold. 1.6 leaves 0.2 % (10) of the
            4,472 paragraphs without a domain cue in the 2014 General Debate (unlabelled, not
            a labelled year) with a tag, against 11.9 % at the plain threshold.
        issue_C: inverse regularisation of the issue classifier (:meth:`closest_issue`).

    Attributes (after :meth:`fit`):
        issue_ids_: issue ids, the column order of :meth:`score`.
        thresholds_: calibrated threshold per issue, shape ``(n_issues,)``.
        seed_fbeta_: leave-one-out F-beta on the seeds per issue.
    """

    def __init__(self, *, keyword_weight: float = 0.25, top_k: int = 3,
                 min_threshold: float = 0.3, beta: float = 2.0,
                 off_domain_factor: float = 1.6, issue_C: float = 4.0) -> None:
        self.keyword_weight = keyword_weight
        self.issue_C = issue_C
        self.top_k = top_k
        self.min_threshold = min_threshold
        self.beta = beta
        self.off_domain_factor = off_domain_factor

    def _validate(self) -> None:
        if not 0 <= self.keyword_weight < 1:
            raise ValueError(f"keyword_weight must be in [0, 1); got {self.keyword_weight}")
        if not isinstance(self.top_k, int) or self.top_k < 1:
            raise ValueError(f"top_k must be a positive integer; got {self.top_k!r}")
        if not 0 <= self.min_threshold < 1:
            raise ValueError(f"min_threshold must be in [0, 1); got {self.min_threshold}")
        if self.beta <= 0:
            raise ValueError(f"beta must be positive; got {self.beta}")
        if self.off_domain_factor < 1:
            raise ValueError(f"off_domain_factor must be at least 1; got {self.off_domain_factor}")
        if self.issue_C <= 0:
            raise ValueError(f"issue_C must be positive; got {self.issue_C}")

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
        self.domain_pattern_ = (keyword_pattern(taxonomy.domain_keywords)
                                if taxonomy.domain_keywords else None)
        self.anchor_patterns_ = [keyword_pattern(issue.anchors) if issue.anchors else None
                                 for issue in taxonomy.issues]
        scores = self._scores(flat, vectors, exclude_self=owner)
        self.issue_model_ = self._fit_issue_model(taxonomy, embedder, vectors, owner)
        self.thresholds_ = np.zeros(len(seeds))
        self.seed_fbeta_ = np.zeros(len(seeds))
        for i in range(len(seeds)):
            self.thresholds_[i], self.seed_fbeta_[i] = self._calibrate(scores[:, i], owner == i)
        return self

    def _fit_issue_model(self, taxonomy: Taxonomy, embedder: Embedder, vectors: np.ndarray,
                         owner: np.ndarray) -> LogisticRegression | None:
        off = list(taxonomy.off_topic)
        if off:  # "none of them": one class past the issues
            vectors = np.vstack([vectors, embedder.encode(off)])
            owner = np.concatenate([owner, np.full(len(off), len(taxonomy.issues))])
        if len(np.unique(owner)) < 2:
            return None
        return LogisticRegression(C=self.issue_C, max_iter=3000).fit(vectors, owner)

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

    def closest_issue(self, vectors: np.ndarray) -> np.ndarray:
        """The issue each text is most about, as a column of :meth:`score`; -1 for none of them.

        A multinomial logistic regression over every issue's seeds, plus the taxonomy's
        off-topic sentences as a class of their own. Unlike :meth:`score`, which says how close
        a text comes to one issue's seeds, this weighs the issues against each other (and
        against everything else a forum hears). Shape ``(n,)``.
        """
        if not hasattr(self, "thresholds_"):
            raise NotFittedError("IssueTagger is not fitted; call fit(taxonomy, embedder) first")
        if self.issue_model_ is None:  # a taxonomy of one issue and no off-topic sentences
            return np.zeros(vectors.shape[0], dtype=int)
        best = self.issue_model_.classes_[np.argmax(self.issue_model_.predict_proba(vectors), 1)]
        return np.where(best >= len(self.issue_ids_), -1, best).astype(int)

    def has_domain_cue(self, texts: Sequence[str]) -> np.ndarray:
        """Whether each text uses the taxonomy's domain vocabulary (all True without one)."""
        if not hasattr(self, "thresholds_"):
            raise NotFittedError("IssueTagger is not fitted; call fit(taxonomy, embedder) first")
        if self.domain_pattern_ is None:
            return np.ones(len(texts), dtype=bool)
        return np.array([bool(self.domain_pattern_.search(t)) for t in texts], dtype=bool)

    def names_issue(self, texts: Sequence[str]) -> np.ndarray:
        """Whether each text names each issue (its taxonomy ``anchors``), shape
        ``(len(texts), n_issues)`` bool; an issue without anchors counts as named by every text.

        Similarity says how close a text comes to an issue's seeds, which a paragraph on
        something else can do (crypto-asset theft for weapons programmes comes close to the
        law of armed conflict); a side on an issue has to come from a text that talks about it.
        """
        if not hasattr(self, "thresholds_"):
            raise NotFittedError("IssueTagger is not fitted; call fit(taxonomy, embedder) first")
        out = np.ones((len(texts), len(self.issue_ids_)), dtype=bool)
        for j, pattern in enumerate(self.anchor_patterns_):
            if pattern is not None:
                out[:, j] = [bool(pattern.search(t)) for t in texts]
        return out

    def tag(self, scores: np.ndarray, in_domain: Sequence[bool] | None = None
            ) -> list[list[str]]:
        """Issue ids at or above their threshold, per row, highest score first.

        Args:
            scores: output of :meth:`score`.
            in_domain: per row, whether the text is in the taxonomy's domain (see
                :func:`domain_context`); rows outside need ``off_domain_factor`` times the
                threshold. ``None`` treats every row as in domain.
        """
        if in_domain is not None and len(in_domain) != len(scores):
            raise ValueError(f"in_domain has {len(in_domain)} entries for {len(scores)} rows")
        tags = []
        for n, row in enumerate(scores):
            factor = 1.0 if in_domain is None or in_domain[n] else self.off_domain_factor
            hits = np.flatnonzero(row >= self.thresholds_ * factor)
            tags.append([self.issue_ids_[j] for j in hits[np.argsort(-row[hits])]])
        return tags
