"""What each stage returns: its counts, as typed dictionaries.

They are plain ``dict`` objects at run time, so the run summary (``--json``), the ``runs``
table's ``counts`` and the Prefect artifact serialise exactly as before; mypy checks the keys.
A stage skipped because its inputs are unchanged returns its stored counts with ``skipped``
(the reason) added.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class SegmentCounts(TypedDict):
    """:func:`pipelines.stages.text.segment_new_statements`: statements segmented this run."""

    statements: int
    segments: int
    procedural: int


class EmbedCounts(TypedDict):
    """:func:`pipelines.stages.text.embed_new_segments`: vectors computed and reused."""

    model_key: str
    new_embeddings: int
    cached: int
    unique_texts: int
    chunks: int
    seconds: float


class AnnotateCounts(TypedDict):
    """:func:`pipelines.stages.text.annotate_segments`: this run's tags (``statements`` to
    ``with_stance``) and the store's (``total_*``)."""

    statements: int
    segments: int
    tagged_segments: int
    tags: int
    with_stance: int
    total_tags: int
    total_tagged_segments: int
    total_with_stance: int
    by_language: dict[str, dict[str, float | int]]  # storage.annotation_coverage
    taxonomy: str
    taxonomy_name: str
    model_key: str
    clauses_embedded: int  # clause vectors encoded in this run (the stage's embedding part)
    clauses_cached: int
    clause_encode_seconds: float


class TopicCounts(TypedDict):
    """:func:`pipelines.stages.text.discover_corpus_topics`."""

    topics: int
    segments: int
    noise: int
    skipped: NotRequired[str]


class VoteValidationBest(TypedDict):
    """The first vote measure's correlation, as the analysis stage records it."""

    measure: str
    spearman: float
    n_pairs: int


class AnalysisCounts(TypedDict):
    """:func:`pipelines.stages.analysis.run_analysis`. With no tagged paragraph only
    ``positions`` (0), ``alignment_pairs`` (0) and ``sessions`` are set; otherwise every key
    but ``alignment_pairs``; ``vote_validation`` with a votes file, ``validate_seconds`` (not
    stored) when it was computed in this call, ``skipped`` when the stored analysis was kept."""

    positions: int
    sessions: int
    alignment_pairs: NotRequired[int]
    thin_positions: NotRequired[int]
    issues: NotRequired[int]
    states_aligned: NotRequired[int]
    alignment_rows: NotRequired[int]
    coalitions: NotRequired[int]
    movers: NotRequired[int]
    vote_validation: NotRequired[VoteValidationBest]
    validate_seconds: NotRequired[float]
    skipped: NotRequired[str]


class VoteCorrelationRow(TypedDict):
    """One measure's row of :class:`VoteValidation` (and of the ``vote_validation`` table)."""

    measure: str
    spearman: float
    spearman_lo: float
    spearman_hi: float
    pearson: float
    pearson_lo: float
    pearson_hi: float
    n_pairs: int
    n_states: int
    n_roll_calls: int


class VoteSelection(TypedDict):
    """The roll calls a validation used, as configured (``votes.*``)."""

    ids: list[str]
    sessions: list[int]
    keywords: list[str]
    years: list[int]


class VoteValidation(TypedDict):
    """:func:`pipelines.stages.validation.validate_against_votes` (``validate-votes --json``)."""

    votes: str
    format: str
    roll_calls: int
    skipped_rows: int
    selection: VoteSelection
    issue: str
    session: str
    n_boot: int
    results: list[VoteCorrelationRow]


class ReportSummary(TypedDict):
    """What a rendered report covers (:func:`pipelines.stages.report_writer.render_files`)."""

    focus: list[str]
    session: str
    voice: str
    issues: list[str]


class ReportFiles(ReportSummary):
    """:func:`pipelines.stages.report_writer.write_report`: the summary and the paths written."""

    out: str
    index: str
    pages: list[str]
    workbook: str
    raw_workbook: str
    tables: list[str]
    files: int


class SessionValidationSummary(TypedDict):
    """Headline numbers of :class:`SessionValidation`
    (:func:`pipelines.stages.vote_sessions.summarise`)."""

    measure: str
    mean_spearman: dict[str, float]
    sessions: int
    alignment_beats_regional_group: list[str]
    issue_beats_overall: dict[str, int]


class SessionValidation(TypedDict):
    """:func:`pipelines.stages.vote_sessions.validate_sessions` (``validate-votes
    --per-session --json``): one row per (session, vote issue, method, measure), the summary and
    the movers check."""

    votes: str
    groups: str
    taxonomy: dict[str, Any]
    n_boot: int
    sessions: list[str]
    rows: list[dict[str, Any]]
    summary: SessionValidationSummary
    movers: list[dict[str, Any]]
