"""The resources a configuration names, built once per process: the embedder and the taxonomy.

Outside the layers (like :mod:`pipelines.settings`), so every layer may use them. Building an
embedder loads no model: the model loads on first use.
"""

from __future__ import annotations

import functools

from nlp.embeddings import Embedder, EmbedderConfig, build_embedder
from nlp.taxonomy import Taxonomy, load_taxonomy
from pipelines.settings import EmbeddingConfig


@functools.cache
def get_embedder(config: EmbeddingConfig) -> Embedder:
    """Build (once per process and configuration) the embedder a configuration names."""
    return build_embedder(EmbedderConfig(
        backend=config.backend, model=config.model, precision=config.precision,
        batch_size=config.batch_size, allow_download=config.allow_download))


@functools.cache
def get_taxonomy(path: str) -> Taxonomy:
    """The taxonomy at ``path`` (the packaged one when empty), loaded once per process."""
    return load_taxonomy(path or None)
