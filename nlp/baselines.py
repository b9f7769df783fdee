"""Simple state x state similarities that any text alignment should beat.

* :func:`tfidf_similarity`: cosine of TF-IDF vectors of each state's whole text;
* :func:`mean_embedding_similarity`: cosine of the mean of each state's segment embeddings;
* :func:`same_group_prior`: 1 for two states in the same group (e.g. UN regional group), else 0.

Each returns a square DataFrame indexed by state on both axes with 1 on the diagonal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

WORDS = r"(?u)\b[^\W\d_]{3,}\b"
"""What counts as a word in the TF-IDF measures: letters only, three or more."""


def _square(states: Sequence[str], matrix: np.ndarray) -> pd.DataFrame:
    index = pd.Index(list(states), name="state")
    frame = pd.DataFrame(matrix, index=index, columns=index.copy())
    values = frame.to_numpy(copy=True)
    np.fill_diagonal(values, 1.0)
    return pd.DataFrame(values, index=index, columns=index.copy())


def tfidf_similarity(texts: Mapping[str, str], *, min_df: int = 2,
                     max_df: float = 0.9) -> pd.DataFrame:
    """Cosine similarity of sublinear TF-IDF vectors (English stop words removed).

    Args:
        texts: state -> its text (e.g. the speech of one session).
        min_df / max_df: vocabulary bounds passed to scikit-learn.

    Raises:
        ValueError: fewer than two states.
    """
    if len(texts) < 2:
        raise ValueError(f"tfidf_similarity: need at least 2 states; got {len(texts)}")
    states = sorted(texts)
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=min_df,
                                 max_df=max_df, token_pattern=WORDS)
    matrix = vectorizer.fit_transform([texts[s] for s in states])  # rows are L2-normalised
    return _square(states, (matrix @ matrix.T).toarray())


def mean_embedding_similarity(vectors: np.ndarray, keys: Sequence[str], *,
                              centre: bool = False) -> pd.DataFrame:
    """Cosine of each key's mean vector.

    Args:
        vectors: ``(n, d)`` segment embeddings.
        keys: ``n`` states, one per row.
        centre: subtract the mean over states before the cosine (then 0 means "as typical as
            anyone"; the uncentred cosine of sentence embeddings is high for any two speeches).
    """
    if vectors.shape[0] != len(keys):
        raise ValueError(f"vectors has {vectors.shape[0]} rows for {len(keys)} keys")
    states, inverse = np.unique(np.asarray(keys, dtype=object), return_inverse=True)
    sums = np.zeros((len(states), vectors.shape[1]))
    np.add.at(sums, inverse, vectors.astype(np.float64))
    means = sums / np.bincount(inverse, minlength=len(states))[:, None]
    if centre:
        means = means - means.mean(axis=0)
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    unit = means / np.where(norms > 1e-12, norms, 1.0)
    return _square([str(s) for s in states], unit @ unit.T)


def same_group_prior(states: Sequence[str], group_of: Mapping[str, str]) -> pd.DataFrame:
    """1 where two states share a group, 0 where both have different groups, NaN otherwise."""
    states = sorted(set(states))
    labels = np.array([group_of.get(s, "") for s in states], dtype=object)
    known = labels != ""
    same = (labels[:, None] == labels[None, :]).astype(float)
    same[~(known[:, None] & known[None, :])] = np.nan
    return _square(states, same)
