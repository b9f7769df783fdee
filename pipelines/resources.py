"""The resources a configuration names, built once per process: the embedder and the taxonomy.

Outside the layers (like :mod:`pipelines.settings`), so every layer may use them. Building an
embedder loads no model: the model loads on first use.
"""

from __future__ import annotations

import functools
import threading

from nlp.embeddings import Embedder, EmbedderConfig, build_embedder
from nlp.taxonomy import Taxonomy, load_taxonomy
from pipelines.settings import EmbeddingConfig

_EMBEDDERS_LOCK = threading.Lock()


@functools.cache
def _cached_embedder(config: EmbeddingConfig) -> Embedder:
    return build_embedder(EmbedderConfig(
        backend=config.backend, model=config.model, precision=config.precision,
        batch_size=config.batch_size, allow_download=config.allow_download))


def get_embedder(config: EmbeddingConfig) -> Embedder:
    """Build (once per process and configuration, also across threads) the embedder a
    configuration names."""
    with _EMBEDDERS_LOCK:
        return _cached_embedder(config)


get_embedder.cache_info = _cached_embedder.cache_info  # type: ignore[attr-defined]
get_embedder.cache_clear = _cached_embedder.cache_clear  # type: ignore[attr-defined]


def load_model(config: EmbeddingConfig) -> None:
    """Load the configured embedding model now (torch, the weights), e.g. in a thread while
    Prefect starts; an error is left for the embedding stage to report."""
    try:
        embedder = get_embedder(config)
        getattr(embedder, "model", None)
    except Exception:
        return


@functools.cache
def get_taxonomy(path: str) -> Taxonomy:
    """The taxonomy at ``path`` (the packaged one when empty), loaded once per process."""
    return load_taxonomy(path or None)
