"""CLI commands for the analyst's week: ``issues`` (the taxonomy) and ``forecast`` (who would
back a draft paragraph)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from pipelines.cli_common import (
    ConfigOption,
    JsonOption,
    UserError,
    emit_json,
    handle_errors,
    load_config,
)

TaxonomyOption = Annotated[str | None, typer.Option(
    "--taxonomy", help="'default' (the bundled taxonomy), the name of another bundled one, or a "
    "taxonomy YAML file (default: the configured analysis.taxonomy).")]
WideOption = Annotated[bool, typer.Option(
    "--wide", help="Full text on long lines instead of fitting 80 columns.")]


def _taxonomy(value: str | None, config_file: Path | None) -> Any:
    from nlp.errors import TaxonomyError
    from pipelines.cli_choices import resolve_taxonomy
    from pipelines.stages import get_taxonomy

    path = resolve_taxonomy(value, load_config(config_file).analysis.taxonomy)
    try:
        return get_taxonomy(path)
    except TaxonomyError as err:
        raise UserError(str(err)) from err


def issues_document(taxonomy: Any) -> dict[str, Any]:
    """The taxonomy as plain data: id, label, kind, contested, pole labels, description."""
    return {"taxonomy": taxonomy.source, "digest": taxonomy.digest[:16], "issues": [
        {"id": i.id, "label": i.label, "kind": i.kind, "contested": i.contested,
         "minus": i.minus.label if i.minus else None, "plus": i.plus.label if i.plus else None,
         "description": i.description} for i in taxonomy.issues]}


def issues(
    taxonomy: TaxonomyOption = None,
    config_file: ConfigOption = None,
    wide: WideOption = False,
    json_out: JsonOption = False,
) -> None:
    """List the issues of the taxonomy: ids, labels, contested or not, and the two poles.

    Stance -1 is the minus pole and +1 the plus pole of a contested issue. Use the ids with
    --issue in the other commands.

    Example: likeminded issues --json
    """
    from pipelines.analyst_text import format_issues

    document = issues_document(_taxonomy(taxonomy, config_file))
    if json_out:
        emit_json(document)
    else:
        typer.echo(format_issues(document, wide=wide))


def register(app: typer.Typer) -> None:
    """Add the analyst commands to the ``likeminded`` app."""
    app.command(name="issues")(handle_errors(issues))
