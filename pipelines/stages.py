"""The NLP stages as plain functions over the store: segment, embed, annotate, topics.

Each takes the store path and the pipeline configuration, calls library code in ``nlp``, stores
the result and returns a small dict of counts (what the run records). The Prefect tasks in
:mod:`pipelines.flows` are one-line wrappers around them, so they are tested without Prefect.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from corpora.countries import country_name
from corpora.groups import default_groups
from corpora.store import Store
from nlp.embeddings import Embedder, EmbedderConfig, build_embedder
from nlp.language import detect_language
from nlp.segment import PROCEDURAL, segment_statements
from nlp.speakers import GroupDetector
from nlp.stance import StanceModel
from nlp.tagging import IssueTagger
from nlp.taxonomy import Taxonomy, load_taxonomy
from nlp.topics import NOISE, discover_topics
from pipelines.embedding_cache import StoreCachedEmbedder
from pipelines.settings import AnalysisConfig, EmbeddingConfig, PipelineConfig
from pipelines.storage import (
    execute_many,
    open_store,
    record_model,
    set_stage_state,
    vectors_from_arrow,
)

Progress = Callable[[int, int], None]


def _fingerprint(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


@functools.cache
def get_embedder(config: EmbeddingConfig) -> Embedder:
    """Build (once per process and configuration) the embedder a configuration names."""
    return build_embedder(EmbedderConfig(
        backend=config.backend, model=config.model, precision=config.precision,
        batch_size=config.batch_size, allow_download=config.allow_download))


@functools.cache
def get_taxonomy(path: str) -> Taxonomy:
    return load_taxonomy(path or None)


@functools.cache
def _group_detector() -> GroupDetector:
    aliases: dict[str, str] = {}
    for group in default_groups().groups.values():
        for name in (group.code, group.name, *group.aliases):
            aliases.setdefault(name, group.code)
    return GroupDetector(aliases)


# -- segmentation ----------------------------------------------------------------------------
def segment_new_statements(db: str, config: PipelineConfig) -> dict[str, int]:
    """Segment current statements not segmented yet; detect language and group references."""
    detector = _group_detector()
    marker = _fingerprint(config.segment.model_dump())
    with open_store(db) as store:
        rows = store.con.execute(
            "SELECT s.id, s.text, s.language FROM statements s LEFT JOIN statement_annotations a"
            " ON a.statement_id = s.id WHERE s.superseded_by IS NULL AND "
            "(a.statement_id IS NULL OR a.segment_config <> ?) ORDER BY s.id", [marker]).fetchall()
        if not rows:
            return {"statements": 0, "segments": 0, "procedural": 0}
        annotations = []
        items = []
        for sid, text, language in rows:
            detected = detect_language(text)
            reference = detector.detect(text)
            annotations.append([sid, detected, reference.on_behalf_of, reference.aligned_with])
            items.append((sid, text, language or detected or "en"))
        segments = segment_statements(items, max_chars=config.segment.max_chars)
        per_statement: dict[str, list[int]] = {}
        for seg in segments:
            counts = per_statement.setdefault(seg.statement_id, [0, 0])
            counts[0] += 1
            counts[1] += seg.kind == PROCEDURAL
        ids = [r[0] for r in rows]
        with store.transaction() as con:
            execute_many(con, "DELETE FROM segments WHERE statement_id = ?", [[i] for i in ids])
            execute_many(con, "DELETE FROM statement_annotations WHERE statement_id = ?",
                         [[i] for i in ids])
            execute_many(con, "INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [[s.statement_id, s.index, s.paragraph, s.kind, s.text,
                           s.n_sentences, s.text_hash] for s in segments])
            execute_many(con, "INSERT INTO statement_annotations VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [[*a, *per_statement.get(a[0], [0, 0]), marker] for a in annotations])
    return {"statements": len(rows), "segments": len(segments),
            "procedural": sum(c[1] for c in per_statement.values())}


# -- embeddings ------------------------------------------------------------------------------
def embed_new_segments(db: str, config: PipelineConfig,
                       progress: Progress | None = None) -> dict[str, Any]:
    """Embed substantive segments whose text has no vector for the configured model yet."""
    started = time.perf_counter()
    embedder = get_embedder(config.embedding)
    with open_store(db) as store:
        record_model(store, model_key=embedder.model_key, backend=config.embedding.backend,
                     model=config.embedding.model,
                     weights_sha256=getattr(embedder, "weights_sha256", ""),
                     precision=getattr(embedder, "precision", ""),
                     dimension=embedder.dimension)
        pending = store.con.execute(
            "SELECT DISTINCT g.text_hash, g.text FROM segments g JOIN statements s "
            "ON s.id = g.statement_id AND s.superseded_by IS NULL "
            "LEFT JOIN embeddings e ON e.text_hash = g.text_hash AND e.model_key = ? "
            "WHERE g.kind = 'substantive' AND e.text_hash IS NULL ORDER BY g.text_hash",
            [embedder.model_key]).fetchall()
        total = store.con.execute(
            "SELECT count(DISTINCT g.text_hash) FROM segments g JOIN statements s ON "
            "s.id = g.statement_id AND s.superseded_by IS NULL WHERE g.kind = 'substantive'"
        ).fetchall()[0][0]
        cached = StoreCachedEmbedder(embedder, store, chunk_size=config.embedding.chunk_size,
                                     progress=progress)
        cached.encode([text for _, text in pending])
    return {"model_key": embedder.model_key, "new_embeddings": cached.misses,
            "cached": int(total) - cached.misses, "unique_texts": int(total),
            "seconds": round(time.perf_counter() - started, 3)}


def load_segment_vectors(store: Store, model_key: str,
                         dimension: int) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Current substantive segments (with statement metadata) and their vectors, in order."""
    table = store.con.sql(
        "SELECT g.statement_id, g.idx, g.text, s.state, s.session, s.forum, s.date, e.vector "
        "FROM segments g JOIN statements s ON s.id = g.statement_id AND s.superseded_by IS NULL "
        "JOIN embeddings e ON e.text_hash = g.text_hash AND e.model_key = ? "
        "WHERE g.kind = 'substantive' ORDER BY g.statement_id, g.idx",
        params=[model_key]).to_arrow_table()
    vectors = vectors_from_arrow(table.column("vector"), dimension)
    rows = table.drop(["vector"]).to_pylist()
    return rows, vectors


# -- tagging and stance ----------------------------------------------------------------------
@functools.cache
def _fitted_models(analysis: AnalysisConfig, embedding: EmbeddingConfig,
                   db: str) -> tuple[IssueTagger, StanceModel]:
    taxonomy = get_taxonomy(analysis.taxonomy)
    with open_store(db) as store:
        seeds = StoreCachedEmbedder(get_embedder(embedding), store)
        tagger = IssueTagger(keyword_weight=analysis.keyword_weight).fit(taxonomy, seeds)
        stance = StanceModel(margin=analysis.stance_margin,
                             random_state=analysis.random_state).fit(taxonomy, seeds)
    return tagger, stance


def fitted_models(config: PipelineConfig, db: str) -> tuple[IssueTagger, StanceModel]:
    """Tagger and stance model for a configuration (seed vectors come from the store's cache)."""
    return _fitted_models(config.analysis, config.embedding, db)


def annotate_segments(db: str, config: PipelineConfig) -> dict[str, Any]:
    """Score every current segment against the taxonomy; store tags and stances."""
    embedder = get_embedder(config.embedding)
    tagger, stance_model = fitted_models(config, db)
    taxonomy = get_taxonomy(config.analysis.taxonomy)
    with open_store(db) as store:
        rows, vectors = load_segment_vectors(store, embedder.model_key, embedder.dimension)
        scores = tagger.score([r["text"] for r in rows], vectors)
        tags = tagger.tag(scores)
        column = {issue_id: j for j, issue_id in enumerate(tagger.issue_ids_)}
        stances: dict[str, np.ndarray] = {
            issue.id: stance_model.stance(issue.id, vectors) for issue in taxonomy.contested}
        records = []
        for n, (row, row_tags) in enumerate(zip(rows, tags, strict=True)):
            for issue_id in row_tags:
                value = stances[issue_id][n] if issue_id in stances else np.nan
                records.append([row["statement_id"], row["idx"], issue_id,
                                round(float(scores[n, column[issue_id]]), 6),
                                None if np.isnan(value) else round(float(value), 6)])
        with store.transaction() as con:
            con.execute("DELETE FROM segment_issues")
            execute_many(con, "INSERT INTO segment_issues VALUES (?, ?, ?, ?, ?)", records)
        details = {"segments": len(rows), "tagged_segments": sum(1 for t in tags if t),
                   "tags": len(records),
                   "with_stance": sum(1 for r in records if r[4] is not None),
                   "taxonomy": taxonomy.digest[:16], "model_key": embedder.model_key}
        set_stage_state(store, "annotate", _fingerprint(details, config.analysis.model_dump()),
                        details)
    return details


# -- topics ----------------------------------------------------------------------------------
def discover_corpus_topics(db: str, config: PipelineConfig) -> dict[str, Any]:
    """Cluster all current substantive segments into topics and store them."""
    embedder = get_embedder(config.embedding)
    analysis = config.analysis
    with open_store(db) as store:
        rows, vectors = load_segment_vectors(store, embedder.model_key, embedder.dimension)
        states = sorted({r["state"] for r in rows})
        names = [country_name(s) for s in states]
        result = discover_topics(
            [r["text"] for r in rows], vectors, method=analysis.topic_method,
            distance_threshold=analysis.topic_distance_threshold,
            min_cluster_size=analysis.topic_min_size, stop_words=names)
        with store.transaction() as con:
            con.execute("DELETE FROM topics")
            con.execute("DELETE FROM segment_topics")
            execute_many(con, "INSERT INTO topics VALUES (?, ?, ?, ?, ?, ?)", [
                [t.id, t.size, t.label, list(t.keywords), rows[t.representative]["statement_id"],
                 rows[t.representative]["idx"]] for t in result.topics])
            execute_many(con, "INSERT INTO segment_topics VALUES (?, ?, ?)", [
                [r["statement_id"], r["idx"], int(label)]
                for r, label in zip(rows, result.labels, strict=True) if label != NOISE])
    return {"topics": len(result.topics), "segments": len(rows),
            "noise": int(np.sum(result.labels == NOISE))}
