"""Read-side queries over the stored analysis: partners, coalitions, convergence, exports.

Each returns plain data (dicts and DataFrames) for the CLI's JSON output, the exports and the
report; every document carries the provenance of the run that produced the tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, cast

import numpy as np
import pandas as pd

from corpora.countries import country_name
from corpora.groups import default_groups
from corpora.store import Store
from nlp.alignment import OVERALL
from nlp.coalitions import (
    compare_with_groups,
    describe_shared,
    find_coalitions,
    group_cohesion,
    shared_positions,
)
from nlp.partners import Partner, quote, rank_partners
from nlp.positions import WINDOW
from pipelines.resources import get_embedder, get_taxonomy
from pipelines.settings import PipelineConfig
from pipelines.store.analysis_read import AnalysisTables, coalition_frame, load_alignment
from pipelines.store.corrections import correct_evidence
from pipelines.store.documents import (
    CoalitionsDocument,
    ConvergenceDocument,
    PartnerEntry,
    PartnersDocument,
)
from pipelines.store.storage import vectors_from_arrow
from reports.issues import MEASURE_COLUMNS, MEASURE_LABELS, centre_heading, headline_measure


def latest_provenance(store: Store) -> dict[str, Any]:
    """Provenance of the most recent completed run (empty when none)."""
    for run in store.runs(limit=50):
        if run["status"] == "completed" and run["kind"] in ("update", "analyze", "embed"):
            return {"run_id": run["run_id"], "finished_at": str(run["finished_at"]),
                    **{k: run["provenance"].get(k) for k in ("corpus_hash", "config_hash",
                                                              "versions", "model_key",
                                                              "taxonomy")}}
    return {}


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


EVIDENCE_COLUMNS = (
    "SELECT s.state, s.session, i.issue, i.stance, g.text, g.statement_id, g.idx, "
    "COALESCE(NULLIF(s.on_behalf_of, ''), a.on_behalf_detected, '') AS on_behalf_of, "
    "CASE WHEN s.url <> '' THEN s.url ELSE s.source END AS source, e.vector "
    "FROM segment_issues i JOIN segments g ON g.statement_id = i.statement_id "
    "AND g.idx = i.idx JOIN statements s ON s.id = g.statement_id AND s.superseded_by IS NULL "
    "LEFT JOIN statement_annotations a ON a.statement_id = s.id "
    "JOIN embeddings e ON e.text_hash = g.text_hash AND e.model_key = ? ")


def own_tagged_segments(store: Store, states: list[str], model_key: str, dimension: int,
                        session: str = WINDOW) -> tuple[pd.DataFrame, np.ndarray]:
    """Tagged segments of ``states`` that can be quoted as theirs, with their vectors.

    A state's own paragraphs (``delivered_by`` empty; ``on_behalf_of`` set when it spoke for a
    group) come first; then, for a state that a group statement delivered by another speaks
    for (a member on the statement's date, or a state that aligned itself with the group in
    that session), that statement's paragraphs with ``state`` set to the member and
    ``delivered_by`` to the speaker: an EU member whose position rests on the EU's statements
    can still be quoted, as the EU. :func:`nlp.partners.best_pairs` uses those only when no
    paragraph of the state's own supports the claim.
    """
    if not states:
        return pd.DataFrame(), np.zeros((0, dimension), np.float32)
    placeholders = ", ".join("?" for _ in states)
    session_filter = "" if session == WINDOW else "AND s.session = ?"
    extra: list[Any] = [] if session == WINDOW else [session]
    order = "ORDER BY s.state, s.session, g.statement_id, g.idx, i.issue"
    own = store.con.sql(
        EVIDENCE_COLUMNS + f"WHERE s.state IN ({placeholders}) {session_filter} {order}",
        params=[model_key, *states, *extra]).to_arrow_table()
    frames = [own.drop(["vector"]).to_pandas().assign(delivered_by="")]
    vectors = [vectors_from_arrow(own.column("vector"), dimension)]
    spoken_for = _spoken_for(store, set(states), session)
    if spoken_for:
        ids = sorted(spoken_for)
        group = store.con.sql(
            EVIDENCE_COLUMNS + f"WHERE s.id IN ({', '.join('?' for _ in ids)}) {order}",
            params=[model_key, *ids]).to_arrow_table()
        rows = group.drop(["vector"]).to_pandas().assign(_row=np.arange(group.num_rows))
        pairs = pd.DataFrame([(sid, m) for sid, members in spoken_for.items()
                              for m in sorted(members)], columns=["statement_id", "_member"])
        relayed = rows.merge(pairs, on="statement_id").sort_values(["_member", "_row"],
                                                                   kind="stable")
        frames.append(relayed.drop(columns=["_row", "_member"]).assign(
            delivered_by=relayed["state"].to_numpy(), state=relayed["_member"].to_numpy()))
        vectors.append(vectors_from_arrow(group.column("vector"), dimension)[
            relayed["_row"].to_numpy()])
    frame = pd.concat(frames, ignore_index=True)
    frame["seg"] = np.arange(len(frame))
    frame["stance"] = frame["stance"].astype(float)
    frame = correct_evidence(store, frame)  # rows dropped keep their seg -> vector mapping
    return frame, np.concatenate(vectors)


def _spoken_for(store: Store, states: set[str], session: str) -> dict[str, set[str]]:
    """Group statement id -> those of ``states`` it speaks for, other than its speaker."""
    statements = store.con.sql(
        "SELECT s.id AS statement_id, s.state, s.session, s.date, "
        "COALESCE(NULLIF(s.on_behalf_of, ''), a.on_behalf_detected, '') AS on_behalf_of, "
        "COALESCE(NULLIF(s.aligned_with, ''), a.aligned_detected, '') AS aligned_with "
        "FROM statements s LEFT JOIN statement_annotations a ON a.statement_id = s.id "
        "WHERE s.superseded_by IS NULL ORDER BY s.id").to_arrow_table().to_pandas()
    if session != WINDOW:
        statements = statements[statements["session"] == session]
    speakers = dict(zip(statements["statement_id"], statements["state"], strict=True))
    recipients = default_groups().recipients(statements.itertuples())
    out = {sid: set(members) & states - {speakers[sid]} for sid, members in recipients.items()}
    return {sid: members for sid, members in out.items() if members}


def group_members(store: Store, groups: list[str], *, of_state: str = "") -> dict[str, list[str]]:
    """Members (on :meth:`corpora.Store.latest_statement_date`) of ``groups``, plus every group
    ``of_state`` belongs to when given.

    Raises:
        ValueError: an unknown group code, naming the valid ones.
    """
    table = default_groups()
    unknown = [g for g in groups if g not in table.groups]
    if unknown:
        raise ValueError(f"group: unknown {', '.join(unknown)}; expected one of "
                         f"{', '.join(sorted(table.groups))}")
    day = store.latest_statement_date()
    if day is None:
        return {}
    members = {g: table.members_on(g, day) for g in groups}
    if of_state:
        members |= {g: table.members_on(g, day) for g in sorted(table.groups)
                    if of_state in table.members_on(g, day)}
    return members


def position_sides(store: Store, session: str,
                   tables: AnalysisTables | None = None) -> dict[tuple[str, str], float]:
    """(state, issue) -> stance of the state's (non-thin) position in ``session``."""
    if tables is not None:
        frame = tables.frames["positions"]
        frame = frame[(frame["session"] == session) & ~frame["thin"].astype(bool)]
    else:
        frame = store.con.execute("SELECT state, issue, stance FROM positions WHERE session = ? "
                                  "AND NOT thin AND stance IS NOT NULL", [session]).df()
    frame = frame[frame["stance"].notna()]
    return {(str(a), str(b)): float(c) for a, b, c in
            zip(frame["state"], frame["issue"], frame["stance"], strict=True)}


def partners_document(store: Store, state: str, *, issue: str = OVERALL,
                      session: str = WINDOW, top: int = 10,
                      config: PipelineConfig | None = None,
                      own_voice_tables: AnalysisTables | None = None,
                      beyond_groups: tuple[str, ...] = (),
                      exclude_own_groups: bool = False) -> PartnersDocument:
    """Ranked partners and opponents of ``state`` with drivers and quoted evidence.

    Args:
        own_voice_tables: score on national statements only: the tables of
            :func:`pipelines.stages.analysis.analyse_own_voice` (``None``: the stored analysis).
        beyond_groups: leave out the members of these groups.
        exclude_own_groups: leave out the members of every group ``state`` belongs to.
    """
    config = config or PipelineConfig()
    tables = own_voice_tables
    own_voice = tables is not None
    result = load_alignment(store, session=session, config=config, tables=tables)
    contested = frozenset(i.id for i in get_taxonomy(config.analysis.taxonomy).contested)
    excluded = group_members(store, list(beyond_groups),
                             of_state=state if exclude_own_groups else "")
    exclude = frozenset(m for members in excluded.values() for m in members) - {state}
    partners, opposed = rank_partners(result, state, issue=issue, top=top, exclude=exclude)
    embedder = get_embedder(config.embedding)
    needed = [state, *[p.state for p in partners], *[p.state for p in opposed]]
    own, vectors = own_tagged_segments(store, needed, embedder.model_key, embedder.dimension,
                                       session)
    if own_voice and len(own):
        keep = (own["on_behalf_of"] == "").to_numpy()
        own, vectors = own[keep].reset_index(drop=True), vectors[keep]
        own["seg"] = np.arange(len(own))
    partners, opposed = rank_partners(result, state, issue=issue, top=top, own=own,
                                      vectors=vectors, contested=contested, exclude=exclude,
                                      sides=position_sides(store, session, tables))

    def entry(p: Partner) -> PartnerEntry:
        item = asdict(p)
        item["name"] = country_name(p.state)
        item["drivers"] = [{"issue": i, "score": s} for i, s in p.drivers]
        return cast(PartnerEntry, item)

    document: PartnersDocument = {
        "state": state, "name": country_name(state), "issue": issue, "session": session,
        "voice": "own" if own_voice else "all", "excluded_groups": sorted(excluded),
        "partners": [entry(p) for p in partners], "opposed": [entry(p) for p in opposed],
        "provenance": latest_provenance(store)}
    return _clean(document)


def coalitions_document(store: Store, *, issue: str = OVERALL, session: str = WINDOW,
                        k: int | None = None, config: PipelineConfig | None = None,
                        own_voice_tables: AnalysisTables | None = None) -> CoalitionsDocument:
    """Coalitions from the stored alignment, with formal-group cohesion, bridge states and the
    sides each coalition's members share (in the taxonomy's words); with ``own_voice_tables``
    (see :func:`partners_document`) from those tables instead."""
    config = config or PipelineConfig()
    tables = own_voice_tables
    own_voice = tables is not None
    result = load_alignment(store, session=session, config=config, tables=tables)
    if issue != OVERALL and issue not in result.issues:
        raise ValueError(f"issue {issue!r} has no alignment scores for session {session!r}")
    frame = coalition_frame(result, issue, sorted(pole_labels(config)))
    floor = config.analysis.coalition_min_silhouette
    coalitions = find_coalitions(frame, k=k, k_range=config.analysis.coalition_k_range(),
                                 min_coverage=config.analysis.coalition_min_coverage,
                                 min_silhouette=floor)
    groups = default_groups()
    day = store.latest_statement_date()
    members = {} if day is None else {g: groups.members_on(g, day)
                                      for g in config.analysis.cohesion_groups
                                      if g in groups.groups}
    cohesion = group_cohesion(frame, members).merge(
        compare_with_groups(coalitions, members), on="group", how="left")
    cohesion = cohesion[cohesion["members_present"] > 0]
    labels = coalitions.membership()
    sides = position_sides(store, session, tables)
    stances = pd.DataFrame([(s, i, v) for (s, i), v in sides.items()],
                           columns=["state", "issue", "stance"])
    if issue != OVERALL:
        stances = stances[stances["issue"] == issue]
    shared = shared_positions(labels, stances)
    poles = pole_labels(config)
    document: CoalitionsDocument = {
        "issue": issue, "session": session, "voice": "own" if own_voice else "all",
        "k": coalitions.k, "k_chosen_by": "given" if k else "best mean silhouette",
        "k_scores": {str(c): v for c, v in coalitions.k_scores.items()},
        "coalitions": [{"id": c, "states": states, "size": len(states),
                        "shared": shared[shared["coalition"] == c].drop(
                            columns=["coalition"]).to_dict(orient="records"),
                        "positions": describe_shared(shared[shared["coalition"] == c], poles)}
                       for c, states in coalitions.members().items()],
        "min_silhouette": floor,
        "unattached": [{**u, "alignment": {str(c): v for c, v in u["alignment"].items()},
                        "why": unattached_why(u, floor)} for u in coalitions.unattached()],
        "bridges": coalitions.bridges(),
        "groups": cohesion.to_dict(orient="records"),
        "provenance": latest_provenance(store)}
    return _clean(document)


def unattached_why(row: Mapping[str, Any], floor: float) -> str:
    """Why a state belongs to no coalition, in words: its silhouette below the floor and its mean
    alignment with each coalition's members."""
    means = ", ".join(f"{v:+.2f} with coalition {c}" for c, v in row["alignment"].items())
    return (f"silhouette {row['silhouette']:+.2f} below {floor:.2f} (clustered with coalition "
            f"{row['clustered_with']}); mean alignment {means or 'unknown'}")


def pole_labels(config: PipelineConfig) -> dict[str, tuple[str, str]]:
    """Issue -> (minus pole label, plus pole label) of the contested issues."""
    return {i.id: (i.minus.label if i.minus else "", i.plus.label if i.plus else "")
            for i in get_taxonomy(config.analysis.taxonomy).contested}


def convergence_document(store: Store, *, issue: str | None = None,
                         session: str | None = None, state: str | None = None,
                         config: PipelineConfig | None = None) -> ConvergenceDocument:
    """Dispersion and centre per issue and session, their trends, and the moves.

    Each issue names its headline measure (the one the report shows, see
    :func:`reports.issues.headline_measure`) and gives its value per session with the 95 %
    interval, and for contested issues where the centre of stances is heading.

    Args:
        session: only moves into this session (from the one before).
        state: only this state's moves, with its before and after paragraphs.
    """
    config = config or PipelineConfig()
    where, params = ("WHERE issue = ?", [issue]) if issue else ("", [])
    dispersion = store.con.execute(
        f'SELECT * FROM dispersion {where} ORDER BY issue, "order"', params).df()
    trends = store.con.execute(f"SELECT * FROM trends {where} ORDER BY issue, measure",
                               params).df()
    movers = store.con.execute(
        f"SELECT * FROM movers {where} ORDER BY to_session, abs(shift) DESC, state", params).df()
    if session:
        known = set(dispersion["session"])
        if session not in known:
            raise ValueError(f"session: unknown session {session!r}; expected one of "
                             f"{', '.join(sorted(known))}")
        movers = movers[movers["to_session"] == session]
    if state:
        movers = movers[movers["state"] == state]
    poles = pole_labels(config)
    contested = set(poles)
    issues: dict[str, Any] = {}
    for name, part in dispersion.groupby("issue", sort=True):
        t = trends[trends["issue"] == name].set_index("measure")
        has_sd = "stance_sd" in t.index and pd.notna(t.loc["stance_sd", "slope"])
        measure = headline_measure(name in contested, has_sd)
        value, lo, hi = MEASURE_COLUMNS[measure]
        entry: dict[str, Any] = {
            "measure": measure, "measure_label": MEASURE_LABELS[measure],
            "sessions": [{"session": r["session"], "n_states": int(r["n_states"]),
                          "value": r[value], "lo": r[lo], "hi": r[hi],
                          "centre": r["centre"], "centre_lo": r["centre_lo"],
                          "centre_hi": r["centre_hi"]} for r in part.to_dict(orient="records")],
            "trend": t.loc[measure].to_dict() if measure in t.index else None,
            "trends": t.reset_index().to_dict(orient="records")}
        if "centre" in t.index:
            direction = str(t.loc["centre", "direction"])
            entry["centre_trend"] = {**t.loc["centre"].to_dict(),
                                     "heading": centre_heading(direction,
                                                               poles.get(name, ("", "")))}
        issues[name] = entry
    mover_records = movers.drop(columns=["size"], errors="ignore").to_dict(orient="records")
    for record in mover_records:
        record["toward"] = list(record["toward"])
        minus, plus = poles.get(record["issue"], ("", ""))
        record["pole_label"] = plus if record["pole"] == "plus" else minus
        if state:
            record["before"], record["after"] = mover_quotes(
                store, record, margin=config.analysis.movers.main_margin)
    document: ConvergenceDocument = {
        "issue": issue, "session": session, "state": state, "issues": issues,
        "movers": mover_records, "provenance": latest_provenance(store)}
    return _clean(document)


def mover_quotes(store: Store, move: dict[str, Any], *,
                 margin: float = 0.1) -> tuple[dict | None, dict | None]:
    """The mover's paragraph on the issue with the strongest stance toward its old pole (before)
    and toward its new pole (after).

    Paragraphs *about* the issue (its tag score within ``margin`` of the paragraph's best, see
    :func:`nlp.convergence.mover_evidence`) come first; one that only grazes the issue is shown
    only when the state said nothing else on it.
    """
    sign = 1.0 if move["pole"] == "plus" else -1.0
    found: list[dict[str, Any] | None] = []
    for session, best in ((move["from_session"], min), (move["to_session"], max)):
        rows = store.con.execute(
            "SELECT s.session, g.text, i.stance, CASE WHEN s.url <> '' THEN s.url ELSE s.source "
            "END AS source, i.score >= (SELECT max(j.score) FROM segment_issues j WHERE "
            "j.statement_id = i.statement_id AND j.idx = i.idx) - ? AS about "
            "FROM segment_issues i JOIN segments g ON g.statement_id = "
            "i.statement_id AND g.idx = i.idx JOIN statements s ON s.id = g.statement_id AND "
            "s.superseded_by IS NULL WHERE s.state = ? AND s.session = ? AND i.issue = ? AND "
            "i.stance IS NOT NULL ORDER BY g.statement_id, g.idx",
            [margin, move["state"], session, move["issue"]]).fetchall()
        if not rows:
            found.append(None)
            continue
        rows = [r for r in rows if r[4]] or rows
        row = best(rows, key=lambda r: sign * float(r[2]))
        found.append({"session": row[0], "quote": quote(row[1]), "stance": round(row[2], 4),
                      "source": row[3]})
    return found[0], found[1]
