"""Store access for the pipelines layer: open with every schema, move vectors in and out."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from corpora.store import Store
from pipelines.store.schema import SCHEMAS


def execute_many(con: duckdb.DuckDBPyConnection, sql: str, rows: Sequence[Any]) -> None:
    """``executemany`` that accepts no rows (DuckDB refuses an empty parameter list)."""
    if len(rows):
        con.executemany(sql, rows)


def open_store(db: str | Path, *, read_only: bool = False) -> Store:
    """Open the store with the corpora and analysis schemas migrated."""
    return Store(db, read_only=read_only, schemas=() if read_only else SCHEMAS)


def vectors_from_arrow(column: pa.ChunkedArray | pa.Array, dimension: int) -> np.ndarray:
    """A list<float> Arrow column of equal-length vectors as a float32 ``(n, dimension)`` array."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.array([], pa.list_(
            pa.float32()))
    flat = column.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    return flat.reshape(len(column), dimension)


def vectors_to_arrow(vectors: np.ndarray) -> pa.Array:
    """A float32 ``(n, d)`` array as an Arrow list<float> column."""
    n, d = vectors.shape
    offsets = pa.array(np.arange(0, (n + 1) * d, d, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(vectors.reshape(-1), pa.float32()))


def lookup_embeddings(store: Store, model_key: str, hashes: Sequence[str],
                      dimension: int) -> dict[str, np.ndarray]:
    """Cached vectors for ``hashes`` under ``model_key`` (missing ones are absent)."""
    if not hashes:
        return {}
    wanted = pa.table({"text_hash": pa.array(sorted(set(hashes)), pa.string())})
    store.con.register("wanted_hashes", wanted)
    try:
        table = store.con.sql(
            "SELECT e.text_hash, e.vector FROM embeddings e JOIN wanted_hashes w "
            "ON e.text_hash = w.text_hash WHERE e.model_key = ?",
            params=[model_key]).to_arrow_table()
    finally:
        store.con.unregister("wanted_hashes")
    vectors = vectors_from_arrow(table.column("vector"), dimension)
    return dict(zip(table.column("text_hash").to_pylist(), vectors, strict=True))


def save_embeddings(store: Store, model_key: str, hashes: Sequence[str],
                    vectors: np.ndarray) -> None:
    """Insert vectors (idempotent: existing keys are kept) in one transaction."""
    if not len(hashes):
        return
    table = pa.table({"model_key": pa.array([model_key] * len(hashes), pa.string()),
                      "text_hash": pa.array(list(hashes), pa.string()),
                      "vector": vectors_to_arrow(vectors)})
    with store.transaction() as con:
        con.register("new_embeddings", table)
        try:
            con.execute("INSERT INTO embeddings SELECT model_key, text_hash, vector "
                        "FROM new_embeddings ON CONFLICT DO NOTHING")
        finally:
            con.unregister("new_embeddings")


def record_model(store: Store, *, model_key: str, backend: str, model: str, weights_sha256: str,
                 precision: str, dimension: int) -> None:
    store.con.execute(
        "INSERT INTO models VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [model_key, backend, model, weights_sha256, precision, dimension,
         dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)])


def set_stage_state(store: Store, stage: str, fingerprint: str,
                    details: Mapping[str, Any]) -> None:
    store.con.execute(
        "INSERT INTO analysis_state VALUES (?, ?, ?, ?) ON CONFLICT (stage) DO UPDATE SET "
        "fingerprint = excluded.fingerprint, updated_at = excluded.updated_at, "
        "details = excluded.details",
        [stage, fingerprint, dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
         json.dumps(details, sort_keys=True, default=str)])


def save_run_timings(store: Store, rows: Sequence[Sequence[Any]]) -> None:
    """Replace a run's rows ``(run_id, position, step, seconds)`` in ``run_timings``."""
    if not rows:
        return
    store.con.execute("DELETE FROM run_timings WHERE run_id = ?", [rows[0][0]])
    execute_many(store.con, "INSERT INTO run_timings VALUES (?, ?, ?, ?)", rows)


def run_timings(store: Store, run_id: str) -> dict[str, float]:
    """Seconds of each step of a run (``startup``, the stages, ``total``), in order."""
    return dict(store.con.execute(
        "SELECT step, seconds FROM run_timings WHERE run_id = ? ORDER BY position",
        [run_id]).fetchall())


def stage_state(store: Store, stage: str) -> tuple[str, dict[str, Any]] | None:
    rows = store.con.execute("SELECT fingerprint, details FROM analysis_state WHERE stage = ?",
                             [stage]).fetchall()
    return (rows[0][0], json.loads(rows[0][1])) if rows else None


def annotation_coverage(store: Store) -> dict[str, dict[str, float | int]]:
    """Per language of the current statements: substantive segments, how many carry an issue tag
    and how many take a side on at least one issue, and those two as rates."""
    rows = store.con.execute(
        "SELECT coalesce(nullif(a.language_detected, ''), nullif(s.language, ''), 'unknown'), "
        "count(*), count(t.n_tags), count(*) FILTER (WHERE t.n_stance > 0) "
        "FROM segments g JOIN statements s ON s.id = g.statement_id AND s.superseded_by IS NULL "
        "LEFT JOIN statement_annotations a ON a.statement_id = g.statement_id "
        "LEFT JOIN (SELECT statement_id, idx, count(*) AS n_tags, count(stance) AS n_stance "
        "FROM segment_issues GROUP BY statement_id, idx) t "
        "ON t.statement_id = g.statement_id AND t.idx = g.idx "
        "WHERE g.kind = 'substantive' GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    return {lang: {"segments": n, "tagged": tagged, "with_stance": stance,
                   "tag_rate": round(tagged / n, 3) if n else 0.0,
                   "stance_rate": round(stance / n, 3) if n else 0.0}
            for lang, n, tagged, stance in rows}


def coverage_warnings(coverage: dict[str, dict[str, float | int]], *, reference: str = "en",
                      ratio: float = 0.5, min_segments: int = 5) -> list[str]:
    """Languages whose tag or stance rate is below ``ratio`` times the reference language's.

    The bundled taxonomy's seeds are English (with a few French and Spanish ones) and the
    default model is English-only, so other languages are analysed less: say so where it shows.
    """
    ref = coverage.get(reference)
    if not ref or not ref["segments"]:
        return []
    out = []
    for lang, row in coverage.items():
        if lang == reference or row["segments"] < min_segments:
            continue
        for key, what in (("tag_rate", "tagged with an issue"), ("stance_rate", "given a side")):
            if row[key] < ratio * float(ref[key]):
                out.append(f"{lang}: {row[key]:.0%} of {row['segments']} paragraphs {what}, "
                           f"against {float(ref[key]):.0%} in {reference}; analysis of {lang} "
                           "statements is incomplete")
    return out
