import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from pipelines.cli.app import app

COMMANDS = ["ingest", "run", "status", "analyze-text"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example: likeminded" in result.output


def test_usage_errors_exit_2():
    result = CliRunner().invoke(app, ["ingest"])
    assert result.exit_code == 2
    result = CliRunner().invoke(app, ["no-such-command"])
    assert result.exit_code == 2


def test_missing_folder_is_a_one_line_failure(tmp_path):
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "nope"), "--db",
                                      str(tmp_path / "x.duckdb")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"error: {tmp_path / 'nope'}: no such folder"]


def test_status_of_a_missing_store_fails_cleanly(tmp_path):
    result = CliRunner().invoke(app, ["status", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_ingest_then_status_in_process(prefect_harness, tmp_path, sample_bad_dir):
    db = tmp_path / "lm.duckdb"
    result = CliRunner().invoke(app, ["ingest", str(sample_bad_dir), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "quarantined 15" in result.output and "encrypted.pdf" in result.output
    result = CliRunner().invoke(app, ["status", "--db", str(db), "--json"])
    document = json.loads(result.stdout)
    assert document["statements"] == 6 and len(document["quarantine"]) == 15


def test_ingest_json_subprocess_prints_exactly_one_document(tmp_path, sample_bad_dir):
    """The real console script, in its own process with its own ephemeral Prefect server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["LIKEMINDED_DB"] = str(tmp_path / "env.duckdb")
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "ingest", str(sample_bad_dir), "--json"],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["seen"] == 22 and document["quarantined"] == 15
    assert {q["source"] for q in document["quarantine"]} >= {"junk.txt", "encrypted.pdf"}
    assert (tmp_path / "env.duckdb").exists()
