"""The report in a real browser: Debian's headless chromium opens it from disk.

Checks that the page loads with no console error and no request but the file itself, that the
sections and charts are there, that the injected script never ran, and saves a screenshot in
the test's temporary folder. Skips (saying why) only when chromium cannot be installed.
"""

import json
from pathlib import Path

import pytest

from pipelines.stages.report_writer import write_report
from tests.reports.cdp import Browser, errors, find_chromium, install_chromium, requests
from tests.reports.synthetic import URL

pytest.importorskip("websockets.sync.client", reason="the browser test needs 'websockets' "
                    "(pip install -e '.[dev]')")

SECTIONS = ("findings", "focus-KEN", "focus-USA", "changes", "heatmap", "map", "issues",
            "topics", "validation", "quality", "taxonomy", "glossary", "summary")


@pytest.fixture(scope="session")
def chromium() -> str:
    found = find_chromium()
    if found:
        return found
    try:
        return install_chromium()
    except RuntimeError as err:
        pytest.skip(f"chromium could not be installed ({err}); the browser test is skipped")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, store_path) -> Path:
    out = tmp_path_factory.mktemp("browser") / "report"
    write_report(store_path, out, focus=["KEN", "USA"])
    return out


@pytest.fixture
def browser(chromium, tmp_path):
    try:
        with Browser(chromium, tmp_path / "profile") as browser:
            yield browser
    except RuntimeError as err:
        if "did not start" in str(err):
            pytest.skip(f"chromium is installed but could not start here: {err}")
        raise


def test_report_opens_offline_without_errors_or_requests(browser, report_dir, tmp_path):
    session = browser.open_page()
    url = (report_dir / "index.html").as_uri()
    events = browser.load(session, url)
    assert errors(events) == []
    assert [r for r in requests(events) if r != url and not r.startswith("data:")] == []
    assert browser.evaluate(session, "document.title") == "Like-minded states: alignment report"
    present = browser.evaluate(session, f"{json.dumps(SECTIONS)}.filter("
                               "id => document.getElementById(id))")
    assert present == list(SECTIONS)
    order = browser.evaluate(session, "[...document.querySelectorAll('main>section')]"
                             ".map(s => s.id)")
    assert order == list(SECTIONS)  # key findings first, provenance last
    assert browser.evaluate(session, "document.querySelector('.illustrative')") is None
    assert browser.evaluate(session, "document.querySelectorAll('svg.chart').length") >= 8
    assert browser.evaluate(session, "document.querySelector('#heatmap svg rect') !== null")
    assert browser.evaluate(session, "typeof window.__xss") == "undefined"
    assert browser.evaluate(session, "document.scripts.length") == 0
    assert browser.evaluate(session, "document.images.length") == 0
    text = browser.evaluate(session, "document.body.textContent")
    assert "<script>window.__xss=1</script><img src=x onerror=alert(1)>" in text
    assert browser.evaluate(session, f"document.querySelector('a[href=\"{URL}\"]') !== null")
    width = browser.evaluate(session, "document.querySelector('#heatmap svg')"
                             ".getBoundingClientRect().width")
    assert width > 200
    shot = browser.screenshot(session, tmp_path / "report.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_state_page_opens_and_links_back(browser, report_dir, tmp_path):
    session = browser.open_page(1200, 1600)
    url = (report_dir / "state-KEN.html").as_uri()
    events = browser.load(session, url)
    assert errors(events) == []
    assert [r for r in requests(events) if r != url and not r.startswith("data:")] == []
    assert browser.evaluate(session, "document.getElementById('focus-KEN') !== null")
    assert browser.evaluate(session, "document.querySelector('a[href=\"index.html\"]') "
                            "!== null")
    assert browser.evaluate(session, "typeof window.__xss") == "undefined"
    assert browser.screenshot(session, tmp_path / "state.png").stat().st_size > 10_000


def test_the_checks_would_see_a_script_an_error_and_a_request(browser, tmp_path):
    """The same checks on a deliberately bad page, so a pass above means something."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><title>bad</title><script>window.__xss=1;"
                   "console.error('boom')</script><img src='missing.png'>", encoding="utf-8")
    session = browser.open_page(800, 600)
    events = browser.load(session, bad.as_uri())
    assert browser.evaluate(session, "window.__xss") == 1
    assert any("boom" in e for e in errors(events))
    assert any(r.endswith("/missing.png") for r in requests(events))


def test_folded_sections_print_their_contents(chromium, report_dir, tmp_path):
    """A reader who prints the report gets what the <details> fold away on screen."""
    import subprocess

    pypdf = pytest.importorskip("pypdf")
    html = (report_dir / "index.html").read_text(encoding="utf-8")
    assert "<details" in html and "open as a separate page" in html
    pdf = tmp_path / "report.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                    (report_dir / "index.html").as_uri()],
                   capture_output=True, timeout=180, check=False)
    if not pdf.exists():
        pytest.skip("chromium could not print here")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "open as a separate page" in " ".join(text.split())
