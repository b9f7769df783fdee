"""Issue 14 item 4: a statement can never poison the store.

A one-paragraph statement longer than spaCy's ``max_length`` used to be ingested and then make
every later run fail with E088. It is now segmented like any other; and any statement can be
retired (and brought back) from the command line.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from corpora.store import Store
from nlp.segment import segment_statement
from pipelines.cli.app import app
from tests.hostile.helpers import front_matter, ingest, reasons

HUGE = "States should protect critical infrastructure and share threat information " * 15_000


def test_a_paragraph_longer_than_spacy_max_length_is_segmented():
    assert len(HUGE) > 1_000_000
    segments = segment_statement("huge", HUGE, max_chars=1000)
    assert max(len(s.text) for s in segments) <= 1000
    assert sum(len(s.text) + 1 for s in segments) >= len(HUGE.strip())
    words = segment_statement("word", "x" * 1_200_000, max_chars=1000)
    assert max(len(s.text) for s in words) <= 1000


def test_retire_takes_a_statement_out_and_undo_brings_it_back(tmp_path, prefect_harness):
    from pipelines.settings import PipelineConfig
    from pipelines.stages.text import segment_new_statements

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "huge.txt").write_text(front_matter(HUGE))
    (folder / "fine.txt").write_text(front_matter("A small statement on capacity building "
                                                  "and confidence-building measures.",
                                                  state="Chile"))
    db = tmp_path / "lm.duckdb"
    code, document, stderr = ingest(folder, db)
    assert code == 0 and document["ingested"] == 2, stderr
    segmented = segment_new_statements(str(db), PipelineConfig())  # used to fail with E088
    assert segmented["statements"] == 2

    runner = CliRunner()
    result = runner.invoke(app, ["retire", "--file", "huge.txt", "--db", str(db), "--json",
                                 "--reason", "test"])
    assert result.exit_code == 0, result.output
    retired = json.loads(result.stdout)
    with Store(db, read_only=True) as store:
        assert [r["source"] for r in store.current_statements(columns=("source",))] == [
            "fine.txt"]
        assert store.retired_ids() == {retired["id"]}

    code, again, _ = ingest(folder, db)
    assert code == 0 and again["ingested"] == 0
    assert "was retired with 'likeminded retire'" in reasons(again)["huge.txt"]

    result = runner.invoke(app, ["retire", retired["id"][:12], "--undo", "--db", str(db)])
    assert result.exit_code == 0 and result.stdout.startswith("restored"), result.output
    with Store(db, read_only=True) as store:
        assert store.count_statements() == 2 and not store.retired_ids()


def test_retire_errors_are_one_line(tmp_path, prefect_harness):
    db = tmp_path / "lm.duckdb"
    Store(db).close()
    result = CliRunner().invoke(app, ["retire", "--db", str(db)])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    result = CliRunner().invoke(app, ["retire", "nosuchid1", "--db", str(db)])
    assert result.exit_code == 1 and "no statement matches 'nosuchid1'" in result.stderr
