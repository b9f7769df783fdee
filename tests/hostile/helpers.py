"""Helpers of the hostile-input suite: files with front matter, configurations, CLI runs."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

GOOD_TEXT = ("Thank you, Chair. Capacity building is the first priority of developing states, "
             "and the points of contact directory must be tested regularly.")


def front_matter(text: str = GOOD_TEXT, **fields: str) -> str:
    """A .txt/.md body with YAML front matter (Kenya at OEWG-2024-8 unless overridden)."""
    meta = {"state": "Kenya", "forum": "OEWG", "session": "OEWG-2024-8",
            "date": "2024-07-09", **fields}
    head = "\n".join(f"{k}: {v}" for k, v in meta.items())
    return f"---\n{head}\n---\n{text}\n"


def write_config(path: Path, **ingest: int) -> Path:
    """A pipeline configuration file with these ``ingest`` keys."""
    path.write_text(yaml.safe_dump({"ingest": ingest}), encoding="utf-8")
    return path


def ingest(folder: Path, db: Path, *extra: str) -> tuple[int, dict | None, str]:
    """``likeminded ingest FOLDER --json`` in process: exit code, JSON document, stderr."""
    result = CliRunner().invoke(
        __import__("pipelines.cli.app", fromlist=["app"]).app,
        ["ingest", str(folder), "--db", str(db), "--json", *extra])
    document = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, document, result.stderr


def reasons(document: dict) -> dict[str, str]:
    """Quarantine reasons by source."""
    return {q["source"]: q["reason"] for q in document["quarantine"]}


def adds_up(document: dict) -> bool:
    return document["seen"] == (document["ingested"] + document["unchanged"]
                                + document["duplicates"] + document["quarantined"])
