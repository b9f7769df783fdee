"""A run killed with SIGKILL in the middle of embedding leaves a consistent store; the next run
resumes without duplicates and ends with the same results as an uninterrupted run, bit for bit,
in fp32 and in bf16 (where the CPU has native bfloat16)."""

import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

from corpora.ingest import ingest_folder
from nlp.embeddings import cpu_supports_bf16, resolve_precision
from pipelines.settings import PipelineConfig
from pipelines.stages.text import annotate_segments, embed_new_segments, segment_new_statements
from pipelines.store.storage import open_store
from tests.pipelines.test_nlp_stages import SUBSET, make_corpus

KILLED_RUN = """
import sys
from pipelines.settings import PipelineConfig
from pipelines.stages.text import embed_new_segments

config = PipelineConfig()
config = config.model_copy(update={"embedding": config.embedding.model_copy(
    update={"chunk_size": 8, "precision": sys.argv[2]})})

def progress(done, total):
    print(f"committed {done} of {total}", flush=True)

embed_new_segments(sys.argv[1], config, progress=progress)
print("finished", flush=True)
"""


def prepared(db, corpus):
    with open_store(db) as store:
        ingest_folder(corpus, store, run_id="r1")
    segment_new_statements(str(db), PipelineConfig())


def with_precision(config: PipelineConfig, precision: str) -> PipelineConfig:
    return config.model_copy(update={"embedding": config.embedding.model_copy(
        update={"precision": precision})})


def stored_vectors(db) -> dict:
    with open_store(db, read_only=True) as store:
        rows = store.con.execute("SELECT model_key, text_hash, vector FROM embeddings").fetchall()
    return {(key, h): np.asarray(v, dtype=np.float32) for key, h, v in rows}


@pytest.mark.parametrize("precision", [
    "fp32",
    pytest.param("bf16", marks=pytest.mark.skipif(
        not cpu_supports_bf16(), reason="this CPU has no native bfloat16 (bf16 is emulated)")),
])
def test_sigkill_during_embedding_then_resume(tmp_path, seeded_template, sample_dir, precision):
    corpus = make_corpus(sample_dir / "oewg-2019-1", tmp_path / "corpus", SUBSET)
    killed, clean = tmp_path / "killed.duckdb", tmp_path / "clean.duckdb"
    shutil.copy(seeded_template, killed)
    prepared(killed, corpus)
    shutil.copy(killed, clean)

    proc = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(killed), precision],
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    lines = []
    try:
        while len(lines) < 2:
            line = proc.stdout.readline()
            assert line, "the embedding subprocess ended before committing two chunks"
            lines.append(line.strip())
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert lines[1].startswith("committed 16 of ")
    total = int(lines[1].split()[-1])

    config = with_precision(PipelineConfig(), precision)
    resumed = embed_new_segments(str(killed), config)
    assert 0 < resumed["new_embeddings"] <= total - 16
    assert resumed["unique_texts"] == total
    uninterrupted = embed_new_segments(str(clean), config)
    assert uninterrupted["new_embeddings"] == total

    # the resumed store was embedded in chunks of 8, then the rest in one go; the clean one all
    # at once: every vector must still be the same, bit for bit
    resumed_vectors, clean_vectors = stored_vectors(killed), stored_vectors(clean)
    assert resumed_vectors.keys() == clean_vectors.keys()
    assert all(np.array_equal(resumed_vectors[k], clean_vectors[k]) for k in clean_vectors)
    if precision != resolve_precision("auto"):
        return  # the seeded template caches the seeds at the default precision only
    results = []
    for db in (killed, clean):
        annotate_segments(str(db), config)
        with open_store(db, read_only=True) as store:
            duplicates = store.con.execute(
                "SELECT count(*) - count(DISTINCT (model_key, text_hash)) FROM embeddings"
            ).fetchall()[0][0]
            assert duplicates == 0
            results.append(store.con.execute(
                "SELECT statement_id, idx, issue, score, stance FROM segment_issues "
                "ORDER BY statement_id, idx, issue").df())
    first, second = results
    assert first.equals(second)
