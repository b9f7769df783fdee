"""Load the analysis inputs from the store: tagged rows, vectors, group recipients, sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corpora.groups import GroupTable, default_groups
from corpora.store import Store
from nlp.capacity import adopts_consensus
from nlp.positions import expand_group_rows
from pipelines.store.corrections import apply_corrections, corrections_digest
from pipelines.store.storage import vectors_from_arrow


@dataclass(frozen=True)
class AnalysisInputs:
    """Everything the position and alignment computations need.

    Attributes:
        rows: one row per (segment, issue) tag, attributed to states (group statements expanded
            to members), columns ``seg, statement_id, idx, state, session, issue, score, stance,
            weight, kind``.
        vectors: ``(n_segments, d)`` embeddings indexed by ``rows.seg``.
        segments: one row per segment: ``statement_id, idx, text, state, session, date, forum,
            source, url, on_behalf_of``.
        sessions: session ids in chronological order.
        corrections: digest of the analyst corrections applied (empty when none).
        members_date: the date group membership is read on for cohesion
            (:meth:`corpora.Store.latest_statement_date`; ``None`` for no statement).
    """

    rows: pd.DataFrame
    vectors: np.ndarray
    segments: pd.DataFrame
    sessions: list[str]
    corrections: str = ""
    members_date: dt.date | None = None


def load_analysis_inputs(store: Store, model_key: str, dimension: int, *,
                         group_weight: float, groups: GroupTable | None = None,
                         own_voice: bool = False) -> AnalysisInputs:
    """Read tagged segments, their vectors and statement metadata from the store.

    Paragraphs spoken as Chair, facilitator or presidency are not substantive segments, so they
    are never read. Paragraphs that join or accept a consensus keep their issues but take no
    stance (:func:`nlp.capacity.adopts_consensus`).

    Args:
        own_voice: keep national statements only (no statement delivered on behalf of a group,
            and no group statement attributed to its members).
    """
    groups = groups or default_groups()
    table = store.con.sql(
        "SELECT g.statement_id, g.idx, g.text, s.state, s.session, s.date, s.forum, s.source, "
        "s.url, COALESCE(NULLIF(s.on_behalf_of, ''), a.on_behalf_detected, '') AS on_behalf_of, "
        "COALESCE(NULLIF(s.aligned_with, ''), a.aligned_detected, '') AS aligned_with, e.vector "
        "FROM segments g JOIN statements s ON s.id = g.statement_id AND s.superseded_by IS NULL "
        "LEFT JOIN statement_annotations a ON a.statement_id = s.id "
        "JOIN embeddings e ON e.text_hash = g.text_hash AND e.model_key = ? "
        "WHERE g.kind = 'substantive' ORDER BY g.statement_id, g.idx",
        params=[model_key]).to_arrow_table()
    vectors = vectors_from_arrow(table.column("vector"), dimension)
    segments = table.drop(["vector"]).to_pandas()
    if own_voice:
        national = (segments["on_behalf_of"].fillna("") == "").to_numpy()
        segments, vectors = segments[national].reset_index(drop=True), vectors[national]
    segments["seg"] = np.arange(len(segments))
    tags = store.con.execute(
        "SELECT statement_id, idx, issue, score, stance FROM segment_issues").df()
    # joining a consensus takes no side; an analyst's correction still has the last word
    adopted = segments.loc[segments["text"].map(adopts_consensus), ["statement_id", "idx"]]
    keys = pd.MultiIndex.from_frame(tags[["statement_id", "idx"]])
    tags.loc[keys.isin(pd.MultiIndex.from_frame(adopted)), "stance"] = None
    tags = apply_corrections(store, tags)
    rows = tags.merge(segments[["seg", "statement_id", "idx", "state", "session"]],
                      on=["statement_id", "idx"], how="inner")
    rows["stance"] = rows["stance"].astype(float)
    statements = segments.drop_duplicates("statement_id")[
        ["statement_id", "state", "session", "date", "on_behalf_of", "aligned_with"]]
    recipients = {} if own_voice else groups.recipients(statements.itertuples())
    rows = expand_group_rows(rows, recipients, group_weight=group_weight)
    rows = rows.sort_values(["issue", "session", "state", "seg"], kind="stable",
                            ignore_index=True)
    order = (segments.groupby("session")["date"].min().sort_values(kind="stable").index.tolist())
    return AnalysisInputs(rows=rows, vectors=vectors, segments=segments, sessions=order,
                          corrections=corrections_digest(store),
                          members_date=store.latest_statement_date())
