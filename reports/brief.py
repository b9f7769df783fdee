"""The one-page brief of a delegation: a pure function of a :class:`ReportData`.

Four parts, each from stored results only (never a guess): who moved toward or away from the
state since the previous session (moves beyond their 95 % interval, with the paragraphs before
and after), its best partner outside its own groups on each contested issue (score, interval,
both paragraphs), statements it could join, and up to three talking points, each grounded in
a quoted paragraph. Where there is no evidence the brief says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from reports.common import WINDOW, estimate, is_contested, label_of, num, quote_from_row, trim
from reports.data import ReportData
from reports.findings import illustrative_note
from reports.model import Estimate, JoinableStatement, Quote

QUOTE_LIMIT = 230
"""Characters of a quoted paragraph on the page (cut at a word, with an ellipsis)."""
CLEAR_SIDE = 0.5
"""A mover's new paragraph grounds a talking point only when it takes our side at least this
clearly (a weak stance is as likely a misreading as a move)."""


@dataclass(frozen=True, slots=True)
class Move:
    """Another state's move on an issue, toward or away from the brief's state."""

    state: str
    name: str
    issue: str
    label: str
    from_session: str
    to_session: str
    shift: Estimate
    stance_from: float | None
    stance_to: float | None
    ours: float
    direction: str  # "toward" or "away"
    before: Quote | None
    after: Quote | None
    after_stance: float | None = None
    clear: bool = False  # our side on the issue is clear (its interval excludes 0)


@dataclass(frozen=True, slots=True)
class IssuePartner:
    """The best partner outside the state's groups on one issue, with both paragraphs.

    ``partner`` is empty when none was found; ``note`` then says why."""

    issue: str
    label: str
    ours: Estimate
    side: str
    partner: str = ""
    name: str = ""
    score: Estimate = field(default_factory=lambda: Estimate(None))
    theirs: Quote | None = None
    mine: Quote | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class TalkingPoint:
    """A point to make, and the quoted paragraph it rests on."""

    text: str
    quote: Quote


@dataclass(frozen=True, slots=True)
class Brief:
    """Everything the one-page brief shows (see the module docstring)."""

    state: str
    name: str
    session: str
    scope: str
    member_of: tuple[str, ...]
    statements: int
    moves: tuple[Move, ...]
    partners: tuple[IssuePartner, ...]
    joinable: tuple[JoinableStatement, ...]
    points: tuple[TalkingPoint, ...]
    notes: tuple[str, ...]
    illustrative: str
    provenance: str
    unplaced: int = 0


def _short(q: Quote) -> Quote:
    return replace(q, text=trim(q.text, QUOTE_LIMIT))


def _our_stance(data: ReportData, state: str, issue: str, session: str) -> Estimate:
    """The state's stance on an issue in ``session`` (non-thin), else pooled; else none."""
    p = data.positions
    mine = p[(p["state"] == state) & (p["issue"] == issue)]
    for s in (session, WINDOW):
        row = mine[(mine["session"] == s) & ~mine["thin"].astype(bool)]
        if len(row) and num(row["stance"].iloc[0]) is not None:
            r = row.iloc[0]
            return estimate(r["stance"], r["stance_lo"], r["stance_hi"])
    return Estimate(None)


def side_of(data: ReportData, issue: str, stance: Estimate) -> str:
    """The pole label the stance leans to, when its interval excludes 0 (else ``""``)."""
    info = data.issue_info.get(issue, {})
    if stance.value is None or not is_contested(data.issue_info, issue):
        return ""
    lo = stance.lo if stance.lo is not None else stance.value
    hi = stance.hi if stance.hi is not None else stance.value
    if lo > 0:
        return str(info.get("plus") or "plus pole")
    if hi < 0:
        return str(info.get("minus") or "minus pole")
    return ""


def _pick_quote(data: ReportData, state: str, issue: str, session: str,
                stance: float | None) -> tuple[Quote | None, float | None]:
    """The state's paragraph on the issue in the session that best shows ``stance``: its own
    voice first, then the stance closest to it, then the tagger's score; and its stance."""
    q = data.quotes
    rows = q[(q["state"] == state) & (q["issue"] == issue) & (q["session"] == session)]
    if rows.empty:
        return None, None
    stances = rows["stance"].astype(float).fillna(0.0)
    target = 0.0 if stance is None else float(stance)
    order = rows.assign(_group=rows["on_behalf_of"].fillna("").astype(str) != "",
                        _gap=(stances - target).abs(), _score=-rows["score"].astype(float))
    best = order.sort_values(["_group", "_gap", "_score", "statement_id", "idx"],
                             kind="stable").iloc[0]
    return _short(quote_from_row(best, data.name)), num(best["stance"])


def build_moves(data: ReportData, state: str, session: str,
                issues: Sequence[str]) -> tuple[tuple[Move, ...], int]:
    """Other states' moves into ``session`` on the issues, toward or away from the state's
    stance, largest first; and how many moves there were on issues where it has no stance."""
    m = data.movers
    m = m[(m["to_session"] == session) & (m["state"] != state) & m["issue"].isin(list(issues))]
    out, unplaced = [], 0
    for row in m.itertuples(index=False):
        our = _our_stance(data, state, str(row.issue), session)
        ours = our.value
        before, after = num(row.stance_from), num(row.stance_to)
        if ours is None or before is None or after is None:
            unplaced += 1
            continue
        toward = abs(after - ours) < abs(before - ours)
        said_before, _ = _pick_quote(data, str(row.state), str(row.issue),
                                     str(row.from_session), before)
        said_after, after_stance = _pick_quote(data, str(row.state), str(row.issue),
                                               str(row.to_session), after)
        out.append(Move(
            state=str(row.state), name=data.name(str(row.state)), issue=str(row.issue),
            label=label_of(data.issue_info, str(row.issue)),
            from_session=str(row.from_session), to_session=str(row.to_session),
            shift=estimate(row.shift, row.shift_lo, row.shift_hi), stance_from=before,
            stance_to=after, ours=ours, direction="toward" if toward else "away",
            before=said_before, after=said_after, after_stance=after_stance,
            clear=bool(side_of(data, str(row.issue), our))))
    out.sort(key=lambda v: (v.direction != "toward", -abs(v.shift.value or 0.0), v.state,
                            v.issue))
    return tuple(out), unplaced


def _groups_of(data: ReportData, state: str) -> set[str]:
    return {g for g, info in data.groups.items() if state in info.get("members", [])}


def build_partners(data: ReportData, state: str, session: str,
                   issues: Sequence[str]) -> tuple[IssuePartner, ...]:
    """Per issue, the best-ranked partner that shares none of the state's groups."""
    mine = _groups_of(data, state)
    out = []
    for issue in issues:
        ours = _our_stance(data, state, issue, session)
        base = partial(IssuePartner, issue=issue, label=label_of(data.issue_info, issue),
                       ours=ours, side=side_of(data, issue, ours))
        ranked = (data.partners.get(state, {}).get(issue) or {}).get("partners") or []
        outside = [p for p in ranked if not (_groups_of(data, str(p["state"])) & mine)
                   and (num(p.get("score")) or 0.0) > 0]
        # a partner whose interval excludes 0 first: the rank alone may rest on little text
        outside.sort(key=lambda p: not round(num(p.get("lo")) or 0.0, 2) > 0)
        if not ranked:
            out.append(base(note="no alignment scores on this issue"))
            continue
        if not outside:
            out.append(base(note="its closest partners are all in its own groups"))
            continue
        best = outside[0]
        evidence = next((e for e in best.get("evidence") or [] if e["issue"] == issue), None)
        out.append(base(
            partner=str(best["state"]), name=data.name(str(best["state"])),
            score=estimate(best.get("score"), best.get("lo"), best.get("hi")),
            theirs=_evidence_quote(data, evidence, partner=True),
            mine=_evidence_quote(data, evidence, partner=False)))
    return tuple(out)


def _evidence_quote(data: ReportData, e: Mapping[str, Any] | None, *,
                    partner: bool) -> Quote | None:
    if not e:
        return None
    pre = "partner_" if partner else ""
    who = str(e["partner"] if partner else e["state"])
    source = str(e.get(f"{pre}source", ""))
    url = source if source.startswith(("http://", "https://")) else ""
    return _short(Quote(state=who, name=data.name(who), session=str(e[f"{pre}session"]),
                        text=str(e[f"{pre}quote"]), source="" if url else source, url=url,
                        on_behalf_of=str(e.get(f"{pre}on_behalf_of", "") or ""),
                        delivered_by=str(e.get(f"{pre}delivered_by", "") or ""),
                        issue=str(e["issue"])))


def could_join(data: ReportData, state: str, scope: str, issues: Sequence[str],
               top: int = 2) -> tuple[JoinableStatement, ...]:
    """Statements of the last two sessions (of ``scope`` when it is one session) that the state
    could join or align itself with: joint statements it did not deliver, and statements of
    groups it does not belong to (states often align themselves with another group's
    statement), on contested issues where it holds a position, every side matching its own."""
    mine = {i: v for i in issues if is_contested(data.issue_info, i)
            and (v := _our_stance(data, state, i, scope).value) is not None}
    q = data.quotes
    recent = set(data.session_order[-2:]) if scope == WINDOW else {scope}
    group = q["on_behalf_of"].fillna("").astype(str)
    member = group.isin(sorted(_groups_of(data, state)))
    q = q[(q["joint"].fillna(False).astype(bool) | (group != "")) & ~member
          & (q["state"] != state) & q["issue"].isin(list(mine)) & q["session"].isin(recent)]
    q = q[q["stance"].astype(float).notna()]
    order = {s: n for n, s in enumerate(data.session_order)}
    found = []
    for _, part in q.groupby("statement_id", sort=True):
        stances = part.groupby("issue")["stance"].mean()
        if any((float(stances[i]) > 0) != (mine[i] > 0) or float(stances[i]) == 0
               for i in stances.index):
            continue
        fit = sum(1.0 - abs(float(stances[i]) - mine[i]) for i in stances.index) / len(stances)
        best = part.sort_values(["score", "idx"], ascending=[False, True], kind="stable").iloc[0]
        code = str(best["on_behalf_of"] or "")
        name = (f"{data.groups.get(code, {}).get('name', code)} statement" if code
                else f"joint statement delivered by {data.name(str(best['state']))}")
        found.append(JoinableStatement(
            group=code or "joint", group_name=name, session=str(best["session"]),
            fit=round(fit, 4), issues=tuple(label_of(data.issue_info, i)
                                            for i in sorted(stances.index)),
            quote=_short(quote_from_row(best, data.name))))
    found.sort(key=lambda j: (-j.fit, -order.get(j.session, -1), j.group, j.quote.source))
    return tuple(found[:top])


def cite(q: Quote) -> str:
    """``Kenya, OEWG-2024-8, oewg-2024-8/ken.txt`` (on behalf of a group when so)."""
    group = f" {q.voice()}" if q.voice() else ""
    where = q.url or q.source
    return f"{q.name}{group}, {q.session}" + (f", {where}" if where else "")


def build_points(partners: Sequence[IssuePartner], moves: Sequence[Move],
                 joinable: Sequence[JoinableStatement], n: int = 3) -> tuple[TalkingPoint, ...]:
    """Up to ``n`` talking points, each resting on one quoted paragraph: a partner outside the
    groups, a state that moved toward us, a statement to join, then further partners and
    our own words on the issues where our side is clear."""
    with_partner = [(p, p.theirs) for p in partners if p.partner and p.theirs is not None
                    and round(p.score.lo or 0.0, 2) > 0]
    with_partner.sort(key=lambda pair: (-(pair[0].score.value or 0.0), pair[0].issue))
    first: list[TalkingPoint] = []
    later: list[TalkingPoint] = []
    for k, (p, theirs) in enumerate(with_partner):
        side = f" for “{p.side}”" if p.side else ""
        (first if k == 0 else later).append(TalkingPoint(
            f"On {p.label}, {p.name} stands with us{side} beyond our groups (alignment "
            f"{_num(p.score)}): build on its words.", theirs))
    # the quoted paragraph must itself take our side, or it does not show the move
    toward = [(m, m.after) for m in moves if m.direction == "toward" and m.after is not None
              and m.clear and m.after_stance is not None and m.after_stance * m.ours > 0
              and abs(m.after_stance) >= CLEAR_SIDE]
    if toward:
        m, after = toward[0]
        first.append(TalkingPoint(
            f"{m.name} moved toward our position on {m.label} since {m.from_session} "
            f"(shift {_num(m.shift)}): acknowledge it and invite it to go further.", after))
    if joinable:
        j = joinable[0]
        first.append(TalkingPoint(
            f"Consider joining or aligning with the {j.group_name} ({j.session}) on "
            f"{', '.join(j.issues)}: its stances match ours.", j.quote))
    for p in partners:
        if p.side and p.mine is not None:
            later.append(TalkingPoint(f"Restate our position on {p.label} (“{p.side}”) in the "
                                      "words we used before.", p.mine))
    seen: set[tuple[str, str]] = set()
    out = []
    for point in first + later:
        key = (point.quote.state, point.quote.text)
        if key in seen:
            continue
        seen.add(key)
        out.append(point)
    return tuple(out[:n])


def _num(e: Estimate) -> str:
    if e.value is None:
        return "n/a"
    if e.lo is None or e.hi is None:
        return f"{e.value:+.2f}"
    return f"{e.value:+.2f} [{e.lo:+.2f}, {e.hi:+.2f}]"


def _provenance(data: ReportData) -> str:
    p = data.provenance
    parts = [f"{int(data.status.get('statements', 0) or 0)} statements"]
    if p.get("run_id"):
        parts.append(f"run {p['run_id']}")
    if p.get("model"):
        parts.append(f"model {p['model']}")
    if data.status.get("corrections"):
        parts.append(f"{data.status['corrections']} analyst corrections")
    return ", ".join(parts)


def illustrative_text(data: ReportData) -> str:
    """The report's illustrative-corpus warning (:func:`reports.findings.illustrative_note`),
    headed for the brief, or ``""`` when no statement comes from an illustrative corpus."""
    note = illustrative_note(data)
    return f"Illustrative data: {note}" if note else ""


def build_brief(data: ReportData, state: str, *, session: str, scope: str = WINDOW,
                issues: Sequence[str] | None = None) -> Brief:
    """The brief of ``state`` for ``session`` (moves into it); partners and statements to join
    over ``scope`` (all sessions pooled by default), on ``issues`` (default: the contested ones).
    """
    contested = [i for i in data.issue_info if is_contested(data.issue_info, i)]
    chosen = [i for i in (issues or contested)]
    statements = int((data.statements["state"] == state).sum())
    notes = []
    if not statements:
        notes.append(f"{data.name(state)} has no statement of its own in the store: its "
                     "positions, if any, rest on group statements only.")
    moves, unplaced = build_moves(data, state, session, [i for i in chosen if i in contested])
    if unplaced and moves:
        notes.append(f"{unplaced} move(s) into {session} are on issues where "
                     f"{data.name(state)} has no clear stance of its own, so toward or away "
                     "cannot be said.")
    partners = build_partners(data, state, scope, chosen) if data.partners.get(state) else ()
    if not partners:
        notes.append(f"No alignment scores for {data.name(state)}: it said too little on enough "
                     "issues (or is not in the corpus), so partners cannot be ranked.")
    joinable = could_join(data, state, scope, chosen)
    points = build_points(partners, moves, joinable)
    if 0 < len(points) < 3:
        notes.append(f"Only {len(points)} talking point(s) rest on quoted evidence; no more are "
                     "offered.")
    groups = tuple(str(data.groups[g].get("name", g)) for g in sorted(_groups_of(data, state)))
    return Brief(state=state, name=data.name(state), session=session, scope=scope,
                 member_of=groups, statements=statements, moves=moves, partners=partners,
                 joinable=joinable, points=points, notes=tuple(notes), unplaced=unplaced,
                 illustrative=illustrative_text(data), provenance=_provenance(data))


def brief_document(brief: Brief) -> dict[str, Any]:
    """The brief as plain data (for ``--json``)."""
    from dataclasses import asdict

    return asdict(brief)


__all__ = ["Brief", "IssuePartner", "Move", "TalkingPoint", "brief_document", "build_brief",
           "cite", "side_of"]

