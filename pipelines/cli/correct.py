"""``likeminded correct``: record an analyst's judgement in the store, list, undo, share."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer

from pipelines.cli.common import (
    ConfigOption,
    DbOption,
    JsonOption,
    UserError,
    echo,
    emit_json,
    handle_errors,
)

correct_app = typer.Typer(
    name="correct", no_args_is_help=True, add_completion=False,
    pretty_exceptions_enable=False, rich_markup_mode=None,
    help="Record an analyst's corrections in the store: overrule a segment's stance, reject or "
    "pin a quote, mark a statement as spoken in a Chair's capacity; list, undo, export and "
    "import them. Corrections survive reruns; the next 'likeminded run' recomputes the "
    "analyses that depend on them (nothing is re-embedded or re-tagged).\n\n"
    "Example: likeminded correct stance 02b380a8cad3bda1#3 binding_instrument -1 "
    "--why 'rejects a new treaty'")

WhyOption = Annotated[str, typer.Option("--why", help="Why: kept with the correction.")]
ByOption = Annotated[str | None, typer.Option(
    "--by", help="Who made the correction (default: the login name).")]


def _store(db: Path, *, write: bool = True) -> Any:
    from pipelines.store.storage import open_store

    if not db.exists():
        raise UserError(f"{db}: store does not exist; run 'likeminded run' first or pass --db")
    return open_store(db, read_only=not write)


def _author(value: str | None) -> str:
    if value:
        return value
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return ""


def _record(db: Path, json_out: bool, **fields: Any) -> None:
    from pipelines.store.corrections import (
        CorrectionError,
        add_correction,
        describe,
        list_corrections,
    )

    with _store(db) as store:
        try:
            new_id = add_correction(store, **fields)
        except CorrectionError as err:
            raise UserError(str(err)) from err
        record = next(r for r in list_corrections(store) if r["id"] == new_id)
    if json_out:
        emit_json(record)
    else:
        echo(f"correction {new_id}: {describe(record)} (applied at the next "
                   "'likeminded run')")


STANCE_VALUES = {"-1": -1, "0": 0, "+1": 1, "1": 1, "minus": -1, "none": 0, "plus": 1}


# "-1" must reach the argument, not be taken for an option
@correct_app.command("stance", context_settings={"ignore_unknown_options": True})
@handle_errors
def stance(
    segment: Annotated[str, typer.Argument(help="Segment id STATEMENT_ID#INDEX.")],
    issue: Annotated[str, typer.Argument(help="Contested issue id.")],
    value: Annotated[str, typer.Argument(
        help="-1 (minus pole), 0 (takes no side) or +1 (plus pole).")],
    db: DbOption,
    why: WhyOption = "",
    by: ByOption = None,
    config_file: ConfigOption = None,
    json_out: JsonOption = False,
) -> None:
    """Overrule the stance of one segment on one issue (-1, 0 = no side, +1).

    Example: likeminded correct stance 02b380a8cad3bda1#3 binding_instrument -1 --why 'treaty'
    """
    from pipelines.cli.choices import check_choice
    from pipelines.cli.common import load_config
    from pipelines.resources import get_taxonomy
    from pipelines.store.corrections import STANCE, CorrectionError, parse_segment_id

    if value not in STANCE_VALUES:
        raise typer.BadParameter(f"expected -1, 0 or +1; got {value!r}", param_hint="VALUE")
    if not why.strip():
        raise UserError("--why: say why the stance is corrected (kept with the correction)")
    contested = [i.id for i in get_taxonomy(load_config(config_file).analysis.taxonomy).contested]
    issue = check_choice("contested issue", issue, contested)
    try:
        statement_id, idx = parse_segment_id(segment)
    except CorrectionError as err:
        raise UserError(str(err)) from err
    _record(db, json_out, kind=STANCE, statement_id=statement_id, idx=idx, issue=issue,
            value=STANCE_VALUES[value], action="set", why=why, author=_author(by))


@correct_app.command("quote")
@handle_errors
def quote(
    segment: Annotated[str, typer.Argument(help="Segment id STATEMENT_ID#INDEX.")],
    db: DbOption,
    reject: Annotated[bool, typer.Option("--reject", help="Never show it as evidence.")] = False,
    pin: Annotated[bool, typer.Option("--pin", help="Prefer it as its state's evidence.")]
    = False,
    why: WhyOption = "",
    by: ByOption = None,
    json_out: JsonOption = False,
) -> None:
    """Reject a quote as evidence, or pin it as its state's preferred evidence.

    Example: likeminded correct quote 02b380a8cad3bda1#3 --reject --why 'quoted out of context'
    """
    from pipelines.store.corrections import PIN, QUOTE, REJECT, CorrectionError, parse_segment_id

    if reject == pin:
        raise typer.BadParameter("give exactly one of --reject and --pin", param_hint="--reject")
    try:
        statement_id, idx = parse_segment_id(segment)
    except CorrectionError as err:
        raise UserError(str(err)) from err
    _record(db, json_out, kind=QUOTE, statement_id=statement_id, idx=idx,
            action=REJECT if reject else PIN, why=why, author=_author(by))


@correct_app.command("chair")
@handle_errors
def chair(
    statement: Annotated[str, typer.Argument(help="Statement id.")],
    db: DbOption,
    why: WhyOption = "",
    by: ByOption = None,
    json_out: JsonOption = False,
) -> None:
    """Mark a statement as spoken in a Chair's capacity: it no longer counts for its state.

    Example: likeminded correct chair 02b380a8cad3bda1 --why 'delivered as OEWG Chair'
    """
    from pipelines.store.corrections import CHAIR

    _record(db, json_out, kind=CHAIR, statement_id=statement, action="chair", why=why,
            author=_author(by))


@correct_app.command("list")
@handle_errors
def list_(
    db: DbOption,
    all_: Annotated[bool, typer.Option("--all", help="Include undone corrections.")] = False,
    json_out: JsonOption = False,
) -> None:
    """List the corrections (who, when, why) and where each applies now.

    A correction follows its paragraph into a new version of the statement; one whose
    paragraph is no longer in the corpus (edited or retired) is listed as orphaned: it applies
    to nothing until undone or recorded again.

    Example: likeminded correct list --json
    """
    from pipelines.cli.analyst_text import clip
    from pipelines.store.corrections import FOLLOWS, ORPHANED, describe, resolve_corrections

    with _store(db, write=False) as store:
        records = resolve_corrections(store, include_undone=all_)
    orphaned = sum(1 for r in records if r["status"] == ORPHANED and not r["undone_at"])
    if json_out:
        emit_json({"corrections": records, "count": len(records), "orphaned": orphaned})
        return
    if not records:
        echo("no corrections")
    for r in records:
        state = f" (undone {r['undone_at']})" if r["undone_at"] else ""
        echo(clip(f"{r['id']:>4}  {describe(r)}{state}", 80))
        if r["status"] == FOLLOWS:
            echo(clip(f"      follows its text to {r['target']} (a new version)", 80))
        elif r["status"] == ORPHANED:
            echo(clip("      orphaned: its paragraph is no longer in the corpus; applies to "
                      "nothing", 80))
        echo(clip(f"      {r['created_at']} {r['author'] or '?'}: {r['why'] or '-'}", 80))
    if orphaned:
        echo(f"{orphaned} orphaned: undo them ('likeminded correct undo ID') or record them "
             "again on the new text")


@correct_app.command("undo")
@handle_errors
def undo(
    correction_id: Annotated[int, typer.Argument(help="Id shown by 'likeminded correct list'.")],
    db: DbOption,
    json_out: JsonOption = False,
) -> None:
    """Undo a correction (kept in the record as undone).

    Example: likeminded correct undo 3
    """
    from pipelines.store.corrections import CorrectionError, describe, undo_correction

    with _store(db) as store:
        try:
            record = undo_correction(store, correction_id)
        except CorrectionError as err:
            raise UserError(str(err)) from err
    if json_out:
        emit_json({"undone": record["id"]})
    else:
        echo(f"undone correction {record['id']}: {describe(record)}")


@correct_app.command("export")
@handle_errors
def export(
    path: Annotated[Path, typer.Argument(help="YAML file to write.")],
    db: DbOption,
    json_out: JsonOption = False,
) -> None:
    """Write the active corrections to a YAML file a colleague can import.

    Example: likeminded correct export team.yaml
    """
    from pipelines.store.corrections_exchange import export_corrections

    with _store(db, write=False) as store:
        count = export_corrections(store, path)
    if json_out:
        emit_json({"written": str(path), "count": count})
    else:
        echo(f"{count} corrections written to {path}")


@correct_app.command("import")
@handle_errors
def import_(
    path: Annotated[Path, typer.Argument(help="YAML file written by 'correct export'.")],
    db: DbOption,
    json_out: JsonOption = False,
) -> None:
    """Add the corrections of a YAML file (those already recorded are skipped).

    Example: likeminded correct import team.yaml
    """
    from pipelines.store.corrections import CorrectionError
    from pipelines.store.corrections_exchange import import_corrections

    with _store(db) as store:
        try:
            result = import_corrections(store, path)
        except CorrectionError as err:
            raise UserError(str(err)) from err
    if json_out:
        emit_json(result)
    else:
        echo(f"imported {result['added']} corrections ({result['skipped']} already "
                   "recorded)")
