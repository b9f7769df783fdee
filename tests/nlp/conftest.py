"""The real packaged model, loaded once per test session, behind an in-memory cache."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.embeddings import build_embedder
from nlp.taxonomy import load_taxonomy


class MemoryCachedEmbedder:
    """Real embedder with a dict cache, so the seeds are encoded once per session."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.model_key = embedder.model_key
        self.dimension = embedder.dimension
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts):
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            self.cache.update(zip(missing, self.embedder.encode(missing), strict=True))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])


@pytest.fixture(scope="session")
def embedder():
    return MemoryCachedEmbedder(build_embedder())


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy()
