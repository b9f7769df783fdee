"""Analyst corrections kept in the store: overruled stances, rejected or pinned quotes, and
statements spoken in a Chair's capacity.

Corrections live in their own versioned table (schema component ``corrections``), so they
survive reruns and updates. They act where segment stances enter the analysis
(:func:`apply_corrections`, called by :func:`pipelines.stages.analysis_inputs.load_analysis_inputs`)
and where quotes are chosen (:func:`quote_corrections`); their digest enters the analysis
fingerprint, so a new correction recomputes the analyses and nothing upstream. Undoing one keeps
its record (``undone_at``), so the history stays auditable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from corpora.store import Schema, Store

STANCE, QUOTE, CHAIR = "stance", "quote", "chair"
KINDS = (STANCE, QUOTE, CHAIR)
REJECT, PIN = "reject", "pin"

CORRECTIONS_SCHEMA = Schema(
    component="corrections",
    migrations=((
        """CREATE TABLE corrections (
            id INTEGER PRIMARY KEY,
            kind VARCHAR NOT NULL,
            statement_id VARCHAR NOT NULL,
            idx INTEGER,
            issue VARCHAR,
            value DOUBLE,
            action VARCHAR NOT NULL,
            why VARCHAR NOT NULL,
            author VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            undone_at TIMESTAMP
        )""",
    ),),
)
"""The corrections table: one row per judgement, never deleted (``undone_at`` marks undo)."""

COLUMNS = ("id", "kind", "statement_id", "idx", "issue", "value", "action", "why", "author",
           "created_at", "undone_at")


class CorrectionError(ValueError):
    """A correction that names an unknown segment, statement, issue or value."""


def parse_segment_id(value: str) -> tuple[str, int]:
    """``STATEMENT_ID#IDX`` (or ``STATEMENT_ID:IDX``) as ``(statement_id, idx)``.

    Raises:
        CorrectionError: the value has no ``#IDX`` part or IDX is not a number.
    """
    for sep in ("#", ":"):
        if sep in value:
            statement, _, idx = value.rpartition(sep)
            if statement and idx.isdigit():
                return statement, int(idx)
    raise CorrectionError(f"segment id {value!r}: expected STATEMENT_ID#INDEX, e.g. "
                          "'02b380a8cad3bda1#3' ('likeminded forecast --json' gives each "
                          "quote's segment_id)")


def _has_table(store: Store) -> bool:
    return bool(store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'corrections'"
    ).fetchall()[0][0])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _check_segment(store: Store, statement_id: str, idx: int) -> None:
    found = store.con.execute(
        "SELECT g.kind FROM segments g JOIN statements s ON s.id = g.statement_id "
        "WHERE g.statement_id = ? AND g.idx = ?", [statement_id, idx]).fetchall()
    if not found:
        raise CorrectionError(f"segment {statement_id}#{idx}: not in the store ('likeminded "
                              "forecast --json' gives each quote's segment_id)")


def _check_statement(store: Store, statement_id: str) -> None:
    if not store.con.execute("SELECT count(*) FROM statements WHERE id = ?",
                             [statement_id]).fetchall()[0][0]:
        raise CorrectionError(f"statement {statement_id!r}: not in the store")


def add_correction(store: Store, *, kind: str, statement_id: str, idx: int | None = None,
                   issue: str | None = None, value: float | None = None, action: str,
                   why: str = "", author: str = "", created_at: dt.datetime | None = None,
                   check: bool = True) -> int:
    """Record one correction; returns its id.

    Raises:
        CorrectionError: unknown kind or action, a stance outside -1, 0, 1, or a segment or
            statement the store does not hold (when ``check``).
    """
    validate_correction(store, kind=kind, statement_id=statement_id, idx=idx, value=value,
                        action=action, check=check)
    with store.transaction() as con:
        next_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM corrections").fetchall()[0][0]
        con.execute("INSERT INTO corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                    [next_id, kind, statement_id, idx, issue,
                     None if value is None else float(value), action, why or "", author or "",
                     created_at or _now()])
    return int(next_id)


def validate_correction(store: Store, *, kind: str, statement_id: str, idx: int | None = None,
                        value: float | None = None, action: str, check: bool = True,
                        **_: Any) -> None:
    """Check a correction before it is recorded (see :func:`add_correction`)."""
    if kind not in KINDS:
        raise CorrectionError(f"kind: expected one of {', '.join(KINDS)}; got {kind!r}")
    if kind == STANCE and value not in (-1, 0, 1):
        raise CorrectionError(f"stance: expected -1, 0 or +1; got {value!r}")
    if kind == QUOTE and action not in (REJECT, PIN):
        raise CorrectionError(f"quote: expected reject or pin; got {action!r}")
    if check:
        if kind == CHAIR:
            _check_statement(store, statement_id)
        else:
            _check_segment(store, statement_id, int(idx if idx is not None else -1))


def undo_correction(store: Store, correction_id: int) -> dict[str, Any]:
    """Mark a correction undone (kept for the record); returns it.

    Raises:
        CorrectionError: no such correction, or it is undone already.
    """
    rows = list_corrections(store, include_undone=True)
    found = next((r for r in rows if r["id"] == correction_id), None)
    if found is None:
        raise CorrectionError(f"correction {correction_id}: no such correction; ids: "
                              + (", ".join(str(r["id"]) for r in rows) or "none yet"))
    if found["undone_at"] is not None:
        raise CorrectionError(f"correction {correction_id}: already undone at "
                              f"{found['undone_at']}")
    store.con.execute("UPDATE corrections SET undone_at = ? WHERE id = ?",
                      [_now(), correction_id])
    return found


def list_corrections(store: Store, *, include_undone: bool = False) -> list[dict[str, Any]]:
    """Corrections in the order they were made (active ones unless ``include_undone``)."""
    if not _has_table(store):
        return []
    where = "" if include_undone else "WHERE undone_at IS NULL"
    frame = store.con.execute(f"SELECT * FROM corrections {where} ORDER BY id").df()
    records = []
    for row in frame.to_dict(orient="records"):
        record = {k: (None if pd.isna(v) else v) for k, v in row.items()}
        record["id"] = int(record["id"])
        record["idx"] = None if record["idx"] is None else int(record["idx"])
        for key in ("created_at", "undone_at"):
            record[key] = None if record[key] is None else str(record[key])
        records.append(record)
    return records


def corrections_digest(store: Store) -> str:
    """Digest of the active corrections (empty when there are none): part of the analysis
    fingerprint, so adding or undoing one recomputes the analyses."""
    active = [{k: r[k] for k in ("kind", "statement_id", "idx", "issue", "value", "action")}
              for r in list_corrections(store)]
    if not active:
        return ""
    return hashlib.sha256(json.dumps(active, sort_keys=True, default=str).encode()
                          ).hexdigest()[:16]


def apply_corrections(store: Store, tags: pd.DataFrame) -> pd.DataFrame:
    """Tagged rows (``statement_id, idx, issue, score, stance``) with the corrections applied.

    A stance correction sets the segment's stance on the issue (``0`` = takes no side), adding
    the tag when the tagger missed it; a Chair statement's rows are dropped (a Chair speaks for
    no state). The latest active correction of a segment and issue wins.
    """
    active = list_corrections(store)
    if not active:
        return tags
    chair = {r["statement_id"] for r in active if r["kind"] == CHAIR}
    stances: dict[tuple[str, int, str], float | None] = {}
    for r in active:
        if r["kind"] == STANCE:
            stances[(r["statement_id"], r["idx"], r["issue"])] = (
                None if r["value"] == 0 else float(r["value"]))
    out = tags[~tags["statement_id"].isin(chair)].copy()
    if stances:
        keys = list(zip(out["statement_id"], out["idx"].astype(int), out["issue"], strict=True))
        position = {key: n for n, key in enumerate(keys)}
        stance = out["stance"].astype(object).to_list()
        extra = []
        for key, value in sorted(stances.items()):
            if key[0] in chair:
                continue
            if key in position:
                stance[position[key]] = value
            else:
                extra.append({"statement_id": key[0], "idx": key[1], "issue": key[2],
                              "score": float("nan"), "stance": value})
        out["stance"] = pd.Series(stance, index=out.index, dtype=float)
        if extra:
            added = pd.DataFrame(extra).astype({"stance": float})
            out = pd.concat([out, added], ignore_index=True)
    return out.reset_index(drop=True)


def correct_evidence(store: Store, frame: pd.DataFrame) -> pd.DataFrame:
    """Evidence rows (``statement_id, idx, state, issue, stance, ...``) with the corrections
    applied: rejected quotes and Chair statements dropped, overruled stances set, and where a
    state has pinned quotes on an issue, only those kept as its evidence on that issue."""
    active = list_corrections(store)
    if not active or frame.empty:
        return frame
    rejected, pinned = quote_corrections(store)
    chair = {r["statement_id"] for r in active if r["kind"] == CHAIR}
    keys = list(zip(frame["statement_id"], frame["idx"].astype(int), strict=True))
    keep = [k not in rejected and k[0] not in chair for k in keys]
    is_pinned = pd.Series([k in pinned for k in keys], index=frame.index)
    if is_pinned.any():
        with_pins = set(zip(frame.loc[is_pinned, "state"], frame.loc[is_pinned, "issue"],
                            strict=True))
        keep = [k and (p or (state, issue) not in with_pins) for k, p, state, issue in
                zip(keep, is_pinned, frame["state"], frame["issue"], strict=True)]
    out = frame[keep].copy()
    stances = {(r["statement_id"], r["idx"], r["issue"]): None if r["value"] == 0
               else float(r["value"]) for r in active if r["kind"] == STANCE}
    if stances:
        out["stance"] = [stances.get((sid, int(i), issue), value) for sid, i, issue, value in
                         zip(out["statement_id"], out["idx"], out["issue"], out["stance"],
                             strict=True)]
        out["stance"] = out["stance"].astype(float)
    return out


def quote_corrections(store: Store) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """Segments rejected as evidence and segments pinned as evidence: ``(rejected, pinned)``.

    The latest active quote correction of a segment wins."""
    latest: dict[tuple[str, int], str] = {}
    for r in list_corrections(store):
        if r["kind"] == QUOTE:
            latest[(r["statement_id"], int(r["idx"]))] = r["action"]
    return ({k for k, a in latest.items() if a == REJECT},
            {k for k, a in latest.items() if a == PIN})


def count_corrections(store: Store) -> int:
    """Active corrections (0 when the table does not exist yet)."""
    return len(list_corrections(store))


# -- YAML exchange ---------------------------------------------------------------------------
EXCHANGE_FIELDS = ("kind", "statement_id", "idx", "issue", "value", "action", "why", "author",
                   "created_at")


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
        return (r["kind"], r["statement_id"], r.get("idx"), r.get("issue"),
                None if value is None else float(value), r["action"])

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


def describe(record: dict[str, Any]) -> str:
    """One line naming what a correction says."""
    target = (record["statement_id"] if record["kind"] == CHAIR
              else f"{record['statement_id']}#{record['idx']}")
    if record["kind"] == STANCE:
        what = f"stance on {record['issue']} set to {int(record['value']):+d}"
    elif record["kind"] == QUOTE:
        what = f"quote {'rejected' if record['action'] == REJECT else 'pinned'}"
    else:
        what = "spoken in a Chair's capacity"
    return f"{target}: {what}"

