"""Read-side queries over the stored analysis: partners, coalitions, convergence, exports.

Each returns plain data (dicts and DataFrames) for the CLI's JSON output, the exports and the
report; every document carries the provenance of the run that produced the tables.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from corpora.countries import country_name
from corpora.groups import default_groups
from corpora.store import Store
from nlp.alignment import OVERALL
from nlp.coalitions import compare_with_groups, find_coalitions, group_cohesion
from nlp.partners import rank_partners
from nlp.positions import WINDOW
from pipelines.analysis import COHESION_GROUPS, load_alignment
from pipelines.corrections import correct_evidence
from pipelines.settings import PipelineConfig
from pipelines.stages import get_embedder, get_taxonomy
from pipelines.storage import vectors_from_arrow


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


def own_tagged_segments(store: Store, states: list[str], model_key: str, dimension: int,
                        session: str = WINDOW) -> tuple[pd.DataFrame, np.ndarray]:
    """Own (not group-attributed) tagged segments of ``states`` with their vectors."""
    if not states:
        return pd.DataFrame(), np.zeros((0, dimension), np.float32)
    placeholders = ", ".join("?" for _ in states)
    session_filter = "" if session == WINDOW else "AND s.session = ?"
    params: list[Any] = [model_key, *states] + ([] if session == WINDOW else [session])
    table = store.con.sql(
        "SELECT s.state, s.session, i.issue, i.stance, g.text, g.statement_id, g.idx, "
        "COALESCE(NULLIF(s.on_behalf_of, ''), a.on_behalf_detected, '') AS on_behalf_of, "
        "CASE WHEN s.url <> '' THEN s.url ELSE s.source END AS source, e.vector "
        "FROM segment_issues i JOIN segments g ON g.statement_id = i.statement_id "
        "AND g.idx = i.idx JOIN statements s ON s.id = g.statement_id AND s.superseded_by IS NULL "
        "LEFT JOIN statement_annotations a ON a.statement_id = s.id "
        "JOIN embeddings e ON e.text_hash = g.text_hash AND e.model_key = ? "
        f"WHERE s.state IN ({placeholders}) {session_filter} "
        "ORDER BY s.state, s.session, g.statement_id, g.idx, i.issue",
        params=params).to_arrow_table()
    vectors = vectors_from_arrow(table.column("vector"), dimension)
    frame = table.drop(["vector"]).to_pandas()
    frame["seg"] = np.arange(len(frame))
    frame["stance"] = frame["stance"].astype(float)
    frame = correct_evidence(store, frame)  # rows dropped keep their seg -> vector mapping
    return frame, vectors


def partners_document(store: Store, state: str, *, issue: str = OVERALL,
                      session: str = WINDOW, top: int = 10,
                      config: PipelineConfig | None = None) -> dict[str, Any]:
    """Ranked partners and opponents of ``state`` with drivers and quoted evidence."""
    config = config or PipelineConfig()
    result = load_alignment(store, session=session, config=config)
    contested = frozenset(i.id for i in get_taxonomy(config.analysis.taxonomy).contested)
    partners, _ = rank_partners(result, state, issue=issue, top=top)
    embedder = get_embedder(config.embedding)
    own, vectors = own_tagged_segments(store, [state, *[p.state for p in partners]],
                                       embedder.model_key, embedder.dimension, session)
    partners, opposed = rank_partners(result, state, issue=issue, top=top, own=own,
                                      vectors=vectors, contested=contested)

    def entry(p: Any) -> dict[str, Any]:
        item = asdict(p)
        item["name"] = country_name(p.state)
        item["drivers"] = [{"issue": i, "score": s} for i, s in p.drivers]
        return item

    return _clean({"state": state, "name": country_name(state), "issue": issue,
                   "session": session, "partners": [entry(p) for p in partners],
                   "opposed": [entry(p) for p in opposed],
                   "provenance": latest_provenance(store)})


def coalitions_document(store: Store, *, issue: str = OVERALL, session: str = WINDOW,
                        k: int | None = None,
                        config: PipelineConfig | None = None) -> dict[str, Any]:
    """Coalitions from the stored alignment, with formal-group cohesion and bridge states."""
    result = load_alignment(store, session=session, config=config)
    if issue != OVERALL and issue not in result.issues:
        raise ValueError(f"issue {issue!r} has no alignment scores for session {session!r}")
    frame = result.frame(issue)
    coalitions = find_coalitions(frame, k=k)
    groups = default_groups()
    day = store.con.execute("SELECT max(date) FROM statements").fetchall()[0][0]
    members = {g: groups.members_on(g, day) for g in COHESION_GROUPS if g in groups.groups}
    cohesion = group_cohesion(frame, members).merge(
        compare_with_groups(coalitions, members), on="group", how="left")
    cohesion = cohesion[cohesion["members_present"] > 0]
    return _clean({
        "issue": issue, "session": session, "k": coalitions.k,
        "k_chosen_by": "given" if k else "best mean silhouette",
        "k_scores": {str(c): v for c, v in coalitions.k_scores.items()},
        "coalitions": [{"id": c, "states": states, "size": len(states)}
                       for c, states in coalitions.members().items()],
        "bridges": coalitions.bridges(),
        "groups": cohesion.to_dict(orient="records"),
        "provenance": latest_provenance(store)})


def convergence_document(store: Store, *, issue: str | None = None) -> dict[str, Any]:
    """Dispersion per issue and session, trends and movers from the stored tables."""
    where, params = ("WHERE issue = ?", [issue]) if issue else ("", [])
    dispersion = store.con.execute(
        f'SELECT * FROM dispersion {where} ORDER BY issue, "order"', params).df()
    trends = store.con.execute(f"SELECT * FROM trends {where} ORDER BY issue, measure",
                               params).df()
    movers = store.con.execute(
        f"SELECT * FROM movers {where} ORDER BY to_session, shift DESC, state", params).df()
    issues: dict[str, Any] = {}
    for name, part in dispersion.groupby("issue", sort=True):
        issues[name] = {
            "sessions": part.drop(columns=["issue"]).to_dict(orient="records"),
            "trends": trends[trends["issue"] == name].drop(columns=["issue"]).to_dict(
                orient="records")}
    mover_records = movers.to_dict(orient="records")
    for record in mover_records:
        record["toward"] = list(record["toward"])
    return _clean({"issue": issue, "issues": issues, "movers": mover_records,
                   "provenance": latest_provenance(store)})
