"""The brief of one focus state: partners with evidence, positions against groups, group
statements it could join."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from reports.common import (
    OVERALL,
    WINDOW,
    estimate,
    is_contested,
    label_of,
    num,
    quote_from_row,
    session_index,
    split_source,
    trim,
)
from reports.data import ReportData
from reports.issues import group_stances
from reports.model import (
    EvidencePair,
    FocusBrief,
    JoinableStatement,
    PartnerEntry,
    PartnerList,
    PositionRow,
    Quote,
)

MAX_GROUP_COLUMNS = 6


def _quote(data: ReportData, state: str, session: str, text: str, source: str,
           on_behalf_of: str, issue: str, delivered_by: str = "") -> Quote:
    url, path = split_source(source)
    return Quote(state=state, name=data.name(state), session=session, text=trim(text),
                 source=path, url=url, on_behalf_of=on_behalf_of or "", issue=issue,
                 delivered_by=delivered_by or "")


def _entry(data: ReportData, item: Mapping[str, Any], evidence: bool) -> PartnerEntry:
    drivers = []
    for d in item.get("drivers") or []:
        issue, score = (d["issue"], d["score"]) if isinstance(d, Mapping) else d
        drivers.append((str(issue), label_of(data.issue_info, str(issue)), num(score) or 0.0))
    pairs = []
    for e in (item.get("evidence") or []) if evidence else []:
        issue = str(e["issue"])
        pairs.append(EvidencePair(
            issue=issue, label=label_of(data.issue_info, issue), similarity=num(e["similarity"]),
            mine=_quote(data, str(e["state"]), str(e["session"]), str(e["quote"]),
                        str(e.get("source", "")), str(e.get("on_behalf_of", "")), issue,
                        str(e.get("delivered_by", "") or "")),
            theirs=_quote(data, str(e["partner"]), str(e["partner_session"]),
                          str(e["partner_quote"]), str(e.get("partner_source", "")),
                          str(e.get("partner_on_behalf_of", "")), issue,
                          str(e.get("partner_delivered_by", "") or ""))))
    state = str(item["state"])
    return PartnerEntry(state=state, name=data.name(state),
                        score=estimate(item.get("score"), item.get("lo"), item.get("hi")),
                        drivers=tuple(drivers), evidence=tuple(pairs),
                        basis=str(item.get("basis") or "issues"),
                        label=str(item.get("label") or ""))


def partner_list(data: ReportData, state: str, issue: str, *, top: int) -> PartnerList | None:
    document = data.partners.get(state, {}).get(issue)
    if not document:
        return None
    return PartnerList(
        issue=issue, label=label_of(data.issue_info, issue),
        partners=tuple(_entry(data, p, True) for p in document.get("partners", [])[:top]),
        opposed=tuple(_entry(data, p, True) for p in document.get("opposed", [])[:top]))


def _member_groups(data: ReportData, state: str) -> tuple[str, ...]:
    return tuple(sorted(g for g, info in data.groups.items() if state in info.get("members", [])))


def _group_columns(data: ReportData, state: str, positions) -> tuple[tuple[str, str], ...]:
    present = set(positions["state"])
    own = list(_member_groups(data, state))
    others = sorted((g for g in data.groups if g not in own),
                    key=lambda g: (-len(present & set(data.groups[g].get("members", []))), g))
    chosen = [g for g in own + others
              if present & set(data.groups[g].get("members", []))][:MAX_GROUP_COLUMNS]
    return tuple((g, str(data.groups[g].get("name", g))) for g in chosen)


def _positions(data: ReportData, state: str, session: str, issues: tuple[str, ...],
               columns: tuple[tuple[str, str], ...]) -> tuple[PositionRow, ...]:
    p = data.positions[data.positions["session"] == session]
    mine = p[p["state"] == state].set_index("issue")
    rows = []
    for issue in issues:
        if issue not in mine.index:
            continue
        r = mine.loc[issue]
        means = {g.group: g.mean for g in group_stances(data, p, issue)}
        contested = is_contested(data.issue_info, issue)
        rows.append(PositionRow(
            issue=issue, label=label_of(data.issue_info, issue), contested=contested,
            stance=estimate(r["stance"], r["stance_lo"], r["stance_hi"]) if contested
            else estimate(None), n_own=int(r["n_own"]), n_group=int(r["n_group"]),
            thin=bool(r["thin"]),
            group_means=tuple(means.get(g) if contested else None for g, _ in columns)))
    return tuple(rows)


def _joinable(data: ReportData, state: str, session: str, member_of: tuple[str, ...],
              top: int = 6) -> tuple[JoinableStatement, ...]:
    """Joint or cross-regional statements of the last two sessions that the state could join.

    Only statements open to the state qualify: joint statements (not those of a formal group
    with a membership, which it cannot join) that it did not deliver, on contested issues where
    it holds a position, every one of their sides matching its own.
    """
    p = data.positions[(data.positions["session"] == session) & (data.positions["state"] == state)
                       & ~data.positions["thin"].astype(bool)]
    mine = {i: float(s) for i, s in zip(p["issue"], p["stance"], strict=True)
            if np.isfinite(float(s)) and is_contested(data.issue_info, i)}
    q = data.quotes
    recent = set(data.session_order[-2:])
    q = q[q["joint"].fillna(False).astype(bool) & (q["state"] != state)
          & ~q["on_behalf_of"].fillna("").isin(member_of)
          & q["issue"].isin(list(mine)) & q["session"].isin(recent)]
    if session != WINDOW:
        q = q[q["session"] == session]
    q = q[np.isfinite(q["stance"].astype(float))]
    order = session_index(data.session_order)
    found = []
    for _, part in q.groupby("statement_id", sort=True):
        stances = part.groupby("issue")["stance"].mean()
        if any(np.sign(float(stances[i])) != np.sign(mine[i]) for i in stances.index):
            continue
        fit = float(np.mean([1.0 - abs(float(stances[i]) - mine[i]) for i in stances.index]))
        best = part.sort_values(["score", "idx"], ascending=[False, True], kind="stable").iloc[0]
        group = str(best["on_behalf_of"] or "")
        found.append(JoinableStatement(
            group=group or "joint",
            group_name=str(data.groups.get(group, {}).get("name", group)) if group
            else f"joint statement delivered by {data.name(str(best['state']))}",
            session=str(best["session"]), fit=round(fit, 4),
            issues=tuple(label_of(data.issue_info, i) for i in sorted(stances.index)),
            quote=quote_from_row(best, data.name)))
    found.sort(key=lambda j: (-j.fit, -order.get(j.session, -1), j.group, j.quote.source))
    return tuple(found[:top])


def build_focus(data: ReportData, state: str, *, session: str, issues: tuple[str, ...],
                coalition: Mapping[str, int], top: int = 8, top_issue: int = 5) -> FocusBrief:
    """The brief of ``state`` (see :class:`~reports.model.FocusBrief`)."""
    member_of = _member_groups(data, state)
    positions = data.positions[data.positions["session"] == session]
    columns = _group_columns(data, state, positions)
    overall = partner_list(data, state, OVERALL, top=top)
    per_issue = tuple(found for found in (partner_list(data, state, i, top=top_issue)
                                          for i in issues) if found is not None)
    missing = "" if overall else (
        f"{data.name(state)} has no alignment scores in this selection: it said too little on "
        "enough issues (or is not in the corpus), so partners cannot be ranked.")
    return FocusBrief(
        state=state, name=data.name(state),
        statements=int((data.statements["state"] == state).sum()), member_of=member_of,
        coalition=coalition.get(state), overall=overall, per_issue=per_issue,
        group_columns=columns, positions=_positions(data, state, session, issues, columns),
        joinable=_joinable(data, state, session, member_of), missing=missing)
