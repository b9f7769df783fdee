"""The JSON documents of the read-only commands (``status``, ``partners``, ``coalitions``,
``convergence``) as typed dictionaries.

They are plain ``dict`` objects at run time, so ``--json`` prints exactly what it printed
before; mypy checks the keys where they are built and read. Numbers that are not finite are
``None`` in the printed documents (``queries._clean``), hence the ``| None``.
"""

from __future__ import annotations

from typing import Any, TypedDict

SessionCounts = TypedDict("SessionCounts", {
    "forum": str, "session": str, "from": str, "to": str, "statements": int, "states": int})
"""One session of ``status``: its first and last statement date, statements and states."""


class StatusDocument(TypedDict):
    """``likeminded status --json`` (:func:`pipelines.store.status.store_status`)."""

    db: str
    statements: int
    versions: int
    states: int
    sessions: list[SessionCounts]
    languages: dict[str, int]
    annotation_by_language: dict[str, dict[str, float | int]]
    annotation_warnings: list[str]
    runs: list[dict[str, Any]]
    quarantine: list[dict[str, Any]]
    schema: dict[str, int]
    corrections: int
    illustrative: dict[str, Any]


class Driver(TypedDict):
    """An issue behind a partner's score, with its issue alignment."""

    issue: str
    score: float | None


class PartnerEntry(TypedDict):
    """One ranked partner or opponent (:class:`nlp.partners.Partner` with its name)."""

    state: str
    score: float | None
    lo: float | None
    hi: float | None
    drivers: list[Driver]
    evidence: list[dict[str, Any]]
    basis: str
    label: str
    name: str


class PartnersDocument(TypedDict):
    """``likeminded partners STATE --json``."""

    state: str
    name: str
    issue: str
    session: str
    voice: str
    excluded_groups: list[str]
    partners: list[PartnerEntry]
    opposed: list[PartnerEntry]
    provenance: dict[str, Any]


class CoalitionEntry(TypedDict):
    """One coalition: its members and the sides they share."""

    id: int
    states: list[str]
    size: int
    shared: list[dict[str, Any]]
    positions: str


class CoalitionsDocument(TypedDict):
    """``likeminded coalitions --json``."""

    issue: str
    session: str
    voice: str
    k: int
    k_chosen_by: str
    k_scores: dict[str, float | None]
    coalitions: list[CoalitionEntry]
    min_silhouette: float
    """The membership floor (``analysis.coalition_min_silhouette``)."""
    unattached: list[dict[str, Any]]
    """States between coalitions: ``state, clustered_with, silhouette, nearest, alignment``
    (coalition -> mean alignment with its members) and ``why`` in words."""
    bridges: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    provenance: dict[str, Any]


class ConvergenceDocument(TypedDict):
    """``likeminded convergence --json``: per issue its headline measure by session and its
    trends (see :func:`pipelines.store.queries.convergence_document`), and the moves."""

    issue: str | None
    session: str | None
    state: str | None
    issues: dict[str, dict[str, Any]]
    movers: list[dict[str, Any]]
    provenance: dict[str, Any]
