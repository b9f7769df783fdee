"""``likeminded report``, registered on a bare app as pipelines.cli.app does (the report flow is
tested in tests/pipelines/test_flows_report.py, under the shared Prefect harness)."""

import json

import pytest
import typer
from typer.testing import CliRunner

import pipelines.cli.report as cli_report


@pytest.fixture(scope="module")
def app():
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def main() -> None:
        """Test app."""

    cli_report.register(app)
    return app


def test_help_has_an_example(app):
    result = CliRunner().invoke(app, ["report", "--help"])
    assert result.exit_code == 0 and "Example: likeminded report" in result.output


def test_report_json_with_focus_names_and_issue(app, store_path, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "--db", str(store_path), "--focus", "Kenya",
                                      "--focus", "usa", "--focus", "KEN", "--issue",
                                      "binding_instrument", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["focus"] == ["KEN", "USA"] and document["issues"] == ["binding_instrument"]
    assert document["index"] == str(out / "index.html") and (out / "index.html").exists()
    assert document["pages"] == [str(out / "state-KEN.html"), str(out / "state-USA.html")]
    assert (out / "tables" / "likeminded.xlsx").exists()


def test_default_focus_and_plain_output(app, store_path, tmp_path):
    result = CliRunner().invoke(app, ["report", "--db", str(store_path), "--out",
                                      str(tmp_path / "r"), "--session", "OEWG-2024-8"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"report: {tmp_path / 'r' / 'index.html'}")
    pages = sorted(p.name for p in (tmp_path / "r").glob("state-*.html"))
    # default focus: most national statements (all 2 here), then most pooled positions (CHN has
    # one, the others two), then ISO3
    assert pages == ["state-FRA.html", "state-GBR.html", "state-KEN.html"]


@pytest.mark.parametrize(("args", "message"), [
    (["--focus", "Atlantis"], "--focus: unknown state 'Atlantis'"),
    (["--issue", "nope"], "'nope'"),
    (["--session", "OEWG-1999"], "unknown session 'OEWG-1999'"),
])
def test_bad_input_is_a_one_line_failure(app, store_path, tmp_path, args, message):
    result = CliRunner().invoke(app, ["report", "--db", str(store_path), "--out",
                                      str(tmp_path / "o"), *args])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not (tmp_path / "o").exists()


def test_missing_store_fails_cleanly(app, tmp_path):
    result = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "none.duckdb"),
                                      "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "does not exist" in result.output
