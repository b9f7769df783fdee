"""Every pair that can be scored is scored: real General Debate speeches (few taxonomy issues
each) get an alignment for at least 90 % of pairs, most on the semantic basis (issue 12)."""

import tarfile

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corpora.ungdc import ingest_ungdc
from pipelines.cli.app import app
from pipelines.settings import AnalysisConfig, PipelineConfig
from pipelines.store.storage import open_store

STATES = ["USA", "RUS", "CHN", "EST", "GBR", "FRA", "IRN", "KEN", "BRA", "IND"]
FOLDER = "Session 73 - 2018"
PARAGRAPHS = 12  # the opening of each speech: enough text, and fast to embed


@pytest.fixture(scope="module")
def ungdc_store(shared_data, tmp_path_factory, seeded_template):
    import shutil

    from pipelines.stages.analysis import run_analysis
    from pipelines.stages.text import annotate_segments, embed_new_segments, segment_new_statements

    archive = shared_data / "ungdc_2013-2024_no2017.tar.gz"
    if not archive.is_file():
        pytest.skip(f"{archive} not found")
    root = tmp_path_factory.mktemp("ungdc")
    corpus = root / "corpus" / FOLDER
    corpus.mkdir(parents=True)
    wanted = {f"{FOLDER}/{s}_73_2018.txt": s for s in STATES}
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.name in wanted:
                text = tar.extractfile(member).read().decode("utf-8", errors="replace")
                opening = [p for p in text.split("\n") if p.strip()][:PARAGRAPHS]
                (corpus / member.name.split("/")[-1]).write_text("\n\n".join(opening),
                                                                 encoding="utf-8")
    db = root / "ungdc.duckdb"
    shutil.copy(seeded_template, db)
    with open_store(db) as store:
        report = ingest_ungdc(root / "corpus", store, run_id="test-ungdc")
    assert report.ingested == len(STATES)
    config = PipelineConfig(analysis=AnalysisConfig(n_boot=20))
    segment_new_statements(str(db), config)
    embed_new_segments(str(db), config)
    annotate_segments(str(db), config)
    run_analysis(str(db), config)
    return db


def test_alignment_export_scores_at_least_90_percent_of_pairs(ungdc_store, tmp_path):
    out = tmp_path / "alignment.csv"
    result = CliRunner().invoke(app, ["export", "--db", str(ungdc_store), "--what",
                                      "alignment", "--out", str(out)])
    assert result.exit_code == 0, result.output
    matrix = pd.read_csv(out, index_col=0).drop(columns=["state_name"], errors="ignore")
    assert sorted(matrix.index) == sorted(STATES)
    values = matrix.to_numpy()
    off_diagonal = values[~np.eye(len(values), dtype=bool)]
    share = np.isfinite(off_diagonal).mean()
    assert share >= 0.9, f"only {share:.0%} of pairs scored"
    pairs = tmp_path / "pairs.csv"
    result = CliRunner().invoke(app, ["export", "--db", str(ungdc_store), "--what", "pairs",
                                      "--out", str(pairs)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(pairs)
    assert set(table["basis"]) <= {"issues", "semantic"} and (table["basis"] == "semantic").any()
    assert ((table["lo"] <= table["score"]) & (table["score"] <= table["hi"])).all()
