"""The report of the analysed sample corpus in a real browser (Debian's headless chromium):
key findings first and within the first screen, the illustrative banner on every page (also in
print), provenance last, a page far shorter than the 42,573 px it was; the analyst workbook and
the CLI listings say the data is illustrative. Reuses the session's analysed sample store."""

import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.reports.cdp import Browser, errors, find_chromium, install_chromium

pytest.importorskip("websockets.sync.client", reason="the browser test needs 'websockets' "
                    "(pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def sample_report(sample_analysed, tmp_path_factory):
    from pipelines.stages.report_writer import write_report

    db, config, _ = sample_analysed
    out = tmp_path_factory.mktemp("sample-report")
    return db, write_report(db, out, config=config, focus=["KEN", "CHN"])


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = find_chromium()
    if not executable:
        try:
            executable = install_chromium()
        except RuntimeError as err:
            pytest.skip(f"chromium could not be installed ({err}); the browser test is skipped")
    try:
        with Browser(executable, tmp_path_factory.mktemp("profile")) as found:
            yield found
    except RuntimeError as err:
        if "did not start" in str(err):
            pytest.skip(f"chromium is installed but could not start here: {err}")
        raise


BANNER = ("(() => {const b = document.querySelector('header .illustrative'); if (!b) return null;"
          " const r = b.getBoundingClientRect(); return {top: r.top, height: r.height, "
          "display: getComputedStyle(b).display, text: b.textContent};})()")


def test_findings_first_banner_on_every_page_provenance_last(browser, sample_report, tmp_path):
    _, result = sample_report
    session = browser.open_page(1280, 900)
    url = Path(result["index"]).as_uri()
    assert errors(browser.load(session, url)) == []
    order = browser.evaluate(session, "[...document.querySelectorAll('main>section')]"
                             ".map(s => s.id)")
    assert order[0] == "findings" and order[-1] == "summary"
    assert order.index("summary") > order.index("glossary")
    banner = browser.evaluate(session, BANNER)
    assert banner and banner["height"] > 20 and banner["top"] < 200
    assert "Illustrative data" in banner["text"] and "not what any government said" in banner[
        "text"]
    top = browser.evaluate(session, "document.getElementById('findings')"
                           ".getBoundingClientRect().top")
    assert top < 400  # the findings start on the first screen, before any provenance
    findings = browser.evaluate(session, "document.getElementById('findings').innerText")
    assert "significant move" in findings and "Read with care" in findings
    assert "take no side" in findings  # the share of paragraphs without a stance
    assert browser.evaluate(session, "document.querySelectorAll('#findings svg.chart').length") \
        >= 1
    height = browser.evaluate(session, "document.documentElement.scrollHeight")
    assert height < 15_000, f"the page is {height} px tall"
    browser.screenshot(session, tmp_path / "first-screen.png")
    browser.send("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
    printed = browser.evaluate(session, BANNER)
    assert printed["display"] != "none" and printed["height"] > 20
    for page in result["pages"]:
        other = browser.open_page(1280, 900)
        browser.load(other, Path(page).as_uri())
        assert "Illustrative data" in (browser.evaluate(other, BANNER) or {}).get("text", "")


def test_workbooks_and_listings_say_the_data_is_illustrative(sample_report):
    from pipelines.cli.app import app

    db, result = sample_report
    book = openpyxl.load_workbook(io.BytesIO(Path(result["workbook"]).read_bytes()))
    assert book.sheetnames == ["Summary", "Partners", "Positions", "Alignment", "Movers",
                               "Glossary"]
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows() if r[0].value}
    assert summary["Illustrative data"].startswith("YES")
    assert summary["Model key"] and "/" in summary["Model key"]
    partners = list(book["Partners"].values)
    header, rows = partners[0], partners[1:]
    quoted = [dict(zip(header, r, strict=True)) for r in rows]
    assert sum(1 for r in quoted if r["Their quote"] and r["Our quote"]) >= len(quoted) // 2
    assert "raw" in Path(result["raw_workbook"]).name

    runner = CliRunner()
    listing = runner.invoke(app, ["partners", "KEN", "--db", db, "--top", "3"])
    assert listing.exit_code == 0, listing.output
    assert "illustrative data" in listing.stderr and "illustrative" not in listing.stdout
    document = runner.invoke(app, ["coalitions", "--db", db, "--json"])
    assert document.exit_code == 0
    assert json.loads(document.stdout)["illustrative"]["statements"] > 300
