"""The analysis stage: positions, alignment, coalitions, convergence; stored in the store.

Everything here is recomputed from the stored tags and embeddings (seconds for thousands of
segments), so results are always consistent with the current corpus and configuration.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from threadpoolctl import threadpool_limits

from corpora.groups import default_groups
from corpora.store import Store
from nlp.alignment import OVERALL, AlignmentConfig, AlignmentResult, score_alignment
from nlp.baselines import mean_embedding_similarity
from nlp.coalitions import compare_with_groups, find_coalitions, group_cohesion
from nlp.convergence import find_movers, measure_dispersion
from nlp.positions import (
    WINDOW,
    IssuePositions,
    PositionConfig,
    Positions,
    combine_positions,
    estimate_issue_positions,
    split_by_issue,
)
from pipelines.analysis_inputs import AnalysisInputs, load_analysis_inputs
from pipelines.settings import AnalysisConfig, PipelineConfig
from pipelines.stages import get_embedder, get_taxonomy
from pipelines.storage import open_store, set_stage_state, stage_state, vectors_to_arrow

COHESION_GROUPS = ("EU", "NAM", "AFRICAN_GROUP", "ARAB_GROUP", "ASEAN", "CARICOM", "GRULAC",
                   "WEOG", "EEG", "APG", "NB8", "FIVE_EYES", "SCO", "BRICS", "G77")


def position_config(analysis: AnalysisConfig) -> PositionConfig:
    return PositionConfig(group_weight=analysis.group_weight, min_weight=analysis.min_weight,
                          group_only=analysis.group_only_positions, n_boot=analysis.n_boot,
                          random_state=analysis.random_state)


def alignment_config(analysis: AnalysisConfig) -> AlignmentConfig:
    return AlignmentConfig(stance_weight=analysis.stance_weight,
                           contested_weight=analysis.contested_weight,
                           min_issues=analysis.min_issues)


def load_inputs(store: Store, config: PipelineConfig) -> AnalysisInputs:
    embedder = get_embedder(config.embedding)
    return load_analysis_inputs(store, embedder.model_key, embedder.dimension,
                                group_weight=config.analysis.group_weight)


def _replace(store: Store, table: str, frame: pd.DataFrame | pa.Table) -> None:
    store.con.execute(f'DELETE FROM "{table}"')
    if len(frame):
        store.con.register("replacement", frame)
        try:
            store.con.execute(f'INSERT INTO "{table}" SELECT * FROM replacement')
        finally:
            store.con.unregister("replacement")


@dataclass(frozen=True)
class PreparedAnalysis:
    """What the analysis needs, loaded from the store, and whether it must run at all.

    Attributes:
        inputs: tagged rows, vectors, segments and sessions (window applied).
        fingerprint: digest of everything the analysis results depend on (inputs, analysis and
            votes configuration, the votes file, the groups table).
        stored: the stored analysis's counts when it was computed from exactly these inputs
            (then it need not run again), else ``None``.
    """

    inputs: AnalysisInputs
    fingerprint: str
    stored: dict[str, Any] | None

    @property
    def unchanged(self) -> bool:
        return self.stored is not None

    def reused(self) -> dict[str, Any]:
        """The stored analysis's counts, marked as reused."""
        return {**(self.stored or {}), "skipped": "inputs unchanged"}


def _file_digest(path: str) -> str:
    if not path:
        return ""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return f"unreadable:{path}"  # the votes stage reports it with its reason
    return digest.hexdigest()


def analysis_fingerprint(inputs: AnalysisInputs, config: PipelineConfig) -> str:
    """Digest of the analysis inputs and of every setting the analysis results depend on."""
    digest = hashlib.sha256()
    rows = inputs.rows[["seg", "state", "session", "issue", "stance", "weight", "kind"]]
    digest.update(pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes())
    meta = inputs.segments.drop(columns=["text", "seg"], errors="ignore").astype(str)
    digest.update(pd.util.hash_pandas_object(meta, index=False).to_numpy().tobytes())
    digest.update(np.ascontiguousarray(inputs.vectors).tobytes())
    groups = default_groups()
    digest.update(json.dumps({
        "sessions": inputs.sessions, "analysis": config.analysis.model_dump(mode="json"),
        "votes": config.votes.model_dump(mode="json"),
        "votes_file": _file_digest(config.votes.path),
        "roll_calls_file": _file_digest(config.votes.roll_calls),
        "issues_file": _file_digest(config.votes.issues),
        "groups": {code: repr(g) for code, g in sorted(groups.groups.items())},
        "taxonomy": get_taxonomy(config.analysis.taxonomy).digest,
        # only when there are some, so stores without corrections keep their fingerprint
        **({"corrections": inputs.corrections} if inputs.corrections else {}),
    }, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def prepare_analysis(db: str, config: PipelineConfig) -> PreparedAnalysis:
    """Load the analysis inputs (read-only) and tell whether the stored results are current."""
    analysis = config.analysis
    with open_store(db) as store:
        inputs = load_inputs(store, config)
        state = stage_state(store, "analyze")
    if analysis.window:
        unknown = sorted(set(analysis.window) - set(inputs.sessions))
        if unknown:
            raise ValueError(f"analysis.window: unknown session(s) {', '.join(unknown)}; "
                             f"known: {', '.join(inputs.sessions)}")
        inputs = replace(inputs, sessions=[s for s in inputs.sessions if s in analysis.window])
    fingerprint = analysis_fingerprint(inputs, config)
    return PreparedAnalysis(inputs, fingerprint,
                            stored=state[1] if state and state[0] == fingerprint else None)


def issue_jobs(prepared: PreparedAnalysis) -> list[tuple[str, pd.DataFrame, np.ndarray]]:
    """The independent per-issue position estimations: (issue, its rows, its vectors)."""
    inputs = prepared.inputs
    return split_by_issue(inputs.rows, inputs.vectors, session_order=inputs.sessions)


def issue_positions(issue: str, rows: pd.DataFrame, vectors: np.ndarray,
                    sessions: list[str], analysis: AnalysisConfig) -> IssuePositions:
    """Positions on one issue (one unit of work; runs anywhere, touches no store).

    BLAS runs single-threaded here: multi-threaded BLAS splits sums differently for different
    thread counts, which changes the last bits of the projections, and results must not depend
    on where (a laptop, a Dask worker) the issue was computed. Issues run in parallel instead.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return estimate_issue_positions(rows, vectors, issue=issue, session_order=sessions,
                                        config=position_config(analysis))


def run_analysis(db: str, config: PipelineConfig, *, force: bool = False) -> dict[str, Any]:
    """Compute and store positions, alignment, coalitions and convergence.

    Skipped (the stored results kept) when the inputs and settings are those of the stored
    analysis, unless ``force``.
    """
    prepared = prepare_analysis(db, config)
    if prepared.unchanged and not force:
        return prepared.reused()
    sessions = prepared.inputs.sessions
    parts = [issue_positions(issue, rows, vectors, sessions, config.analysis)
             for issue, rows, vectors in issue_jobs(prepared)]
    return finish_analysis(db, config, prepared, parts)


def finish_analysis(db: str, config: PipelineConfig, prepared: PreparedAnalysis,
                    parts: list[IssuePositions]) -> dict[str, Any]:
    """Alignment, coalitions and convergence from per-issue positions; store everything."""
    analysis = config.analysis
    contested = [i.id for i in get_taxonomy(analysis.taxonomy).contested]
    inputs = prepared.inputs
    with open_store(db) as store:
        if inputs.rows.empty:
            with store.transaction():
                for table in ("positions", "alignment", "coalitions", "coalition_summary",
                              "group_cohesion", "dispersion", "trends", "movers"):
                    store.con.execute(f'DELETE FROM "{table}"')
            details = {"positions": 0, "alignment_pairs": 0, "sessions": len(inputs.sessions)}
            set_stage_state(store, "analyze", prepared.fingerprint, details)
            return details
        positions = combine_positions(parts, position_config(analysis))
        align_config = alignment_config(analysis)
        window = score_alignment(positions, contested=contested, config=align_config)
        window = blend_whole_text(window, inputs, inputs.sessions, analysis.whole_text_weight)
        frames = [window.long(session=WINDOW)]
        for session in inputs.sessions:
            result = score_alignment(positions, contested=contested, session=session,
                                     config=align_config, intervals=False)
            result = blend_whole_text(result, inputs, [session], analysis.whole_text_weight)
            frames.append(result.long(session=session))
        alignment = pd.concat(frames, ignore_index=True)
        coalitions, summary, cohesion = _coalitions(window, inputs, positions)
        convergence = measure_dispersion(positions, session_order=inputs.sessions,
                                         contested=contested, random_state=analysis.random_state)
        movers = pd.concat([find_movers(positions, from_session=a, to_session=b, top=15)
                            for a, b in zip(inputs.sessions, inputs.sessions[1:], strict=False)]
                           or [pd.DataFrame()], ignore_index=True)
        with store.transaction():
            _replace(store, "positions", _positions_arrow(positions))
            _replace(store, "alignment", alignment[["state_a", "state_b", "issue", "session",
                                                    "score", "lo", "hi"]].round(6))
            _replace(store, "coalitions", coalitions)
            _replace(store, "coalition_summary", summary)
            _replace(store, "group_cohesion", cohesion)
            _replace(store, "dispersion", convergence.dispersion)
            _replace(store, "trends", convergence.trends)
            _replace(store, "movers", movers[["state", "issue", "from_session", "to_session",
                                              "shift", "stance_from", "stance_to", "toward"]]
                     if len(movers) else movers)
        details = {"positions": int((~positions.table["thin"]).sum()),
                   "thin_positions": int(positions.table["thin"].sum()),
                   "issues": len(parts),
                   "states_aligned": len(window.states),
                   "alignment_rows": len(alignment), "sessions": len(inputs.sessions),
                   "coalitions": int(summary.loc[summary["issue"] == OVERALL, "k"].iloc[0])
                   if (summary["issue"] == OVERALL).any() else 0,
                   "movers": len(movers)}
        if config.votes.path:
            from pipelines.validation import store_validation, validate_against_votes

            validation = validate_against_votes(store, config.votes, config=config)
            store_validation(store, validation)
            best = validation["results"][0]
            details["vote_validation"] = {"measure": best["measure"],
                                          "spearman": best["spearman"],
                                          "n_pairs": best["n_pairs"]}
        set_stage_state(store, "analyze", prepared.fingerprint, details)
    return details


def blend_whole_text(result: AlignmentResult, inputs: AnalysisInputs, sessions: list[str],
                     weight: float) -> AlignmentResult:
    """Overall alignment blended with whole-text similarity (``analysis.whole_text_weight``).

    The whole-text similarity of two states is the cosine of the centred means of their own
    substantive paragraphs in ``sessions`` (:func:`nlp.baselines.mean_embedding_similarity`).
    Where the issue-based overall alignment exists the result is ``(1 - weight) * overall +
    weight * whole``, elsewhere the whole-text similarity alone; intervals are blended the same
    way (the whole-text part has none). ``weight == 0`` returns ``result`` unchanged.
    """
    if weight == 0:
        return result
    segments = inputs.segments
    own = segments[segments["session"].isin(set(sessions))]
    states = [s for s in result.states if s in set(own["state"])]
    if len(states) < 2:
        return result
    own = own[own["state"].isin(set(states))]
    whole = mean_embedding_similarity(inputs.vectors[own["seg"].to_numpy()],
                                      own["state"].tolist(), centre=True)
    index = pd.Index(result.states)
    present = index.isin(whole.index)
    full = np.full((len(index), len(index)), np.nan)
    at = np.flatnonzero(present)
    full[np.ix_(at, at)] = whole.loc[index[present], index[present]].to_numpy()

    def blend(matrix: np.ndarray | None) -> np.ndarray | None:
        if matrix is None:
            return None
        mixed = np.where(np.isfinite(matrix), (1 - weight) * matrix + weight * full, full)
        np.fill_diagonal(mixed, 1.0)
        return mixed

    return replace(result, overall=blend(result.overall), overall_lo=blend(result.overall_lo),
                   overall_hi=blend(result.overall_hi))


def _positions_arrow(positions: Positions) -> pa.Table:
    table = positions.table
    columns = ["state", "issue", "session", "n_own", "n_group", "weight", "stance",
               "stance_lo", "stance_hi", "n_stance", "thin"]
    arrow = pa.Table.from_pandas(table[columns].round(6), preserve_index=False)
    return arrow.append_column("direction", vectors_to_arrow(positions.directions))


def _coalitions(window: AlignmentResult, inputs: AnalysisInputs,
                positions: Positions) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    groups = default_groups()
    day = max(inputs.segments["date"])
    members = {g: groups.members_on(g, day) for g in COHESION_GROUPS if g in groups.groups}
    records, summaries, cohesions = [], [], []
    for issue in [OVERALL, *sorted(window.issues)]:
        frame = window.frame(issue)
        try:
            result = find_coalitions(frame)
        except ValueError:
            continue
        for state, label, sil, other in zip(result.states, result.labels, result.silhouette,
                                            result.nearest_other, strict=True):
            records.append({"issue": issue, "state": state, "coalition": int(label),
                            "silhouette": round(float(sil), 6), "nearest_other": int(other)})
        summaries.append({"issue": issue, "k": result.k,
                          "k_scores": json.dumps({str(k): v for k, v in result.k_scores.items()})})
        cohesion = group_cohesion(frame, members).merge(
            compare_with_groups(result, members), on="group", how="left",
            suffixes=("", "_placed"))
        cohesion.insert(0, "issue", issue)
        cohesions.append(cohesion[["issue", "group", "members_present", "pairs", "cohesion",
                                   "main_coalition", "share_in_main"]])
    return (pd.DataFrame(records, columns=["issue", "state", "coalition", "silhouette",
                                           "nearest_other"]),
            pd.DataFrame(summaries, columns=["issue", "k", "k_scores"]),
            pd.concat(cohesions, ignore_index=True) if cohesions else pd.DataFrame(
                columns=["issue", "group", "members_present", "pairs", "cohesion",
                         "main_coalition", "share_in_main"]))


def load_alignment(store: Store, *, session: str = WINDOW,
                   config: PipelineConfig | None = None) -> AlignmentResult:
    """Rebuild an :class:`AlignmentResult` for one session from the stored long table."""
    frame = store.con.execute(
        "SELECT state_a, state_b, issue, score, lo, hi FROM alignment WHERE session = ?",
        [session]).df()
    if frame.empty:
        raise ValueError(f"no alignment stored for session {session!r}; run 'likeminded run' "
                         "first, or pick a session listed by 'likeminded status'")
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
    return AlignmentResult(
        states=states, issues=issues, overall=square(overall_part, "score"),
        overall_lo=square(overall_part, "lo") if has_interval else None,
        overall_hi=square(overall_part, "hi") if has_interval else None,
        issue_lo=los, issue_hi=his,
        weights={i: weight if i in contested else 1.0 for i in issues})
