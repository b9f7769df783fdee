"""Issue 14 items 6 and 7: ``fetch manifest`` isolates rows, bounds each download, refuses
redirects the manifest did not ask for, merges an existing metadata.csv, and writes cells that a
spreadsheet cannot run."""

from __future__ import annotations

import csv
import json
from urllib.parse import quote

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipelines.cli.app import app
from tests.local_http import LocalServer

HEADER = "url,state,forum,session,date,title\n"


def _row(url: str, title: str = "Statement") -> str:
    return f'"{url}",Chile,OEWG,OEWG-2024-8,2024-07-09,"{title}"\n'


@pytest.fixture(scope="module")
def servers():
    with LocalServer() as named, LocalServer() as other:
        yield named, other


def _fetch(manifest, dest, *flags):
    result = CliRunner().invoke(app, ["fetch", "manifest", str(manifest), "--dest", str(dest),
                                      "--json", "--retries", "0", "--rate-limit", "0",
                                      "--timeout", "5", "--deadline", "1", *flags])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_each_row_fails_alone_with_its_reason(servers, tmp_path):
    named, other = servers
    port = named.url("/").split(":")[2].split("/")[0]
    rows = {
        "good": _row(named.url("/docs/page.html"), "=cmd|' /C calc'!A0"),
        "malformed": _row("http://[::1/broken"),
        "loop": _row(named.url("/redirect-loop")),
        "gzip": _row(named.url("/bad-gzip.html")),
        "drip": _row(named.url("/drip.html")),
        "other_port": _row(named.url("/redirect?to=" + quote(other.url("/docs/page.html")))),
        "other_name": _row(named.url("/redirect?to=" + quote(
            f"http://localhost:{port}/docs/report.html"))),
        "same_host": _row(named.url("/redirect?to=/docs/report.html")),
    }
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(HEADER + "".join(rows.values()))
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "mine.txt").write_text("A statement the user put here by hand, on cyber norms.")
    (dest / "metadata.csv").write_text("file,state,forum,session,date\n"
                                       "mine.txt,Kenya,OEWG,OEWG-2024-8,2024-07-09\n")
    document = _fetch(manifest, dest)
    by_line = {r["line"]: r for r in document["results"]}
    outcome = dict(zip(rows, (by_line[n + 2] for n in range(len(rows))), strict=True))
    assert outcome["good"]["status"] == "downloaded"
    assert outcome["same_host"]["status"] == "downloaded"
    expected = {"malformed": "field 'url' is not a valid URL", "loop": "redirects",
                "gzip": "DecodingError",
                "drip": "deadline of 1 s", "other_port": "another host or port",
                "other_name": "another host or port"}
    for name, needle in expected.items():
        assert outcome[name]["status"] == "failed" and needle in outcome[name]["reason"], name
    assert other.state.paths() == []  # the unnamed server was never contacted
    assert (dest / "fetch_report.json").is_file()

    with (dest / "metadata.csv").open(newline="") as handle:
        written = {r["file"]: r for r in csv.DictReader(handle)}
    assert "mine.txt" in written  # merged, not replaced
    good_file = outcome["good"]["file"]
    assert written[good_file]["title"] == "'=cmd|' /C calc'!A0"

    # likeminded reads its own neutralised cells back as they were
    from corpora.metadata import read_metadata_csv

    titles = {r.file: r.fields["title"] for r in read_metadata_csv(dest / "metadata.csv",
                                                                     source="metadata.csv")}
    assert titles[good_file] == "=cmd|' /C calc'!A0"


def test_flags_allow_other_hosts_then_private_addresses(servers, tmp_path):
    named, other = servers
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(HEADER + _row(named.url("/redirect?to=" + quote(
        other.url("/docs/page.html")))))
    refused = _fetch(manifest, tmp_path / "a", "--allow-redirects")
    assert "private or loopback address" in refused["failures"][0]["reason"]
    allowed = _fetch(manifest, tmp_path / "b", "--allow-redirects", "--allow-private")
    assert allowed["downloaded"] == 1 and other.state.paths() == ["/docs/page.html"]


def test_every_csv_cell_a_spreadsheet_could_run_is_neutralised():
    from reports.exports import csv_safe, render_csv

    frame = pd.DataFrame({"text": ["=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain",
                                   "-"], "score": [-0.5, 1.0, -2.0, 0.0, 1.5, 2.5, 3.0, 4.0]})
    import io

    cells = list(csv.reader(io.StringIO(render_csv(frame).decode(), newline="")))[1:]
    assert all(c[0].startswith("'") for c in cells if c[0] != "plain")
    assert [c[1] for c in cells][:3] == ["-0.5", "1", "-2"]  # numbers stay numbers
    assert csv_safe(frame)["text"].tolist()[6] == "plain"
