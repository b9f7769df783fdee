"""Topic discovery: recurring themes, including those outside the taxonomy.

Segment embeddings are clustered (agglomerative with a cosine distance threshold, or scikit-learn
HDBSCAN; both deterministic for the same input order), and each cluster is labelled with its most
distinctive words by class-based TF-IDF: term frequency within the cluster, weighted by the log of
the average cluster size over the term's frequency across clusters.

Memory grows linearly with the corpus: agglomerative clustering needs all pairwise distances
(quadratic), so above ``sample_size`` segments only a fixed-size deterministic sample is
clustered and every other segment joins the cluster whose members it is closest to on average
(the average-linkage criterion: for unit vectors the mean cosine to a cluster's members is the dot
product with their unnormalised mean), or noise when that average distance is over the threshold;
the assignment runs in fixed-size blocks. The keyword counts stay sparse.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import sparse
from sklearn.cluster import HDBSCAN, AgglomerativeClustering
from sklearn.feature_extraction.text import CountVectorizer

METHODS = ("agglomerative", "hdbscan")
NOISE = -1

_EXTRA_STOP_WORDS = {
    "chair", "delegation", "state", "states", "also", "would", "like", "must", "should", "will",
    "including", "us", "we", "our", "country", "countries", "ensure", "important", "support",
    "mr", "madam", "thank", "united", "nations", "un", "work", "group", "need", "believe",
}


KEYWORDS_METHOD = "c-tf-idf/stop-words-5-languages"
"""How topic keywords are chosen; stored topics are relabelled when it changes."""


@cache
def other_languages_stop_words() -> frozenset[str]:
    """Stop words of the other UN languages that spaCy lists (Spanish, French, Russian, Arabic):
    without them a topic of Spanish paragraphs was labelled "que, las, los" and one of French
    paragraphs "des, les, une, dans". Chinese is not split into words by the keyword pattern."""
    from spacy.lang.ar.stop_words import STOP_WORDS as ARABIC
    from spacy.lang.es.stop_words import STOP_WORDS as SPANISH
    from spacy.lang.fr.stop_words import STOP_WORDS as FRENCH
    from spacy.lang.ru.stop_words import STOP_WORDS as RUSSIAN

    # "quelqu'un" is split into words as the keyword pattern splits it
    return frozenset(part for words in (SPANISH, FRENCH, RUSSIAN, ARABIC) for w in words
                     for part in re.findall(r"\w+", w.lower()))


@dataclass(frozen=True, slots=True)
class Topic:
    """A discovered topic: id, size, distinctive keywords and the most central segment."""

    id: int
    size: int
    keywords: tuple[str, ...]
    representative: int
    """Row index of the segment closest to the topic's centroid."""

    @property
    def label(self) -> str:
        return ", ".join(self.keywords[:4])


@dataclass(frozen=True, slots=True)
class TopicModelResult:
    """Topic assignment per segment (``-1`` for noise / too-small clusters) and the topics."""

    labels: np.ndarray
    topics: tuple[Topic, ...]


def _cluster(vectors: np.ndarray, method: str, distance_threshold: float,
             min_cluster_size: int) -> np.ndarray:
    if method == "agglomerative":
        return AgglomerativeClustering(n_clusters=None, distance_threshold=distance_threshold,
                                       metric="cosine", linkage="average").fit_predict(vectors)
    return HDBSCAN(min_cluster_size=min_cluster_size, metric="euclidean",
                   copy=True).fit_predict(vectors)


def _renumber(raw: np.ndarray, min_cluster_size: int) -> np.ndarray:
    """Clusters under ``min_cluster_size`` become noise; the rest are numbered by decreasing
    size (ties by first occurrence)."""
    labels = np.full(len(raw), NOISE, dtype=int)
    ids, first, counts = np.unique(raw[raw != NOISE], return_index=True, return_counts=True)
    keep = [(c, f, i) for i, f, c in zip(ids, first, counts, strict=True)
            if c >= min_cluster_size]
    for new, (_, _, old) in enumerate(sorted(keep, key=lambda t: (-t[0], t[1]))):
        labels[raw == old] = new
    return labels


def assign_to_clusters(vectors: np.ndarray, means: np.ndarray, *, max_distance: float,
                       block: int = 4096) -> np.ndarray:
    """Index of the closest cluster per row, ``-1`` where none is within ``max_distance``.

    Args:
        vectors: ``(n, d)`` L2-normalised vectors.
        means: ``(k, d)`` unnormalised mean vectors of the clusters' members, so ``1 - x @ m``
            is the average cosine distance of ``x`` to the members (average linkage).
        max_distance: largest average cosine distance to join a cluster.
        block: rows per product (memory stays ``block * k``).
    """
    out = np.full(vectors.shape[0], NOISE, dtype=int)
    if not len(means):
        return out
    for start in range(0, vectors.shape[0], block):
        sims = vectors[start:start + block] @ means.T
        best = np.argmax(sims, axis=1)
        close = 1.0 - sims[np.arange(len(best)), best] <= max_distance
        out[start:start + block] = np.where(close, best, NOISE)
    return out


def cluster_embeddings(vectors: np.ndarray, *, method: str = "agglomerative",
                       distance_threshold: float = 0.6, min_cluster_size: int = 8,
                       sample_size: int | None = 5000, random_state: int = 0) -> np.ndarray:
    """Cluster L2-normalised vectors ``(n, dim)``; returns labels ``(n,)``, ``-1`` for noise.

    Clusters smaller than ``min_cluster_size`` become noise; the remaining labels are renumbered
    by decreasing size (ties by first occurrence), so ids are stable for the same input. Above
    ``sample_size`` rows (``None``: never) a deterministic sample of that many rows, drawn with
    ``random_state``, is clustered and the others are assigned (see the module docstring).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if min_cluster_size < 2:
        raise ValueError(f"min_cluster_size must be at least 2; got {min_cluster_size}")
    if sample_size is not None and sample_size < 100:
        raise ValueError(f"sample_size must be at least 100 (or None); got {sample_size}")
    n = vectors.shape[0]
    if n < min_cluster_size:
        return np.full(n, NOISE, dtype=int)
    if sample_size is None or n <= sample_size:
        return _renumber(_cluster(vectors, method, distance_threshold, min_cluster_size),
                         min_cluster_size)
    rng = np.random.default_rng(random_state)
    sample = np.sort(rng.choice(n, size=sample_size, replace=False))
    # a cluster of the sample stands for about n / sample_size times as many segments
    sample_min = max(2, int(np.ceil(min_cluster_size * sample_size / n)))
    local = _renumber(_cluster(vectors[sample], method, distance_threshold, sample_min),
                      sample_min)
    k = int(local.max()) + 1 if (local != NOISE).any() else 0
    means = np.zeros((k, vectors.shape[1]), dtype=np.float64)
    np.add.at(means, local[local != NOISE], vectors[sample][local != NOISE].astype(np.float64))
    means /= np.maximum(np.bincount(local[local != NOISE], minlength=k), 1)[:, None]
    threshold = distance_threshold if method == "agglomerative" else 1.0
    raw = assign_to_clusters(vectors, means.astype(np.float32), max_distance=threshold)
    raw[sample] = local  # sampled rows keep the clustering's own answer
    return _renumber(raw, min_cluster_size)


def class_tfidf_keywords(texts: Sequence[str], labels: np.ndarray, *, top_n: int = 8,
                         stop_words: Sequence[str] = ()) -> dict[int, tuple[str, ...]]:
    """Distinctive words per cluster by class-based TF-IDF (noise excluded).

    ``stop_words`` adds to English stop words and diplomatic filler (e.g. country names, which
    the caller knows and which would otherwise label clusters by who spoke).
    """
    topic_ids = sorted(set(labels.tolist()) - {NOISE})
    if not topic_ids:
        return {}
    index = {tid: row for row, tid in enumerate(topic_ids)}
    documents: list[list[str]] = [[] for _ in topic_ids]
    for text, label in zip(texts, labels.tolist(), strict=True):
        if label != NOISE:
            documents[index[label]].append(text)
    stop = sorted(set(CountVectorizer(stop_words="english").get_stop_words()) | _EXTRA_STOP_WORDS
                  | other_languages_stop_words()
                  | {w.lower() for phrase in stop_words for w in re.findall(r"\w+", phrase)})
    vectorizer = CountVectorizer(stop_words=stop, ngram_range=(1, 2), min_df=1,
                                 token_pattern=r"(?u)\b[^\W\d_][\w-]{2,}\b")
    # sparse throughout: topics x vocabulary grows with both, dense it would not fit
    counts = sparse.csr_matrix(vectorizer.fit_transform(" ".join(d) for d in documents),
                               dtype=np.float64)
    vocabulary = np.array(vectorizer.get_feature_names_out())
    row_totals = np.maximum(np.asarray(counts.sum(axis=1)).ravel(), 1)
    average_size = counts.sum() / len(topic_ids)
    idf = np.log(1 + average_size / np.maximum(np.asarray(counts.sum(axis=0)).ravel(), 1))
    out = {}
    for row, tid in enumerate(topic_ids):
        start, end = counts.indptr[row], counts.indptr[row + 1]
        columns = counts.indices[start:end]
        weights = counts.data[start:end] / row_totals[row] * idf[columns]
        order = np.lexsort((vocabulary[columns], -weights))[:top_n]
        out[tid] = tuple(vocabulary[columns[order]].tolist())
    return out


def discover_topics(texts: Sequence[str], vectors: np.ndarray, *,
                    method: str = "agglomerative", distance_threshold: float = 0.6,
                    min_cluster_size: int = 8, top_n: int = 8,
                    stop_words: Sequence[str] = (), sample_size: int | None = 5000,
                    random_state: int = 0) -> TopicModelResult:
    """Cluster segments and label each cluster (see :func:`cluster_embeddings`).

    Args:
        texts: segment texts, length ``n``.
        vectors: L2-normalised embeddings ``(n, dim)`` in the same order.
        sample_size / random_state: see :func:`cluster_embeddings`.
    """
    if len(texts) != vectors.shape[0]:
        raise ValueError(f"vectors has {vectors.shape[0]} rows for {len(texts)} texts")
    labels = cluster_embeddings(vectors, method=method, distance_threshold=distance_threshold,
                                min_cluster_size=min_cluster_size, sample_size=sample_size,
                                random_state=random_state)
    keywords = class_tfidf_keywords(texts, labels, top_n=top_n, stop_words=stop_words)
    topics = []
    for tid, words in keywords.items():
        members = np.flatnonzero(labels == tid)
        centroid = vectors[members].mean(axis=0)
        representative = int(members[np.argmax(vectors[members] @ centroid)])
        topics.append(Topic(id=tid, size=len(members), keywords=words,
                            representative=representative))
    return TopicModelResult(labels=labels, topics=tuple(topics))


def topic_shares(labels: np.ndarray, keys: Sequence[str]) -> dict[str, dict[int, float]]:
    """Share of each topic among a key's non-noise segments (key = state, session, ...)."""
    totals: dict[str, dict[int, int]] = {}
    for key, label in zip(keys, labels.tolist(), strict=True):
        if label == NOISE:
            continue
        totals.setdefault(key, {})
        totals[key][label] = totals[key].get(label, 0) + 1
    return {key: {t: c / sum(counts.values()) for t, c in sorted(counts.items())}
            for key, counts in sorted(totals.items())}
