"""nlp.scaling: TF-IDF components centred per session, and closeness on them."""

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp.scaling import WORDS, scaled_similarity, scaled_text_positions

VOCABULARY = ["sanctions", "embargo", "peoples", "sovereignty", "development", "rules",
              "democracy", "treaty", "rights", "ukraine", "climate", "ocean", "islands"]


def corpus(n_states: int = 30, sessions: tuple[str, ...] = ("S1", "S2", "S3")):
    rng = np.random.default_rng(3)
    keys, texts = [], []
    for session in sessions:
        for i in range(n_states):
            lean = i % 3  # three camps with their own words, and noise
            words = [VOCABULARY[(lean * 4 + j) % len(VOCABULARY)] for j in range(4)]
            words += list(rng.choice(VOCABULARY, size=6))
            keys.append((session, f"S{i:02d}"))
            texts.append(" ".join(words * int(rng.integers(1, 4))))
    return keys, texts


def dense_reference(keys, texts, dims):
    """The same components from a dense, explicitly centred matrix (eigendecomposition)."""
    x = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=5, max_df=0.9,
                        token_pattern=WORDS).fit_transform(texts).toarray()
    sessions = np.array([s for s, _ in keys])
    for s in np.unique(sessions):
        x[sessions == s] -= x[sessions == s].mean(axis=0)
    values, vectors = np.linalg.eigh(x @ x.T)
    u = vectors[:, np.argsort(values)[::-1][:dims]]
    u = u * np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(dims)])
    return u * np.sqrt(len(texts) - 1)


def test_components_match_a_dense_centred_decomposition():
    keys, texts = corpus()
    coords = scaled_text_positions(keys, texts, dims=3)
    assert np.allclose(coords.to_numpy(), dense_reference(keys, texts, 3), atol=1e-6)
    # whitened: unit variance over the texts; centred: each session's mean is 0
    assert np.allclose((coords.to_numpy() ** 2).sum(axis=0), len(texts) - 1)
    assert np.allclose(coords.groupby(level="session").mean().to_numpy(), 0, atol=1e-9)
    # deterministic
    assert coords.equals(scaled_text_positions(keys, texts, dims=3))


def test_closeness_ranks_pairs_from_plus_one_to_minus_one():
    keys, texts = corpus()
    coords = scaled_text_positions(keys, texts, dims=2)
    whole = scaled_similarity(coords, ["S1", "S2"])
    values = whole.to_numpy()
    assert whole.index.tolist() == sorted({s for _, s in keys})
    assert np.allclose(values, values.T) and np.allclose(np.diag(values), 1.0)
    upper = values[np.triu_indices(len(values), k=1)]
    assert upper.max() == 1.0 and upper.min() == -1.0 and abs(upper.mean()) < 1e-9
    # states of one camp (same words) are closer than states of different camps
    same = [whole.iloc[i, j] for i in range(30) for j in range(i + 1, 30) if i % 3 == j % 3]
    other = [whole.iloc[i, j] for i in range(30) for j in range(i + 1, 30) if i % 3 != j % 3]
    assert np.mean(same) > np.mean(other) + 0.5
    assert scaled_similarity(coords, ["S9"]).empty


@pytest.mark.parametrize(("keys", "texts", "dims", "message"), [
    ([("S1", "A")], ["a b", "c d"], 1, "1 keys for 2 texts"),
    ([("S1", "A"), ("S1", "A")], ["sanctions", "treaty"], 1, "duplicate"),
    ([("S1", "A"), ("S1", "B")], ["sanctions", "treaty"], 2, "dims must be in [1, 1]"),
    ([("S1", "A"), ("S1", "B"), ("S1", "C")], ["the", "and", "of"], 1, "no vocabulary"),
])
def test_bad_input_is_a_clear_error(keys, texts, dims, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        scaled_text_positions(keys, texts, dims=dims)


def test_a_small_corpus_keeps_its_vocabulary():
    keys = [("S1", s) for s in "ABCD"]
    coords = scaled_text_positions(keys, ["sanctions embargo", "sanctions peoples",
                                          "rules treaty", "rules democracy"], dims=1)
    assert isinstance(coords, pd.DataFrame) and coords.shape == (4, 1)
    assert np.sign(coords.iloc[0, 0]) == np.sign(coords.iloc[1, 0]) != np.sign(coords.iloc[2, 0])


def test_the_implicit_decomposition_of_large_corpora_gives_the_same_components(monkeypatch):
    import nlp.scaling

    keys, texts = corpus()
    dense = scaled_text_positions(keys, texts, dims=3)
    monkeypatch.setattr(nlp.scaling, "DENSE_CELLS", 0)
    implicit = scaled_text_positions(keys, texts, dims=3)
    assert np.allclose(implicit.to_numpy(), dense.to_numpy(), atol=1e-6)
    assert implicit.equals(scaled_text_positions(keys, texts, dims=3))
