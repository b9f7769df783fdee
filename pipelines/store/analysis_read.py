"""Reading the analysis back: alignment results from the stored long table (or from the
in-memory tables of :func:`pipelines.stages.analysis.analyse_own_voice`). Imports no analysis code,
so readers such as vote validation can use it from inside the analysis stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corpora.store import Store
from nlp.alignment import OVERALL, AlignmentResult
from nlp.positions import WINDOW, Positions
from pipelines.resources import get_taxonomy
from pipelines.settings import PipelineConfig


@dataclass(frozen=True)
class AnalysisTables:
    """The analysis results, as stored (see :data:`pipelines.stages.analysis.ANALYSIS_TABLES`), and
    the window alignment."""

    positions: Positions
    window: AlignmentResult
    frames: dict[str, pd.DataFrame]


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
    """An :class:`AlignmentResult` from one session's long alignment table, contested issues
    weighted as the configuration says (:meth:`AlignmentResult.from_long`)."""
    config = config or PipelineConfig()
    contested = {i.id for i in get_taxonomy(config.analysis.taxonomy).contested}
    weight = config.analysis.contested_weight
    return AlignmentResult.from_long(
        frame, weights=lambda issue: weight if issue in contested else 1.0)


def coalition_frame(result: AlignmentResult, issue: str = OVERALL,
                    contested: Sequence[str] = ()) -> pd.DataFrame:
    """The alignment matrix coalitions are found in.

    For the overall alignment: the weighted mean over the **contested** issues two states share
    (at least two): coalitions are camps, and camps show on contested issues, while similarity on
    consensual issues varies with wording more than with position. When fewer than three states
    can be placed that way (e.g. a General Debate corpus), the overall alignment over shared
    issues, then the whole-position one.
    """
    frame = result.frame(issue)
    if issue != OVERALL:
        return frame
    n = len(result.states)
    total, count = np.zeros((n, n)), np.zeros((n, n))
    for name in contested:
        if name in result.issues:
            matrix = result.issues[name]
            ok = np.isfinite(matrix)
            total += np.where(ok, matrix, 0.0)
            count += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        camps = np.where(count >= 2, total / count, np.nan)
    np.fill_diagonal(camps, 1.0)
    candidates = [pd.DataFrame(camps, index=result.states, columns=result.states)]
    if result.semantic is not None and result.semantic.any():
        candidates.append(frame.where(~result.semantic))
    for candidate in candidates:
        if (candidate.notna().sum(axis=1) > 1).sum() >= 3:
            return candidate
    return frame
