"""The analyst workbook (``tables/likeminded.xlsx``): what an analyst opens in Excel.

Sheets, in order: Summary (the run, the corpus, whether it is illustrative, counts, how to
read the rest), Partners (each focus state's partners and opponents, overall and per issue,
with the score, its interval and a quoted pair of paragraphs), Positions (state x contested
issue), Alignment (the overall matrix), Movers (every significant change of stance) and
Glossary (terms and issue ids). Numbers are rounded to 3 decimals and shown with 2, header rows
are frozen, states carry their names, "all issues" is written out. The raw tables go to a
second workbook (:func:`reports.xlsx.render_xlsx`). Pure: report model and data in, bytes out.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment

from reports.common import WINDOW, is_contested, label_of, num
from reports.data import ReportData
from reports.findings import significant_movers
from reports.model import FocusBrief, PartnerEntry, Quote, Report
from reports.xlsx import _cell, _fixed_zip, _stamp
from reports.xlsx_writer import column_letter

SHEETS = ("Summary", "Partners", "Positions", "Alignment", "Movers", "Glossary")
NUMBER = "+0.00;-0.00;0.00"
WRAP = Alignment(wrap_text=True, vertical="top")

HOW_TO_READ = (
    ("Partners", "For each focus state: its closest partners and most opposed states, over all "
     "issues and issue by issue. Score = alignment from -1 (opposite positions) to +1 (same "
     "positions), with its 95 % interval (low, high); above +0.5 reads like-minded, below -0.2 "
     "opposed. The two quotes are one paragraph of each state on a driving issue."),
    ("Positions", "Each state's stance on each contested issue, from -1 (the minus pole) to +1 "
     "(the plus pole), as in the Glossary's issue list; empty = no position or thin evidence."),
    ("Alignment", "Overall alignment of every pair of states (the report's heatmap), states in "
     "coalition order; 1 on the diagonal, empty where a pair shares too little. Coalition: "
     "its number, \"unattached\" for a state between coalitions (see the report), empty for "
     "a state aligned with too few others to be placed."),
    ("Movers", "States whose stance on an issue changed between two sessions by more than its "
     "95 % interval, with the pole they moved toward."),
    ("Glossary", "Terms used here, then the issue ids with their poles."),
)


class _Sheet:
    """A write-only sheet with a bold, frozen header and set column widths."""

    def __init__(self, workbook: Workbook, title: str, headers: Sequence[str],
                 widths: Sequence[float], *, freeze: str = "A2") -> None:
        self.ws = workbook.create_sheet(title)
        self.ws.freeze_panes = freeze
        for k, width in enumerate(widths, start=1):
            self.ws.column_dimensions[column_letter(k)].width = width
        if headers:
            self.ws.append([_cell(self.ws, h, bold=True) for h in headers])

    def row(self, values: Iterable[Any], *, wrap: Sequence[int] = (), bold: bool = False
            ) -> None:
        cells = []
        for k, value in enumerate(values):
            if isinstance(value, float):
                value = None if not math.isfinite(value) else round(value, 3)
            cell = _cell(self.ws, value, bold=bold)
            if isinstance(value, float):
                cell.number_format = NUMBER
            if k in wrap:
                cell.alignment = WRAP
            cells.append(cell)
        self.ws.append(cells)


def _value(x: float | None) -> float | None:
    return None if x is None else round(float(x), 3)


def _summary(wb: Workbook, report: Report, data: ReportData) -> None:
    sheet = _Sheet(wb, "Summary", [], (30, 110), freeze="A2")
    sheet.row([report.title], bold=True)
    s = report.summary
    prov = data.provenance
    named = prov.get("taxonomy")
    taxonomy = named if isinstance(named, dict) else {}
    illustrative = report.illustrative
    rows: list[tuple[str, Any]] = [
        ("Illustrative data", ("YES: " + illustrative) if illustrative else
         "no: the statements are real (as ingested)"),
        ("Statements", s.statements), ("States", s.states),
        ("Sessions", ", ".join(c.session for c in s.sessions)),
        ("Dates", f"{s.date_from} to {s.date_to}"),
        ("Languages", ", ".join(f"{lang} {n}" for lang, n in s.languages)),
        ("Session reported", "all sessions pooled" if report.session == WINDOW
         else report.session),
        ("Focus states", ", ".join(f"{b.name} ({b.state})" for b in report.focus) or "none"),
        ("Movers (all pairs of sessions)", len(data.movers)),
        ("Coalitions", len(report.coalitions)),
        ("Run", prov.get("run_id", "")), ("Run finished (UTC)", prov.get("finished_at", "")),
        ("Corpus hash", prov.get("corpus_hash", "")),
        ("Configuration hash", prov.get("config_hash", "")),
        ("Embedding model", prov.get("model", "")), ("Model key", prov.get("model_key", "")),
        ("Model weights SHA-256", prov.get("weights_sha256", "")),
        ("Precision", prov.get("precision", "")),
        ("Taxonomy", f"{taxonomy.get('name', '')} {taxonomy.get('digest', '')}".strip()),
        ("Analyst corrections", int(data.status.get("corrections") or 0)),
    ]
    for key, value in rows:
        sheet.row([key, value], wrap=(1,))
    sheet.row([])
    sheet.row(["How to read the sheets"], bold=True)
    for name, text in HOW_TO_READ:
        sheet.row([name, text], wrap=(1,))
    sheet.row(["Raw tables", "Every stored table, unrounded, is in likeminded-raw.xlsx and as "
               "CSV and Parquet files in this folder."], wrap=(1,))


def _quote_cells(q: Quote | None) -> list[Any]:
    if q is None:
        return ["", "", ""]
    return [q.text, q.session, q.url or q.source]


def _partner_rows(brief: FocusBrief) -> Iterable[list[Any]]:
    lists = [brief.overall] if brief.overall else []
    for plist in [*lists, *brief.per_issue]:
        issue = "all issues" if plist.issue == "*" else plist.issue
        for kind, entries in (("partner", plist.partners), ("opposed", plist.opposed)):
            for rank, p in enumerate(entries, start=1):
                yield _partner_row(brief, issue, plist.label, kind, rank, p)


def _partner_row(brief: FocusBrief, issue: str, label: str, kind: str, rank: int,
                 p: PartnerEntry) -> list[Any]:
    pair = p.evidence[0] if p.evidence else None
    drivers = ", ".join(f"{lab} {score:+.2f}" for _, lab, score in p.drivers)
    return [brief.state, brief.name, issue, label, kind, rank, p.state, p.name,
            _value(p.score.value), _value(p.score.lo), _value(p.score.hi), p.label,
            "shared issues" if p.basis == "issues" else "whole positions", drivers,
            pair.label if pair else "", *_quote_cells(pair.theirs if pair else None),
            *_quote_cells(pair.mine if pair else None)]


def _partners(wb: Workbook, report: Report) -> None:
    headers = ["Focus state", "Focus state name", "Issue", "Issue label", "Partner or opposed",
               "Rank", "State", "State name", "Score", "Low (95 %)", "High (95 %)", "Reading",
               "Basis", "Driving issues", "Quoted issue", "Their quote", "Their session",
               "Their source", "Our quote", "Our session", "Our source"]
    sheet = _Sheet(wb, "Partners", headers, (8, 18, 18, 26, 10, 6, 7, 20, 8, 9, 9, 13, 14, 30,
                                             22, 70, 14, 30, 70, 14, 30), freeze="C2")
    for brief in report.focus:
        for row in _partner_rows(brief):
            sheet.row(row, wrap=(15, 18))


def _positions(wb: Workbook, report: Report, data: ReportData) -> None:
    p = data.positions[data.positions["session"] == report.session]
    issues = [i for i in data.issue_info if is_contested(data.issue_info, i)
              and i in set(p["issue"])]
    headers = ["State", "State name", *[f"{label_of(data.issue_info, i)} ({i})" for i in issues],
               "Issues placed"]
    sheet = _Sheet(wb, "Positions", headers, (7, 26, *[16] * len(issues), 9), freeze="C2")
    placed = p[~p["thin"].astype(bool)]
    stance = {(str(r["state"]), str(r["issue"])): num(r["stance"], 3)
              for r in placed.to_dict(orient="records")}
    for state in sorted(set(p["state"].astype(str))):
        values = [stance.get((state, i)) for i in issues]
        sheet.row([state, data.name(state), *values, sum(v is not None for v in values)])
    sheet.row([])
    sheet.row(["Poles", "", *[f"-1 {data.issue_info[i].get('minus', '')} / +1 "
                              f"{data.issue_info[i].get('plus', '')}" for i in issues]],
              wrap=tuple(range(2, 2 + len(issues))))


def _alignment(wb: Workbook, report: Report) -> None:
    heat = report.heatmap
    if heat is None:
        _Sheet(wb, "Alignment", ["No alignment matrix: too few states with scores."], (60,))
        return
    sheet = _Sheet(wb, "Alignment", ["State", "State name", "Coalition", *heat.states],
                   (7, 26, 9, *[7] * len(heat.states)), freeze="D2")
    between = {u.state for u in report.unattached}
    for state, name, coalition, row in zip(heat.states, heat.names, heat.coalitions,
                                           heat.matrix, strict=True):
        label = ("unattached" if state in between
                 else coalition if coalition >= 0 else None)
        sheet.row([state, name, label, *row])


def _movers(wb: Workbook, report: Report, data: ReportData) -> None:
    headers = ["State", "State name", "Issue", "Issue label", "From session", "To session",
               "Change", "Low (95 %)", "High (95 %)", "Stance before", "Stance after",
               "Moved toward", "Changed sides", "Quote before", "Quote after"]
    sheet = _Sheet(wb, "Movers", headers, (7, 22, 18, 26, 14, 14, 8, 9, 9, 9, 9, 40, 8, 60,
                                           60), freeze="C2")
    quotes = {(m.state, m.issue): m for m in (report.changes.movers if report.changes else ())}
    order = {s: k for k, s in enumerate(data.session_order)}
    pairs = sorted({(str(a), str(b)) for a, b in zip(data.movers["from_session"],
                                                     data.movers["to_session"], strict=True)},
                   key=lambda t: (order.get(t[1], 99), order.get(t[0], 99)), reverse=True)
    latest = pairs[0] if pairs else None
    for before, after in pairs:
        for m in significant_movers(data, between=(before, after)):
            q = quotes.get((m.state, m.issue)) if (before, after) == latest else None
            sheet.row([m.state, m.name, m.issue, m.label, before, after, m.shift.value,
                       m.shift.lo, m.shift.hi, m.stance_from, m.stance_to, m.pole_label,
                       "yes" if m.crossed else "no",
                       q.before.text if q and q.before else "",
                       q.after.text if q and q.after else ""], wrap=(13, 14))


def _glossary(wb: Workbook, report: Report) -> None:
    sheet = _Sheet(wb, "Glossary", ["Term", "Meaning"], (28, 110))
    for term, text in report.glossary:
        sheet.row([term, text], wrap=(1,))
    sheet.row([])
    sheet.row(["Issue id", "Issue, kind and poles"], bold=True)
    for r in report.taxonomy:
        poles = f" (-1: {r.minus}; +1: {r.plus})" if r.contested else ""
        sheet.row([r.id, f"{r.label}: {'contested' if r.contested else 'consensual'}{poles}"],
                  wrap=(1,))


def render_workbook(report: Report, data: ReportData,
                    provenance: Mapping[str, Any] | None = None) -> bytes:
    """The analyst workbook as bytes (same inputs, same bytes: the dates are the run's)."""
    wb = Workbook(write_only=True)
    _summary(wb, report, data)
    _partners(wb, report)
    _positions(wb, report, data)
    _alignment(wb, report)
    _movers(wb, report, data)
    _glossary(wb, report)
    stamp = _stamp(provenance or data.provenance)
    wb.properties.created = wb.properties.modified = stamp
    raw = io.BytesIO()
    wb.save(raw)
    return _fixed_zip(raw.getvalue(), stamp)


__all__ = ["SHEETS", "render_workbook"]
