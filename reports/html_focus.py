"""HTML of one focus state's brief (shown in the report and on the state's own page)."""

from __future__ import annotations

from reports.html_parts import (
    badge,
    esc,
    explain,
    fmt,
    fmt_interval,
    quote_html,
    state_label,
    table,
)
from reports.model import FocusBrief, PartnerEntry, PartnerList
from reports.svg import PALETTE, Row, coalition_label, interval_svg
from reports.text import EXPLAIN

SHOWN_EVIDENCE = 3
"""Partners whose quotes are shown open; the others' are one click away."""


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _drivers(entry: PartnerEntry) -> str:
    return ", ".join(f"{esc(label)} {fmt(score)}" for _, label, score in entry.drivers) or "–"


LABEL_COLOURS = {"like-minded": "#2166AC", "opposed": "#B2182B"}
"""Colours of the alignment words (see the README's scale); anything between is grey."""


def _reading(entry: PartnerEntry) -> str:
    """The word for the score, and the basis when it is not shared issues."""
    word = esc(entry.label or "–")
    if entry.basis == "semantic":
        word += ' <span class="muted">(whole positions: fewer than two shared issues)</span>'
    return word


def _partner_chart(brief: FocusBrief, plist: PartnerList) -> str:
    rows = [Row(label=_short(f"{p.state} {p.name}"), value=p.score.value, lo=p.score.lo,
                hi=p.score.hi, colour=LABEL_COLOURS.get(p.label, "#777777"),
                tip=f"{p.name}: {fmt(p.score.value)} [{fmt(p.score.lo)}, {fmt(p.score.hi)}]"
                f" {p.label}")
            for p in (*plist.partners, *plist.opposed)]
    return interval_svg(rows, title=f"Alignment of {brief.name} with its closest and most "
                        f"opposed states ({plist.label})",
                        desc="Blue: like-minded (above +0.5); red: opposed (below -0.2); grey: "
                        "mixed or unrelated. Dots are alignment scores, lines 95 % intervals.",
                        ends=("-1 opposed", "+1 like-minded"))


def _evidence(entry: PartnerEntry) -> str:
    if not entry.evidence:
        return '<p class="muted">No quotable paragraph pair on the driving issues.</p>'
    out = []
    for pair in entry.evidence:
        out.append(f'<h5 class="muted">{esc(pair.label)}'
                   + (f" · similarity {pair.similarity:.2f}" if pair.similarity is not None
                      else "") + "</h5>")
        out.append(f'<div class="pair">{quote_html(pair.mine)}{quote_html(pair.theirs)}</div>')
    return "".join(out)


def _overall(brief: FocusBrief, plist: PartnerList) -> str:
    rows = [(str(n), state_label(p.state, p.name), fmt_interval(p.score), _reading(p),
             _drivers(p)) for n, p in enumerate(plist.partners, start=1)]
    has_intervals = any(p.score.lo is not None for p in plist.partners)
    out = [f"<h3>Like-minded partners ({esc(plist.label.lower())})</h3>",
           explain(EXPLAIN["partners"]), explain(EXPLAIN["interval"]) if has_intervals else
           '<p class="muted">Scores of a single session have no interval: read small '
           "differences between partners with care.</p>",
           _partner_chart(brief, plist),
           table(["#", "State", "Alignment [95 % interval]", "Reading", "Driving issues"], rows,
                 cls="partners")]
    out.append("<h4>Evidence: what they said</h4>")
    for n, p in enumerate(plist.partners, start=1):
        head = (f"{n}. {state_label(p.state, p.name)} "
                f'<span class="muted">{fmt_interval(p.score)}</span>')
        if n <= SHOWN_EVIDENCE:
            out.append(f'<div class="partner"><h4>{head}</h4>{_evidence(p)}</div>')
        else:
            out.append(f'<details class="partner"><summary>{head}</summary>{_evidence(p)}'
                       "</details>")
    out.append("<h3>Most opposed</h3>" + explain(EXPLAIN["opposed"]))
    out.append(table(["State", "Alignment [95 % interval]", "Reading", "Issues apart"],
                     [(state_label(p.state, p.name), fmt_interval(p.score), _reading(p),
                       _drivers(p)) for p in plist.opposed], cls="opposed"))
    shown = [p for p in plist.opposed if p.evidence]
    if shown:
        out.append("<h4>Evidence: where they take opposite sides</h4>")
        for p in shown[:SHOWN_EVIDENCE]:
            out.append(f'<details class="partner"><summary>{state_label(p.state, p.name)} '
                       f'<span class="muted">{fmt_interval(p.score)}</span></summary>'
                       f"{_evidence(p)}</details>")
    return "".join(out)


def _positions(brief: FocusBrief) -> str:
    if not brief.positions:
        return ""
    colours = {g: PALETTE[(k + 2) % len(PALETTE)] for k, (g, _) in
               enumerate(brief.group_columns)}
    chart_rows = []
    for r in brief.positions:
        if not r.contested or r.stance.value is None:
            continue
        marks = tuple((m, colours[g], f"{name} mean {m:+.2f}")
                      for (g, name), m in zip(brief.group_columns, r.group_means, strict=True)
                      if m is not None)
        chart_rows.append(Row(label=_short(r.label, 40), value=r.stance.value, lo=r.stance.lo,
                              hi=r.stance.hi, colour="#111",
                              tip=f"{brief.name}: {fmt(r.stance.value)}", marks=marks))
    legend = ('<div class="legend"><span><span class="swatch" style="background:#111">'
              f"</span>{esc(brief.name)}</span>" + "".join(
                  f'<span><span class="swatch" style="background:{colours[g]}"></span>'
                  f"{esc(g)} mean</span>" for g, _ in brief.group_columns) + "</div>")
    chart = interval_svg(chart_rows, title=f"Stances of {brief.name} against group averages",
                         desc="Black dot: this state's stance with its 95 % interval; diamonds:"
                         " the mean stance of each group's members.",
                         ends=("-1 first pole", "+1 second pole"),
                         label_width=280) if chart_rows else ""
    headers = ["Issue", "Stance [95 % interval]", "Evidence (own / via groups)",
               *[g for g, _ in brief.group_columns]]
    rows = []
    for r in brief.positions:
        stance = (fmt_interval(r.stance) if r.contested else '<span class="muted">no sides'
                  "</span>") + (" " + badge("thin evidence") if r.thin else "")
        rows.append((esc(r.label), stance, f"{r.n_own} / {r.n_group}",
                     *[fmt(m) for m in r.group_means]))
    return ("<h3>Positions issue by issue, against group averages</h3>"
            + explain(EXPLAIN["positions"]) + legend + chart + table(headers, rows,
                                                                     cls="positions"))


def _per_issue(brief: FocusBrief) -> str:
    if not brief.per_issue:
        return ""
    rows, empty = [], []
    for plist in brief.per_issue:
        if not plist.partners:
            empty.append(plist.label)
            continue
        names = "<br>".join(f"{state_label(p.state, p.name)} {fmt_interval(p.score)}"
                            for p in plist.partners)
        evidence = "".join(f"<h5>{state_label(p.state, p.name)}</h5>{_evidence(p)}"
                           for p in plist.partners if p.evidence)
        rows.append((esc(plist.label), names,
                     f"<details><summary>quotes</summary>{evidence}</details>" if evidence
                     else '<span class="muted">–</span>'))
    out = ["<h3>Partners issue by issue</h3>", explain(
        "On each issue separately: the closest states on that issue alone, with their "
        "alignment on it and one quoted pair of paragraphs each (open “quotes” to read them).")]
    out.append(table(["Issue", "Closest states on this issue", "Evidence"], rows,
                     cls="issue-partners"))
    if empty:
        out.append(f'<p class="muted">No position on: {esc(", ".join(empty))} (not addressed, '
                   "or thin evidence).</p>")
    return "".join(out)


def _joinable(brief: FocusBrief) -> str:
    out = ["<h3>Joint statements it could join</h3>", explain(EXPLAIN["joinable"])]
    if brief.member_of:
        out.append(f"<p>Already a member of: {esc(', '.join(brief.member_of))}.</p>")
    if not brief.joinable:
        out.append('<p class="muted">No joint or cross-regional statement of the last two '
                   "sessions takes its side on every contested issue it addresses.</p>")
    for j in brief.joinable:
        out.append(f"<h4>{esc(j.group_name)} ({esc(j.group)}), {esc(j.session)}: fit "
                   f"{fmt(j.fit)}</h4><p class=\"muted\">Issues: {esc(', '.join(j.issues))}</p>"
                   + quote_html(j.quote))
    return "".join(out)


def render_focus(brief: FocusBrief, *, page_link: str = "") -> str:
    """The ``<section id="focus-XXX">`` of one focus state."""
    facts = [f"{brief.statements} statements in the corpus"]
    if brief.member_of:
        facts.append("member of " + ", ".join(brief.member_of))
    if brief.coalition is not None:
        facts.append(f"coalition {coalition_label(brief.coalition)}" if brief.coalition >= 0
                     else "between coalitions (in none)")
    link = (f' · <a href="{esc(page_link)}">open as a separate page</a>' if page_link else "")
    body = [f'<p class="muted">{esc("; ".join(facts))}{link}</p>']
    if brief.missing:
        body.append(f"<p>{esc(brief.missing)}</p>")
    if brief.overall:
        body.append(_overall(brief, brief.overall))
    body += [_positions(brief), _per_issue(brief), _joinable(brief)]
    sid = f"focus-{brief.state}"
    return (f'<section id="{esc(sid)}" class="focus" aria-labelledby="{esc(sid)}-title">'
            f'<h2 id="{esc(sid)}-title">Brief: {esc(brief.name)} '
            f'<span class="iso">{esc(brief.state)}</span></h2>{"".join(body)}</section>')
