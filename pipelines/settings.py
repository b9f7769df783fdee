"""Settings shared by the CLI and the flows, and the Prefect environment they run in.

Precedence for each setting: command-line flag, then environment variable, then default.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_DB = Path("data") / "likeminded.duckdb"
ENV_DB = "LIKEMINDED_DB"
ENV_HOME = "LIKEMINDED_HOME"


def default_db() -> Path:
    """The store path: ``$LIKEMINDED_DB`` or ``data/likeminded.duckdb``."""
    return Path(os.environ.get(ENV_DB) or DEFAULT_DB)


class IngestConfig(BaseModel):
    """Configuration of the ingestion stage (hashed into the provenance)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_bytes: int = Field(default=20 * 1024 * 1024, gt=0)


class PipelineConfig(BaseModel):
    """Everything that determines a run's results, apart from the corpus itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ingest: IngestConfig = IngestConfig()

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
