"""Build the report model from stored results: pure functions of a :class:`ReportData`.

Nothing here reads files or the store, and nothing depends on the clock: the same data always
gives the same :class:`~reports.model.Report`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from reports.common import (
    OVERALL,
    WINDOW,
    estimate,
    label_of,
    num,
    quote_from_row,
    trim,
)
from reports.data import ReportData
from reports.findings import build_findings, illustrative_note
from reports.focus import build_focus
from reports.issues import build_issue_section, build_trend
from reports.model import (
    Changes,
    Coalition,
    Cohesion,
    DataQuality,
    GroupRow,
    Heatmap,
    LanguageCoverage,
    MapPoint,
    Mover,
    PairChange,
    QuarantineItem,
    Quote,
    Report,
    SessionCount,
    StateMap,
    Summary,
    ThinIssue,
    TopicRow,
    Topics,
    Unattached,
    Validation,
    ValidationRow,
)
from reports.taxonomy_table import build_issue_rows
from reports.text import GLOSSARY
from reports.vote_sessions import build_session_validation

MEASURE_ORDER = ("s_score", "agreement", "kappa")


def default_focus(data: ReportData, n: int = 3) -> tuple[str, ...]:
    """The ``n`` states with the most statements (ties by ISO3), among states with alignment."""
    aligned = set(data.alignment["state_a"]) | set(data.alignment["state_b"])
    counts = data.statements[data.statements["state"].isin(aligned)].groupby("state").size()
    ranked = sorted(counts.items(), key=lambda item: (-int(item[1]), str(item[0])))
    return tuple(str(state) for state, _ in ranked[:n])


def select_issues(data: ReportData, issues: Sequence[str] = ()) -> tuple[str, ...]:
    """Issues to report on: those given (validated), else every issue with positions.

    Raises:
        ValueError: an issue id that has no positions, naming it and the valid ones.
    """
    known = set(data.positions["issue"])
    ordered = [i for i in data.issue_info if i in known] + sorted(known - set(data.issue_info))
    if not issues:
        return tuple(ordered)
    unknown = [i for i in issues if i not in known]
    if unknown:
        raise ValueError(f"issue: unknown or without positions {unknown}; expected some of "
                         f"{', '.join(ordered)}")
    return tuple(i for i in ordered if i in set(issues))


def build_summary(data: ReportData, *, session: str, issues: tuple[str, ...],
                  focus: tuple[str, ...]) -> Summary:
    status, prov = data.status, data.provenance
    sessions = tuple(SessionCount(
        forum=str(s["forum"]), session=str(s["session"]), date_from=str(s["from"]),
        date_to=str(s["to"]), statements=int(s["statements"]), states=int(s["states"]))
        for s in status.get("sessions", []))
    dates = sorted([s.date_from for s in sessions] + [s.date_to for s in sessions])
    languages = tuple(sorted(((str(k), int(v)) for k, v in status.get("languages", {}).items()),
                             key=lambda t: (-t[1], t[0])))
    labels = (("run_id", "Run"), ("finished_at", "Run finished (UTC)"),
              ("corpus_hash", "Corpus hash"), ("config_hash", "Configuration hash"),
              ("model", "Embedding model"), ("weights_sha256", "Model weights SHA-256"),
              ("precision", "Precision"))
    provenance = tuple((label, str(prov[key])) for key, label in labels if prov.get(key))
    if status.get("corrections"):
        provenance += (("Analyst corrections", f"{status['corrections']} active "
                        "(likeminded correct list names who, when and why)"),)
    taxonomy = prov.get("taxonomy")
    if isinstance(taxonomy, dict) and taxonomy.get("name"):
        provenance += (("Taxonomy", f"{taxonomy['name']} (SHA-256 "
                                    f"{str(taxonomy.get('digest', ''))[:16]})"),)
    versions = tuple(sorted((str(k), str(v)) for k, v in (prov.get("versions") or {}).items()))
    all_issues = set(data.positions["issue"])
    scope = (("Session", "all sessions pooled" if session == WINDOW else session),
             ("Issues", "all issues" if set(issues) == all_issues else ", ".join(issues)),
             ("Focus states", ", ".join(f"{data.name(s)} ({s})" for s in focus) or "none"))
    return Summary(statements=int(status.get("statements", len(data.statements))),
                   states=int(status.get("states", data.statements["state"].nunique())),
                   sessions=sessions, date_from=dates[0] if dates else "",
                   date_to=dates[-1] if dates else "", languages=languages,
                   provenance=provenance, versions=versions, scope=scope)


def build_quality(data: ReportData, *, session: str, issues: tuple[str, ...]) -> DataQuality:
    quarantined = tuple(sorted(
        (QuarantineItem(source=str(q.get("source", "")), field=str(q.get("field", "")),
                        reason=str(q.get("reason", "")))
         for q in data.status.get("quarantine", [])), key=lambda q: (q.source, q.field)))
    pos = data.positions[data.positions["session"] == session]
    statements = data.statements
    if session != WINDOW:
        statements = statements[statements["session"] == session]
    # only states that spoke in this scope can have thin evidence; members of a group that
    # never spoke themselves are not counted
    spoke = set(statements["state"].astype(str))
    thin = []
    for issue in issues:
        part = pos[pos["issue"] == issue]
        thin_states = tuple(sorted(s for s in part.loc[part["thin"].astype(bool), "state"]
                                   .astype(str) if s in spoke))
        thin.append(ThinIssue(issue=issue, label=label_of(data.issue_info, issue),
                              addressed=int((~part["thin"].astype(bool)).sum()), thin=thin_states))
    languages = tuple(
        LanguageCoverage(language=str(lang), segments=int(row.get("segments", 0)),
                         tag_rate=float(row.get("tag_rate", 0.0)),
                         stance_rate=float(row.get("stance_rate", 0.0)))
        for lang, row in (data.status.get("annotation_by_language") or {}).items())
    return DataQuality(quarantined=quarantined, duplicates=int(data.duplicates), thin=tuple(thin),
                       languages=languages, language_warnings=tuple(
                           str(w) for w in data.status.get("annotation_warnings") or ()))


def _compare_sessions(data: ReportData, session: str) -> tuple[str, str] | None:
    order = list(data.session_order)
    to = order[-1] if session == WINDOW and order else session
    if to not in order or order.index(to) == 0:
        return None
    return order[order.index(to) - 1], to


def _best_quote(data: ReportData, state: str, issue: str, session: str) -> Quote | None:
    q = data.quotes
    part = q[(q["state"] == state) & (q["issue"] == issue) & (q["session"] == session)]
    if part.empty:
        return None
    row = part.sort_values(["score", "statement_id", "idx"], ascending=[False, True, True],
                           kind="stable").iloc[0]
    return quote_from_row(row, data.name)


def _direction(data: ReportData, issue: str, pole: str, camp: int | None,
               toward: tuple[str, ...], before: float | None = None,
               after: float | None = None) -> str:
    """Where a mover went, in words: the pole, whether it crossed sides, the camp it got
    closer to."""
    info = data.issue_info.get(issue, {})
    label = info.get("plus", "") if pole == "plus" else info.get("minus", "")
    words = f"moved toward “{label or ('the + pole' if pole == 'plus' else 'the - pole')}”"
    if before is not None and after is not None and before * after > 0:
        side = info.get("plus", "") if after > 0 else info.get("minus", "")
        words += f", still on the side of “{side or ('+' if after > 0 else '-')}”"
    if camp is not None and camp >= 0:
        names = ", ".join(data.name(t) for t in toward)
        words += f", closer to coalition {camp}" + (f" ({names})" if names else "")
    return words


def _mover_quote(data: ReportData, state: str, issue: str, session: str, pole: str,
                 after: bool) -> Quote | None:
    """The mover's paragraph nearest its new pole (after) or furthest from it (before)."""
    q = data.quotes
    part = q[(q["state"] == state) & (q["issue"] == issue) & (q["session"] == session)
             & q["stance"].notna()]
    if part.empty:
        return _best_quote(data, state, issue, session)
    sign = 1.0 if pole == "plus" else -1.0
    lean = sign * part["stance"].astype(float) * (1.0 if after else -1.0)
    row = part.assign(lean=lean).sort_values(["lean", "statement_id", "idx"],
                                             ascending=[False, True, True],
                                             kind="stable").iloc[0]
    return quote_from_row(row, data.name)


def build_changes(data: ReportData, *, session: str, issues: tuple[str, ...],
                  top: int = 10) -> Changes | None:
    pair = _compare_sessions(data, session)
    if pair is None:
        return None
    before_s, after_s = pair
    m = data.movers
    m = m[(m["from_session"] == before_s) & (m["to_session"] == after_s)
          & m["issue"].isin(issues)]
    m = m.assign(size=m["shift"].astype(float).abs()).sort_values(
        ["size", "state", "issue"], ascending=[False, True, True], kind="stable")
    movers = []
    for row in m.head(top).to_dict(orient="records"):
        issue, state, pole = str(row["issue"]), str(row["state"]), str(row["pole"])
        toward = row["toward"]
        toward = tuple(str(t) for t in (list(toward) if toward is not None else []))
        camp = None if num(row["camp"]) is None else int(row["camp"])
        movers.append(Mover(
            state=state, name=data.name(state), issue=issue,
            label=label_of(data.issue_info, issue),
            shift=estimate(row["shift"], row["shift_lo"], row["shift_hi"]),
            stance_from=num(row["stance_from"]), stance_to=num(row["stance_to"]),
            direction=_direction(data, issue, pole, camp, toward, num(row["stance_from"]),
                                 num(row["stance_to"])), toward=toward,
            before=_mover_quote(data, state, issue, before_s, pole, after=False),
            after=_mover_quote(data, state, issue, after_s, pole, after=True), camp=camp))
    c = data.pair_changes
    c = c[(c["from_session"] == before_s) & (c["to_session"] == after_s)]
    c = c.assign(size=c["delta"].astype(float).abs()).sort_values(
        ["size", "state_a", "state_b"], ascending=[False, True, True], kind="stable").head(top)
    pairs = tuple(PairChange(state_a=str(r["state_a"]), name_a=data.name(str(r["state_a"])),
                             state_b=str(r["state_b"]), name_b=data.name(str(r["state_b"])),
                             before=num(r["before"]) or 0.0, after=num(r["after"]) or 0.0,
                             delta_lo=num(r["delta_lo"]), delta_hi=num(r["delta_hi"]))
                  for r in c.to_dict(orient="records"))
    trends = tuple(t for t in (build_trend(data, i, before_s, after_s) for i in issues)
                   if t is not None)
    rank = {"converging": 0, "diverging": 1}
    trends = tuple(sorted(trends, key=lambda t: (rank.get(t.direction, 2), t.label)))
    return Changes(from_session=before_s, to_session=after_s, movers=tuple(movers), pairs=pairs,
                   trends=trends)


def _matrix(data: ReportData, session: str) -> tuple[list[str], np.ndarray]:
    a = data.alignment[(data.alignment["issue"] == OVERALL)
                       & (data.alignment["session"] == session)]
    states = sorted(set(a["state_a"].astype(str)) | set(a["state_b"].astype(str)))
    index = {s: i for i, s in enumerate(states)}
    matrix = np.full((len(states), len(states)), np.nan)
    i, j = a["state_a"].map(index).to_numpy(int), a["state_b"].map(index).to_numpy(int)
    matrix[i, j] = matrix[j, i] = a["score"].to_numpy(float)
    np.fill_diagonal(matrix, 1.0)
    return states, matrix


def classical_mds(matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """2-D coordinates ``(n, 2)`` from an alignment matrix ``(n, n)``, and the share of variance
    the two axes explain. Missing cells count as the mean alignment; axis signs are fixed so
    the coordinate of largest magnitude is positive (deterministic)."""
    n = len(matrix)
    if n < 3:
        return np.zeros((n, 2)), 0.0
    filled = np.where(np.isfinite(matrix), matrix, np.nanmean(matrix))
    distance = np.clip(1.0 - (filled + filled.T) / 2, 0.0, 2.0)
    centre = np.eye(n) - np.ones((n, n)) / n
    inner = -0.5 * centre @ (distance ** 2) @ centre
    values, vectors = np.linalg.eigh(inner)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    positive = values[values > 0]
    coords = vectors[:, :2] * np.sqrt(np.clip(values[:2], 0, None))
    for k in range(2):
        if coords[np.argmax(np.abs(coords[:, k])), k] < 0:
            coords[:, k] = -coords[:, k]
    explained = float(values[:2].clip(0).sum() / positive.sum()) if positive.size else 0.0
    return coords, explained


def shared_words(data: ReportData, coalition: int) -> str:
    """The sides a coalition's members share, in the taxonomy's pole labels."""
    shared = data.coalition_positions
    shared = shared[shared["coalition"] == coalition]
    words = []
    for row in shared.to_dict(orient="records"):
        info = data.issue_info.get(str(row["issue"]), {})
        label = info.get("plus" if row["pole"] == "plus" else "minus", "") or row["issue"]
        # positions are separated by semicolons: one inside a label would split it in two
        words.append(f"{str(label).replace(';', ',')} ({round(100 * float(row['share']))} % of "
                     f"{int(row['states'])})")
    return "; ".join(words)


def build_overview(data: ReportData, *, session: str
                   ) -> tuple[Heatmap | None, StateMap | None, tuple[Coalition, ...]]:
    states, matrix = _matrix(data, session)
    if len(states) < 2:
        return None, None, ()
    c = data.coalitions[data.coalitions["issue"] == OVERALL]
    clustered = {str(s): int(k) for s, k in zip(c["state"], c["coalition"], strict=True)}
    # unattached states (between coalitions) keep their place in the order, without a colour
    coalition = {s: k for s, k in clustered.items() if s not in _unattached_states(c)}
    coords, explained = classical_mds(matrix)
    x = {s: float(coords[i, 0]) for i, s in enumerate(states)}
    order = sorted(states, key=lambda s: (clustered.get(s, 999), s not in coalition,
                                          -round(x[s], 6), s))
    idx = [states.index(s) for s in order]
    ordered = matrix[np.ix_(idx, idx)]
    groups = tuple(GroupRow(group=g, name=str(info.get("name", g)),
                            members=tuple(s in set(info.get("members", [])) for s in order))
                   for g, info in sorted(data.groups.items())
                   if set(info.get("members", [])) & set(order))
    heatmap = Heatmap(session=session, states=tuple(order),
                      names=tuple(data.name(s) for s in order),
                      coalitions=tuple(coalition.get(s, -1) for s in order),
                      matrix=tuple(tuple(num(v, 3) for v in row) for row in ordered),
                      groups=groups)
    points = tuple(MapPoint(state=s, name=data.name(s), x=round(float(coords[i, 0]), 4),
                            y=round(float(coords[i, 1]), 4), coalition=coalition.get(s, -1))
                   for i, s in enumerate(states))
    coalitions = []
    for cid in sorted(set(coalition.values())):
        members = tuple(sorted(s for s, k in coalition.items() if k == cid))
        counts = [(g, len(set(info.get("members", [])) & set(members)))
                  for g, info in data.groups.items()]
        top = tuple(sorted(((g, k) for g, k in counts if k), key=lambda t: (-t[1], t[0]))[:4])
        coalitions.append(Coalition(id=cid, states=members, groups=top,
                                    positions=shared_words(data, cid)))
    return heatmap, StateMap(points=points, explained=round(explained, 4)), tuple(coalitions)


def _unattached_states(coalitions: pd.DataFrame) -> set[str]:
    """States of ``coalitions`` rows that belong to no coalition (stores analysed before the
    ``attached`` column had partitions: none)."""
    if "attached" not in coalitions:
        return set()
    attached = coalitions["attached"].map(lambda v: True if v is None or v != v else bool(v))
    return set(coalitions.loc[~attached.astype(bool), "state"].astype(str))


def build_unattached(data: ReportData) -> tuple[Unattached, ...]:
    """The states between coalitions on the overall alignment, lowest silhouette first."""
    c = data.coalitions[data.coalitions["issue"] == OVERALL]
    between = _unattached_states(c)
    rows = c[c["state"].astype(str).isin(between)].sort_values(["silhouette", "state"],
                                                                kind="stable")
    return tuple(Unattached(
        state=str(r["state"]), name=data.name(str(r["state"])),
        clustered_with=int(r["coalition"]), silhouette=round(float(r["silhouette"]), 4),
        nearest=None if num(r.get("nearest")) is None else int(r["nearest"]),
        nearest_alignment=num(r.get("nearest_alignment"), 4)) for _, r in rows.iterrows())


def build_cohesion(data: ReportData) -> tuple[Cohesion, ...]:
    g = data.group_cohesion[(data.group_cohesion["issue"] == OVERALL)
                            & (data.group_cohesion["members_present"].fillna(0) > 1)]
    rows = [Cohesion(group=str(r["group"]), name=str(data.groups.get(r["group"], {}).get(
        "name", r["group"])), members_present=int(r["members_present"]),
        cohesion=num(r["cohesion"]),
        main_coalition=None if num(r["main_coalition"]) is None else int(r["main_coalition"]),
        share_in_main=num(r["share_in_main"])) for r in g.to_dict(orient="records")]
    return tuple(sorted(rows, key=lambda r: (-(r.cohesion if r.cohesion is not None else -9),
                                             r.group)))


def build_topics(data: ReportData, *, top: int = 14) -> Topics | None:
    t = data.topics[data.topics["topic_id"] >= 0]
    if t.empty or data.topic_counts.empty:
        return None
    sessions = tuple(s for s in data.session_order if s in set(data.topic_counts["session"]))
    counts = data.topic_counts
    totals = counts.groupby("session")["n"].sum()
    t = t.sort_values(["size", "topic_id"], ascending=[False, True], kind="stable").head(top)
    rows = []
    for r in t.to_dict(orient="records"):
        part = counts[counts["topic_id"] == r["topic_id"]].set_index("session")["n"]
        shares = tuple(round(float(part.get(s, 0)) / float(totals.get(s, 0) or 1), 4)
                       for s in sessions)
        keywords = r["keywords"]
        keywords = tuple(str(k) for k in (list(keywords) if keywords is not None else []))
        rows.append(TopicRow(topic_id=int(r["topic_id"]), label=trim(str(r["label"]), 80),
                             keywords=keywords[:8], size=int(r["size"]), shares=shares))
    return Topics(sessions=sessions, rows=tuple(rows))


def build_validation(data: ReportData) -> Validation | None:
    v = data.vote_validation
    if v.empty:
        return None
    rank = {m: i for i, m in enumerate(MEASURE_ORDER)}
    records = sorted(v.to_dict(orient="records"), key=lambda r: (rank.get(r["measure"], 9),
                                                                 str(r["measure"])))
    rows = tuple(ValidationRow(
        measure=str(r["measure"]), spearman=estimate(r["spearman"], r["spearman_lo"],
                                                     r["spearman_hi"]),
        pearson=estimate(r["pearson"], r["pearson_lo"], r["pearson_hi"]),
        n_pairs=int(r["n_pairs"] or 0), n_states=int(r["n_states"] or 0),
        n_roll_calls=int(r["n_roll_calls"] or 0)) for r in records)
    first = records[0]
    try:
        selection = json.loads(first["selection"]) if first["selection"] else {}
    except (TypeError, ValueError):
        selection = {}
    chosen = "; ".join(f"{k}: {', '.join(str(x) for x in v)}" for k, v in sorted(
        selection.items()) if v) or "all roll calls"
    return Validation(source=str(first["votes_source"]), selection=chosen,
                      text_issue=str(first["text_issue"]), text_session=str(first["text_session"]),
                      rows=rows)


def build_report(data: ReportData, *, focus: Sequence[str] = (), issues: Sequence[str] = (),
                 session: str = WINDOW, title: str = "Like-minded states: alignment report"
                 ) -> Report:
    """The whole report model.

    Args:
        data: stored results (see :class:`ReportData`).
        focus: ISO3 codes of the states to brief (default: :func:`default_focus`).
        issues: issue ids for the per-issue parts (default: all with positions).
        session: a session id, or ``"*"`` for all sessions pooled.

    Raises:
        ValueError: a table lacks columns, or ``session``/``issues`` are unknown (named).
    """
    data.validate()
    if session != WINDOW and session not in data.session_order:
        raise ValueError(f"session: unknown session {session!r}; expected '*' or one of "
                         f"{', '.join(data.session_order)}")
    chosen = select_issues(data, issues)
    focus = tuple(dict.fromkeys(focus)) or default_focus(data)
    heatmap, state_map, coalitions = build_overview(data, session=session)
    coalition = {s: k for s, k in zip(heatmap.states, heatmap.coalitions, strict=True)
                 } if heatmap else {}
    sections = tuple(build_issue_section(data, i, session=session, coalition=coalition)
                     for i in chosen)
    return Report(
        title=title, session=session,
        summary=build_summary(data, session=session, issues=chosen, focus=focus),
        quality=build_quality(data, session=session, issues=chosen),
        changes=build_changes(data, session=session, issues=chosen),
        heatmap=heatmap, state_map=state_map, coalitions=coalitions,
        cohesion=build_cohesion(data),
        focus=tuple(build_focus(data, s, session=session, issues=chosen, coalition=coalition)
                    for s in focus),
        issues=sections, topics=build_topics(data), validation=build_validation(data),
        glossary=GLOSSARY, taxonomy=build_issue_rows(data.issue_info),
        vote_sessions=build_session_validation(data.vote_sessions),
        findings=build_findings(data, session=session, focus=focus, issues=chosen),
        illustrative=illustrative_note(data), unattached=build_unattached(data))


__all__ = ["build_report", "classical_mds", "default_focus", "select_issues"]
