"""A run killed with SIGKILL in the middle of embedding leaves a consistent store; the next run
resumes without duplicates and ends with the same results as an uninterrupted run."""

import os
import shutil
import signal
import subprocess
import sys

import numpy as np

from corpora.ingest import ingest_folder
from pipelines.settings import PipelineConfig
from pipelines.stages import annotate_segments, embed_new_segments, segment_new_statements
from pipelines.storage import open_store
from tests.pipelines.test_nlp_stages import SUBSET, make_corpus

KILLED_RUN = """
import sys
from pipelines.settings import PipelineConfig
from pipelines.stages import embed_new_segments

config = PipelineConfig()
config = config.model_copy(update={"embedding": config.embedding.model_copy(
    update={"chunk_size": 8})})

def progress(done, total):
    print(f"committed {done} of {total}", flush=True)

embed_new_segments(sys.argv[1], config, progress=progress)
print("finished", flush=True)
"""


def prepared(db, corpus):
    with open_store(db) as store:
        ingest_folder(corpus, store, run_id="r1")
    segment_new_statements(str(db), PipelineConfig())


def test_sigkill_during_embedding_then_resume(tmp_path, seeded_template, sample_dir):
    corpus = make_corpus(sample_dir / "oewg-2019-1", tmp_path / "corpus", SUBSET)
    killed, clean = tmp_path / "killed.duckdb", tmp_path / "clean.duckdb"
    shutil.copy(seeded_template, killed)
    prepared(killed, corpus)
    shutil.copy(killed, clean)

    proc = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(killed)],
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

    config = PipelineConfig()
    resumed = embed_new_segments(str(killed), config)
    assert 0 < resumed["new_embeddings"] <= total - 16
    assert resumed["unique_texts"] == total
    uninterrupted = embed_new_segments(str(clean), config)
    assert uninterrupted["new_embeddings"] == total

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
    assert first[["statement_id", "idx", "issue"]].equals(second[["statement_id", "idx", "issue"]])
    # chunking changes batch composition, which moves embeddings by ~1e-7 at most
    assert np.allclose(first["score"], second["score"], atol=1e-4)
    assert np.allclose(first["stance"].astype(float), second["stance"].astype(float),
                       atol=1e-4, equal_nan=True)
