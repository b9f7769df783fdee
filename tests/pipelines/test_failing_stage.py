"""A failing stage fails its flow run with a clear message and keeps what was already stored."""

import shutil

import pytest

from corpora.errors import InputError
from pipelines.flows.pipeline import update_flow
from pipelines.settings import PipelineConfig, VotesConfig
from pipelines.store.storage import open_store
from tests.pipelines.test_nlp_stages import make_corpus


def test_unreadable_votes_file_fails_the_run_but_keeps_the_store(
        tmp_path, sample_dir, seeded_template, prefect_harness):
    corpus = make_corpus(sample_dir / "oewg-2019-1", tmp_path / "corpus",
                         ["usa.txt", "rus.txt", "chn.txt", "gbr.txt"])
    db = tmp_path / "lm.duckdb"
    shutil.copy(seeded_template, db)
    bad = tmp_path / "votes.csv"
    bad.write_text("this,is,not\na,votes,file\n", encoding="utf-8")
    config = PipelineConfig(votes=VotesConfig(path=str(bad)))
    with pytest.raises(InputError, match=r"votes\.csv"):
        update_flow([str(corpus)], str(db), config)
    with open_store(db, read_only=True) as store:
        (run,) = store.runs()
        assert run["status"] == "failed" and "votes.csv" in run["message"]
        assert store.count_statements() == 4
        embedded = store.con.execute("SELECT count(*) FROM segments").fetchall()[0][0]
        positions = store.con.execute("SELECT count(*) FROM positions").fetchall()[0][0]
    assert embedded > 0 and positions > 0
