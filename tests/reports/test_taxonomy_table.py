"""The report's issue table: the taxonomy's ids, labels and poles (pure, no store)."""

import dataclasses

from reports import build_report, render_report
from reports.taxonomy_table import build_issue_rows, render_issue_table
from tests.reports.synthetic import BINDING, CAPACITY, XSS


def test_issue_rows_follow_the_taxonomy_with_poles_for_contested_issues(data):
    rows = build_report(data).taxonomy
    assert [r.id for r in rows] == [BINDING, CAPACITY]
    binding, capacity = rows
    assert binding.contested and binding.minus == "Existing international law suffices"
    assert binding.plus == "A new legally binding convention is needed"
    assert not capacity.contested and capacity.minus == capacity.plus == ""


def test_the_report_has_the_issue_table_with_escaped_labels(data):
    html = render_report(build_report(data))
    assert 'href="#taxonomy"' in html and '<section id="taxonomy"' in html
    assert f"<code>{BINDING}</code>" in html and "Stance +1 (plus pole)" in html
    info = dict(data.issue_info)
    info[CAPACITY] = {**info[CAPACITY], "label": XSS}
    html = render_issue_table(build_issue_rows(info))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_no_issues_no_section(data):
    assert render_issue_table(()) == ""
    report = build_report(dataclasses.replace(data, issue_info={}))
    assert report.taxonomy == () and 'id="taxonomy"' not in render_report(report)
