"""The one-page brief built from the hand-made report data: which claims it makes, and that
text from statements stays inert in every format."""

from __future__ import annotations

import io

from reports.brief import build_brief
from reports.brief_render import render_brief_docx, render_brief_html, render_brief_md
from tests.reports.synthetic import BINDING, S2, XSS, make_report_data


def test_a_move_toward_the_state_with_the_paragraphs_before_and_after():
    brief = build_brief(make_report_data(), "USA", session=S2)
    [move] = brief.moves
    assert (move.state, move.direction, move.issue) == ("KEN", "toward", BINDING)
    assert "new convention is needed" in move.before.text and XSS in move.after.text
    # KEN's new paragraph takes the side only weakly (-0.3): no talking point rests on it
    assert all(p.quote.state != "KEN" for p in brief.points)
    # no partner scores for USA: said, not guessed; the joint and EU statements match its side
    assert any("No alignment scores for United States" in n for n in brief.notes)
    assert {j.quote.source for j in brief.joinable} == {"OEWG-2024-8/joint_gbr.txt",
                                                        "OEWG-2024-8/eu_fra.txt"}
    assert brief.points and brief.points[0].text.startswith("Consider joining or aligning")


def test_partners_outside_the_groups_ground_the_talking_points():
    data = make_report_data()
    brief = build_brief(data, "KEN", session=S2)
    [row] = brief.partners
    assert row.partner and row.theirs.state == row.partner and row.mine.state == "KEN"
    assert brief.points[0].quote == row.theirs
    assert brief.moves == ()  # KEN's own move is not a move toward or away from KEN


def test_statement_text_is_inert_in_html_markdown_and_docx():
    from docx import Document

    brief = build_brief(make_report_data(), "USA", session=S2)
    html = render_brief_html(brief)
    assert "<script>window" not in html and "&lt;script&gt;window" in html
    assert "<img" not in html
    md = render_brief_md(brief)
    assert "<script>" not in md and "&lt;script&gt;" in md
    document = Document(io.BytesIO(render_brief_docx(brief)))
    assert any(XSS[:20] in p.text for p in document.paragraphs)
    assert render_brief_docx(brief) == render_brief_docx(brief)
