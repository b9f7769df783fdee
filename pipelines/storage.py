"""Store access for the pipelines layer: open with every schema, move vectors in and out."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from corpora.store import Store
from pipelines.schema import SCHEMAS


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


def set_stage_state(store: Store, stage: str, fingerprint: str, details: dict[str, Any]) -> None:
    store.con.execute(
        "INSERT INTO analysis_state VALUES (?, ?, ?, ?) ON CONFLICT (stage) DO UPDATE SET "
        "fingerprint = excluded.fingerprint, updated_at = excluded.updated_at, "
        "details = excluded.details",
        [stage, fingerprint, dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
         json.dumps(details, sort_keys=True, default=str)])


def stage_state(store: Store, stage: str) -> tuple[str, dict[str, Any]] | None:
    rows = store.con.execute("SELECT fingerprint, details FROM analysis_state WHERE stage = ?",
                             [stage]).fetchall()
    return (rows[0][0], json.loads(rows[0][1])) if rows else None
