"""Corrections as YAML, so that a team shares them: export the active ones, import a
colleague's file (entries already recorded are skipped)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from corpora.store import Store
from pipelines.store.corrections import (
    CHAIR,
    KEYS,
    CorrectionError,
    add_correction,
    list_corrections,
    validate_correction,
)

EXCHANGE_FIELDS = ("kind", "statement_id", "idx", "issue", "value", "action", "why", "author",
                   "created_at", *KEYS)
"""Fields of an exported correction: the keys (state, session, document, text hash) let a
colleague's store apply it even where it holds another version of the statement."""


def export_corrections(store: Store, path: Path) -> int:
    """Write the active corrections to a YAML file a colleague can import; returns the count."""
    records = [{k: r[k] for k in EXCHANGE_FIELDS if r[k] is not None}
               for r in list_corrections(store)]
    document = {"likeminded_corrections": 1, "corrections": records}
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return len(records)


def _parse_entry(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CorrectionError(f"{where}: expected a mapping")
    unknown = sorted(set(raw) - set(EXCHANGE_FIELDS))
    if unknown:
        raise CorrectionError(f"{where}: unknown field(s) {', '.join(unknown)}; expected "
                              f"{', '.join(EXCHANGE_FIELDS)}")
    for field in ("kind", "statement_id", "action"):
        if not isinstance(raw.get(field), str) or not raw[field]:
            raise CorrectionError(f"{where}.{field}: expected a non-empty string")
    entry = dict(raw)
    created = entry.get("created_at")
    if created is not None:
        try:
            entry["created_at"] = dt.datetime.fromisoformat(str(created))
        except ValueError as err:
            raise CorrectionError(f"{where}.created_at: expected an ISO date-time; got "
                                  f"{created!r}") from err
    return entry


def import_corrections(store: Store, path: Path) -> dict[str, int]:
    """Add the corrections of a YAML file written by :func:`export_corrections`.

    Entries already recorded (same kind, segment or statement, issue, value and action, active)
    are skipped, so importing the same file twice changes nothing.

    Raises:
        CorrectionError: the file is not a corrections file, or an entry is invalid (named by
            its position); nothing is imported then.
    """
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise CorrectionError(f"{path}: cannot read ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise CorrectionError(f"{path}: not valid YAML ({err})") from err
    if not isinstance(document, dict) or not isinstance(document.get("corrections"), list):
        raise CorrectionError(f"{path}: expected a mapping with a 'corrections' list (as "
                              "written by 'likeminded correct export')")
    entries = [_parse_entry(raw, f"{path}: corrections[{n}]")
               for n, raw in enumerate(document["corrections"])]

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        value = r.get("value")
        where = (r.get("text_hash") or f"{r['statement_id']}#{r.get('idx')}" if r["kind"] != CHAIR
                 else r.get("document") or r["statement_id"])
        return (r["kind"], where, r.get("issue"), None if value is None else float(value),
                r["action"])

    existing = {key(r) for r in list_corrections(store)}
    new = []
    for n, entry in enumerate(entries):
        if key(entry) in existing:
            continue
        try:
            validate_correction(store, **entry)
        except CorrectionError as err:
            raise CorrectionError(f"{path}: corrections[{n}]: {err}") from err
        existing.add(key(entry))
        new.append(entry)
    for entry in new:
        add_correction(store, **entry, check=False)
    return {"added": len(new), "skipped": len(entries) - len(new)}
