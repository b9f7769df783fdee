"""The command line's guarantees (issue 15, item 6): every error class ends in one line and a
known exit status; ``analyze-text`` writes nothing without ``--db``; local ingestion is never
retried."""

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from corpora.errors import FetchError, InputError, StoreLockedError, UnknownStateError
from nlp.errors import ModelLoadError, TaxonomyError, WeightsMismatchError
from pipelines.cli.app import app
from pipelines.cli.common import UserError, handle_errors

ROOT = Path(__file__).resolve().parents[2]

ERRORS = [
    (UserError("state: unknown 'ESTT'"), 1, "error: state: unknown 'ESTT'"),
    (InputError("a.txt: not UTF-8"), 1, "error: a.txt: not UTF-8"),
    (UnknownStateError("unknown state 'XX'"), 1, "error: unknown state 'XX'"),
    (StoreLockedError("store busy"), 1, "error: store busy"),
    (FetchError("https://x: HTTP 500"), 1, "error: https://x: HTTP 500"),
    (ModelLoadError("cannot load model 'm'"), 1, "error: cannot load model 'm'"),
    (WeightsMismatchError("weights differ"), 1, "error: weights differ"),
    (TaxonomyError("taxonomy.yaml: issue 'x' has no seeds"), 1,
     "error: taxonomy.yaml: issue 'x' has no seeds"),
    (duckdb.CatalogException("Table with name positions does not exist!"), 1,
     "error: the store holds no such table yet"),
    (duckdb.IOException("Could not set lock on file"), 1,
     "error: the store cannot be read or written (IOException"),
    (OSError(errno.ENOSPC, "No space left on device", "out.csv"), 1,
     "error: cannot access out.csv: No space left on device (disk full)"),
    (ValueError("bad"), 1, "error: unexpected ValueError: bad"),
    (KeyError("k"), 1, "error: unexpected KeyError"),
    (KeyboardInterrupt(), 130, "interrupted"),
]


@pytest.mark.parametrize(("error", "code", "line"), ERRORS,
                         ids=[type(e).__name__ for e, _, _ in ERRORS])
def test_every_error_class_is_one_line_and_an_exit_status(error, code, line, monkeypatch):
    monkeypatch.delenv("LIKEMINDED_DEBUG", raising=False)
    probe = typer.Typer()

    @probe.command()
    @handle_errors
    def fail() -> None:
        raise error

    result = CliRunner().invoke(probe, [])
    assert result.exit_code == code
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(line), result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_keep_exit_status_2():
    result = CliRunner().invoke(app, ["partners", "--top", "many"])
    assert result.exit_code == 2


def test_unknown_model_without_db_is_one_line_and_writes_nothing(tmp_path):
    """A model that cannot be loaded ends in one line and exit 1, and without --db no store
    (nor anything else) appears in the current folder."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1"}
    for name in ("LIKEMINDED_DB", "LIKEMINDED_MODEL", "LIKEMINDED_CONFIG", "LIKEMINDED_DEBUG"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "analyze-text", "--model", "no-such/model"],
        input="Ransomware attacks against hospitals must stop.\n", capture_output=True,
        text=True, cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: cannot load embedding model 'no-such/model'"), done.stderr
    assert list(tmp_path.iterdir()) == []


TAXONOMY = """
issues:
  - id: tea
    label: Tea or coffee
    kind: contested
    keywords: [tea]
    seeds: ["We discussed tea.", "Tea was on the agenda.", "Delegations mentioned tea."]
    poles:
      minus: {label: Coffee, seeds: ["Coffee please.", "We prefer coffee.", "Coffee is best."]}
      plus: {label: Tea, seeds: ["Tea please.", "We prefer tea.", "Tea is best."]}
      neutral: {seeds: ["Some drink tea.", "Tea exists."]}
  - id: water
    label: Water
    keywords: [water]
    seeds: ["Water matters.", "We discussed water.", "Water was raised."]
"""


def test_analyze_text_without_db_writes_nothing_and_matches_the_cached_run(tmp_path,
                                                                            monkeypatch):
    """Without --db nothing is written (no store in the current folder); the results are those
    of a run that caches its embeddings in a store (a small taxonomy keeps the fitting cheap)."""
    monkeypatch.delenv("LIKEMINDED_DB", raising=False)
    (tmp_path / "taxonomy.yaml").write_text(TAXONOMY, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"analysis:\n  taxonomy: {tmp_path / 'taxonomy.yaml'}\n", encoding="utf-8")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    text = "We prefer tea, and we discussed tea at length.\nWater matters to all of us.\n"
    without = CliRunner().invoke(app, ["analyze-text", "--config", str(config)], input=text)
    assert without.exit_code == 0, without.output
    assert list(work.iterdir()) == []
    store = tmp_path / "cache.duckdb"
    cached = CliRunner().invoke(app, ["analyze-text", "--config", str(config), "--db",
                                      str(store)], input=text)
    assert cached.exit_code == 0, cached.output
    assert store.exists()
    first = [json.loads(line) for line in without.stdout.splitlines()]
    second = [json.loads(line) for line in cached.stdout.splitlines()]
    assert len(first) == len(second) == 2
    assert "tea" in first[0]["tags"] and "water" in first[1]["tags"]
    for a, b in zip(first, second, strict=True):
        assert a["tags"] == b["tags"]
        assert a["issues"] == pytest.approx(b["issues"], abs=1e-4)
        assert a["stance"].keys() == b["stance"].keys()
        for issue, value in a["stance"].items():
            assert (value is None) == (b["stance"][issue] is None)
            if value is not None:
                assert value == pytest.approx(b["stance"][issue], abs=1e-4)


def test_local_ingestion_is_never_retried():
    from pipelines.flows.connectors import ingest_ungdc_task
    from pipelines.flows.pipeline import ingest_folder_task

    for task in (ingest_folder_task, ingest_ungdc_task):
        assert task.retries == 0, task.name
