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
from typing import Any

import pandas as pd

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
    ), (
        # keys that follow the text when a new version of the statement is ingested: the
        # statement id changes with any edit, the paragraph's text hash only when it is edited
        "ALTER TABLE corrections ADD COLUMN state VARCHAR",
        "ALTER TABLE corrections ADD COLUMN session VARCHAR",
        "ALTER TABLE corrections ADD COLUMN document VARCHAR",
        "ALTER TABLE corrections ADD COLUMN text_hash VARCHAR",
        "UPDATE corrections SET state = s.state, session = s.session, document = s.document "
        "FROM statements s WHERE s.id = corrections.statement_id",
        "UPDATE corrections SET text_hash = g.text_hash FROM segments g WHERE "
        "g.statement_id = corrections.statement_id AND g.idx = corrections.idx",
    )),
)
"""The corrections table: one row per judgement, never deleted (``undone_at`` marks undo)."""

COLUMNS = ("id", "kind", "statement_id", "idx", "issue", "value", "action", "why", "author",
           "created_at", "undone_at", "state", "session", "document", "text_hash")
KEYS = ("state", "session", "document", "text_hash")
"""What a correction is keyed on besides the statement id, so that it follows the text."""


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
    if not store.has_statement(statement_id):
        raise CorrectionError(f"statement {statement_id!r}: not in the store")


def add_correction(store: Store, *, kind: str, statement_id: str, idx: int | None = None,
                   issue: str | None = None, value: float | None = None, action: str,
                   why: str = "", author: str = "", created_at: dt.datetime | None = None,
                   check: bool = True, **keys: str | None) -> int:
    """Record one correction; returns its id.

    Besides the statement id, the correction is keyed on the statement's state, session and
    document and the paragraph's text hash (``keys``, else read from the store), so that it
    follows the paragraph into a new version of the statement (:func:`resolve_corrections`).

    Raises:
        CorrectionError: unknown kind or action, a stance outside -1, 0, 1, or a segment or
            statement the store does not hold (when ``check``).
    """
    validate_correction(store, kind=kind, statement_id=statement_id, idx=idx, value=value,
                        action=action, check=check, **keys)
    found = _keys_of(store, statement_id, idx if kind != CHAIR else None)
    keys = {k: keys.get(k) or found.get(k) for k in KEYS}
    with store.transaction() as con:
        next_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM corrections").fetchall()[0][0]
        con.execute(f"INSERT INTO corrections ({', '.join(COLUMNS)}) VALUES "
                    f"({', '.join('?' * len(COLUMNS))})",
                    [next_id, kind, statement_id, idx, issue,
                     None if value is None else float(value), action, why or "", author or "",
                     created_at or _now(), None, *(keys[k] for k in KEYS)])
    return int(next_id)


def _keys_of(store: Store, statement_id: str, idx: int | None) -> dict[str, Any]:
    """State, session, document (and the paragraph's text hash) of a stored statement."""
    row = store.con.execute(
        "SELECT s.state, s.session, s.document, g.text_hash FROM statements s LEFT JOIN "
        "segments g ON g.statement_id = s.id AND g.idx = ? WHERE s.id = ?",
        [-1 if idx is None else idx, statement_id]).fetchall()
    return dict(zip(KEYS, row[0], strict=True)) if row else {}


def validate_correction(store: Store, *, kind: str, statement_id: str, idx: int | None = None,
                        value: float | None = None, action: str, check: bool = True,
                        **keys: Any) -> None:
    """Check a correction before it is recorded (see :func:`add_correction`)."""
    if kind not in KINDS:
        raise CorrectionError(f"kind: expected one of {', '.join(KINDS)}; got {kind!r}")
    if kind == STANCE and value not in (-1, 0, 1):
        raise CorrectionError(f"stance: expected -1, 0 or +1; got {value!r}")
    if kind == QUOTE and action not in (REJECT, PIN):
        raise CorrectionError(f"quote: expected reject or pin; got {action!r}")
    if check:
        record = {"kind": kind, "statement_id": statement_id, "idx": idx,
                  **{k: keys.get(k) for k in KEYS}}
        if any(record[k] for k in KEYS) and _target(store, record) is not None:
            return  # an imported correction that follows its text into this store
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
        record: dict[str, Any] = {k: (None if pd.isna(v) else v) for k, v in row.items()}
        record["id"] = int(record["id"])
        record["idx"] = None if record["idx"] is None else int(record["idx"])
        for key in ("created_at", "undone_at"):
            record[key] = None if record[key] is None else str(record[key])
        records.append(record)
    return records


APPLIES, FOLLOWS, ORPHANED = "applies", "follows", "orphaned"
"""Where a correction stands: on its own statement, moved with its paragraph to a new version
of the statement, or on a paragraph the corpus no longer holds."""


def _target(store: Store, record: dict[str, Any]) -> tuple[str, int | None] | None:
    """The current statement (and segment) a correction applies to, or ``None`` (orphaned).

    Its own statement id first, while that statement is current (and the paragraph at ``idx``
    still has the recorded text); else, in the current statements of the same state and session,
    the paragraph with the recorded text hash (its own document first) or, for a Chair
    correction, the current version of the same document.
    """
    con = store.con
    if record["kind"] == CHAIR:
        current = store.current_version(record["statement_id"], document=record.get("document"),
                                        state=record.get("state"), session=record.get("session"))
        return (current, None) if current is not None else None
    digest = record.get("text_hash")
    rows = con.execute(
        "SELECT g.statement_id, g.idx FROM segments g JOIN statements s ON s.id = g.statement_id "
        "AND s.superseded_by IS NULL WHERE (g.statement_id = ? AND g.idx = ? AND (? IS NULL OR "
        "g.text_hash = ?)) OR (g.text_hash = ? AND s.state = ? AND s.session = ?) "
        "ORDER BY (g.statement_id = ?) DESC, (s.document = ?) DESC, g.statement_id, g.idx "
        "LIMIT 1",
        [record["statement_id"], record["idx"], digest, digest, digest, record.get("state"),
         record.get("session"), record["statement_id"], record.get("document")]).fetchall()
    return (rows[0][0], int(rows[0][1])) if rows else None


def resolve_corrections(store: Store, *, include_undone: bool = False) -> list[dict[str, Any]]:
    """Corrections (as :func:`list_corrections`) with where each applies now.

    Adds ``status`` (:data:`APPLIES`, :data:`FOLLOWS` or :data:`ORPHANED`) and ``target``
    (``STATEMENT_ID#IDX``, or the statement id of a Chair correction; ``None`` when orphaned),
    and ``target_statement_id`` / ``target_idx``. An undone correction is resolved too.
    """
    out = []
    for record in list_corrections(store, include_undone=include_undone):
        found = _target(store, record)
        if found is None:
            status, target = ORPHANED, None
        else:
            same = found[0] == record["statement_id"] and (
                found[1] is None or found[1] == record["idx"])
            status = APPLIES if same else FOLLOWS
            target = found[0] if found[1] is None else f"{found[0]}#{found[1]}"
        out.append({**record, "status": status, "target": target,
                    "target_statement_id": None if found is None else found[0],
                    "target_idx": None if found is None else found[1]})
    return out


def active_targets(store: Store) -> list[dict[str, Any]]:
    """Active corrections that apply to something now, keyed on their target: ``statement_id``
    and ``idx`` are the current statement and segment they apply to."""
    return [{**r, "statement_id": r["target_statement_id"], "idx": r["target_idx"]}
            for r in resolve_corrections(store) if r["status"] != ORPHANED]


def corrections_digest(store: Store) -> str:
    """Digest of the active corrections where they apply now (empty when none applies): part of
    the analysis fingerprint, so adding or undoing one recomputes the analyses."""
    active = [{k: r[k] for k in ("kind", "statement_id", "idx", "issue", "value", "action")}
              for r in active_targets(store)]
    if not active:
        return ""
    return hashlib.sha256(json.dumps(active, sort_keys=True, default=str).encode()
                          ).hexdigest()[:16]


def apply_corrections(store: Store, tags: pd.DataFrame) -> pd.DataFrame:
    """Tagged rows (``statement_id, idx, issue, score, stance``) with the corrections applied.

    A stance correction sets the segment's stance on the issue (``0`` = takes no side), adding
    the tag when the tagger missed it; a Chair statement's rows are dropped (a Chair speaks for
    no state). The latest active correction of a segment and issue wins. Corrections follow
    their paragraph into new versions of a statement (:func:`resolve_corrections`).
    """
    active = active_targets(store)
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
    active = active_targets(store)
    if not active or frame.empty:
        return frame
    rejected, pinned = _quote_targets(active)
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


def _quote_targets(active: list[dict[str, Any]]
                   ) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    latest: dict[tuple[str, int], str] = {}
    for r in active:
        if r["kind"] == QUOTE:
            latest[(r["statement_id"], int(r["idx"]))] = r["action"]
    return ({k for k, a in latest.items() if a == REJECT},
            {k for k, a in latest.items() if a == PIN})


def quote_corrections(store: Store) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """Segments rejected as evidence and segments pinned as evidence: ``(rejected, pinned)``.

    The latest active quote correction of a segment wins."""
    return _quote_targets(active_targets(store))


def count_corrections(store: Store) -> int:
    """Active corrections that apply to the current corpus (orphaned ones, whose paragraph is
    gone, are left out; 0 when the table does not exist yet)."""
    if not _has_table(store):
        return 0
    return len(active_targets(store))


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

