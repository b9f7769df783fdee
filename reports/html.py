"""Render the report model as self-contained HTML pages (inline CSS and SVG, no script).

:func:`render_report` makes ``index.html``; :func:`render_state_page` the page of one focus
state. Both are pure: a :class:`~reports.model.Report` in, a string out.
"""

from __future__ import annotations

from collections.abc import Mapping

from reports.draft_section import render_draft_section
from reports.html_findings import illustrative_banner, render_findings
from reports.html_focus import render_focus
from reports.html_parts import (
    badge,
    esc,
    explain,
    fmt,
    fmt_interval,
    page,
    quote_html,
    section,
    state_label,
    table,
)
from reports.model import Changes, Estimate, IssueSection, Report, Unattached
from reports.svg import (
    Strip,
    coalition_colour,
    coalition_label,
    heatmap_svg,
    scatter_svg,
    strip_svg,
    timeline_svg,
    topics_svg,
)
from reports.taxonomy_table import render_issue_table
from reports.text import EXPLAIN
from reports.vote_sessions import render_session_validation


def state_page_name(state: str) -> str:
    """File name of a focus state's page (ISO3 codes only: letters)."""
    if not state.isalpha() or not state.isascii():
        raise ValueError(f"focus state: expected an ISO3 code of letters, got {state!r}")
    return f"state-{state.upper()}.html"


def _summary(report: Report) -> str:
    s = report.summary
    kpis = [(s.statements, "statements"), (s.states, "states"), (len(s.sessions), "sessions"),
            (f"{s.date_from} – {s.date_to}", "date range"),
            (", ".join(f"{lang} {n}" for lang, n in s.languages) or "–", "languages")]
    out = [explain(EXPLAIN["summary"]), '<div class="kpis">' + "".join(
        f'<div class="kpi"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for v, k in kpis)
        + "</div>",
        table(["Forum", "Session", "From", "To", "Statements", "States"],
              [(esc(c.forum), esc(c.session), esc(c.date_from), esc(c.date_to),
                str(c.statements), str(c.states)) for c in s.sessions],
              caption="Corpus by forum and session"),
        "<h3>Scope of this report</h3>", '<dl class="prov">' + "".join(
            f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in s.scope) + "</dl>",
        "<h3>Provenance</h3>", '<dl class="prov">' + "".join(
            f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in s.provenance) + "</dl>"]
    if s.versions:
        out.append("<details><summary>Software versions</summary>" + '<dl class="prov">'
                   + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in s.versions)
                   + "</dl></details>")
    return section("summary", "Run summary and provenance", "".join(out))


def _quality(report: Report) -> str:
    q = report.quality
    out = [explain(EXPLAIN["quality"])]
    if q.quarantined:
        out.append(table(["File", "Field", "Reason"],
                         [(f"<code>{esc(i.source)}</code>", esc(i.field), esc(i.reason))
                          for i in q.quarantined], caption="Quarantined files"))
    else:
        out.append("<p>No file was quarantined: every input was read.</p>")
    out.append(f"<p>{_count(q.duplicates, 'file')} recognised as duplicates of stored "
               "statements (not counted twice).</p>")
    rows = [(esc(t.label), str(t.addressed), str(len(t.thin)),
             (f"<details><summary>{_count(len(t.thin), 'state')}</summary>"
              f'{esc(", ".join(t.thin))}</details>') if t.thin else "–") for t in q.thin]
    out.append(table(["Issue", "States placed", "States with thin evidence", "Which"], rows,
                     caption="Thin evidence per issue"))
    if q.languages:
        out.append(table(["Language", "Paragraphs", "Tagged with an issue", "Given a side"],
                         [(esc(c.language), str(c.segments), f"{c.tag_rate:.0%}",
                           f"{c.stance_rate:.0%}") for c in q.languages],
                         caption="Coverage by language"))
    out += [f"<p><strong>Warning:</strong> {esc(w)}</p>" for w in q.language_warnings]
    return section("quality", "Data quality", "".join(out))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _trend_badge(direction: str) -> str:
    return badge(direction, direction if direction in ("converging", "diverging") else "")


def _changes(changes: Changes | None) -> str:
    if changes is None:
        return section("changes", "What changed since the previous session",
                       "<p>Only one session is available: nothing to compare yet.</p>")
    c = changes
    out = [f"<p>Comparing <b>{esc(c.to_session)}</b> with the previous session, "
           f"<b>{esc(c.from_session)}</b>.</p>", explain(EXPLAIN["changes"]),
           "<h3>Biggest movers</h3>"]
    rows = []
    for m in c.movers:
        evidence = "".join(
            f"<p class=\"muted\">{label}</p>{quote_html(q)}"
            for label, q in (("Before", m.before), ("After", m.after)) if q is not None)
        rows.append((state_label(m.state, m.name), esc(m.label), fmt_interval(m.shift),
                     f"{fmt(m.stance_from)} → {fmt(m.stance_to)}", esc(m.direction),
                     f"<details><summary>quotes</summary>{evidence}</details>" if evidence
                     else "–"))
    out.append(table(["State", "Issue", "Change of stance [95 % interval]", "Stance",
                      "Direction", "Evidence"], rows, cls="movers")
               if rows else "<p>No state changed its stance beyond its interval between these "
               "sessions.</p>")
    out += ["<h3>Pairs whose alignment changed most</h3>", explain(EXPLAIN["pairs"])]
    out.append(table(["Pair", c.from_session, c.to_session, "Change [95 % interval]"], [
        (f"{state_label(p.state_a, p.name_a)} – {state_label(p.state_b, p.name_b)}",
         fmt(p.before), fmt(p.after),
         f'<span class="{"up" if p.delta > 0 else "down"}">'
         f"{fmt_interval(Estimate(round(p.delta, 4), p.delta_lo, p.delta_hi))}</span>")
        for p in c.pairs], cls="pairs"))
    out += ["<h3>Issues converging or diverging</h3>", explain(EXPLAIN["convergence"])]
    out.append(table(["Issue", "Measure", c.from_session, c.to_session,
                      "Trend per session [95 % interval]", "Direction", "Centre heading"], [
        (esc(t.label), esc(t.measure), fmt(t.before, signed=False), fmt(t.after, signed=False),
         fmt_interval(t.slope, 3), _trend_badge(t.direction), esc(t.heading or "–"))
        for t in c.trends], cls="trends"))
    return section("changes", "What changed since the previous session", "".join(out))


def _legend(report: Report) -> str:
    return '<div class="legend">' + "".join(
        f'<span><span class="swatch" style="background:{coalition_colour(c.id)}"></span>'
        f"Coalition {coalition_label(c.id)} ({len(c.states)} states; mostly "
        f"{esc(', '.join(g for g, _ in c.groups[:3]) or 'no formal group')})</span>"
        for c in report.coalitions) + "</div>"


def _unattached_why(u: Unattached) -> str:
    near = ("" if u.nearest is None or u.nearest_alignment is None else
            f"; mean alignment {u.nearest_alignment:+.2f} with coalition "
            f"{coalition_label(u.nearest)}, the closest")
    return (f"silhouette {u.silhouette:+.2f}, below the floor for membership (clustered with "
            f"coalition {coalition_label(u.clustered_with)}){near}")


def _overview(report: Report) -> str:
    heat = [explain(EXPLAIN["heatmap"]), explain(EXPLAIN["alignment"])]
    if report.heatmap is None:
        heat.append("<p>Not enough states with alignment scores for a heatmap.</p>")
    else:
        heat += [_legend(report), heatmap_svg(report.heatmap)]
    heat += ["<h3>Coalitions and formal groups</h3>", explain(EXPLAIN["coalitions"])]
    heat.append(table(["Group", "Members present", "Cohesion", "Main coalition",
                       "Share in main coalition"], [
        (f"{esc(g.name)} ({esc(g.group)})", str(g.members_present), fmt(g.cohesion),
         coalition_label(g.main_coalition),
         "–" if g.share_in_main is None else f"{g.share_in_main:.0%}") for g in report.cohesion],
        cls="cohesion"))
    for c in report.coalitions:
        shared = (f'<br><span class="muted">Shared positions: {esc(c.positions)}</span>'
                  if c.positions else "")
        heat.append(f"<p><b>Coalition {coalition_label(c.id)}</b>: "
                    f'{esc(" ".join(c.states))}{shared}</p>')
    if report.unattached:
        heat.append("<p><b>Between coalitions (unattached)</b>: " + "; ".join(
            f"{esc(u.name)} ({esc(u.state)}): {_unattached_why(u)}" for u in report.unattached)
            + "</p>")
    out = section("heatmap", "Alignment heatmap", "".join(heat))
    body = [explain(EXPLAIN["map"])]
    if report.state_map is not None:
        body += [_legend(report), scatter_svg(report.state_map),
                 f'<p class="muted">The two axes keep {report.state_map.explained:.0%} of the '
                 "variation in the alignment matrix.</p>"]
    return out + section("map", "Map of states", "".join(body))


def _issue(s: IssueSection, coalition_of: Mapping[str, int | None]) -> str:
    kind = badge("contested" if s.contested else "consensual",
                 "contested" if s.contested else "consensual")
    out = [f'<article id="issue-{esc(s.issue)}"><h3>{esc(s.label)} {kind}</h3>',
           f"<p>{esc(s.description)}</p>"]
    if s.contested:
        out.append(f"<p>Poles: <b>-1</b> {esc(s.poles[0])} · <b>+1</b> {esc(s.poles[1])}</p>")
    out.append(f"<p>{s.addressed} states have a position on this issue.</p>")
    stance = {p.state: p for p in s.stances}
    if s.contested and s.stances:
        strips = [Strip(label="All states", dots=tuple(
            (at, coalition_colour(p.coalition), f"{p.name}: {at:+.2f}")
            for p in s.stances if (at := p.stance.value) is not None))]
        for g in s.groups:
            dots = tuple((at, coalition_colour(coalition_of.get(m)), f"{stance[m].name}: {at:+.2f}")
                         for m in g.states
                         if m in stance and (at := stance[m].stance.value) is not None)
            if dots:
                strips.append(Strip(label=f"{g.group} ({len(dots)})", dots=dots, mean=g.mean))
        out += [explain(EXPLAIN["issue"]), strip_svg(
            strips, title=f"Stances on {s.label} by group",
            desc="Each dot is a state's stance, coloured by coalition; the bar is the group's "
            "mean.", ends=(f"-1 {s.poles[0]}", f"+1 {s.poles[1]}"))]
        out.append("<details><summary>Stance of every state, with intervals</summary>"
                   + table(["State", "Stance [95 % interval]", "Coalition"], [
                       (state_label(p.state, p.name), fmt_interval(p.stance),
                        coalition_label(p.coalition)) for p in s.stances]) + "</details>")
    if s.contested:
        out.append(table(["Group", "Members placed", "Mean stance", "Spread (SD)"], [
            (f"{esc(g.name)} ({esc(g.group)})", str(g.members), fmt(g.mean),
             fmt(g.sd, signed=False)) for g in s.groups], cls="groups"))
    elif s.groups:
        out.append('<p class="muted">Members with a position, by group: ' + " · ".join(
            f'<abbr title="{esc(g.name)}">{esc(g.group)}</abbr> {g.members}' for g in s.groups)
            + "</p>")
    if s.timeline:
        trend = (f"Trend: {_trend_badge(s.trend.direction)} (slope "
                 f"{fmt_interval(s.trend.slope, 3)} per session)" if s.trend else "")
        if s.trend and s.trend.heading:
            trend += f"; centre of stances heading {esc(s.trend.heading)}"
        out += [f"<h4>Convergence over time ({esc(s.measure)})</h4><p>{trend}</p>",
                timeline_svg(s.timeline, title=f"Dispersion on {s.label} per session",
                             measure=s.measure)]
    return "".join(out) + "</article>"


def _issues(report: Report) -> str:
    coalition_of = dict(zip(report.heatmap.states, report.heatmap.coalitions, strict=True)
                        ) if report.heatmap else {}
    toc = "<p>" + " · ".join(f'<a href="#issue-{esc(s.issue)}">{esc(s.label)}</a>'
                             for s in report.issues) + "</p>"
    return section("issues", "Issue by issue", toc + explain(EXPLAIN["convergence"]) + "".join(
        _issue(s, coalition_of) for s in report.issues))


def _topics(report: Report) -> str:
    if report.topics is None or not report.topics.rows:
        return section("topics", "Topics over time", "<p>No topics were discovered.</p>")
    return section("topics", "Topics over time",
                   explain(EXPLAIN["topics"]) + topics_svg(report.topics))


def _validation(report: Report) -> str:
    v = report.validation
    sessions = ("" if report.vote_sessions is None
                else render_session_validation(report.vote_sessions))
    if v is None and sessions:
        return section("validation", "Validation against UN votes",
                       explain(EXPLAIN["validation"]) + sessions)
    if v is None:
        body = ("<p>No roll-call votes are configured, so the text-based alignment has not been "
                "checked against voting. Run <code>likeminded validate-votes VOTES.csv</code> "
                "or set <code>votes.path</code> in the configuration.</p>")
        return section("validation", "Validation against UN votes",
                       explain(EXPLAIN["validation"]) + body)
    names = {"s_score": "S-score", "agreement": "Simple agreement", "kappa": "Cohen's kappa"}
    rows = [(esc(names.get(r.measure, r.measure)), fmt_interval(r.spearman),
             fmt_interval(r.pearson), str(r.n_pairs), str(r.n_states), str(r.n_roll_calls))
            for r in v.rows]
    body = (explain(EXPLAIN["validation"])
            + table(["Vote measure", "Spearman [95 % interval]", "Pearson [95 % interval]",
                     "n pairs", "States", "Roll calls"], rows, cls="validation")
            + f'<p class="muted">Votes: <code>{esc(v.source)}</code>; roll calls: '
            f"{esc(v.selection)}; text alignment: issue {esc(v.text_issue)}, session "
            f"{esc(v.text_session)}.</p>" + sessions)
    return section("validation", "Validation against UN votes", body)


def _glossary(report: Report) -> str:
    return section("glossary", "Glossary", '<dl class="glossary">' + "".join(
        f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>" for term, text in report.glossary) + "</dl>")


def _subtitle(report: Report) -> str:
    s = report.summary
    scope = "all sessions pooled" if report.session == "*" else f"session {report.session}"
    return esc(f"{s.statements} statements by {s.states} states, {s.date_from} to "
               f"{s.date_to}; {scope}")


def collapsible(html: str, summary: str, *, open_: bool = False) -> str:
    """``html`` (one ``<section>``) with everything after its heading inside a ``<details>``
    whose summary is ``summary``, so the long parts are one click away."""
    head_end = html.index("</h2>") + len("</h2>")
    return (html[:head_end].replace(" aria-labelledby=", ' class="collapsible" aria-labelledby=',
                                    1)
            + f"<details{' open' if open_ else ''}><summary>{esc(summary)}</summary>"
            + html[head_end:-len("</section>")] + "</details></section>")


def render_report(report: Report) -> str:
    """The whole report as one HTML document: key findings first, provenance last."""
    nav = [("#findings", "Key findings"), *([("#draft", "Draft")] if report.draft else []),
           *[(f"#focus-{b.state}", f"Brief: {b.name}") for b in report.focus],
           ("#changes", "Changes"), ("#heatmap", "Heatmap"), ("#map", "Map"),
           ("#issues", "Issues"), ("#topics", "Topics"), ("#validation", "Votes"),
           ("#quality", "Data quality"), ("#taxonomy", "Issue ids"), ("#glossary", "Glossary"),
           ("#summary", "Provenance")]
    focus = [collapsible(render_focus(b, page_link=state_page_name(b.state)),
                         f"Partners with quotes, positions and statements to join "
                         f"(also on its own page, {state_page_name(b.state)})")
             for b in report.focus]
    body = "".join([
        render_findings(report.findings) if report.findings else "",
        render_draft_section(report.draft), *focus,
        collapsible(_changes(report.changes), "Every mover with its quotes, pairs and trends"),
        _overview(report),
        collapsible(_issues(report), "Stances of every state and group, issue by issue"),
        _topics(report), collapsible(_validation(report), "Agreement with UN votes"),
        collapsible(_quality(report), "Quarantined files, thin evidence, coverage by language"),
        collapsible(render_issue_table(report.taxonomy), "Ids, labels and poles")
        if report.taxonomy else "",
        collapsible(_glossary(report), "Terms used in this report"),
        _summary(report)])
    return page(report.title, _subtitle(report), nav, body,
                banner=illustrative_banner(report.illustrative))


def render_state_page(report: Report, state: str) -> str:
    """The brief of one focus state as its own page, with the glossary."""
    brief = next((b for b in report.focus if b.state == state), None)
    if brief is None:
        raise ValueError(f"state: {state!r} is not a focus state of this report; expected one "
                         f"of {', '.join(b.state for b in report.focus)}")
    nav = [("index.html", "Full report"), (f"#focus-{brief.state}", "Brief"),
           ("#glossary", "Glossary")]
    return page(f"{brief.name}: like-minded partners and positions", _subtitle(report), nav,
                render_focus(brief) + _glossary(report),
                banner=illustrative_banner(report.illustrative))
