"""The NLP stages as plain functions over the store: segment, embed, annotate, topics.

Each takes the store path and the pipeline configuration, calls library code in ``nlp``, stores
the result and returns a small dict of counts (what the run records). The Prefect tasks in
:mod:`pipelines.flows.pipeline` are one-line wrappers around them, so they are tested without
Prefect.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np
import pyarrow as pa

from corpora.countries import country_name
from corpora.groups import default_groups
from corpora.model import NATIONAL_FORUMS
from corpora.store import Store
from nlp.annotate import ANNOTATION_METHOD, annotate_texts
from nlp.capacity import CAPACITY, CAPACITY_VERSION, detect_capacity, is_joint_statement
from nlp.embeddings import Embedder, length_order
from nlp.language import detect_language
from nlp.segment import PROCEDURAL, SUBSTANTIVE, Segment, segment_statements
from nlp.speakers import DETECTOR_VERSION, GroupDetector, GroupReference
from nlp.stance import StanceModel
from nlp.tagging import IssueTagger, domain_venues
from nlp.topics import KEYWORDS_METHOD, NOISE, discover_topics
from pipelines.resources import get_embedder, get_taxonomy
from pipelines.settings import AnalysisConfig, EmbeddingConfig, PipelineConfig
from pipelines.stages.results import AnnotateCounts, EmbedCounts, SegmentCounts, TopicCounts
from pipelines.store.embedding_cache import StoreCachedEmbedder
from pipelines.store.storage import (
    annotation_coverage,
    execute_many,
    open_store,
    record_model,
    save_embeddings,
    set_stage_state,
    stage_state,
    vectors_from_arrow,
)

Progress = Callable[[int, int], None]


def _fingerprint(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _group_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for group in default_groups().groups.values():
        for name in (group.code, group.name, *group.aliases):
            aliases.setdefault(name, group.code)
    return aliases


@functools.cache
def _group_detector() -> GroupDetector:
    return GroupDetector(_group_aliases())


GROUPS_STAGE = "group_references"
"""``analysis_state`` row of the detector that found the stored group references."""


def _detector_fingerprint() -> str:
    return _fingerprint(DETECTOR_VERSION, sorted(_group_aliases().items()),
                        sorted(NATIONAL_FORUMS))


def _group_references(detector: GroupDetector, text: str, forum: str) -> GroupReference:
    """The groups a statement's opening names; in a national forum (the General Debate) it
    speaks for no group, whatever its opening says."""
    found = detector.detect(text)
    if forum in NATIONAL_FORUMS and found.on_behalf_of:
        return replace(found, on_behalf_of="")
    return found


def refresh_group_references(store: Store, detector: GroupDetector) -> int:
    """Detect again the group references of segmented statements when the detector or the group
    aliases changed since they were found (a fix such as "Viet Nam" no longer read as the
    Non-Aligned Movement reaches stored statements without segmenting them again). Returns the
    number of statements whose references changed."""
    marker = _detector_fingerprint()
    state = stage_state(store, GROUPS_STAGE)
    if state is not None and state[0] == marker:
        return 0
    rows = store.con.execute(
        "SELECT s.id, s.text, s.forum, a.on_behalf_detected, a.aligned_detected FROM statements s "
        "JOIN statement_annotations a ON a.statement_id = s.id "
        "WHERE s.superseded_by IS NULL ORDER BY s.id").fetchall()
    changed = []
    for sid, text, forum, on_behalf, aligned in rows:
        found = _group_references(detector, text, forum)
        if (found.on_behalf_of, found.aligned_with) != (on_behalf, aligned):
            changed.append([found.on_behalf_of, found.aligned_with, sid])
    with store.transaction() as con:
        execute_many(con, "UPDATE statement_annotations SET on_behalf_detected = ?, "
                     "aligned_detected = ? WHERE statement_id = ?", changed)
        set_stage_state(store, GROUPS_STAGE, marker, {
            "detector": DETECTOR_VERSION, "checked": len(rows), "changed": len(changed)})
    return len(changed)


# -- segmentation ----------------------------------------------------------------------------
def segment_new_statements(db: str, config: PipelineConfig) -> SegmentCounts:
    """Segment current statements not segmented yet; detect language and group references."""
    detector = _group_detector()
    marker = _fingerprint(config.segment.model_dump(), CAPACITY_VERSION)
    with open_store(db) as store:
        refresh_group_references(store, detector)
        rows = store.con.execute(
            "SELECT s.id, s.text, s.language, s.title, s.forum FROM statements s "
            "LEFT JOIN statement_annotations a"
            " ON a.statement_id = s.id WHERE s.superseded_by IS NULL AND "
            "(a.statement_id IS NULL OR a.segment_config <> ?) ORDER BY s.id", [marker]).fetchall()
        if not rows:
            return {"statements": 0, "segments": 0, "procedural": 0}
        annotations = []
        items = []
        for sid, text, language, _, forum in rows:
            detected = detect_language(text)
            reference = _group_references(detector, text, forum)
            annotations.append([sid, detected, reference.on_behalf_of, reference.aligned_with])
            items.append((sid, text, language or detected or "en"))
        segments, capacity = mark_capacity(
            segment_statements(items, max_chars=config.segment.max_chars))
        opening = {sid: " ".join(text.split("\n\n")[:3]) for sid, text, *_ in rows}
        joint = {sid: is_joint_statement(title or "", opening[sid]) for sid, _, _, title, _ in rows}
        per_statement: dict[str, list[int]] = {}
        for seg in segments:
            counts = per_statement.setdefault(seg.statement_id, [0, 0])
            counts[0] += 1
            counts[1] += seg.kind == PROCEDURAL
        ids = [r[0] for r in rows]
        with store.transaction() as con:
            execute_many(con, "DELETE FROM segments WHERE statement_id = ?", [[i] for i in ids])
            for table in ("statement_annotations", "annotated_statements", "segment_issues"):
                execute_many(con, f"DELETE FROM {table} WHERE statement_id = ?",
                             [[i] for i in ids])
            execute_many(con, "INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [[s.statement_id, s.index, s.paragraph, s.kind, s.text,
                           s.n_sentences, s.text_hash] for s in segments])
            execute_many(con, "INSERT INTO statement_annotations VALUES "
                         "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [[*a, *per_statement.get(a[0], [0, 0]), marker, capacity.get(a[0], ""),
                           joint[a[0]]] for a in annotations])
    return {"statements": len(rows), "segments": len(segments),
            "procedural": sum(c[1] for c in per_statement.values())}


OPENING_SEGMENTS = 3
"""Segments of a statement's opening: an office declared there covers the whole statement."""


def mark_capacity(segments: list[Segment]) -> tuple[list[Segment], dict[str, str]]:
    """Mark what is said as Chair, facilitator or presidency (kind ``capacity``).

    A segment spoken in such an office is marked; when the opening declares it for the speaker
    ("in my capacity as Chair"), every substantive segment of the statement is, and the
    statement's office is returned.

    Returns:
        The segments (marked ones with kind ``capacity``) and statement id -> office.
    """
    offices: dict[str, str] = {}
    found: dict[tuple[str, int], str] = {}
    for seg in segments:
        office = detect_capacity(seg.text)
        if office:
            found[seg.statement_id, seg.index] = office
            declared = detect_capacity(seg.text, declarations_only=True)
            if declared and seg.index < OPENING_SEGMENTS:
                offices.setdefault(seg.statement_id, declared)
    marked = [replace(seg, kind=CAPACITY) if seg.kind == SUBSTANTIVE and (
        seg.statement_id in offices or (seg.statement_id, seg.index) in found) else seg
        for seg in segments]
    return marked, offices


# -- embeddings ------------------------------------------------------------------------------
@dataclass(frozen=True)
class EmbeddingPlan:
    """The texts still to embed, in chunks, under one model.

    Chunks are fixed by the pending texts (shortest first, ties by text hash) and
    ``chunk_size`` alone, so every runner, local or distributed, encodes exactly the same
    batches and stores bitwise identical vectors.
    """

    model_key: str
    chunks: list[tuple[list[str], list[str]]]  # (text hashes, texts)
    unique_texts: int

    @property
    def pending(self) -> int:
        return sum(len(hashes) for hashes, _ in self.chunks)


def plan_embedding(db: str, config: PipelineConfig) -> EmbeddingPlan:
    """Record the model and list the substantive segment texts with no vector for it yet."""
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
    # shortest first: each chunk's texts share a few length buckets (nlp.embeddings)
    pending = [pending[i] for i in length_order(embedder, [t for _, t in pending])]
    size = config.embedding.chunk_size
    chunks = [([h for h, _ in pending[i:i + size]], [t for _, t in pending[i:i + size]])
              for i in range(0, len(pending), size)]
    return EmbeddingPlan(embedder.model_key, chunks, int(total))


def encode_texts(texts: list[str], embedding: EmbeddingConfig) -> np.ndarray:
    """Vectors ``(len(texts), d)`` for one chunk; needs no store (runs on any worker)."""
    return get_embedder(embedding).encode(texts)


def store_embeddings(db: str, model_key: str, hashes: list[str], vectors: np.ndarray) -> int:
    """Save one chunk's vectors in one transaction; returns how many were given."""
    with open_store(db) as store:
        save_embeddings(store, model_key, hashes, vectors)
    return len(hashes)


def embedding_counts(plan: EmbeddingPlan, started: float) -> EmbedCounts:
    return {"model_key": plan.model_key, "new_embeddings": plan.pending,
            "cached": plan.unique_texts - plan.pending, "unique_texts": plan.unique_texts,
            "chunks": len(plan.chunks), "seconds": round(time.perf_counter() - started, 3)}


def embed_new_segments(db: str, config: PipelineConfig,
                       progress: Progress | None = None) -> EmbedCounts:
    """Embed substantive segments whose text has no vector for the configured model yet.

    Each chunk is committed before the next is encoded, so an interrupted run keeps what it
    finished and the next run resumes from there.
    """
    started = time.perf_counter()
    plan = plan_embedding(db, config)
    done = 0
    for hashes, texts in plan.chunks:
        done += store_embeddings(db, plan.model_key, hashes,
                                 encode_texts(texts, config.embedding))
        if progress is not None:
            progress(done, plan.pending)
    return embedding_counts(plan, started)


def load_segment_vectors(store: Store, model_key: str, dimension: int, *,
                         statements: list[str] | None = None,
                         ) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Current substantive segments (with statement metadata) and their vectors, in order.

    ``statements`` restricts them to those statement ids.
    """
    where = ""
    if statements is not None:
        store.con.register("wanted_statements", pa.table(
            {"id": pa.array(sorted(set(statements)), pa.string())}))
        where = " AND g.statement_id IN (SELECT id FROM wanted_statements)"
    try:
        table = store.con.sql(
            "SELECT g.statement_id, g.idx, g.text, s.state, s.session, s.forum, s.date, "
            "coalesce(nullif(a.language_detected, ''), nullif(s.language, ''), 'en') "
            "AS language, e.vector FROM segments g JOIN statements s ON "
            "s.id = g.statement_id AND s.superseded_by IS NULL LEFT JOIN statement_annotations a "
            "ON a.statement_id = g.statement_id "
            "JOIN embeddings e ON e.text_hash = g.text_hash AND "
            f"e.model_key = ? WHERE g.kind = 'substantive'{where} "
            "ORDER BY g.statement_id, g.idx", params=[model_key]).to_arrow_table()
    finally:
        if statements is not None:
            store.con.unregister("wanted_statements")
    vectors = vectors_from_arrow(table.column("vector"), dimension)
    rows = table.drop(["vector"]).to_pylist()
    return rows, vectors


# -- tagging and stance ----------------------------------------------------------------------
@functools.cache
def _fitted_models(analysis: AnalysisConfig, embedding: EmbeddingConfig,
                   db: str | None) -> tuple[IssueTagger, StanceModel]:
    taxonomy = get_taxonomy(analysis.taxonomy)
    with contextlib.ExitStack() as stack:
        seeds: Embedder | StoreCachedEmbedder = get_embedder(embedding)
        if db is not None:
            seeds = StoreCachedEmbedder(seeds, stack.enter_context(open_store(db)))
        tagger = IssueTagger(keyword_weight=analysis.keyword_weight,
                             off_domain_factor=analysis.off_domain_factor).fit(taxonomy, seeds)
        stance = StanceModel(margin=analysis.stance_margin,
                             single_margin=analysis.single_clause_margin,
                             random_state=analysis.random_state).fit(taxonomy, seeds)
    return tagger, stance


def fitted_models(config: PipelineConfig,
                  db: str | None) -> tuple[IssueTagger, StanceModel]:
    """Tagger and stance model for a configuration (seed vectors come from the store's cache;
    with ``db=None`` they are encoded and nothing is written)."""
    return _fitted_models(config.analysis, config.embedding, db)


def annotation_marker(config: PipelineConfig) -> str:
    """Fingerprint of everything tags and stances depend on except the texts themselves."""
    embedder = get_embedder(config.embedding)
    taxonomy = get_taxonomy(config.analysis.taxonomy)
    a = config.analysis
    return _fingerprint(embedder.model_key, taxonomy.digest, ANNOTATION_METHOD,
                        a.keyword_weight, a.stance_margin, a.random_state, a.off_domain_factor,
                        a.min_domain_share, a.stance_relevance,
                        a.clause_relevance, a.issue_focus_floor, a.off_topic_gate,
                        a.named_clause_relevance, a.single_clause_margin)


def _domain_venues(con: Any, tagger: IssueTagger, min_share: float) -> dict[tuple[str, str], bool]:
    """Per (forum, session): whether enough of its current paragraphs use the domain vocabulary."""
    rows = con.execute(
        "SELECT s.forum, s.session, g.text FROM segments g JOIN statements s ON "
        "s.id = g.statement_id AND s.superseded_by IS NULL WHERE g.kind = 'substantive'"
    ).fetchall()
    return domain_venues(tagger.has_domain_cue([r[2] for r in rows]),
                         [(r[0], r[1]) for r in rows], min_share=min_share)


def annotate_segments(db: str, config: PipelineConfig) -> AnnotateCounts:
    """Score segments against the taxonomy; store tags and stances.

    Incremental: a segment's tags depend on its text, the fitted models and whether its
    session is a venue of the taxonomy's field (:func:`nlp.tagging.domain_context`), so only
    current statements not yet annotated under the same model, taxonomy, settings and venue flag
    are scored; tags of superseded statements are dropped. Changing any of those re-annotates.
    """
    embedder = get_embedder(config.embedding)
    taxonomy = get_taxonomy(config.analysis.taxonomy)
    analysis = config.analysis
    marker = annotation_marker(config)
    tagger, stance_model = fitted_models(config, db)
    with open_store(db) as store, store.transaction() as con:
        venues = _domain_venues(con, tagger, analysis.min_domain_share)
        current = store.current_statements(columns=("id", "forum", "session"))
        expected = {row["id"]: _fingerprint(marker, venues.get((row["forum"], row["session"]),
                                                               False))
                    for row in current}
        stored = dict(con.execute(
            "SELECT statement_id, fingerprint FROM annotated_statements").fetchall())
        # forget annotations made under other settings or of statements no longer current
        stale = sorted(sid for sid, fp in stored.items() if expected.get(sid) != fp)
        execute_many(con, "DELETE FROM segment_issues WHERE statement_id = ?",
                     [[sid] for sid in stale])
        execute_many(con, "DELETE FROM annotated_statements WHERE statement_id = ?",
                     [[sid] for sid in stale])
        con.execute("DELETE FROM segment_issues WHERE statement_id NOT IN "
                    "(SELECT statement_id FROM annotated_statements)")
        fresh = {sid for sid, fp in stored.items() if expected.get(sid) == fp}
        pending = sorted(sid for sid in expected if sid not in fresh)
    records: list[list[Any]] = []
    rows: list[dict[str, Any]] = []
    notes: list[Any] = []
    clauses: StoreCachedEmbedder | None = None
    if pending:
        with open_store(db) as store:
            rows, vectors = load_segment_vectors(store, embedder.model_key, embedder.dimension,
                                                 statements=pending)
            if rows:
                clauses = StoreCachedEmbedder(embedder, store)
                notes = annotate_texts(
                    [r["text"] for r in rows], vectors, tagger=tagger,
                    stance_model=stance_model, embedder=clauses,
                    languages=[r["language"] for r in rows],
                    venue=[venues.get((r["forum"], r["session"]), False) for r in rows],
                    stance_relevance=analysis.stance_relevance,
                    clause_relevance=analysis.clause_relevance,
                    named_relevance=analysis.named_clause_relevance,
                    focus_floor=analysis.issue_focus_floor,
                    off_topic_gate=analysis.off_topic_gate)
        column = {issue_id: j for j, issue_id in enumerate(tagger.issue_ids_)}
        for row, note in zip(rows, notes, strict=True):
            for issue_id in note.tags:
                reading = note.stances.get(issue_id)
                value = None if reading is None or reading.stance is None else reading.stance
                records.append([row["statement_id"], row["idx"], issue_id,
                                round(note.scores[column[issue_id]], 6),
                                None if value is None else round(float(value), 6)])
    with open_store(db) as store:
        with store.transaction() as con:
            execute_many(con, "INSERT INTO segment_issues VALUES (?, ?, ?, ?, ?)", records)
            execute_many(con, "INSERT INTO annotated_statements VALUES (?, ?)",
                         [[sid, expected[sid]] for sid in pending])
        totals = store.con.execute(
            "SELECT count(*), count(DISTINCT (statement_id, idx)), count(stance) "
            "FROM segment_issues").fetchall()[0]
        details: AnnotateCounts = {"statements": len(pending), "segments": len(rows),
                   "tagged_segments": sum(1 for n in notes if n.tags), "tags": len(records),
                   "with_stance": sum(1 for r in records if r[4] is not None),
                   "total_tags": int(totals[0]), "total_tagged_segments": int(totals[1]),
                   "total_with_stance": int(totals[2]),
                   "by_language": annotation_coverage(store),
                   "taxonomy": taxonomy.digest[:16], "taxonomy_name": taxonomy.name,
                   "model_key": embedder.model_key,
                   # the clauses read for stance: embedded now (and the time it took), or found
                   "clauses_embedded": clauses.misses if clauses else 0,
                   "clauses_cached": clauses.hits if clauses else 0,
                   "clause_encode_seconds": round(clauses.seconds, 3) if clauses else 0.0}
        set_stage_state(store, "annotate", marker, details)
    return details


# -- topics ----------------------------------------------------------------------------------
def discover_corpus_topics(db: str, config: PipelineConfig) -> TopicCounts:
    """Cluster all current substantive segments into topics and store them.

    Topics depend on every segment, so they are recomputed whenever the set of segments (or the
    model, or the topic settings) changed, and kept as they are otherwise.
    """
    embedder = get_embedder(config.embedding)
    analysis = config.analysis
    with open_store(db) as store:
        segment_digest = store.con.execute(
            "SELECT count(*), coalesce(bit_xor(hash(g.statement_id, g.idx, g.text_hash)), 0) "
            "FROM segments g JOIN statements s ON s.id = g.statement_id AND "
            "s.superseded_by IS NULL WHERE g.kind = 'substantive'").fetchall()[0]
        marker = _fingerprint(embedder.model_key, [int(v) for v in segment_digest],
                              analysis.topic_method, analysis.topic_distance_threshold,
                              analysis.topic_min_size, analysis.topic_sample_size,
                              analysis.random_state, KEYWORDS_METHOD)
        state = stage_state(store, "topics")
        if state is not None and state[0] == marker:
            return cast(TopicCounts, {**state[1], "skipped": "segments unchanged"})
        rows, vectors = load_segment_vectors(store, embedder.model_key, embedder.dimension)
        states = sorted({r["state"] for r in rows})
        names = [country_name(s) for s in states]
        result = discover_topics(
            [r["text"] for r in rows], vectors, method=analysis.topic_method,
            distance_threshold=analysis.topic_distance_threshold,
            min_cluster_size=analysis.topic_min_size, stop_words=names,
            sample_size=analysis.topic_sample_size, random_state=analysis.random_state)
        with store.transaction() as con:
            con.execute("DELETE FROM topics")
            con.execute("DELETE FROM segment_topics")
            execute_many(con, "INSERT INTO topics VALUES (?, ?, ?, ?, ?, ?)", [
                [t.id, t.size, t.label, list(t.keywords), rows[t.representative]["statement_id"],
                 rows[t.representative]["idx"]] for t in result.topics])
            execute_many(con, "INSERT INTO segment_topics VALUES (?, ?, ?)", [
                [r["statement_id"], r["idx"], int(label)]
                for r, label in zip(rows, result.labels, strict=True) if label != NOISE])
        details: TopicCounts = {"topics": len(result.topics), "segments": len(rows),
                   "noise": int(np.sum(result.labels == NOISE))}
        set_stage_state(store, "topics", marker, details)
    return details
