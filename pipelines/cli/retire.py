"""``likeminded retire``: take a statement out of the corpus (and put it back with ``--undo``).

A statement that breaks a later stage, or that should never have been ingested, must not poison
the store: retiring it makes it non-current (no stage reads it, it leaves the corpus hash) and
records it in the ``retired`` table; re-ingesting its file quarantines it instead of restoring
it. ``--undo`` makes it current again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.cli.common import DbOption, JsonOption, UserError, echo, emit_json, handle_errors
from pipelines.flows.locking import store_lock


@handle_errors
def retire(
    db: DbOption,
    statement: Annotated[str | None, typer.Argument(
        help="Statement id (or its first 8+ characters), as 'likeminded status --json' or an "
        "export shows it.")] = None,
    file: Annotated[str | None, typer.Option(
        "--file", help="Retire the current statement of this file (its path as stored, "
        "relative to the ingested folder).")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded).")] = "",
    undo: Annotated[bool, typer.Option("--undo", help="Bring a retired statement back.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Retire a statement: no stage reads it any more and re-ingesting its file does not restore it.

    Example: likeminded retire --file oewg-2024/huge.txt --reason "breaks segmentation"

    Example: likeminded retire 3f2a9c1d0b7e --undo
    """
    from corpora.store import RETIRED, Store

    if (statement is None) == (file is None):
        raise UserError("name exactly one statement: STATEMENT_ID or --file PATH")
    key = statement or Path(str(file)).as_posix().removeprefix("./")
    if not db.exists():
        raise UserError(f"store {db} does not exist")
    with store_lock(db), Store(db) as store:
        matches = store.find_statements(key)
        if file is not None and not undo:
            matches = [m for m in matches if m["superseded_by"] is None]
        elif undo:
            matches = [m for m in matches if m["superseded_by"] == RETIRED
                       or m["id"] in store.retired_ids()]
        if not matches:
            state = "retired " if undo else "current " if file is not None else ""
            raise UserError(f"no {state}statement matches {key!r} in {db}")
        if len({m["id"] for m in matches}) > 1:
            listed = ", ".join(f"{m['id'][:12]} ({m['document']} v{m['version']})"
                               for m in matches[:5])
            raise UserError(f"{key!r} matches {len(matches)} statements ({listed}); give the id")
        match = matches[0]
        if undo:
            store.unretire(match["id"])
        else:
            store.retire(match["id"], reason=reason)
    document = {"id": match["id"], "document": match["document"], "version": match["version"],
                "action": "restored" if undo else "retired", "reason": reason}
    if json_out:
        emit_json(document)
    else:
        echo(f"{document['action']} {match['id'][:12]} ({match['document']} "
             f"v{match['version']})")


def register(app: typer.Typer) -> None:
    """Add ``retire`` to ``app`` (idempotent)."""
    if "retire" not in {c.name for c in app.registered_commands}:
        app.command("retire")(retire)
