"""Settings shared by the CLI and the flows, and the Prefect environment they run in.

Precedence for each setting: command-line flag, then environment variable, then default.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_DB = Path("data") / "likeminded.duckdb"
ENV_DB = "LIKEMINDED_DB"
ENV_MODEL = "LIKEMINDED_MODEL"
ENV_PRECISION = "LIKEMINDED_PRECISION"
"""Default of ``embedding.precision`` when the configuration does not set it (``auto``, ``fp32``
or ``bf16``): ``fp32`` gives the same vectors on every CPU, where ``auto`` picks bf16 on CPUs that
have it natively, whose kernels differ between CPU families (AMX, AVX512-BF16) and can move a
stance that lies close to a threshold."""
ENV_CONFIG = "LIKEMINDED_CONFIG"
DEFAULT_MODEL = "all-MiniLM-L6-v2"
COHESION_GROUPS: tuple[str, ...] = (
    "EU", "NAM", "AFRICAN_GROUP", "ARAB_GROUP", "ASEAN", "CARICOM", "GRULAC", "WEOG", "EEG", "APG",
    "NB8", "FIVE_EYES", "SCO", "BRICS", "G77")
"""The formal groups whose cohesion the analysis and the report show."""


def default_db() -> Path:
    """The store path: ``$LIKEMINDED_DB`` or ``data/likeminded.duckdb``."""
    return Path(os.environ.get(ENV_DB) or DEFAULT_DB)


class IngestConfig(BaseModel):
    """Configuration of the ingestion stage (hashed into the provenance).

    Every ``max_*`` key caps the work one input file may cause; a file past a cap is
    quarantined with a reason naming the key (README, "Limits and safety").
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    """Size of a statement file (or ``metadata.csv``) on disk."""
    max_chars: int = Field(default=5_000_000, gt=0)
    """Characters of text extracted from one file."""
    max_decompressed_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    """Bytes the parts of a .docx, or one PDF stream, may inflate to."""
    max_pages: int = Field(default=2_000, gt=0)
    """Pages of one PDF."""
    max_paragraphs: int = Field(default=100_000, gt=0)
    """Paragraphs of one .docx (table cells included) or blocks of one HTML page."""
    max_nesting: int = Field(default=512, gt=0)
    """Depth of nested HTML elements."""
    max_metadata_rows: int = Field(default=100_000, gt=0)
    """Rows of one ``metadata.csv``."""
    max_field_chars: int = Field(default=10_000, gt=0)
    """Characters of one metadata field (CSV cell or front-matter value)."""

    def limits(self) -> Any:
        """These caps as the readers' :class:`corpora.readers.ReadLimits`."""
        from corpora.readers import ReadLimits

        return ReadLimits(**self.model_dump())


class SegmentConfig(BaseModel):
    """Segmentation: longest substantive segment in characters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_chars: int = Field(default=1000, ge=100)


class EmbeddingConfig(BaseModel):
    """Embedding backend (see ``nlp.embeddings.EmbedderConfig``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: str = "sentence-transformers"
    model: str = Field(default_factory=lambda: os.environ.get(ENV_MODEL) or DEFAULT_MODEL)
    precision: Literal["auto", "fp32", "bf16"] = Field(
        default_factory=lambda: os.environ.get(ENV_PRECISION) or "auto",
        validate_default=True)
    batch_size: int = Field(default=32, ge=1)
    allow_download: bool = False
    chunk_size: int = Field(default=256, ge=1)
    """Texts per encode call; each chunk is committed, so an interrupted run resumes."""


class MoversConfig(BaseModel):
    """Which changes of stance between two sessions count as moves."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_paragraphs: int = Field(default=2, ge=1, le=100)
    """Paragraphs on the issue that take a side (own, or a group's on the state's behalf, one
    at least its own) needed in *both* sessions for a change of stance to count as a move."""
    main_margin: float = Field(default=0.1, ge=0, le=1)
    """A paragraph counts as evidence of a move on an issue when that issue's tag score is
    within this of the paragraph's best tag score (the paragraph is about the issue, not
    grazing it); 1 counts every tagged paragraph."""
    min_shift: float = Field(default=0.25, gt=0, le=2)
    """Smallest change of stance (on the -1..+1 scale) that is a move, besides lying beyond
    its 95 % interval."""


class AnalysisConfig(BaseModel):
    """Tagging, stance and topic discovery."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    taxonomy: str = ""
    """A built-in taxonomy name (``cyber``, ``unga``) or the path of a YAML file; empty for
    ``cyber``."""
    keyword_weight: float = Field(default=0.25, ge=0, lt=1)
    stance_margin: float = Field(default=0.2, ge=0, lt=1)
    """A deciding clause with ``|P(plus) - P(minus)|`` below this gives no side..."""
    single_clause_margin: float | None = Field(default=0.1, ge=0, lt=1)
    """...this, in a text read as one clause (a sentence; ``None``: ``stance_margin``). A
    paragraph's side is the strongest of its clauses', so its margin also guards against the
    largest of several noisy readings. Development set: accuracy +0.026, precision -0.008."""
    stance_relevance: float = Field(default=0.8, gt=0, le=1)
    """Contested issues scoring this share of their tagging threshold are read for stance..."""
    clause_relevance: float = Field(default=1.0, gt=0, le=2)
    """...and tagged when the clause that takes a side scores this share of the threshold..."""
    named_clause_relevance: float | None = Field(default=0.85, gt=0, le=2)
    """...or this share when the text is one clause and names the issue (its taxonomy
    ``anchors``); ``None``: ``clause_relevance`` only. Development set: accuracy +0.022 at the
    same precision, abstention 0.93 -> 0.92 (see :func:`nlp.annotate.annotate_texts`)."""
    issue_focus_floor: float | None = Field(default=0.95, gt=0, le=1)
    """A clause (or paragraph) whose closest issue, among all the taxonomy's issues, is a
    contested one is read for stance on it, and tagged with it when it takes a side, once it
    scores this share of the issue's threshold (``None``: only the two shares above count).
    Development set, final method: accuracy 0.771 at 0.95, 0.788 at 0.8, abstention 0.86 and
    0.83; at 0.8 clauses at 0.92 of the threshold put Australia in the treaty camp and Belarus
    on the fence of the sample corpus's forecast, so 0.95."""
    off_topic_gate: bool = True
    """In a venue of the field, a paragraph without the field's vocabulary whose closest issue is
    none of them (the taxonomy's ``domain.off_topic`` sentences) is held to the off-domain bar."""
    off_domain_factor: float = Field(default=1.6, ge=1)
    """Texts outside the taxonomy's field are tagged only at this multiple of the threshold."""
    min_domain_share: float = Field(default=0.2, ge=0, le=1)
    """Share of a session's paragraphs using the domain vocabulary that makes it a venue of the
    field (all its paragraphs in domain)."""
    topic_method: Literal["agglomerative", "hdbscan"] = "agglomerative"
    topic_distance_threshold: float = Field(default=0.6, gt=0, le=2)
    topic_min_size: int = Field(default=8, ge=2)
    topic_sample_size: int = Field(default=5000, ge=100)
    """Above this many segments topics are clustered on a deterministic sample of this size and
    the other segments assigned to them, so memory grows linearly with the corpus."""
    group_weight: float = Field(default=0.5, ge=0, le=1)
    group_only_positions: bool = False
    min_weight: float = Field(default=1.0, gt=0)
    stance_weight: float = Field(default=0.7, ge=0, le=1)
    contested_weight: float = Field(default=4.0, gt=0)
    min_issues: int = Field(default=2, ge=1)
    whole_text_weight: float = Field(default=0.0, ge=0, le=1)
    """Share of the overall alignment given to the similarity of the states' whole texts in the
    session (centred mean embedding of all their substantive paragraphs); pairs with fewer than
    ``min_issues`` issues in common then get the whole-text similarity alone. 0 (the default)
    leaves the issue-based alignment as it is; long, general statements such as General Debate
    speeches gain from it (see the README's validation on real data)."""
    whole_text_method: Literal["embedding", "scaled_tfidf"] = "embedding"
    """What the whole-text similarity is: ``embedding``, the cosine of the states' centred mean
    paragraph embeddings; ``scaled_tfidf``, closeness on the corpus's first
    ``whole_text_dims`` TF-IDF components, fitted on every session together
    (:mod:`nlp.scaling`: on General Debate speeches it tracks votes better, 0.29 against 0.20;
    how many components carry a divide depends on the corpus, so choose them against votes)."""
    whole_text_dims: int = Field(default=3, ge=1, le=50)
    """Components of ``scaled_tfidf``."""
    n_boot: int = Field(default=100, ge=10)
    stance_prior: float = Field(default=1.0, ge=0, le=10)
    """Weight, in paragraphs, of the prior toward "no position" (stance 0) in the bootstrap of
    stance intervals: intervals over a few paragraphs are wide (see
    :class:`nlp.positions.PositionConfig`); 0 turns it off."""
    movers: MoversConfig = MoversConfig()
    window: tuple[str, ...] = ()
    """Sessions to analyse (pooled positions use exactly these); empty for every session."""
    random_state: int = 0
    cohesion_groups: tuple[str, ...] = COHESION_GROUPS
    """Formal groups (codes of the groups table) whose cohesion the analysis and the report show."""
    coalition_k_min: int = Field(default=2, ge=2)
    coalition_k_max: int = Field(default=8, ge=2)
    """The number of coalitions is the one between ``coalition_k_min`` and ``coalition_k_max``
    (inclusive) with the best mean silhouette."""
    coalition_min_coverage: float = Field(default=0.5, ge=0, le=1)
    """States aligned with less than this share of the others are left out of coalitions."""
    coalition_min_silhouette: float = Field(default=0.25, ge=-1, le=1)
    """A clustered state belongs to its coalition only when its silhouette is at least this
    (0.25: Kaufman and Rousseeuw's bound of "no substantial structure"); the others are listed as
    *unattached*, with the coalition they are nearest to. -1 makes coalitions a partition of every
    clustered state."""
    components: int = Field(default=32, ge=2)
    """Dimensions of the per-issue (and whole-text) projection of the embeddings."""
    dispersion_n_boot: int = Field(default=200, ge=10)
    """Bootstrap replicates of the dispersion and centre intervals (convergence)."""

    @model_validator(mode="before")
    @classmethod
    def _taxonomy_settings(cls, data: Any) -> Any:
        """Fill in the settings the chosen taxonomy recommends (its ``analysis`` mapping) where
        the configuration does not set them itself."""
        if not isinstance(data, dict) or not data.get("taxonomy"):
            return data
        recommended = _recommended_settings(str(data["taxonomy"]))
        unknown = sorted(k for k in recommended if k not in cls.model_fields or k == "taxonomy")
        if unknown:
            raise ValueError(f"taxonomy {data['taxonomy']!r}: analysis.{unknown[0]}: not an "
                             "analysis setting this version knows")
        return {**recommended, **data}

    @field_validator("cohesion_groups")
    @classmethod
    def _known_groups(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from corpora.groups import default_groups

        known = default_groups().groups
        unknown = [g for g in value if g not in known]
        if unknown:
            raise ValueError(f"unknown group {', '.join(map(repr, unknown))}; expected codes of "
                             f"corpora/data/groups.yaml such as {', '.join(sorted(known)[:5])}")
        if len(set(value)) != len(value):
            raise ValueError("a group is listed twice")
        return value

    @model_validator(mode="after")
    def _coalition_range(self) -> AnalysisConfig:
        if self.coalition_k_max < self.coalition_k_min:
            raise ValueError(f"coalition_k_max ({self.coalition_k_max}) is below coalition_k_min "
                             f"({self.coalition_k_min})")
        return self

    def coalition_k_range(self) -> range:
        """The candidate numbers of coalitions."""
        return range(self.coalition_k_min, self.coalition_k_max + 1)

    @field_validator("taxonomy")
    @classmethod
    def _known_taxonomy(cls, value: str) -> str:
        from nlp.taxonomy import BUILTIN_TAXONOMIES, looks_like_path

        if value and value not in BUILTIN_TAXONOMIES and not (
                looks_like_path(value) or Path(value).is_file()):
            raise ValueError(f"unknown taxonomy {value!r}; expected one of "
                             f"{', '.join(sorted(BUILTIN_TAXONOMIES))} or the path of a YAML file")
        return value


@functools.cache
def _recommended_settings(spec: str) -> dict[str, Any]:
    """The ``analysis`` settings of the taxonomy ``spec``; none when it does not load (the
    taxonomy validator then says why)."""
    from nlp.taxonomy import TaxonomyError, load_taxonomy

    try:
        return dict(load_taxonomy(spec).analysis)
    except (TaxonomyError, OSError):
        return {}


class VotesConfig(BaseModel):
    """Roll-call votes to validate the text alignment against (off when ``path`` is empty)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str = ""
    roll_calls: str = ""
    issues: str = ""
    ids: tuple[str, ...] = ()
    """Roll-call ids or resolution symbols (``A/RES/73/27``)."""
    sessions: tuple[int, ...] = ()
    keywords: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    min_common: int = Field(default=3, ge=1)
    n_boot: int = Field(default=1000, ge=10)
    """State-bootstrap replicates of a validation over the whole window."""
    session_n_boot: int = Field(default=200, ge=10)
    """...and of each cell of a validation per session (``validate-votes --per-session``: six
    sessions, seven issue areas, four measures, three vote measures)."""
    max_bytes: int = Field(default=1024 * 1024 * 1024, gt=0)
    """Largest votes or roll-calls file, after decompression (a ``.gz`` stops inflating here)."""


class PipelineConfig(BaseModel):
    """Everything that determines a run's results, apart from the corpus itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ingest: IngestConfig = IngestConfig()
    segment: SegmentConfig = SegmentConfig()
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    analysis: AnalysisConfig = AnalysisConfig()
    votes: VotesConfig = VotesConfig()

    @classmethod
    def from_file(cls, path: str | Path, *, taxonomy: str | None = None) -> PipelineConfig:
        """Load a YAML or JSON configuration file (unknown keys are errors); ``taxonomy``
        replaces the file's ``analysis.taxonomy`` (and so which taxonomy's recommended settings
        fill in what the file leaves unset)."""
        import yaml

        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as err:
            raise ValueError(f"{path}: cannot read configuration ({err})") from err
        if taxonomy is not None and isinstance(data, dict):
            analysis = data.get("analysis") or {}
            if isinstance(analysis, dict):
                data = {**data, "analysis": {**analysis, "taxonomy": taxonomy}}
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"{path}: {where}: {first['msg']}") from err

    def config_hash(self) -> str:
        """SHA-256 of the canonical JSON of this configuration."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()


def configure_prefect(db: Path) -> None:
    """Set Prefect's environment before Prefect is imported.

    Local ephemeral mode (no server needed) unless ``PREFECT_API_URL`` is set, telemetry off, and
    ``PREFECT_HOME`` in a ``prefect`` folder beside the store unless the user set it.
    """
    os.environ.setdefault("PREFECT_HOME", str((db.parent / "prefect").resolve()))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    os.environ.setdefault("PREFECT_UI_ENABLED", "false")
    # the ephemeral API server needs 8-15 s to start on a busy 2-core machine
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)


_VERSIONED = ("likeminded", "prefect", "duckdb", "pydantic", "numpy", "pycountry", "pypdf",
              "python-docx", "torch", "sentence-transformers", "spacy", "scikit-learn")


def software_versions() -> dict[str, str]:
    """Versions of Python and the packages whose behaviour shapes the results."""
    versions = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def provenance(*, config: PipelineConfig, **extra: Any) -> dict[str, Any]:
    """The provenance record stored with each run and written into every output."""
    return {
        "config_hash": config.config_hash(),
        "config": config.model_dump(mode="json"),
        "versions": software_versions(),
        **extra,
    }
