"""The one-page brief as HTML (print CSS for one A4 or Letter page), Markdown and DOCX.

The three renderers show the same parts in the same order, cut to what fits on one printed
page: talking points, moves (the largest few), partners per issue, statements to join.
"""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Callable

from reports.brief import Brief, IssuePartner, Move, TalkingPoint, cite
from reports.common import WINDOW
from reports.model import Estimate, JoinableStatement, Quote

MAX_MOVES = 3
"""Moves shown on the page (toward first, then by size); the rest are counted."""
NONE_ABOUT = "no paragraph mainly about it"
"""Shown for a mover's session without a paragraph mainly about the issue."""
MAX_ISSUES = 6
"""Issue rows shown on the page (those with a partner first); the rest are counted."""
SHORT = 100
"""Characters of a quote in the tables (cut at a word, with an ellipsis)."""

CSS = """
@page { margin: 10mm 11mm; }
* { box-sizing: border-box; }
body { font: 7.8pt/1.2 "DejaVu Sans", Arial, sans-serif; color: #111; margin: 0 auto;
  max-width: 190mm; }
h1 { font-size: 13pt; margin: 0 0 1mm; }
h2 { font-size: 9pt; margin: 2mm 0 0.8mm; border-bottom: 0.4pt solid #888;
  text-transform: uppercase; letter-spacing: 0.04em; }
p { margin: 0.6mm 0; }
.meta { color: #444; }
.warn { border: 0.8pt solid #b00; color: #700; padding: 1mm 2mm; margin: 1.5mm 0;
  font-weight: bold; }
ol.points { margin: 0.5mm 0; padding-left: 5mm; }
ol.points li { margin-bottom: 0.6mm; }
q, .q { font-style: italic; color: #222; quotes: "\\201C" "\\201D"; }
.cite { color: #555; font-size: 6.9pt; }
table { border-collapse: collapse; width: 100%; font-size: 7.2pt; }
td.who { width: 30%; } td.what { width: 70%; }
th, td { border-top: 0.4pt solid #bbb; padding: 0.4mm 1mm; vertical-align: top;
  text-align: left; }
th { background: #eee; }
td.num { white-space: nowrap; }
.toward { color: #064; font-weight: bold; }
.away { color: #900; font-weight: bold; }
.notes { color: #444; font-size: 7.6pt; }
footer { color: #666; font-size: 7pt; margin-top: 2mm; }
@media print { body { max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def _clip(text: str, limit: int = SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _num(e: Estimate, digits: int = 2) -> str:
    if e.value is None:
        return "n/a"
    if e.lo is None or e.hi is None:
        return f"{e.value:+.{digits}f}"
    return f"{e.value:+.{digits}f} [{e.lo:+.{digits}f}, {e.hi:+.{digits}f}]"


def title(brief: Brief) -> str:
    """``Brief for Estonia (EST), as of OEWG-2025-11``."""
    return f"Brief for {brief.name} ({brief.state}), as of {brief.session}"


def subtitle(brief: Brief) -> str:
    groups = ", ".join(brief.member_of) or "no formal group in the store"
    scope = "all sessions pooled" if brief.scope == WINDOW else f"session {brief.scope}"
    return (f"{brief.statements} statements of its own; member of {groups}. Moves are into "
            f"{brief.session}; partners and statements to join over {scope}.")


def no_moves(brief: Brief) -> str:
    """What the moves section says when it lists none."""
    if brief.unplaced:
        return (f"{brief.unplaced} move(s) into {brief.session}, all on issues where "
                f"{brief.name} has no clear stance: toward or away cannot be said.")
    return "No state moved beyond its interval on these issues."


def _moves_shown(brief: Brief) -> tuple[list[Move], int]:
    return list(brief.moves[:MAX_MOVES]), max(0, len(brief.moves) - MAX_MOVES)


def _issues_shown(brief: Brief) -> tuple[list[IssuePartner], str]:
    """The issue rows that fit on the page, and a note naming the others (or ``""``)."""
    if len(brief.partners) <= MAX_ISSUES:
        return list(brief.partners), ""
    ranked = sorted(brief.partners, key=lambda p: not p.partner)[:MAX_ISSUES]
    shown = [p for p in brief.partners if p in ranked]
    rest = [p.label for p in brief.partners if p not in ranked]
    return shown, (f"{len(rest)} more issue(s) ({', '.join(rest)}): brief on one with "
                   "--issue, or see likeminded report.")


# -- HTML ------------------------------------------------------------------------------------

def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _qhtml(q: Quote | None, limit: int = SHORT, *, missing: str = "no paragraph",
           short: bool = False) -> str:
    if q is None:
        return f'<span class="cite">{_e(missing)}</span>'
    where = _where(q) if short else cite(q)
    return f'<q>{_e(_clip(q.text, limit))}</q> <span class="cite">({_e(where)})</span>'


def _where(q: Quote) -> str:
    """Short citation for a table row that already names the state: session and file."""
    group = f"{q.voice()}, " if q.voice() else ""
    return f"{group}{q.session}, {(q.url or q.source).rsplit('/', 1)[-1] or '?'}"


def _point_html(p: TalkingPoint) -> str:
    return f"<li>{_e(p.text)}<br>{_qhtml(p.quote, 180)}</li>"


def _move_row(m: Move) -> str:
    arrow = "toward" if m.direction == "toward" else "away"
    return (f'<tr><td class="who"><b>{_e(m.name)}</b>, {_e(m.label)}<br>'
            f'<span class="{arrow}">{arrow}</span> {_e(_num(m.shift))} '
            f'<span class="cite">(us {m.ours:+.2f})</span></td>'
            f'<td class="what">{_e(m.from_session)}: '
            f"{_qhtml(m.before, 80, missing=NONE_ABOUT, short=True)}<br>"
            f"{_e(m.to_session)}: {_qhtml(m.after, 80, missing=NONE_ABOUT, short=True)}"
            "</td></tr>")


def _partner_row(p: IssuePartner) -> str:
    side = f"<br><span class='cite'>us: {_e(p.side)}</span>" if p.side else ""
    if not p.partner:
        return (f'<tr><td class="who"><b>{_e(p.label)}</b>{side}</td><td class="what cite">'
                f"{_e(p.note)}</td></tr>")
    return (f'<tr><td class="who"><b>{_e(p.label)}</b>: {_e(p.name)} {_e(_num(p.score))}'
            f'{side}</td><td class="what">'
            f"{_qhtml(p.theirs, missing='no paragraph pair found', short=True)}<br>"
            f"us: {_qhtml(p.mine, 80, missing='-', short=True)}</td></tr>")


def _join_html(j: JoinableStatement) -> str:
    return (f"<li>{_e(j.group_name)} ({_e(j.session)}; {_e(', '.join(j.issues))}; fit "
            f"{j.fit:.2f}): {_qhtml(j.quote, 100, short=True)}</li>")


def render_brief_html(brief: Brief) -> str:
    """A self-contained HTML page (no script, no external resource) that prints on one page."""
    moves, more = _moves_shown(brief)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
           "style-src 'unsafe-inline'\">",
           f"<title>{_e(title(brief))}</title><style>{CSS}</style></head><body>",
           f"<h1>{_e(title(brief))}</h1>", f'<p class="meta">{_e(subtitle(brief))}</p>']
    if brief.illustrative:
        out.append(f'<p class="warn">{_e(brief.illustrative)}</p>')
    out.append("<h2>Talking points</h2>")
    if brief.points:
        out.append('<ol class="points">' + "".join(_point_html(p) for p in brief.points)
                   + "</ol>")
    else:
        out.append("<p>No talking point rests on quoted evidence.</p>")
    out.append(f"<h2>Who moved since the previous session (into {_e(brief.session)})</h2>")
    if moves:
        out.append("<table><tr><th>state, issue: relative to us, shift [95%]</th>"
                   "<th>their paragraph before / after</th></tr>"
                   + "".join(_move_row(m) for m in moves) + "</table>")
        if more:
            out.append(f'<p class="notes">{more} more move(s): likeminded report.</p>')
    else:
        out.append(f"<p>{_e(no_moves(brief))}</p>")
    out.append("<h2>Best partner outside our groups, per issue</h2>")
    rows, rest = _issues_shown(brief)
    if rows:
        out.append("<table><tr><th>issue: partner, alignment [95%]</th>"
                   "<th>their words / ours</th></tr>"
                   + "".join(_partner_row(p) for p in rows) + "</table>")
        if rest:
            out.append(f'<p class="notes">{_e(rest)}</p>')
    else:
        out.append("<p>No partners can be ranked.</p>")
    out.append("<h2>Statements we could join or align with</h2>")
    if brief.joinable:
        out.append("<ul>" + "".join(_join_html(j) for j in brief.joinable) + "</ul>")
    else:
        out.append("<p>No joint or other group's statement whose stances match ours.</p>")
    if brief.notes:
        out.append('<p class="notes">' + " ".join(_e(n) for n in brief.notes) + "</p>")
    out.append(f"<footer>likeminded brief; {_e(brief.provenance)}. Scores are alignments "
               "from -1 to +1 with 95% intervals; quotes are the paragraphs they rest on: read "
               "them before use ('likeminded correct' records a misreading)."
               "</footer></body></html>")
    return "\n".join(out) + "\n"


# -- Markdown --------------------------------------------------------------------------------

def _qmd(q: Quote | None, limit: int = SHORT, *, missing: str = "no paragraph") -> str:
    if q is None:
        return f"_{missing}_"
    return f"“{_md(_clip(q.text, limit))}” ({_md(cite(q))})"


def _md(text: str) -> str:
    """Text from statements made inert in Markdown: no raw HTML, no table breaks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        "|", "\\|")


def render_brief_md(brief: Brief) -> str:
    """The brief as Markdown (same parts as the HTML)."""
    moves, more = _moves_shown(brief)
    out = [f"# {title(brief)}", "", subtitle(brief), ""]
    if brief.illustrative:
        out += [f"> **{brief.illustrative}**", ""]
    out += ["## Talking points", ""]
    out += [f"{n}. {p.text}  \n   {_qmd(p.quote, 260)}" for n, p in
            enumerate(brief.points, 1)] or ["No talking point rests on quoted evidence."]
    out += ["", f"## Who moved since the previous session (into {brief.session})", ""]
    if moves:
        out += ["| state | issue | relative to us | shift [95%] | before / after |",
                "|---|---|---|---|---|"]
        out += [f"| {m.name} | {m.label} | {m.direction} (us {m.ours:+.2f}) | {_num(m.shift)} | "
                f"{m.from_session}: {_qmd(m.before, 110, missing=NONE_ABOUT)}<br>"
                f"{m.to_session}: {_qmd(m.after, 110, missing=NONE_ABOUT)} |" for m in moves]
        if more:
            out += ["", f"{more} more move(s): likeminded report."]
    else:
        out.append(no_moves(brief))
    out += ["", "## Best partner outside our groups, per issue", ""]
    rows, rest = _issues_shown(brief)
    if rows:
        out += ["| issue | partner | alignment [95%] | their words / ours |", "|---|---|---|---|"]
        for p in rows:
            side = f" (us: {p.side})" if p.side else ""
            if not p.partner:
                out.append(f"| {p.label}{side} | - | - | {p.note} |")
            else:
                out.append(f"| {p.label}{side} | {p.name} | {_num(p.score)} | "
                           f"{_qmd(p.theirs, missing='no paragraph pair found')}<br>us: "
                           f"{_qmd(p.mine, 110, missing='-')} |")
        if rest:
            out += ["", rest]
    else:
        out.append("No partners can be ranked.")
    out += ["", "## Statements we could join or align with", ""]
    out += [f"- {j.group_name} ({j.session}; {', '.join(j.issues)}; fit {j.fit:.2f}): "
            f"{_qmd(j.quote)}" for j in brief.joinable] or [
        "No joint or other group's statement whose stances match ours."]
    if brief.notes:
        out += ["", *[f"_{n}_" for n in brief.notes]]
    out += ["", f"---\nlikeminded brief; {brief.provenance}."]
    return "\n".join(out) + "\n"


# -- DOCX ------------------------------------------------------------------------------------

def _docx_quote(paragraph, q: Quote | None, limit: int = SHORT, *,
                missing: str = "no paragraph") -> None:
    if q is None:
        paragraph.add_run(missing).italic = True
        return
    paragraph.add_run(f"“{_clip(q.text, limit)}”").italic = True
    paragraph.add_run(f" ({cite(q)})")




def render_brief_docx(brief: Brief) -> bytes:
    """The brief as a Word document (python-docx), narrow margins, small type."""
    import datetime as dt

    from docx import Document
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(12))
    style = doc.styles["Normal"]
    style.font.size = Pt(8.5)
    style.paragraph_format.space_after = Pt(1)
    props = doc.core_properties
    props.title, props.author = title(brief), "likeminded"
    props.created = props.modified = dt.datetime(2000, 1, 1)  # same bytes for the same brief
    props.revision = 1
    doc.add_heading(title(brief), level=1)
    doc.add_paragraph(subtitle(brief))
    if brief.illustrative:
        doc.add_paragraph().add_run(brief.illustrative).bold = True
    doc.add_heading("Talking points", level=2)
    for p in brief.points:
        para = doc.add_paragraph(style="List Number")
        para.add_run(p.text + " ")
        _docx_quote(para, p.quote, 260)
    if not brief.points:
        doc.add_paragraph("No talking point rests on quoted evidence.")
    moves, more = _moves_shown(brief)
    doc.add_heading(f"Who moved since the previous session (into {brief.session})", level=2)
    for m in moves:
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(f"{m.name}, {m.label}: {m.direction} (shift {_num(m.shift)}; us "
                     f"{m.ours:+.2f}). ").bold = True
        para.add_run(f"{m.from_session}: ")
        _docx_quote(para, m.before, 110, missing=NONE_ABOUT)
        para.add_run(f" {m.to_session}: ")
        _docx_quote(para, m.after, 110, missing=NONE_ABOUT)
    if more:
        doc.add_paragraph(f"{more} more move(s): likeminded report.")
    if not moves:
        doc.add_paragraph(no_moves(brief))
    doc.add_heading("Best partner outside our groups, per issue", level=2)
    rows, rest = _issues_shown(brief)
    for row in rows:
        para = doc.add_paragraph(style="List Bullet")
        side = f" (us: {row.side})" if row.side else ""
        if not row.partner:
            para.add_run(f"{row.label}{side}: {row.note}.")
            continue
        para.add_run(f"{row.label}{side}: {row.name} {_num(row.score)}. ").bold = True
        _docx_quote(para, row.theirs, missing="no paragraph pair found")
        para.add_run(" Us: ")
        _docx_quote(para, row.mine, 110, missing="-")
    if rest:
        doc.add_paragraph(rest)
    if not brief.partners:
        doc.add_paragraph("No partners can be ranked.")
    doc.add_heading("Statements we could join or align with", level=2)
    for j in brief.joinable:
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(f"{j.group_name} ({j.session}; {', '.join(j.issues)}; fit {j.fit:.2f}): ")
        _docx_quote(para, j.quote)
    if not brief.joinable:
        doc.add_paragraph("No joint or other group's statement whose stances match ours.")
    for note in brief.notes:
        doc.add_paragraph().add_run(note).italic = True
    doc.add_paragraph(f"likeminded brief; {brief.provenance}.")
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed entry dates, so the same brief gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


RENDERERS: dict[str, Callable[[Brief], str | bytes]] = {
    "html": render_brief_html, "md": render_brief_md, "docx": render_brief_docx}
"""Format name -> renderer (``docx`` gives bytes, the others text)."""
