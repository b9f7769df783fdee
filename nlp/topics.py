"""Topic discovery: recurring themes, including those outside the taxonomy.

Segment embeddings are clustered (agglomerative with a cosine distance threshold, or scikit-learn
HDBSCAN; both deterministic for the same input order), and each cluster is labelled with its most
distinctive words by class-based TF-IDF: term frequency within the cluster, weighted by the log of
the average cluster size over the term's frequency across clusters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import HDBSCAN, AgglomerativeClustering
from sklearn.feature_extraction.text import CountVectorizer

METHODS = ("agglomerative", "hdbscan")
NOISE = -1

_EXTRA_STOP_WORDS = {
    "chair", "delegation", "state", "states", "also", "would", "like", "must", "should", "will",
    "including", "us", "we", "our", "country", "countries", "ensure", "important", "support",
    "mr", "madam", "thank", "united", "nations", "un", "work", "group", "need", "believe",
}


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


def cluster_embeddings(vectors: np.ndarray, *, method: str = "agglomerative",
                       distance_threshold: float = 0.6, min_cluster_size: int = 8) -> np.ndarray:
    """Cluster L2-normalised vectors ``(n, dim)``; returns labels ``(n,)``, ``-1`` for noise.

    Clusters smaller than ``min_cluster_size`` become noise; the remaining labels are renumbered
    by decreasing size (ties by first occurrence), so ids are stable for the same input.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if min_cluster_size < 2:
        raise ValueError(f"min_cluster_size must be at least 2; got {min_cluster_size}")
    n = vectors.shape[0]
    if n < min_cluster_size:
        return np.full(n, NOISE, dtype=int)
    if method == "agglomerative":
        raw = AgglomerativeClustering(n_clusters=None, distance_threshold=distance_threshold,
                                      metric="cosine", linkage="average").fit_predict(vectors)
    else:
        raw = HDBSCAN(min_cluster_size=min_cluster_size, metric="euclidean",
                      copy=True).fit_predict(vectors)
    labels = np.full(n, NOISE, dtype=int)
    ids, first, counts = np.unique(raw[raw != NOISE], return_index=True, return_counts=True)
    keep = [(c, f, i) for i, f, c in zip(ids, first, counts, strict=True)
            if c >= min_cluster_size]
    for new, (_, _, old) in enumerate(sorted(keep, key=lambda t: (-t[0], t[1]))):
        labels[raw == old] = new
    return labels


def class_tfidf_keywords(texts: Sequence[str], labels: np.ndarray, *, top_n: int = 8,
                         stop_words: Sequence[str] = ()) -> dict[int, tuple[str, ...]]:
    """Distinctive words per cluster by class-based TF-IDF (noise excluded).

    ``stop_words`` adds to English stop words and diplomatic filler (e.g. country names, which
    the caller knows and which would otherwise label clusters by who spoke).
    """
    topic_ids = sorted(set(labels.tolist()) - {NOISE})
    if not topic_ids:
        return {}
    documents = [" ".join(t for t, lab in zip(texts, labels, strict=True) if lab == tid)
                 for tid in topic_ids]
    stop = sorted(set(CountVectorizer(stop_words="english").get_stop_words()) | _EXTRA_STOP_WORDS
                  | {w.lower() for phrase in stop_words for w in re.findall(r"\w+", phrase)})
    vectorizer = CountVectorizer(stop_words=stop, ngram_range=(1, 2), min_df=1,
                                 token_pattern=r"(?u)\b[^\W\d_][\w-]{2,}\b")
    counts = vectorizer.fit_transform(documents).toarray().astype(float)
    vocabulary = np.array(vectorizer.get_feature_names_out())
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    average_size = counts.sum() / len(topic_ids)
    idf = np.log(1 + average_size / np.maximum(counts.sum(axis=0), 1))
    weights = tf * idf
    out = {}
    for row, tid in enumerate(topic_ids):
        order = np.lexsort((vocabulary, -weights[row]))[:top_n]
        out[tid] = tuple(vocabulary[order].tolist())
    return out


def discover_topics(texts: Sequence[str], vectors: np.ndarray, *,
                    method: str = "agglomerative", distance_threshold: float = 0.6,
                    min_cluster_size: int = 8, top_n: int = 8,
                    stop_words: Sequence[str] = ()) -> TopicModelResult:
    """Cluster segments and label each cluster (see :func:`cluster_embeddings`).

    Args:
        texts: segment texts, length ``n``.
        vectors: L2-normalised embeddings ``(n, dim)`` in the same order.
    """
    if len(texts) != vectors.shape[0]:
        raise ValueError(f"vectors has {vectors.shape[0]} rows for {len(texts)} texts")
    labels = cluster_embeddings(vectors, method=method, distance_threshold=distance_threshold,
                                min_cluster_size=min_cluster_size)
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
