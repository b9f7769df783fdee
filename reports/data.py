"""The inputs of a report: plain tables and dicts that the pipelines layer loads from the store.

:class:`ReportData` holds no store handle and no model, so :func:`reports.build.build_report` is
a pure function of it and tests can make one by hand (:func:`empty_frames` gives the columns).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

COLUMNS: dict[str, tuple[str, ...]] = {
    "statements": ("id", "state", "on_behalf_of", "forum", "session", "date", "language",
                   "source", "url"),
    "alignment": ("state_a", "state_b", "issue", "session", "score", "lo", "hi", "basis"),
    "positions": ("state", "issue", "session", "n_own", "n_group", "weight", "stance",
                  "stance_lo", "stance_hi", "n_stance", "thin"),
    "coalitions": ("issue", "state", "coalition", "silhouette", "nearest_other", "attached",
                   "nearest", "nearest_alignment"),
    "group_cohesion": ("issue", "group", "members_present", "pairs", "cohesion",
                       "main_coalition", "share_in_main"),
    "dispersion": ("issue", "session", "order", "n_states", "stance_sd", "stance_sd_lo",
                   "stance_sd_hi", "semantic_spread", "spread_lo", "spread_hi", "centre",
                   "centre_lo", "centre_hi"),
    "trends": ("issue", "measure", "slope", "lo", "hi", "sessions", "direction"),
    "movers": ("state", "issue", "from_session", "to_session", "shift", "shift_lo", "shift_hi",
               "stance_from", "stance_to", "pole", "camp", "toward"),
    "coalition_positions": ("coalition", "issue", "pole", "share", "states", "mean_stance"),
    "pair_changes": ("state_a", "state_b", "from_session", "to_session", "before", "after",
                     "delta", "delta_lo", "delta_hi"),
    "vote_validation": ("measure", "spearman", "spearman_lo", "spearman_hi", "pearson",
                        "pearson_lo", "pearson_hi", "n_pairs", "n_states", "n_roll_calls",
                        "votes_source", "selection", "text_issue", "text_session"),
    "vote_sessions": ("session", "vote_session", "vote_issue", "text_issue", "method",
                      "measure", "spearman", "spearman_lo", "spearman_hi", "n_pairs", "n_states",
                      "n_roll_calls"),
    "topics": ("topic_id", "size", "label", "keywords"),
    "topic_counts": ("topic_id", "session", "n"),
    "quotes": ("statement_id", "idx", "state", "session", "issue", "stance", "score", "text",
               "source", "url", "on_behalf_of", "joint"),
}
"""Columns of every table of :class:`ReportData` (extra columns are ignored)."""


def empty_frames() -> dict[str, pd.DataFrame]:
    """One empty DataFrame per table of :data:`COLUMNS`."""
    return {name: pd.DataFrame(columns=list(columns)) for name, columns in COLUMNS.items()}


@dataclass(frozen=True)
class ReportData:
    """Stored results a report is built from.

    Attributes:
        status: :func:`pipelines.store.status.store_status` (``statements``, ``states``,
            ``sessions``, ``languages``, ``quarantine``).
        provenance: the latest run's provenance (``run_id``, ``finished_at``, ``corpus_hash``,
            ``config_hash``, ``versions``) and the embedding model (``model``,
            ``weights_sha256``, ``precision``).
        session_order: session ids in time order.
        issue_info: issue id -> ``label``, ``kind`` (contested/consensual), ``description``,
            ``minus`` and ``plus`` pole labels; in the taxonomy's order.
        groups: group code -> ``name`` and ``members`` (ISO3 codes on the latest date).
        names: ISO3 code -> display name, for every state in the tables.
        partners: state -> issue -> ``{"partners": [...], "opposed": [...]}`` as in
            :func:`pipelines.store.queries.partners_document`, for the focus states.
        statements ... quotes: the tables of :data:`COLUMNS`. ``quotes`` holds tagged segments
            of the movers and of group and joint statements (``on_behalf_of`` set, or
            ``joint``). ``pair_changes``: overall alignment of pairs in the last two sessions
            and the change with its 95 % interval.
        voice: ``"all"``, or ``"own"`` when scored on national statements only.
        duplicates: how many files were recognised as duplicates.
    """

    status: Mapping[str, Any]
    provenance: dict[str, Any]
    session_order: tuple[str, ...]
    issue_info: dict[str, dict[str, str]]
    groups: dict[str, dict[str, Any]]
    names: dict[str, str] = field(default_factory=dict)
    partners: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    statements: pd.DataFrame = field(default_factory=lambda: empty_frames()["statements"])
    alignment: pd.DataFrame = field(default_factory=lambda: empty_frames()["alignment"])
    positions: pd.DataFrame = field(default_factory=lambda: empty_frames()["positions"])
    coalitions: pd.DataFrame = field(default_factory=lambda: empty_frames()["coalitions"])
    group_cohesion: pd.DataFrame = field(
        default_factory=lambda: empty_frames()["group_cohesion"])
    dispersion: pd.DataFrame = field(default_factory=lambda: empty_frames()["dispersion"])
    trends: pd.DataFrame = field(default_factory=lambda: empty_frames()["trends"])
    movers: pd.DataFrame = field(default_factory=lambda: empty_frames()["movers"])
    coalition_positions: pd.DataFrame = field(
        default_factory=lambda: empty_frames()["coalition_positions"])
    pair_changes: pd.DataFrame = field(default_factory=lambda: empty_frames()["pair_changes"])
    vote_validation: pd.DataFrame = field(
        default_factory=lambda: empty_frames()["vote_validation"])
    vote_sessions: pd.DataFrame = field(
        default_factory=lambda: empty_frames()["vote_sessions"])
    topics: pd.DataFrame = field(default_factory=lambda: empty_frames()["topics"])
    topic_counts: pd.DataFrame = field(default_factory=lambda: empty_frames()["topic_counts"])
    quotes: pd.DataFrame = field(default_factory=lambda: empty_frames()["quotes"])
    duplicates: int = 0
    voice: str = "all"

    def name(self, state: str) -> str:
        """Display name of a state (the code itself when unknown)."""
        return self.names.get(state, state)

    def validate(self) -> None:
        """Check every table has its columns.

        Raises:
            ValueError: naming the table and the missing columns.
        """
        for name, columns in COLUMNS.items():
            frame = getattr(self, name)
            if not isinstance(frame, pd.DataFrame):
                raise ValueError(f"ReportData.{name}: expected a pandas DataFrame, got "
                                 f"{type(frame).__name__}")
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise ValueError(f"ReportData.{name}: missing columns {missing}; expected "
                                 f"{list(columns)}")
