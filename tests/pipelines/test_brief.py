"""``likeminded brief`` on the analysed sample corpus: what it says rests on stored evidence,
it names unknown values, and the HTML prints on one A4 and one Letter page."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess

import pytest
from typer.testing import CliRunner

from corpora.groups import default_groups
from pipelines.cli.app import app
from pipelines.store.storage import open_store
from tests.reports.cdp import find_chromium

# EST and RUS, and KEN: the sample's state with the most to say (moves, partners, statements)
STATES = ("EST", "RUS", "KEN")


def cli(*args, code=0):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


@pytest.fixture(scope="module")
def briefs(sample_analysed, tmp_path_factory):
    """The brief of each of :data:`STATES` as HTML (with its --json document); EST's also as
    Markdown and DOCX."""
    db = sample_analysed[0]
    out = tmp_path_factory.mktemp("briefs")
    made = {}
    for state in STATES:
        made[state] = json.loads(cli("brief", state, "--out", out / f"{state}.html", "--db", db,
                                     "--json").stdout)
    cli("brief", "EST", "--out", out / "EST.md", "--db", db)
    cli("brief", "Estonia", "--format", "docx", "--out", out / "EST.docx", "--db", db)
    return db, out, made


def _said(db, quote):
    """Whether the store holds a current paragraph of the quoted state that starts as quoted."""
    head = quote["text"].rstrip("…").strip()[:80]
    with open_store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT g.text FROM segments g JOIN statements s ON s.id = g.statement_id AND "
            "s.superseded_by IS NULL WHERE s.state = ? AND s.session = ?",
            [quote["state"], quote["session"]]).fetchall()
    return any(" ".join(r[0].split()).startswith(head) for r in rows)


@pytest.mark.parametrize("state", STATES)
def test_every_claim_of_the_brief_rests_on_stored_evidence(briefs, state):
    db, _, made = briefs
    brief = made[state]["brief"]
    assert made[state]["format"] == "html" and brief["state"] == state
    assert brief["illustrative"].startswith("Illustrative data: All 326 statements come from")
    assert 1 <= len(brief["points"]) <= 3
    for point in brief["points"]:
        assert _said(db, point["quote"]), point
    groups = default_groups()
    day = dt.date(2025, 7, 11)  # the sample's last day, as the report takes groups
    mine = {g for g in groups.groups if state in groups.members_on(g, day)}
    for row in brief["partners"]:
        if not row["partner"]:
            assert row["note"]
            continue
        theirs = {g for g in groups.groups if row["partner"] in groups.members_on(g, day)}
        assert not theirs & mine & set(_cohesion()), (row["partner"], theirs & mine)
        assert row["score"]["lo"] <= row["score"]["value"] <= row["score"]["hi"]
        if row["theirs"]:
            assert row["theirs"]["state"] == row["partner"] and _said(db, row["theirs"])
    for move in brief["moves"]:
        shift = move["shift"]
        assert shift["lo"] > 0 or shift["hi"] < 0, move  # beyond its interval
        closer = abs(move["stance_to"] - move["ours"]) < abs(move["stance_from"] - move["ours"])
        assert move["direction"] == ("toward" if closer else "away")
        assert move["state"] != state and move["to_session"] == brief["session"]
        for said in (move["before"], move["after"]):
            assert said is None or (said["state"] == move["state"] and _said(db, said))


def _cohesion():
    from pipelines.settings import COHESION_GROUPS

    return COHESION_GROUPS


def test_markdown_and_docx_carry_the_same_brief(briefs):
    from docx import Document

    _, out, made = briefs
    for state in ("EST",):
        brief = made[state]["brief"]
        text = (out / f"{state}.md").read_text(encoding="utf-8")
        assert text.startswith(f"# Brief for {brief['name']} ({state}), as of ")
        assert "## Talking points" in text and "**Illustrative data:" in text
        for point in brief["points"]:
            assert point["text"] in text
        document = Document(str(out / f"{state}.docx"))
        paragraphs = "\n".join(p.text for p in document.paragraphs)
        assert f"Brief for {brief['name']} ({state})" in paragraphs
        assert all(point["text"] in paragraphs for point in brief["points"])


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_the_html_brief_prints_on_one_page(briefs, tmp_path):
    chromium = find_chromium()
    if not chromium:
        pytest.skip("chromium is not installed; the print test is skipped")
    _, out, _ = briefs
    for state in STATES:
        html = (out / f"{state}.html").read_text(encoding="utf-8")
        assert "<script" not in html and "://" not in html.split("<body>")[0]
        # chromium prints on Letter unless the page asks otherwise: test Letter and A4
        for paper, css in (("letter", ""), ("a4", "@page { size: A4; }")):
            page = tmp_path / f"{state}-{paper}.html"
            page.write_text(html.replace("<style>", f"<style>{css}", 1), encoding="utf-8")
            pdf = tmp_path / f"{state}-{paper}.pdf"
            done = subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                 f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri()],
                capture_output=True, timeout=120, check=False)
            if not pdf.exists():
                pytest.skip(f"chromium could not print here: {done.stderr[-300:]!r}")
            assert _pages(pdf.read_bytes()) == 1, f"{state} on {paper}: {_pages(pdf.read_bytes())}"


@pytest.mark.parametrize(("args", "message"), [
    (["Estnia"], "closest in the store: EST"),
    (["EST", "--session", "OEWG-2025-12"], "unknown session 'OEWG-2025-12'; valid: OEWG-2019-1"),
    (["EST", "--issue", "binding"], "unknown issue 'binding'; closest: binding_instrument"),
    (["EST", "--format", "pdf"], "unknown format 'pdf'; valid: html, md, docx"),
])
def test_unknown_values_are_one_line_errors_with_the_valid_ones(sample_analysed, tmp_path, args,
                                                                 message):
    result = cli("brief", *args, "--out", tmp_path / "b.html", "--db", sample_analysed[0],
                 code=1)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert not (tmp_path / "b.html").exists()


@pytest.mark.parametrize(("name", "known"), [("Bhutan", True), ("Liechtenstein", False)])
def test_a_state_without_evidence_gets_a_brief_that_says_so(sample_analysed, tmp_path, name,
                                                            known):
    """Bhutan only speaks through its groups; Liechtenstein is not in the store at all."""
    out = tmp_path / "b.md"
    document = json.loads(cli("brief", name, "--out", out, "--db", sample_analysed[0],
                              "--json").stdout)
    brief = document["brief"]
    assert document["known_state"] is known
    assert brief["points"] == [] and brief["moves"] == [] and brief["partners"] == []
    assert any("no statement of its own" in n for n in brief["notes"])
    assert any(f"No alignment scores for {name}" in n for n in brief["notes"])
    text = out.read_text(encoding="utf-8")
    assert "No talking point rests on quoted evidence." in text
    assert "No state moved beyond its interval" not in text or not brief["unplaced"]


def test_one_issue_and_one_session(sample_analysed, tmp_path):
    document = json.loads(cli("brief", "EST", "--issue", "attribution", "--session",
                              "OEWG-2024-8", "--out", tmp_path / "b.md", "--db",
                              sample_analysed[0], "--json").stdout)
    brief = document["brief"]
    assert brief["session"] == brief["scope"] == "OEWG-2024-8"
    assert [p["issue"] for p in brief["partners"]] == ["attribution"]
    assert all(m["issue"] == "attribution" for m in brief["moves"])
