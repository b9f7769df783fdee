"""The analysis stage: positions, alignment, coalitions, convergence; stored in the store.

Everything here is recomputed from the stored tags and embeddings (seconds for thousands of
segments), so results are always consistent with the current corpus and configuration.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, replace
from typing import Any, Final, cast

import numpy as np
import pandas as pd
import pyarrow as pa
from threadpoolctl import threadpool_limits

from corpora.groups import default_groups
from corpora.store import Store
from nlp.alignment import (
    OVERALL,
    AlignmentConfig,
    AlignmentResult,
    alignment_change,
    score_alignment,
)
from nlp.baselines import mean_embedding_similarity
from nlp.coalitions import (
    SHARED_COLUMNS,
    compare_with_groups,
    find_coalitions,
    group_cohesion,
    shared_positions,
)
from nlp.convergence import MOVER_COLUMNS, find_movers, measure_dispersion, mover_evidence
from nlp.positions import (
    WINDOW,
    IssuePositions,
    PositionConfig,
    Positions,
    WholePositions,
    combine_positions,
    estimate_issue_positions,
    estimate_whole_positions,
    split_by_issue,
)
from nlp.scaling import scaled_similarity, scaled_text_positions
from pipelines.resources import get_embedder, get_taxonomy
from pipelines.settings import AnalysisConfig, PipelineConfig
from pipelines.stages.analysis_inputs import AnalysisInputs, load_analysis_inputs
from pipelines.stages.results import AnalysisCounts
from pipelines.store.analysis_read import AnalysisTables, coalition_frame
from pipelines.store.storage import open_store, set_stage_state, stage_state, vectors_to_arrow


def position_config(analysis: AnalysisConfig) -> PositionConfig:
    return PositionConfig(group_weight=analysis.group_weight, min_weight=analysis.min_weight,
                          group_only=analysis.group_only_positions, n_boot=analysis.n_boot,
                          random_state=analysis.random_state,
                          stance_prior=analysis.stance_prior, components=analysis.components)


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

    def reused(self) -> AnalysisCounts:
        """The stored analysis's counts, marked as reused."""
        return cast(AnalysisCounts, {**(self.stored or {}), "skipped": "inputs unchanged"})


def _file_digest(path: str) -> str:
    if not path:
        return ""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return f"unreadable:{path}"  # the votes stage reports it with its reason


def analysis_fingerprint(inputs: AnalysisInputs, config: PipelineConfig) -> str:
    """Digest of the analysis inputs and of every setting the analysis results depend on."""
    digest = hashlib.sha256()
    rows = inputs.rows[["seg", "state", "session", "issue", "score", "stance", "weight",
                        "kind"]]
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
        # only when a current statement without analysed paragraphs is the latest: stores
        # where it is not keep their fingerprint
        **({"members_date": str(inputs.members_date)} if _members_date_differs(inputs) else {}),
    }, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def _members_date_differs(inputs: AnalysisInputs) -> bool:
    """Whether cohesion's membership date is not the latest date of the analysed segments."""
    if inputs.segments.empty:
        return inputs.members_date is not None
    return str(inputs.members_date) != str(max(inputs.segments["date"]))


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


def run_analysis(db: str, config: PipelineConfig, *, force: bool = False) -> AnalysisCounts:
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


ANALYSIS_TABLES = ("positions", "alignment", "coalitions", "coalition_summary",
                   "coalition_positions", "group_cohesion", "dispersion", "trends", "movers",
                   "pair_changes")
PAIR_CHANGE_COLUMNS = ["state_a", "state_b", "from_session", "to_session", "before", "after",
                       "delta", "delta_lo", "delta_hi"]


def whole_positions(inputs: AnalysisInputs, session: str, analysis: AnalysisConfig, *,
                    n_boot: int = 0) -> WholePositions:
    """Whole positions from the national statements of one session (or the window)."""
    segments = inputs.segments
    national = segments[(segments["on_behalf_of"].fillna("") == "")
                        & segments["session"].isin(inputs.sessions)]
    if session != WINDOW:
        national = national[national["session"] == session]
    return estimate_whole_positions(national[["seg", "state"]], inputs.vectors, n_boot=n_boot,
                                    random_state=analysis.random_state,
                                    components=analysis.components)


def compute_analysis(inputs: AnalysisInputs, parts: list[IssuePositions],
                     config: PipelineConfig) -> AnalysisTables:
    """Alignment, coalitions and convergence from per-issue positions (nothing is stored)."""
    analysis = config.analysis
    contested = [i.id for i in get_taxonomy(analysis.taxonomy).contested]
    positions = combine_positions(parts, position_config(analysis))
    align_config = alignment_config(analysis)
    window = score_alignment(positions, contested=contested, config=align_config,
                             whole=whole_positions(inputs, WINDOW, analysis,
                                                   n_boot=analysis.n_boot))
    scaled = scaled_positions(inputs, analysis)
    window = blend_whole_text(window, inputs, inputs.sessions, analysis.whole_text_weight,
                              scaled=scaled)
    frames = [window.long(session=WINDOW)]
    latest = inputs.sessions[-2:]
    by_session = {}
    for session in inputs.sessions:
        # the last two sessions keep replicates: their changes get intervals
        boot = session in latest and len(latest) == 2
        result = score_alignment(positions, contested=contested, session=session,
                                 config=align_config, intervals=boot,
                                 whole=whole_positions(inputs, session, analysis,
                                                       n_boot=analysis.n_boot if boot else 0))
        result = blend_whole_text(result, inputs, [session], analysis.whole_text_weight,
                                  scaled=scaled)
        by_session[session] = result
        frames.append(result.long(session=session))
    alignment = pd.concat(frames, ignore_index=True)
    changes = (alignment_change(by_session[latest[0]], by_session[latest[1]],
                                from_session=latest[0], to_session=latest[1])
               if len(latest) == 2 else pd.DataFrame(columns=PAIR_CHANGE_COLUMNS))
    coalitions, summary, cohesion = _coalitions(window, inputs, positions, analysis)
    convergence = measure_dispersion(positions, session_order=inputs.sessions,
                                     contested=contested, random_state=analysis.random_state,
                                     n_boot=analysis.dispersion_n_boot)
    overall = coalitions[(coalitions["issue"] == OVERALL) & coalitions["attached"]]
    camps = dict(zip(overall["state"], overall["coalition"].astype(int), strict=True))
    evidence = mover_evidence(inputs.rows, margin=analysis.movers.main_margin)
    movers = pd.concat([find_movers(positions, from_session=a, to_session=b,
                                    contested=contested, camps=camps,
                                    min_paragraphs=analysis.movers.min_paragraphs,
                                    min_shift=analysis.movers.min_shift, evidence=evidence)
                        for a, b in zip(inputs.sessions, inputs.sessions[1:], strict=False)]
                       or [pd.DataFrame(columns=MOVER_COLUMNS)], ignore_index=True)
    window_positions = positions.table[(positions.table["session"] == WINDOW)
                                       & ~positions.table["thin"]]
    shared = shared_positions(camps, window_positions[["state", "issue", "stance"]])
    return AnalysisTables(positions, window, {
        "positions": _positions_arrow(positions).drop(["direction"]).to_pandas(),
        "alignment": alignment[["state_a", "state_b", "issue", "session", "score", "lo", "hi",
                                "basis"]].round(6),
        "coalitions": coalitions, "coalition_summary": summary,
        "coalition_positions": shared[SHARED_COLUMNS], "group_cohesion": cohesion,
        "dispersion": convergence.dispersion, "trends": convergence.trends,
        "movers": movers[MOVER_COLUMNS],
        "pair_changes": changes[PAIR_CHANGE_COLUMNS].round(6)})


def finish_analysis(db: str, config: PipelineConfig, prepared: PreparedAnalysis,
                    parts: list[IssuePositions]) -> AnalysisCounts:
    """Alignment, coalitions and convergence from per-issue positions; store everything."""
    inputs = prepared.inputs
    with open_store(db) as store:
        if inputs.rows.empty:
            with store.transaction():
                for table in ANALYSIS_TABLES:
                    store.con.execute(f'DELETE FROM "{table}"')
            empty: AnalysisCounts = {"positions": 0, "alignment_pairs": 0,
                                     "sessions": len(inputs.sessions)}
            set_stage_state(store, "analyze", prepared.fingerprint, empty)
            return empty
        tables = compute_analysis(inputs, parts, config)
        positions, frames = tables.positions, tables.frames
        with store.transaction():
            _replace(store, "positions", _positions_arrow(positions))
            for name in ANALYSIS_TABLES[1:]:
                _replace(store, name, frames[name])
        summary = frames["coalition_summary"]
        details: AnalysisCounts = {
                   "positions": int((~positions.table["thin"]).sum()),
                   "thin_positions": int(positions.table["thin"].sum()),
                   "issues": len(parts),
                   "states_aligned": len(tables.window.states),
                   "alignment_rows": len(frames["alignment"]), "sessions": len(inputs.sessions),
                   "coalitions": int(summary.loc[summary["issue"] == OVERALL, "k"].iloc[0])
                   if (summary["issue"] == OVERALL).any() else 0,
                   "movers": len(frames["movers"])}
        validate_seconds = None
        if config.votes.path:
            from pipelines.stages.validation import store_validation, validate_against_votes

            started = time.perf_counter()
            validation = validate_against_votes(store, config.votes, config=config)
            store_validation(store, validation)
            validate_seconds = time.perf_counter() - started
            best = validation["results"][0]
            details["vote_validation"] = {"measure": best["measure"],
                                          "spearman": best["spearman"],
                                          "n_pairs": best["n_pairs"]}
        set_stage_state(store, "analyze", prepared.fingerprint, details)
    # the validation's wall time is returned (the run times it as its own stage), not stored
    return details if validate_seconds is None else {**details,
                                                     VALIDATE_SECONDS: validate_seconds}


VALIDATE_SECONDS: Final = "validate_seconds"
"""Key of :func:`finish_analysis`'s result: seconds spent validating against the votes."""


def scaled_positions(inputs: AnalysisInputs, analysis: AnalysisConfig) -> pd.DataFrame | None:
    """Each (session, state)'s coordinates on the corpus's first ``analysis.whole_text_dims``
    TF-IDF components (:func:`nlp.scaling.scaled_text_positions`, fitted on every session's
    paragraphs together), when the whole-text similarity is ``scaled_tfidf`` and weighs
    something; ``None`` otherwise, or when there are too few texts to scale."""
    if analysis.whole_text_weight == 0 or analysis.whole_text_method != "scaled_tfidf":
        return None
    texts = (inputs.segments.sort_values(["session", "state", "statement_id", "idx"],
                                         kind="stable")
             .groupby(["session", "state"], sort=True)["text"].agg("\n".join))
    if len(texts) <= analysis.whole_text_dims:
        return None
    return scaled_text_positions(list(texts.index), texts.tolist(),
                                 dims=analysis.whole_text_dims)


def blend_whole_text(result: AlignmentResult, inputs: AnalysisInputs, sessions: list[str],
                     weight: float, *, scaled: pd.DataFrame | None = None) -> AlignmentResult:
    """Overall alignment blended with whole-text similarity (``analysis.whole_text_weight``).

    The whole-text similarity of two states is the cosine of the centred means of their own
    substantive paragraphs in ``sessions`` (:func:`nlp.baselines.mean_embedding_similarity`),
    or, given ``scaled`` (:func:`scaled_positions`), their closeness on the scaled TF-IDF
    components (:func:`nlp.scaling.scaled_similarity`). Where the issue-based overall alignment
    exists the result is ``(1 - weight) * overall + weight * whole``, elsewhere the whole-text
    similarity alone; intervals are blended the same way (the whole-text part has none).
    ``weight == 0`` returns ``result`` unchanged.
    """
    if weight == 0:
        return result
    segments = inputs.segments
    own = segments[segments["session"].isin(set(sessions))]
    states = [s for s in result.states if s in set(own["state"])]
    if len(states) < 2:
        return result
    own = own[own["state"].isin(set(states))]
    if scaled is not None:
        spoken = scaled[scaled.index.get_level_values("state").isin(set(states))]
        whole = scaled_similarity(spoken, sessions)
    else:
        whole = mean_embedding_similarity(inputs.vectors[own["seg"].to_numpy()],
                                          own["state"].tolist(), centre=True)
    index = pd.Index(result.states)
    present = index.isin(whole.index)
    full = np.full((len(index), len(index)), np.nan)
    at = np.flatnonzero(present)
    full[np.ix_(at, at)] = whole.loc[index[present], index[present]].to_numpy()

    def blend(matrix: np.ndarray) -> np.ndarray:
        mixed = np.where(np.isfinite(matrix), (1 - weight) * matrix + weight * full, full)
        np.fill_diagonal(mixed, 1.0)
        return mixed

    def blend_interval(matrix: np.ndarray | None) -> np.ndarray | None:
        return None if matrix is None else blend(matrix)

    return replace(result, overall=blend(result.overall),
                   overall_lo=blend_interval(result.overall_lo),
                   overall_hi=blend_interval(result.overall_hi))


def _positions_arrow(positions: Positions) -> pa.Table:
    table = positions.table
    columns = ["state", "issue", "session", "n_own", "n_group", "weight", "stance",
               "stance_lo", "stance_hi", "n_stance", "thin"]
    arrow = pa.Table.from_pandas(table[columns].round(6), preserve_index=False)
    return arrow.append_column("direction", vectors_to_arrow(positions.directions))


def _coalitions(window: AlignmentResult, inputs: AnalysisInputs, positions: Positions,
                analysis: AnalysisConfig) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    groups = default_groups()
    day = inputs.members_date
    members = {} if day is None else {g: groups.members_on(g, day)
                                      for g in analysis.cohesion_groups if g in groups.groups}
    records, summaries, cohesions = [], [], []
    contested = [i.id for i in get_taxonomy(analysis.taxonomy).contested]
    for issue in [OVERALL, *sorted(window.issues)]:
        frame = coalition_frame(window, issue, contested)
        try:
            result = find_coalitions(frame, k_range=analysis.coalition_k_range(),
                                     min_coverage=analysis.coalition_min_coverage,
                                     min_silhouette=analysis.coalition_min_silhouette)
        except ValueError:
            continue
        for i, (state, label, sil, other, attached) in enumerate(zip(
                result.states, result.labels, result.silhouette, result.nearest_other,
                result.attached, strict=True)):
            nearest, nearest_alignment = result.nearest(i)
            records.append({"issue": issue, "state": state, "coalition": int(label),
                            "silhouette": round(float(sil), 6), "nearest_other": int(other),
                            "attached": bool(attached), "nearest": nearest,
                            "nearest_alignment": nearest_alignment})
        summaries.append({"issue": issue, "k": result.k,
                          "k_scores": json.dumps({str(k): v for k, v in result.k_scores.items()})})
        cohesion = group_cohesion(frame, members).merge(
            compare_with_groups(result, members), on="group", how="left",
            suffixes=("", "_placed"))
        cohesion.insert(0, "issue", issue)
        cohesions.append(cohesion[["issue", "group", "members_present", "pairs", "cohesion",
                                   "main_coalition", "share_in_main"]])
    return (pd.DataFrame(records, columns=["issue", "state", "coalition", "silhouette",
                                           "nearest_other", "attached", "nearest",
                                           "nearest_alignment"]),
            pd.DataFrame(summaries, columns=["issue", "k", "k_scores"]),
            pd.concat(cohesions, ignore_index=True) if cohesions else pd.DataFrame(
                columns=["issue", "group", "members_present", "pairs", "cohesion",
                         "main_coalition", "share_in_main"]))


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
