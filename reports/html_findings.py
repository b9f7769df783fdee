"""HTML of the report's opening section: the key findings in words and small charts, and the
illustrative-data banner shown at the top of every page."""

from __future__ import annotations

from collections.abc import Sequence

from reports.findings import Counterpart, Findings, FocusFinding, MoveFinding, TrendFinding
from reports.html_parts import esc, fmt_interval, section
from reports.svg import FONT

SHOWN_MOVERS = 3
"""Movers named in words; the chart shows every listed one."""


def illustrative_banner(note: str) -> str:
    """The banner at the top of a page (also printed); ``""`` when the data is real."""
    if not note:
        return ""
    return (f'<div class="illustrative" role="note" aria-label="Illustrative data">'
            f"<strong>Illustrative data.</strong> {esc(note)}</div>")


def arrows_svg(rows: Sequence[tuple[str, float, float, str, str]], *, title: str, desc: str,
               domain: tuple[float, float] = (-1.0, 1.0), ends: tuple[str, str] = ("", ""),
               label_width: int = 150, plot_width: int = 260, row_height: int = 16) -> str:
    """A small chart of changes: per row a grey dot (before) and an arrow to a coloured dot
    (after). ``rows``: ``(label, before, after, colour, tooltip)``."""
    lo, hi = domain
    top = 6
    axis_y = top + len(rows) * row_height
    width, height = label_width + plot_width + 16, axis_y + (30 if any(ends) else 16)

    def sx(v: float) -> float:
        return label_width + (max(lo, min(hi, v)) - lo) / ((hi - lo) or 1.0) * plot_width

    parts = [f'<svg class="chart mini" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" {FONT} font-size="11"><title>{esc(title)}'
             f"</title><desc>{esc(desc)}</desc>"]
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        parts.append(f'<line x1="{sx(v):.1f}" x2="{sx(v):.1f}" y1="{top}" y2="{axis_y}" '
                     f'stroke="{"#999" if abs(v) < 1e-9 else "#E3E3E3"}"/>'
                     f'<text x="{sx(v):.1f}" y="{axis_y + 12}" text-anchor="middle" '
                     f'fill="#555">{v:+.1f}</text>' if lo < 0 else
                     f'<line x1="{sx(v):.1f}" x2="{sx(v):.1f}" y1="{top}" y2="{axis_y}" '
                     f'stroke="#E3E3E3"/><text x="{sx(v):.1f}" y="{axis_y + 12}" '
                     f'text-anchor="middle" fill="#555">{v:.2f}</text>')
    if any(ends):
        parts.append(f'<text x="{label_width}" y="{axis_y + 25}" fill="#555">{esc(ends[0])}'
                     f'</text><text x="{label_width + plot_width}" y="{axis_y + 25}" '
                     f'text-anchor="end" fill="#555">{esc(ends[1])}</text>')
    for i, (label, before, after, colour, tip) in enumerate(rows):
        y = top + i * row_height + row_height / 2
        x0, x1 = sx(before), sx(after)
        head = 5 if x1 >= x0 else -5
        parts.append(
            f'<g><title>{esc(tip)}</title><text x="{label_width - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{esc(label)}</text>'
            f'<circle cx="{x0:.1f}" cy="{y:.1f}" r="3.5" fill="#9AA3AF"/>'
            f'<line x1="{x0:.1f}" x2="{x1 - head:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="2"/>'
            f'<path d="M{x1:.1f} {y:.1f} l{-head} -4 l0 8 z" fill="{colour}"/></g>')
    return "".join(parts) + "</svg>"


def _mover_rows(movers: Sequence[MoveFinding]) -> list[tuple[str, float, float, str, str]]:
    return [(f"{m.state} · {_clip(m.label, 18)}", m.stance_from, m.stance_to,
             "#2166AC" if m.pole == "plus" else "#B2182B", m.sentence)
            for m in movers if m.stance_from is not None and m.stance_to is not None]


def _trend_rows(trends: Sequence[TrendFinding]) -> list[tuple[str, float, float, str, str]]:
    return [(_clip(t.label, 21), t.before, t.after,
             "#17623A" if t.direction == "converging" else "#8D1D1D", t.sentence)
            for t in trends if t.before is not None and t.after is not None]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _movers(f: Findings) -> str:
    if not f.to_session:
        return "<h3>What changed</h3><p>Only one session: nothing to compare yet.</p>"
    out = [f"<h3>Who moved: {esc(f.from_session)} → {esc(f.to_session)}</h3>"]
    if not f.movers_total:
        return out[0] + "<p>No state changed its stance beyond its 95 % interval.</p>"
    out.append(f"<p><b>{f.movers_total}</b> significant move{'' if f.movers_total == 1 else 's'}"
               ' (95 % interval of the change excludes zero; <a href="#changes">all, with '
               "quotes</a>).</p>")
    rows = _mover_rows(f.movers)
    if rows:
        out.append(arrows_svg(rows, title="Significant moves of stance", desc="Grey dot: "
                              "stance in the previous session; arrow: stance in the latest. Blue"
                              " toward the + pole, red toward the - pole.",
                              ends=("-1 minus pole", "+1 plus pole"), label_width=150,
                              plot_width=200))
    out.append('<ul class="tight small">' + "".join(
        f"<li>{esc(m.sentence)}</li>" for m in f.movers[:SHOWN_MOVERS]) + "</ul>")
    return "".join(out)


def _trends(f: Findings) -> str:
    out = ["<h3>Issues converging or diverging</h3>"]
    if not f.trends:
        return out[0] + '<p class="muted">No issue converged or diverged beyond noise.</p>'
    rows = _trend_rows(f.trends)
    if rows:
        top = max(max(r[1], r[2]) for r in rows)
        out.append(arrows_svg(rows, title="Dispersion in the first and the last session",
                              desc="Grey dot: dispersion in the first session; arrow: in the "
                              "last. Green: converging; red: diverging (trend over all "
                              "sessions).", domain=(0.0, max(0.1, round(top * 1.1, 1))),
                              label_width=150, plot_width=180))
    out.append('<ul class="tight small">' + "".join(
        f'<li><span class="badge {esc(t.direction)}">{esc(t.direction)}</span> '
        f"{esc(t.sentence)}</li>" for t in f.trends) + "</ul>")
    return "".join(out)


def _who(c: Counterpart, word: str) -> str:
    return (f'<span class="who">{word} <span class="iso" title="{esc(c.name)}">'
            f"{esc(c.state)}</span> {fmt_interval(c.score)}</span>")


def _focus_table(focus: Sequence[FocusFinding]) -> str:
    labels: dict[str, str] = {}
    for f in focus:
        for item in f.issues:
            labels.setdefault(item.issue, item.label)
    cells = {(f.state, item.issue): item for f in focus for item in f.issues}
    head = "".join(f'<th scope="col"><a href="#focus-{esc(f.state)}">{esc(f.name)}</a></th>'
                   for f in focus)
    rows = []
    for issue, label in labels.items():
        tds = []
        for f in focus:
            cell = cells.get((f.state, issue))
            if cell is None:
                tds.append('<td class="muted">no scores</td>')
                continue
            parts = [_who(c, "with") for c in cell.partners[:1]] or [
                '<span class="who muted">no clear partner</span>']
            parts += [_who(c, "against") for c in cell.opponents[:1]] or [
                '<span class="who muted">no clear opponent</span>']
            tds.append(f"<td>{'<br>'.join(parts)}</td>")
        rows.append(f'<tr><th scope="row">{esc(label)}</th>{"".join(tds)}</tr>')
    missing = "".join(f'<p class="muted">{esc(f.missing)}</p>' for f in focus if f.missing)
    return (f'<div class="table-wrap"><table class="compact focus-findings"><thead><tr>'
            f'<th scope="col">Issue</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            f"</table></div>{missing}")


def render_findings(findings: Findings) -> str:
    """The ``#findings`` section, the first of the report."""
    warnings = "".join(f'<li class="w-{esc(w.kind)}">{esc(w.text)}</li>'
                       for w in findings.warnings if w.kind != "illustrative")
    quality = ('<h3>Read with care</h3><ul class="tight small warnings">' + (
        warnings or "<li>No data-quality warning.</li>") + '</ul><p class="muted small">'
        'Details: <a href="#quality">data quality</a>.</p>')
    focus = ""
    if findings.focus:
        focus = ("<h3>Closest partner and clearest opponent of each focus state</h3>"
                 '<p class="muted small">Alignment from -1 (opposite) to +1 (same positions) '
                 "with its 95 % interval; only states whose interval lies on one side of zero "
                 "are named. Overall, then each contested issue; quotes are in each state's "
                 "brief.</p>" + _focus_table(findings.focus))
    body = (f'<div class="findings-top"><div>{_movers(findings)}</div>'
            f"<div>{_trends(findings)}</div><div>{quality}</div></div>{focus}")
    return section("findings", "Key findings", body)


__all__ = ["arrows_svg", "illustrative_banner", "render_findings"]
