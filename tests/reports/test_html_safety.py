"""Corpus text is escaped, the CSP forbids loads, links are plain navigations, and nothing is
written outside the output folder."""

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipelines.stages.report_writer import safe_target, write_files, write_report
from reports import CSP, build_report, render_report, render_state_page, state_page_name
from reports.html_parts import quote_html, safe_url
from reports.model import Quote
from tests.reports.synthetic import URL

ESCAPED = "&lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def parse(document: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(document)
    return parser.tags


def check_page(document: str, allowed_links: set[str]) -> None:
    tags = parse(document)
    names = {t for t, _ in tags}
    assert not names & {"script", "iframe", "object", "embed", "img", "form", "base"}, names
    for tag, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if "src" in attrs:
            raise AssertionError(f"{tag} has a src attribute: {attrs}")
        href = attrs.get("href")
        if tag == "link":
            assert attrs == {"rel": "icon", "href": "data:,"}
        elif href is not None and re.match(r"(?i)[a-z][a-z0-9+.-]*:", href):
            assert href in allowed_links, href
    csp = [a for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0]["content"] == CSP
    assert "default-src 'none'" in CSP and "script-src" not in CSP
    assert not re.search(r"(?i)<script", document)
    assert not re.search(r"(?i)\sonerror\s*=", document.replace(ESCAPED, ""))
    assert not re.search(r"(?i)url\(\s*['\"]?https?:", document)
    assert "@import" not in document


def test_report_and_state_pages_escape_corpus_text(data):
    report = build_report(data, focus=["KEN"])
    index = render_report(report)
    assert ESCAPED in index and "window.__xss" in index
    check_page(index, {URL})
    page = render_state_page(report, "KEN")
    assert ESCAPED in page
    check_page(page, {URL})
    assert f'href="{URL.replace("&", "&amp;")}"' in page


def test_sections_and_charts_present(data):
    index = render_report(build_report(data, focus=["KEN", "USA"]))
    ids = {a.get("id") for _, a in parse(index)}
    assert {"summary", "quality", "changes", "heatmap", "map", "focus-KEN", "focus-USA",
            "issues", "topics", "validation", "glossary"} <= ids
    assert index.count("<svg") >= 8 and "<title>Alignment heatmap" in index
    for term in ("OEWG", "GGE", "PoA", "First Committee", "IHL", "CBMs", "Points of contact",
                 "NAM", "G77", "WEOG", "GRULAC", "EEG", "APG", "Global Mechanism", "S-score",
                 "Kappa"):
        assert f"<dt>{term}</dt>" in index
    assert index.count('class="explain"') >= 10


def test_only_http_links_are_links():
    for bad in ("javascript:alert(1)", "data:text/html,<script>1</script>", "file:///etc/passwd",
                "https://x.org/a b", " vbscript:x"):
        assert safe_url(bad) is None
        html = quote_html(Quote("KEN", "Kenya", "S", "text", source="a.txt", url=bad))
        assert "<a " not in html and "href" not in html
    assert safe_url("https://example.org/x?a=1") == "https://example.org/x?a=1"
    sneaky = 'https://x.org/"onmouseover="alert(1)'
    html = quote_html(Quote("KEN", "Kenya", "S", "t", url=sneaky))
    (anchor,) = [a for t, a in parse(html) if t == "a"]
    assert anchor["href"] == sneaky and set(anchor) == {"href", "rel", "referrerpolicy"}
    html = quote_html(Quote("KEN", "Kenya", "S", "t", source="dir/<b>.txt"))
    assert "<code>dir/&lt;b&gt;.txt</code>" in html


def test_hostile_names_and_issue_labels_are_escaped(data):
    hostile = dataclasses.replace(
        data, names={**data.names, "KEN": '<b onmouseover="x()">Kenya</b>'},
        issue_info={k: {**v, "label": f"{v['label']} <i>"} for k, v in data.issue_info.items()})
    index = render_report(build_report(hostile, focus=["KEN"]))
    assert "<b onmouseover" not in index and "&lt;b onmouseover=&quot;x()&quot;&gt;" in index
    assert "<i>" not in index
    check_page(index, {URL})


def test_state_page_names_are_checked():
    assert state_page_name("KEN") == "state-KEN.html"
    for bad in ("../x", "K/N", "KE N", "ÄBC"):
        with pytest.raises(ValueError, match="focus state"):
            state_page_name(bad)


def test_safe_target_refuses_paths_outside(tmp_path):
    out = tmp_path / "out"
    assert safe_target(out, "tables/a.csv") == (out / "tables" / "a.csv").resolve()
    for bad in ("../x.html", "/etc/x", "a/../../x", "a\\b", "", "./a"):
        with pytest.raises(ValueError, match="report file name"):
            safe_target(out, bad)
    with pytest.raises(ValueError):
        write_files(out, {"../escape.txt": b"x"})
    assert not (tmp_path / "escape.txt").exists()


def test_write_report_writes_only_inside_the_output_folder(tmp_path, store_path):
    def snapshot() -> set[Path]:
        return ({*tmp_path.rglob("*")} | {*store_path.parent.rglob("*")}
                | {*Path.cwd().iterdir()})

    before = snapshot()
    out = tmp_path / "nested" / "report"
    result = write_report(store_path, out, focus=["KEN"])
    created = snapshot() - before
    assert created and all(p == out.parent or p == out or out in p.parents
                           for p in created), sorted(created)
    assert not [p for p in out.rglob("*") if p.name.startswith(".")], "temporary files left"
    assert Path(result["index"]) == out / "index.html"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert ESCAPED in index
    check_page(index, {URL})
    check_page((out / "state-KEN.html").read_text(encoding="utf-8"), {URL})
