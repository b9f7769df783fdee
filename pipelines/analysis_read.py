"""Reading the analysis back: alignment results from the stored long table, and the whole
analysis on national statements only (``--own-voice``), computed in memory."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from corpora.store import Store
from nlp.alignment import OVERALL, SEMANTIC, AlignmentResult
from nlp.positions import WINDOW, split_by_issue
from pipelines.analysis import AnalysisTables, compute_analysis, issue_positions
from pipelines.analysis_inputs import load_analysis_inputs
from pipelines.settings import PipelineConfig
from pipelines.stages import get_embedder, get_taxonomy


def analyse_own_voice(store: Store, config: PipelineConfig) -> AnalysisTables:
    """The whole analysis on national statements only (``--own-voice``), in memory.

    Same estimators and settings as the stored analysis, without statements delivered on
    behalf of a group and without group statements attributed to members.
    """
    embedder = get_embedder(config.embedding)
    inputs = load_analysis_inputs(store, embedder.model_key, embedder.dimension,
                                  group_weight=config.analysis.group_weight, own_voice=True)
    if config.analysis.window:
        inputs = replace(inputs, sessions=[s for s in inputs.sessions
                                           if s in config.analysis.window])
    if inputs.rows.empty:
        raise ValueError("no national statement has tagged paragraphs: nothing to score in "
                         "the states' own voice")
    parts = [issue_positions(issue, rows, vectors, inputs.sessions, config.analysis)
             for issue, rows, vectors in split_by_issue(inputs.rows, inputs.vectors,
                                                        session_order=inputs.sessions)]
    return compute_analysis(inputs, parts, config)


def load_alignment(store: Store, *, session: str = WINDOW,
                   config: PipelineConfig | None = None,
                   tables: AnalysisTables | None = None) -> AlignmentResult:
    """Rebuild an :class:`AlignmentResult` for one session from the stored long table (or from
    the in-memory ``tables`` of :func:`analyse_own_voice`)."""
    if tables is not None:
        alignment = tables.frames["alignment"]
        frame = alignment[alignment["session"] == session]
    else:
        frame = store.con.execute(
            "SELECT state_a, state_b, issue, score, lo, hi, basis FROM alignment "
            "WHERE session = ?", [session]).df()
    if frame.empty:
        raise ValueError(f"no alignment stored for session {session!r}; run 'likeminded run' "
                         "first, or pick a session listed by 'likeminded status'")
    return alignment_from_frame(frame, config)


def alignment_from_frame(frame: pd.DataFrame,
                         config: PipelineConfig | None = None) -> AlignmentResult:
    """An :class:`AlignmentResult` from one session's long alignment table."""
    states = sorted(set(frame["state_a"]) | set(frame["state_b"]))
    index = {s: i for i, s in enumerate(states)}
    n = len(states)

    def square(part: pd.DataFrame, column: str) -> np.ndarray:
        matrix = np.full((n, n), np.nan)
        a, b = part["state_a"].map(index).to_numpy(), part["state_b"].map(index).to_numpy()
        matrix[a, b] = matrix[b, a] = part[column].to_numpy(dtype=float)
        np.fill_diagonal(matrix, 1.0)
        return matrix

    config = config or PipelineConfig()
    contested = {i.id for i in get_taxonomy(config.analysis.taxonomy).contested}
    issues, los, his = {}, {}, {}
    for issue, part in frame.groupby("issue"):
        if issue == OVERALL:
            continue
        issues[issue] = square(part, "score")
        if part["lo"].notna().any():
            los[issue], his[issue] = square(part, "lo"), square(part, "hi")
    overall_part = frame[frame["issue"] == OVERALL]
    has_interval = overall_part["lo"].notna().any()
    weight = config.analysis.contested_weight
    semantic = np.zeros((n, n), bool)
    if "basis" in overall_part.columns:
        marked = overall_part[overall_part["basis"] == SEMANTIC]
        a = marked["state_a"].map(index).to_numpy(dtype=int)
        b = marked["state_b"].map(index).to_numpy(dtype=int)
        semantic[a, b] = semantic[b, a] = True
    return AlignmentResult(
        states=states, issues=issues, overall=square(overall_part, "score"),
        overall_lo=square(overall_part, "lo") if has_interval else None,
        overall_hi=square(overall_part, "hi") if has_interval else None,
        issue_lo=los, issue_hi=his,
        weights={i: weight if i in contested else 1.0 for i in issues}, semantic=semantic)
