"""The connector commands, registered on the main app as pipelines.cli.app will do it."""

import codecs
import json
import shutil

import pytest
from typer.testing import CliRunner

from corpora.store import Store
from pipelines.cli.app import app
from pipelines.cli.connectors import register
from tests.local_http import VOTES_CSV, LocalServer, closed_port_url

register(app)  # idempotent: harmless once pipelines.cli.app registers the commands itself

FAST = ["--rate-limit", "0", "--retries", "1", "--backoff", "0.01", "--timeout", "5"]
COMMANDS = [["ingest-ungdc"], ["fetch", "votes"], ["fetch", "manifest"]]


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """Loopback requests must never go through a proxy configured in the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def server():
    with LocalServer() as running:
        yield running


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def one_line_error(result):
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0 and "Example: likeminded" in result.output


def test_register_is_idempotent():
    register(app)
    names = [c.name for c in app.registered_commands]
    assert names.count("ingest-ungdc") == 1
    assert [g.name for g in app.registered_groups].count("fetch") == 1


# -- fetch manifest -----------------------------------------------------------------------------
def write_manifest(path, server):
    path.write_text(
        "url,state,forum,session,date,title\n"
        f"{server.url('/docs/statement.pdf')},Kenya,OEWG,OEWG-2024-8,2024-07-09,Kenya\n"
        f"{server.url('/docs/page')},Chile,OEWG,OEWG-2024-8,2024-07-09,Chile\n"
        f"{server.url('/missing.pdf')},Peru,OEWG,OEWG-2024-8,2024-07-09,\n"
        f"{server.url('/docs/report.html')},CONSENSUS,OEWG,OEWG-2024-8,2024-07-12,APR\n",
        encoding="utf-8")
    return path


def test_fetch_manifest_json_then_ingest(prefect_harness, server, tmp_path):
    manifest = write_manifest(tmp_path / "oewg.csv", server)
    dest = tmp_path / "dest"
    result = invoke("fetch", "manifest", manifest, "--dest", dest, "--json", *FAST)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["rows"], document["downloaded"], document["cached"], document["failed"]) \
        == (4, 3, 0, 1)
    [failure] = document["failures"]
    assert failure["line"] == 4 and "HTTP 404" in failure["reason"]
    assert json.loads((dest / "fetch_report.json").read_text())["failed"] == 1

    again = invoke("fetch", "manifest", manifest, "--dest", dest, *FAST)
    assert again.exit_code == 0
    assert "downloaded 0, cached 3, failed 1" in again.stdout
    assert "likeminded ingest" in again.stdout

    db = tmp_path / "lm.duckdb"
    ingested = invoke("ingest", dest, "--db", db, "--json")
    assert ingested.exit_code == 0, ingested.output
    summary = json.loads(ingested.stdout)
    assert (summary["ingested"], summary["quarantined"]) == (3, 0)


def test_fetch_manifest_failures_are_one_line(tmp_path):
    error = one_line_error(invoke("fetch", "manifest", tmp_path / "none.csv"))
    assert error == f"error: {tmp_path / 'none.csv'}: no such manifest file"
    bad = tmp_path / "bad.csv"
    bad.write_text("link,state\n")
    assert "header lacks required column(s) url" in one_line_error(
        invoke("fetch", "manifest", bad, "--dest", tmp_path / "d"))
    offline = tmp_path / "offline.csv"
    offline.write_text(f"url,state,forum,session,date\n{closed_port_url()},Chile,OEWG,"
                       "OEWG-2024-8,2024-07-09\n")
    error = one_line_error(invoke("fetch", "manifest", offline, "--dest", tmp_path / "o", *FAST))
    assert error.startswith("error: offline: none of the 1 document(s) could be reached")


# -- fetch votes --------------------------------------------------------------------------------
def test_fetch_votes_json_and_cache(server, tmp_path):
    dest = tmp_path / "votes"
    result = invoke("fetch", "votes", "--url", server.url("/votes/record"), "--dest", dest,
                    "--json", *FAST)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["file"] == "2025_9_19_ga_voting.csv" and not document["cached"]
    assert (dest / document["file"]).read_bytes() == VOTES_CSV and document["warning"] == ""
    again = invoke("fetch", "votes", "--url", server.url("/votes/record"), "--dest", dest, *FAST)
    assert again.exit_code == 0 and again.stdout.startswith("already there:")


def test_fetch_votes_url_from_the_environment(server, tmp_path, monkeypatch):
    monkeypatch.setenv("LIKEMINDED_VOTES_URL", server.url("/votes/files/2024_1_5_ga_voting.csv"))
    result = invoke("fetch", "votes", "--dest", tmp_path, "--json", *FAST)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["file"] == "2024_1_5_ga_voting.csv"


def test_fetch_votes_offline_is_one_clear_line(tmp_path):
    error = one_line_error(invoke("fetch", "votes", "--url", closed_port_url("/record/4060887"),
                                  "--dest", tmp_path, *FAST))
    assert "offline" in error and "likeminded fetch votes --from-file FILE" in error


def test_fetch_votes_from_a_file_downloaded_by_hand(tmp_path):
    manual = tmp_path / "2025_9_19_ga_voting.csv"
    manual.write_bytes(VOTES_CSV)
    result = invoke("fetch", "votes", "--from-file", manual, "--dest", tmp_path / "v", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["url"].startswith("file://")


# -- ingest-ungdc -------------------------------------------------------------------------------
@pytest.fixture
def ungdc_tree(tmp_path):
    root = tmp_path / "ungdc"
    files = {
        "Session 72 - 2017/USA_72_2017.txt": codecs.BOM_UTF8 + b"The United States believes "
        b"that international law applies online. Thank you.",
        "Session 72 - 2017/EU_72_2017.txt": b"The European Union supports an open and secure "
        b"cyberspace for all.",
        "Session 73 - 2018/KEN_73_2018.txt": b"Kenya asks for capacity building and for "
        b"cooperation on critical infrastructure.",
        "Session 73 - 2018/KEN-73-2018.txt": b"A malformed name: the file is quarantined.",
    }
    for relative, data in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    return root


def test_ingest_ungdc_records_the_run_and_reads_the_zip(prefect_harness, ungdc_tree, tmp_path):
    db = tmp_path / "lm.duckdb"
    result = invoke("ingest-ungdc", ungdc_tree, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["seen"], summary["ingested"], summary["quarantined"]) == (4, 3, 1)
    assert "malformed file name" in summary["quarantine"][0]["reason"]
    assert summary["encodings"] == {"utf-8": 2, "utf-8-sig": 1}
    with Store(db, read_only=True) as store:
        [run] = store.runs()
        states = {r["state"] for r in store.current_statements()}
    assert run["kind"] == "ingest-ungdc" and run["status"] == "completed"
    assert run["counts"]["ingest"]["ingested"] == 3
    assert run["provenance"]["inputs"] and run["provenance"]["corpus_hash"]
    assert states == {"USA", "EU", "KEN"}

    archive = shutil.make_archive(str(tmp_path / "ungdc"), "zip", root_dir=ungdc_tree)
    again = invoke("ingest-ungdc", archive, "--db", db, "--years", "2017-2018")
    assert again.exit_code == 0, again.output
    assert "ingested 0" in again.stdout and "unchanged 3" in again.stdout


def test_ingest_ungdc_usage_failures(tmp_path, ungdc_tree):
    error = one_line_error(invoke("ingest-ungdc", tmp_path / "nope", "--db", tmp_path / "x.db"))
    assert error == f"error: {tmp_path / 'nope'}: no such folder or archive"
    error = one_line_error(invoke("ingest-ungdc", ungdc_tree, "--db", tmp_path / "x.db",
                                  "--years", "2023-2013"))
    assert "years: expected YYYY or YYYY-YYYY" in error
