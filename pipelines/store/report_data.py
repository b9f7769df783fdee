"""Load a :class:`reports.ReportData` and the export tables from the store.

This is where the report meets the store: everything else in ``reports/`` is pure.
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
from nlp.partners import rank_partners
from nlp.positions import WINDOW
from pipelines.resources import get_taxonomy
from pipelines.settings import PipelineConfig
from pipelines.store.analysis_read import AnalysisTables, load_alignment
from pipelines.store.corrections import correct_evidence
from pipelines.store.queries import latest_provenance, own_tagged_segments, position_sides
from pipelines.store.status import store_status
from pipelines.store.storage import stage_state
from reports.data import COLUMNS, ReportData

ON_BEHALF = "COALESCE(NULLIF(s.on_behalf_of, ''), a.on_behalf_detected, '')"
QUOTE_SELECT = (
    "SELECT g.statement_id, g.idx, s.state, s.session, i.issue, i.stance, i.score, g.text, "
    f"s.source, s.url, {ON_BEHALF} AS on_behalf_of, COALESCE(a.joint, false) AS joint "
    "FROM segment_issues i JOIN segments g ON g.statement_id = i.statement_id AND g.idx = i.idx "
    "JOIN statements s ON s.id = g.statement_id AND s.superseded_by IS NULL "
    "LEFT JOIN statement_annotations a ON a.statement_id = s.id ")


def _frame(store: Store, name: str, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    frame = store.con.execute(sql, params or []).df()
    return frame[list(COLUMNS[name])] if len(frame.columns) else pd.DataFrame(
        columns=list(COLUMNS[name]))


def session_order(store: Store) -> tuple[str, ...]:
    """Sessions in time order (first statement date, then id), as the analysis orders them."""
    return tuple(store.session_order())


def model_record(store: Store) -> dict[str, Any]:
    """The embedding model the stored tags were computed with (empty when none)."""
    annotate = stage_state(store, "annotate")
    key = annotate[1].get("model_key") if annotate else None
    rows = store.con.execute(
        "SELECT model_key, model, weights_sha256, precision, dimension FROM models "
        "ORDER BY (model_key = ?) DESC, first_used DESC, model_key LIMIT 1", [key or ""]).fetchall()
    if not rows:
        return {}
    model_key, model, weights, precision, dimension = rows[0]
    return {"model_key": model_key, "model": model, "weights_sha256": weights,
            "precision": precision, "dimension": int(dimension)}


def issue_info(config: PipelineConfig) -> dict[str, dict[str, str]]:
    taxonomy = get_taxonomy(config.analysis.taxonomy)
    return {i.id: {"label": i.label, "kind": i.kind, "description": i.description,
                   "minus": i.minus.label if i.minus else "",
                   "plus": i.plus.label if i.plus else ""} for i in taxonomy.issues}


def formal_groups(store: Store, config: PipelineConfig) -> dict[str, dict[str, Any]]:
    """The cohesion groups with their members on the latest statement date (as the analysis
    reads them: :meth:`corpora.Store.latest_statement_date`)."""
    table = default_groups()
    day = store.latest_statement_date()
    if day is None:
        return {}
    return {g: {"name": table.groups[g].name, "members": table.members_on(g, day)}
            for g in config.analysis.cohesion_groups if g in table.groups}


def load_partners(store: Store, focus: list[str], issues: list[str], *, session: str,
                  config: PipelineConfig, model: dict[str, Any], top: int = 8,
                  top_issue: int = 5, tables: AnalysisTables | None = None
                  ) -> dict[str, dict[str, dict[str, Any]]]:
    """Ranked partners with evidence of each focus state, overall and per issue."""
    try:
        result = load_alignment(store, session=session, config=config, tables=tables)
    except ValueError:
        return {}
    contested = frozenset(i.id for i in get_taxonomy(config.analysis.taxonomy).contested)
    wanted = [(s, i, top if i == OVERALL else top_issue) for s in focus
              for i in [OVERALL, *issues] if s in result.states]
    ranked = {}
    for state, issue, n in wanted:
        try:
            ranked[state, issue] = rank_partners(result, state, issue=issue, top=n)
        except ValueError:
            continue
    needed = sorted({s for s, _ in ranked} | {p.state for found, against in ranked.values()
                                              for p in [*found, *against]})
    if not model or not needed:
        own, vectors = pd.DataFrame(), None
    else:
        own, vectors = own_tagged_segments(store, needed, model["model_key"],
                                           model["dimension"], session)
        if tables is not None and len(own):
            keep = (own["on_behalf_of"] == "").to_numpy()
            own, vectors = own[keep].reset_index(drop=True), vectors[keep]
            own["seg"] = np.arange(len(own))
    sides = position_sides(store, session, tables)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for (state, issue), _ in sorted(ranked.items()):
        n = top if issue == OVERALL else top_issue
        partners, opposed = rank_partners(
            result, state, issue=issue, top=n, own=own if len(own) else None,
            vectors=vectors, contested=contested, sides=sides,
            evidence_per_partner=2 if issue == OVERALL else 1)
        out.setdefault(state, {})[issue] = {"partners": [asdict(p) for p in partners],
                                            "opposed": [asdict(p) for p in opposed]}
    return out


def load_quotes(store: Store, *, margin: float = 0.1) -> pd.DataFrame:
    """Tagged segments of group and joint statements and of the movers (before and after; only
    paragraphs about the move's issue: its score within ``margin`` of their best)."""
    group = store.con.execute(
        QUOTE_SELECT + f"WHERE {ON_BEHALF} <> '' OR COALESCE(a.joint, false)").df()
    # the movers' paragraphs about the issue (see nlp.convergence.mover_evidence), not those
    # that only graze it
    movers = store.con.execute(
        QUOTE_SELECT + "JOIN (SELECT DISTINCT state AS m_state, issue AS m_issue, from_session, "
        "to_session FROM movers) m ON m.m_state = s.state AND m.m_issue = i.issue "
        "AND s.session IN (m.from_session, m.to_session) WHERE i.score >= (SELECT "
        "max(j.score) FROM segment_issues j WHERE j.statement_id = i.statement_id AND "
        "j.idx = i.idx) - ?", [margin]).df()
    frame = pd.concat([group, movers], ignore_index=True) if len(movers) else group
    frame = correct_evidence(store, frame.drop_duplicates(["statement_id", "idx", "issue"]))
    return frame.sort_values(["statement_id", "idx", "issue"], kind="stable",
                             ignore_index=True)[list(COLUMNS["quotes"])]


def default_focus_states(store: Store, n: int = 3) -> list[str]:
    """The ``n`` states that said most in their own name: national statements, then issues on
    which they hold a (non-thin) pooled position; only states with alignment scores."""
    rows = store.con.execute(
        "WITH national AS (SELECT state, count(*) AS n FROM statements WHERE superseded_by IS "
        "NULL AND on_behalf_of = '' GROUP BY state), placed AS (SELECT state, count(*) AS n "
        "FROM positions WHERE session = '*' AND NOT thin GROUP BY state) "
        "SELECT a.state FROM (SELECT state_a AS state FROM alignment UNION "
        "SELECT state_b FROM alignment) a JOIN national ON national.state = a.state "
        "LEFT JOIN placed ON placed.state = a.state "
        "ORDER BY national.n DESC, COALESCE(placed.n, 0) DESC, a.state LIMIT ?",
        [n]).fetchall()
    return [r[0] for r in rows]


def load_report_data(store: Store, *, focus: list[str] | None = None,
                     issues: list[str] | None = None, session: str = WINDOW,
                     config: PipelineConfig | None = None,
                     own_voice_tables: AnalysisTables | None = None
                     ) -> tuple[ReportData, list[str]]:
    """Everything :func:`reports.build_report` needs, and the focus states used.

    With ``own_voice_tables`` the analysis tables (positions, alignment, coalitions,
    convergence, movers) are those given, computed by
    :func:`pipelines.stages.analysis.analyse_own_voice` and not stored.

    Raises:
        ValueError: the store has no analysis yet, or ``session`` is unknown (named).
    """
    config = config or PipelineConfig()
    if not store.con.execute("SELECT count(*) FROM alignment").fetchall()[0][0]:
        raise ValueError(f"{store.path}: no alignment stored; run 'likeminded run' first")
    order = session_order(store)
    if session != WINDOW and session not in order:
        raise ValueError(f"session: unknown session {session!r}; expected one of "
                         f"{', '.join(order)}")
    focus = list(focus or default_focus_states(store))
    info = issue_info(config)
    stored_issues = [r[0] for r in store.con.execute(
        "SELECT DISTINCT issue FROM positions ORDER BY issue").fetchall()]
    chosen = [i for i in (issues or stored_issues) if i in stored_issues]
    model = model_record(store)
    provenance = {**latest_provenance(store), **model}
    tables = own_voice_tables

    def analysed(name: str, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        if tables is None:
            return _frame(store, name, sql, params)
        frame = tables.frames[name]
        if name == "alignment":
            frame = frame[frame["issue"] == OVERALL]
        return frame[list(COLUMNS[name])].reset_index(drop=True)

    positions = analysed("positions", "SELECT * EXCLUDE (direction) FROM positions "
                         "ORDER BY issue, session, state")
    statements = _frame(store, "statements", "SELECT * FROM statements WHERE superseded_by "
                        "IS NULL ORDER BY state, session, id")
    groups = formal_groups(store, config)
    states = (set(statements["state"]) | set(positions["state"])
              | {m for g in groups.values() for m in g["members"]})
    return ReportData(
        status=store_status(store), provenance=provenance, session_order=order,
        issue_info=info, groups=groups, names={s: country_name(s) for s in sorted(states)},
        partners=load_partners(store, focus, chosen, session=session, config=config,
                               model=model, tables=tables),
        statements=statements,
        alignment=analysed("alignment", "SELECT * FROM alignment WHERE issue = ? "
                           "ORDER BY session, state_a, state_b", [OVERALL]),
        positions=positions,
        coalitions=analysed("coalitions", "SELECT * FROM coalitions ORDER BY issue, state"),
        group_cohesion=analysed("group_cohesion",
                                'SELECT * FROM group_cohesion ORDER BY issue, "group"'),
        dispersion=analysed("dispersion", 'SELECT * FROM dispersion ORDER BY issue, "order"'),
        trends=analysed("trends", "SELECT * FROM trends ORDER BY issue, measure"),
        movers=analysed("movers", "SELECT * FROM movers ORDER BY to_session, abs(shift) DESC, "
                        "state"),
        coalition_positions=analysed("coalition_positions", "SELECT * FROM coalition_positions "
                                     "ORDER BY coalition, issue"),
        pair_changes=analysed("pair_changes", "SELECT * FROM pair_changes ORDER BY "
                              "abs(delta) DESC, state_a, state_b"),
        voice="own" if tables is not None else "all",
        vote_validation=_frame(store, "vote_validation",
                               "SELECT * FROM vote_validation ORDER BY measure"),
        vote_sessions=_frame(store, "vote_sessions", "SELECT * FROM vote_validation_sessions "
                             "ORDER BY session, vote_issue, method, measure"),
        topics=_frame(store, "topics", "SELECT * FROM topics ORDER BY topic_id"),
        topic_counts=_frame(store, "topic_counts", (
            "SELECT t.topic_id, s.session, count(*) AS n FROM segment_topics t JOIN statements s "
            "ON s.id = t.statement_id AND s.superseded_by IS NULL GROUP BY t.topic_id, s.session "
            "ORDER BY t.topic_id, s.session")),
        quotes=load_quotes(store, margin=config.analysis.movers.main_margin),
        duplicates=store.count_duplicates(),
    ), focus


EXPORT_TABLES: dict[str, str] = {
    "statements": "SELECT * FROM statements ORDER BY id",
    "quarantine": "SELECT * FROM quarantine ORDER BY source, field",
    "duplicates": "SELECT * FROM duplicates ORDER BY source",
    "runs": "SELECT * FROM runs ORDER BY started_at, run_id",
    "models": "SELECT * FROM models ORDER BY model_key",
    "segments": "SELECT * FROM segments ORDER BY statement_id, idx",
    "segment_issues": "SELECT * FROM segment_issues ORDER BY statement_id, idx, issue",
    "topics": "SELECT * FROM topics ORDER BY topic_id",
    "segment_topics": "SELECT * FROM segment_topics ORDER BY statement_id, idx",
    "positions": "SELECT * EXCLUDE (direction) FROM positions ORDER BY issue, session, state",
    "alignment": "SELECT * FROM alignment ORDER BY issue, session, state_a, state_b",
    "coalitions": "SELECT * FROM coalitions ORDER BY issue, state",
    "coalition_summary": "SELECT * FROM coalition_summary ORDER BY issue",
    "group_cohesion": 'SELECT * FROM group_cohesion ORDER BY issue, "group"',
    "dispersion": 'SELECT * FROM dispersion ORDER BY issue, "order"',
    "trends": "SELECT * FROM trends ORDER BY issue, measure",
    "coalition_positions": "SELECT * FROM coalition_positions ORDER BY coalition, issue",
    "pair_changes": "SELECT * FROM pair_changes ORDER BY abs(delta) DESC, state_a, state_b",
    "movers": "SELECT * FROM movers ORDER BY from_session, to_session, shift DESC, state",
    "vote_validation": "SELECT * FROM vote_validation ORDER BY measure",
    "vote_validation_sessions": "SELECT * FROM vote_validation_sessions ORDER BY session, "
                                "vote_issue, method, measure",
}
"""Every exported table and its query (vectors are left out: they are a cache, not results)."""


def export_tables(store: Store) -> dict[str, pd.DataFrame]:
    """Every table of :data:`EXPORT_TABLES`, in that order."""
    return {name: store.con.execute(sql).df() for name, sql in EXPORT_TABLES.items()}
