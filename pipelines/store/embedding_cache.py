"""An embedder that looks in the store first: identical texts are embedded once per model."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from corpora.store import Store
from nlp.embeddings import Embedder, length_order
from nlp.segment import text_hash
from pipelines.store.storage import lookup_embeddings, save_embeddings


class StoreCachedEmbedder:
    """Wrap an :class:`~nlp.embeddings.Embedder` with the store's ``embeddings`` table.

    Only texts whose hash has no vector under the model key are encoded, shortest first
    (:func:`~nlp.embeddings.length_order`), in one call per chunk of ``chunk_size`` texts; each
    chunk is committed before the next starts, so an
    interrupted run keeps what it finished. Counters ``hits`` and ``misses`` count texts,
    ``seconds`` the time spent encoding.
    """

    def __init__(self, embedder: Embedder, store: Store, *, chunk_size: int = 1024,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.embedder = embedder
        self.store = store
        self.chunk_size = chunk_size
        self.progress = progress
        self.model_key = embedder.model_key
        self.dimension = embedder.dimension
        self.hits = 0
        self.misses = 0
        self.seconds = 0.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts`` ``(n, dimension)``, from the cache where possible."""
        hashes = [text_hash(t) for t in texts]
        cached = lookup_embeddings(self.store, self.model_key, hashes, self.dimension)
        missing: dict[str, str] = {}
        for h, t in zip(hashes, texts, strict=True):
            if h not in cached and h not in missing:
                missing[h] = t
        self.hits += len(texts) - sum(1 for h in hashes if h in missing)
        self.misses += len(missing)
        items = list(missing.items())
        # shortest first: each chunk's texts share a few length buckets (vectors unchanged)
        items = [items[i] for i in length_order(self.embedder, [t for _, t in items])]
        for start in range(0, len(items), self.chunk_size):
            chunk = items[start:start + self.chunk_size]
            started = time.perf_counter()
            vectors = self.embedder.encode([t for _, t in chunk])
            self.seconds += time.perf_counter() - started
            save_embeddings(self.store, self.model_key, [h for h, _ in chunk], vectors)
            cached.update(zip((h for h, _ in chunk), vectors, strict=True))
            if self.progress is not None:
                self.progress(min(start + self.chunk_size, len(items)), len(items))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([cached[h] for h in hashes]).astype(np.float32, copy=False)
