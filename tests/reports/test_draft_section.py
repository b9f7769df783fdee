"""The report's "Who would back this text?" section from a forecast document (pure)."""

import dataclasses

from reports import build_report, render_report
from reports.draft_section import build_draft_section, render_draft_section
from tests.reports.synthetic import XSS


def document(draft=f"A new convention now. {XSS}"):
    closest = {"text": f"We support a treaty. {XSS}", "session": "OEWG-2024-8",
               "on_behalf_of": "", "source": "rus.txt", "voice": "own", "similarity": 0.7,
               "segment_id": "abc#1", "statement_id": "abc", "idx": 1, "speaker": "RUS"}
    entry = {"state": "RUS", "name": "Russian Federation", "stance": 0.5, "lo": 0.3, "hi": 0.7,
             "voice": "own", "reason": "", "closest": closest, "lean": 0.5, "camp": "support",
             "both_sides": False}
    return {"draft": draft, "tags": ["binding_instrument"], "note": "", "issues": [{
        "issue": "binding_instrument", "label": "Legally binding instrument",
        "draft_side": 1, "draft_stance": 0.62, "draft_pole": "A new convention is needed",
        "support": [entry], "oppose": [], "swing": [],
        "unknown": [{"state": "USA", "name": "United States", "reason": "no side taken"}]}]}


def test_the_section_lists_camps_quotes_and_unknown_states_escaped():
    html = render_draft_section(build_draft_section(document()))
    assert html.startswith('<section id="draft"') and "Who would back this text?" in html
    assert "Likely to support (1)" in html and "Likely to oppose" not in html
    assert "Russian Federation" in html and "+0.50" in html and "We support a treaty." in html
    assert 'title="no side taken">United States</span>' in html
    assert "The draft leans +1 (A new convention is needed; stance +0.62)" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_report_opens_with_the_draft_only_when_given(data):
    report = build_report(data)
    assert report.draft is None and 'id="draft"' not in render_report(report)
    html = render_report(dataclasses.replace(report, draft=build_draft_section(document())))
    assert html.index('id="draft"') < html.index('id="summary"') and 'href="#draft"' in html


def test_the_provenance_counts_the_analyst_corrections(data):
    assert "Analyst corrections" not in dict(build_report(data).summary.provenance)
    report = build_report(dataclasses.replace(data, status={**data.status, "corrections": 2}))
    assert dict(report.summary.provenance)["Analyst corrections"].startswith("2 active")
    assert "Analyst corrections" in render_report(report)
