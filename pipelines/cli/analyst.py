"""CLI commands for the analyst's week: ``issues`` (the taxonomy) and ``forecast`` (who would
back a draft paragraph)."""

from __future__ import annotations

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
    load_config,
)

TaxonomyOption = Annotated[str | None, typer.Option(
    "--taxonomy", help="'default' (the bundled taxonomy), the name of another bundled one, or a "
    "taxonomy YAML file (default: the configured analysis.taxonomy).")]
WideOption = Annotated[bool, typer.Option(
    "--wide", help="Full text on long lines instead of fitting 80 columns.")]


def _taxonomy(value: str | None, config_file: Path | None) -> Any:
    from nlp.errors import TaxonomyError
    from pipelines.cli.choices import resolve_taxonomy
    from pipelines.resources import get_taxonomy

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
    from pipelines.cli.analyst_text import format_issues

    document = issues_document(_taxonomy(taxonomy, config_file))
    if json_out:
        emit_json(document)
    else:
        echo(format_issues(document, wide=wide))


def _draft(value: str) -> str:
    path = Path(value)
    if len(value) < 4096 and "\n" not in value and path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise UserError(f"--text: {path}: cannot read as UTF-8 text ({err})") from err
    return value


def forecast(
    db: DbOption,
    text: Annotated[str, typer.Option(
        "--text", help="The draft paragraph: a text file, or the text itself.")],
    issue: Annotated[str | None, typer.Option(
        "--issue", help="Forecast this contested issue only, even if the draft is not tagged "
        "with it (default: every contested issue the draft is tagged with).")] = None,
    top: Annotated[int, typer.Option(
        "--top", min=1, help="Supporters and opponents listed per issue.")] = 10,
    config_file: ConfigOption = None,
    wide: WideOption = False,
    json_out: JsonOption = False,
) -> None:
    """Who would back this text? Place a draft on the issues and rank states by likely support.

    The draft is tagged and its side taken with the pipeline's own tagger and stance model.
    Each state's camp comes from its stored pooled stance on the issue with its 95% interval:
    support or oppose when the interval is on one side of 0, swing when it straddles 0, the
    state's paragraphs take both sides or it moved across 0 between sessions, unknown (never
    guessed) when it took no side. Each
    state comes with its paragraph closest to the draft and whether that evidence is its own
    voice or a group statement.

    Example: likeminded forecast --text draft.txt --issue binding_instrument --top 5
    """
    from pipelines.cli.analyst_text import format_forecast
    from pipelines.cli.choices import check_issue
    from pipelines.resources import get_taxonomy
    from pipelines.stages.forecast import forecast_document

    config = load_config(config_file)
    issue = check_issue(issue, get_taxonomy(config.analysis.taxonomy))
    if not db.exists():
        raise UserError(f"{db}: store does not exist; run 'likeminded run' first or pass --db")
    try:
        document = forecast_document(_draft(text), db=str(db), config=config, issue=issue,
                                     top=top)
    except ValueError as err:
        raise UserError(str(err)) from err
    if json_out:
        emit_json(document)
    else:
        echo(format_forecast(document, wide=wide))


def register(app: typer.Typer) -> None:
    """Add the analyst commands to the ``likeminded`` app."""
    from pipelines.cli.correct import correct_app

    app.command(name="issues")(handle_errors(issues))
    app.command(name="forecast")(handle_errors(forecast))
    app.add_typer(correct_app, name="correct")
