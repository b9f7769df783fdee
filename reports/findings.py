"""Key findings: what an analyst reads first, as pure functions of a :class:`ReportData`.

Three questions, each answered from the stored tables only:

- what changed since the previous session: significant movers (the change's 95 % interval
  excludes zero) and issues converging or diverging, with the pole the centre heads toward;
- who the focus states' closest partners and clearest opponents are on each contested issue,
  with the score and its interval;
- how far to trust it: languages the taxonomy reaches poorly, thin evidence, the share of
  paragraphs that take no side, quarantined files, and whether the corpus is illustrative.

The report's opening section renders :func:`build_findings`; the one-page brief can reuse the
per-question functions (:func:`significant_movers`, :func:`issue_trends`,
:func:`focus_counterparts`, :func:`quality_warnings`, :func:`illustrative_note`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from reports.common import OVERALL, WINDOW, estimate, is_contested, label_of, num
from reports.data import ReportData
from reports.issues import build_trend
from reports.model import (
    Counterpart,
    Estimate,
    Findings,
    FocusFinding,
    IssueCounterparts,
    MoveFinding,
    QualityWarning,
    TrendFinding,
)

OPPOSED_BELOW = 0.0
"""A counterpart is listed as an opponent only when its alignment is below this."""

THIN_SHARE = 1 / 3
"""An issue is flagged when more than this share of the states that spoke have thin evidence."""


def compared_sessions(data: ReportData, session: str = WINDOW) -> tuple[str, str] | None:
    """``(previous, latest)`` sessions the changes compare (``None`` with one session)."""
    order = list(data.session_order)
    to = order[-1] if session == WINDOW and order else session
    if to not in order or order.index(to) == 0:
        return None
    return order[order.index(to) - 1], to


def _pole_label(data: ReportData, issue: str, pole: str) -> str:
    info = data.issue_info.get(issue, {})
    words = str(info.get("plus" if pole == "plus" else "minus", "") or "")
    return words or ("the + pole" if pole == "plus" else "the - pole")


def significant_movers(data: ReportData, *, session: str = WINDOW, issues: Sequence[str] = (),
                       between: tuple[str, str] | None = None) -> tuple[MoveFinding, ...]:
    """Movers between the previous and the latest session (or the two sessions ``between``)
    whose shift's 95 % interval excludes zero, largest shift first (ties by state, issue)."""
    pair = between or compared_sessions(data, session)
    if pair is None:
        return ()
    m = data.movers
    m = m[(m["from_session"] == pair[0]) & (m["to_session"] == pair[1])]
    if issues:
        m = m[m["issue"].isin(list(issues))]
    found = []
    for row in m.to_dict(orient="records"):
        shift = estimate(row["shift"], row["shift_lo"], row["shift_hi"])
        if shift.value is None or (shift.lo is not None and shift.hi is not None
                                   and shift.lo <= 0.0 <= shift.hi):
            continue
        state, issue = str(row["state"]), str(row["issue"])
        pole = str(row["pole"]) if row["pole"] in ("minus", "plus") else (
            "plus" if shift.value > 0 else "minus")
        before, after = num(row["stance_from"]), num(row["stance_to"])
        crossed = before is not None and after is not None and before * after < 0
        words = _pole_label(data, issue, pole)
        side = ""
        if not crossed and after is not None and after != 0.0:
            side = f"; still on the side of “{_pole_label(data, issue, _side(after))}”"
        sentence = (f"{data.name(state)} moved toward “{words}” on "
                    f"{label_of(data.issue_info, issue)} ({_signed(before)} → {_signed(after)}"
                    + ("; it changed sides" if crossed else side) + ").")
        found.append(MoveFinding(
            state=state, name=data.name(state), issue=issue,
            label=label_of(data.issue_info, issue), shift=shift, stance_from=before,
            stance_to=after, pole=pole, pole_label=words, crossed=crossed, sentence=sentence))
    found.sort(key=lambda f: (-abs(f.shift.value or 0.0), f.state, f.issue))
    return tuple(found)


def issue_trends(data: ReportData, *, session: str = WINDOW,
                 issues: Sequence[str] = ()) -> tuple[TrendFinding, ...]:
    """Issues converging or diverging over all sessions (the trend's interval excludes zero),
    converging first, with the dispersion in the first and the last session."""
    order = list(data.session_order)
    if len(order) < 2:
        return ()
    first, last = order[0], order[-1]
    found = []
    for issue in issues or tuple(data.issue_info):
        trend = build_trend(data, issue, first, last)
        if trend is None or trend.direction not in ("converging", "diverging"):
            continue
        heading = trend.heading if trend.heading and trend.heading != "no clear heading" else ""
        sentence = (f"{trend.label}: {trend.direction} over {len(order)} sessions "
                    f"({trend.measure} {_plain(trend.before)} in {first}, "
                    f"{_plain(trend.after)} in {last})"
                    + (f", the centre of stances heading {heading}" if heading else "") + ".")
        found.append(TrendFinding(
            issue=issue, label=trend.label, direction=trend.direction, measure=trend.measure,
            before=trend.before, after=trend.after, slope=trend.slope, heading=heading,
            sentence=sentence))
    rank = {"converging": 0, "diverging": 1}
    return tuple(sorted(found, key=lambda t: (rank[t.direction], t.label)))


def _counterpart(data: ReportData, item: Mapping[str, Any]) -> Counterpart:
    state = str(item["state"])
    return Counterpart(state=state, name=data.name(state),
                       score=estimate(item.get("score"), item.get("lo"), item.get("hi")),
                       reading=str(item.get("label") or ""))


def _certain(score: Estimate, partner: bool) -> bool:
    """A partner's interval lies above zero, an opponent's below :data:`OPPOSED_BELOW` (without
    an interval, the score itself decides)."""
    if score.value is None:
        return False
    if partner:
        return (score.lo if score.lo is not None else score.value) > 0.0
    return (score.hi if score.hi is not None else score.value) < OPPOSED_BELOW


def focus_counterparts(data: ReportData, state: str, *, issues: Sequence[str] = (),
                       top: int = 3) -> FocusFinding:
    """``state``'s ``top`` partners and opponents, overall and on each contested issue of
    ``issues`` (default: all) it has scores on.

    Only counterparts whose 95 % interval lies on one side count: partners above zero,
    opponents below :data:`OPPOSED_BELOW` (a high score with an interval reaching below zero
    is noise, not a partner)."""
    ranked = data.partners.get(state, {})
    wanted = [OVERALL, *[i for i in (issues or tuple(data.issue_info))
                         if is_contested(data.issue_info, i)]]
    rows = []
    for issue in wanted:
        document = ranked.get(issue)
        if not document:
            continue
        partners = tuple(c for c in (_counterpart(data, p) for p in document.get("partners", []))
                         if _certain(c.score, True))[:top]
        opponents = tuple(c for c in (_counterpart(data, p) for p in document.get("opposed", []))
                          if _certain(c.score, False))[:top]
        rows.append(IssueCounterparts(issue=issue, label=label_of(data.issue_info, issue),
                                      partners=partners, opponents=opponents))
    missing = "" if rows else (f"{data.name(state)} has no alignment scores in this selection "
                               "(too little said on enough issues).")
    return FocusFinding(state=state, name=data.name(state), issues=tuple(rows),
                        missing=missing)


def illustrative_note(data: ReportData) -> str:
    """The warning to show on every page when statements come from an illustrative corpus
    (``data.status["illustrative"]``), else ``""``."""
    info = data.status.get("illustrative") or {}
    count = int(info.get("statements", 0) or 0)
    if not count:
        return ""
    corpora = ", ".join(str(c) for c in info.get("corpora", ()) if c) or "an illustrative corpus"
    total = int(data.status.get("statements", 0) or 0)
    share = f"{count} of {total}" if total and total != count else f"all {count}"
    return (f"{share[0].upper()}{share[1:]} statements come from {corpora}, whose texts were "
            "written for demonstration. They are not what any government said; do not quote "
            "or cite them as such.")


def quality_warnings(data: ReportData, *, session: str = WINDOW, issues: Sequence[str] = (),
                     focus: Sequence[str] = ()) -> tuple[QualityWarning, ...]:
    """Reasons to read the findings with care, most serious first (``focus``: states whose own
    thin evidence is named)."""
    out = []
    note = illustrative_note(data)
    if note:
        out.append(QualityWarning("illustrative", note))
    out += [QualityWarning("language", str(w))
            for w in data.status.get("annotation_warnings") or ()]
    out += _language_notes(data)
    coverage = data.status.get("annotation_by_language") or {}
    segments = sum(int(r.get("segments", 0) or 0) for r in coverage.values())
    if segments:
        sided = sum(int(r["with_stance"]) if "with_stance" in r else round(
            float(r.get("stance_rate", 0.0)) * int(r.get("segments", 0) or 0))
            for r in coverage.values())
        untagged = sum(int(r["segments"]) - int(r["tagged"]) if "tagged" in r else round(
            (1 - float(r.get("tag_rate", 0.0))) * int(r.get("segments", 0) or 0))
            for r in coverage.values())
        share = 1 - sided / segments
        out.append(QualityWarning(
            "no_stance", f"{share:.0%} of the {segments:,} substantive paragraphs take no side "
            f"on any contested issue ({untagged / segments:.0%} carry no issue at all); "
            "positions rest on the rest.", round(share, 4)))
    out += _thin_warnings(data, session, issues, focus)
    quarantined = len(data.status.get("quarantine") or ())
    if quarantined:
        out.append(QualityWarning("quarantine", f"{quarantined} input file"
                                  + (" could not be read and was" if quarantined == 1 else
                                   "s could not be read and were") + " set aside (see Data "
                                  "quality).", None))
    return tuple(out)


def _thin_warnings(data: ReportData, session: str, issues: Sequence[str],
                   focus: Sequence[str] = ()) -> list[QualityWarning]:
    """Thin evidence: issues where many of the states that spoke are left out, the contested
    issue where most are (always named), and the focus states' own thin issues."""
    statements = data.statements
    if session != WINDOW:
        statements = statements[statements["session"] == session]
    spoke = set(statements["state"].astype(str))
    pos = data.positions[(data.positions["session"] == session)
                         & data.positions["state"].astype(str).isin(spoke)]
    contested = [i for i in (issues or tuple(data.issue_info))
                 if is_contested(data.issue_info, i) and i in set(pos["issue"])]
    shares = []
    for issue in contested:
        thin = pos.loc[pos["issue"] == issue, "thin"].astype(bool).to_numpy()
        shares.append((float(np.mean(thin)), int(thin.sum()), len(thin), issue))
    out = []
    flagged = [t for t in shares if t[0] > THIN_SHARE]
    worst = max(shares, key=lambda t: (t[0], t[3]), default=None)
    for share, n, total, issue in flagged or ([worst] if worst and worst[1] else []):
        out.append(QualityWarning(
            "thin", f"{label_of(data.issue_info, issue)}: {n} of {total} states that spoke "
            f"have thin evidence ({share:.0%}); they are left out of its scores"
            + ("." if flagged else " (the most of any contested issue)."), round(share, 4)))
    for state in focus:
        mine = pos[(pos["state"] == state) & pos["issue"].isin(contested)
                   & pos["thin"].astype(bool)]
        if len(mine):
            labels = ", ".join(label_of(data.issue_info, i) for i in sorted(mine["issue"]))
            out.append(QualityWarning("thin", f"{data.name(state)}: thin evidence on {labels}; "
                                      "no partner or opponent is named there."))
    return out


def _language_notes(data: ReportData, *, reference: str = "en",
                    ratio: float = 0.8) -> list[QualityWarning]:
    """Languages the taxonomy reaches less well than the reference language (a tag or stance
    rate below ``ratio`` times its own), besides the stronger warnings of the store."""
    coverage = data.status.get("annotation_by_language") or {}
    ref = coverage.get(reference)
    warned = " ".join(str(w) for w in data.status.get("annotation_warnings") or ())
    if not ref:
        return []
    out = []
    for lang, row in sorted(coverage.items()):
        if lang == reference or int(row.get("segments", 0) or 0) < 5 or f"{lang}:" in warned:
            continue
        tag, side = float(row.get("tag_rate", 0.0)), float(row.get("stance_rate", 0.0))
        if tag < ratio * float(ref.get("tag_rate", 0.0)) or side < ratio * float(
                ref.get("stance_rate", 0.0)):
            out.append(QualityWarning(
                "language", f"{lang}: {tag:.0%} of {row['segments']} paragraphs tagged with an "
                f"issue and {side:.0%} given a side, against {float(ref['tag_rate']):.0%} and "
                f"{float(ref['stance_rate']):.0%} in {reference}: statements in {lang} are read "
                "less completely.", round(tag, 4)))
    return out


def build_findings(data: ReportData, *, session: str = WINDOW, focus: Sequence[str] = (),
                   issues: Sequence[str] = (), top_movers: int = 8,
                   top: int = 3) -> Findings:
    """The opening summary of the report (see :class:`Findings`).

    Args:
        data: stored results.
        session: the session reported on, or ``"*"`` for all pooled (changes then compare
            the last two sessions).
        focus: ISO3 codes of the focus states.
        issues: issue ids to consider (default: every issue of the taxonomy).
        top_movers: movers listed (all are counted).
        top: partners and opponents per issue and focus state.
    """
    pair = compared_sessions(data, session)
    movers = significant_movers(data, session=session, issues=issues)
    return Findings(
        from_session=pair[0] if pair else "", to_session=pair[1] if pair else "",
        movers=movers[:top_movers], movers_total=len(movers),
        trends=issue_trends(data, session=session, issues=issues),
        focus=tuple(focus_counterparts(data, s, issues=issues, top=top) for s in focus),
        warnings=quality_warnings(data, session=session, issues=issues, focus=focus))


def _side(stance: float) -> str:
    return "plus" if stance > 0 else "minus"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def _plain(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


__all__ = ["Counterpart", "Findings", "FocusFinding", "IssueCounterparts", "MoveFinding",
           "QualityWarning", "TrendFinding", "build_findings", "compared_sessions",
           "focus_counterparts", "illustrative_note", "issue_trends", "quality_warnings",
           "significant_movers"]
