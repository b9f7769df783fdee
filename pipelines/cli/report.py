"""The ``likeminded report`` command: the HTML alignment report and the table exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.cli.common import (
    ConfigOption,
    DbOption,
    JsonOption,
    UserError,
    check_out_folder,
    echo,
    emit_json,
    handle_errors,
    load_config,
)
from pipelines.stages.results import ReportFiles

FocusOption = Annotated[list[str] | None, typer.Option(
    "--focus", help="State to brief (ISO3 code or name); repeatable. Default: the 3 aligned "
    "states with the most statements in their own name (ties: more issues placed).")]
IssuesOption = Annotated[list[str] | None, typer.Option(
    "--issue", help="Issue id from the taxonomy to report on; repeatable. Default: every issue.")]
ReportSessionOption = Annotated[str | None, typer.Option(
    "--session", help="Session id whose alignment is shown (default: all sessions pooled).")]
OutOption = Annotated[Path, typer.Option(
    "--out", help="Folder for index.html, the state pages and tables/.")]


def _resolve(values: list[str]) -> list[str]:
    from corpora.countries import resolve_state
    from corpora.errors import UnknownStateError

    states = []
    for value in values:
        try:
            states.append(resolve_state(value))
        except UnknownStateError as err:
            raise UserError(f"--focus: {err}") from err
    return list(dict.fromkeys(states))


def _check_values(db: Path, config, *, issues: list[str], session: str | None) -> None:
    """Fail with the valid values when an --issue or the --session is unknown."""
    from pipelines.cli.choices import check_issue, check_session
    from pipelines.resources import get_taxonomy
    from pipelines.store.storage import open_store

    taxonomy = get_taxonomy(config.analysis.taxonomy)
    for value in issues:
        check_issue(value, taxonomy)
    if session is not None and db.exists():
        with open_store(db, read_only=True) as store:
            check_session(session, store)


def _read_draft(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"--draft: {path}: cannot read as UTF-8 text ({err})") from err
    if not text.strip():
        raise UserError(f"--draft: {path}: the file is empty")
    return text


def format_report_result(result: ReportFiles) -> str:
    """Readable summary of what ``report`` wrote."""
    lines = [f"report: {result['index']}"]
    lines += [f"  state page: {page}" for page in result["pages"]]
    lines.append(f"  tables: {len(result['tables'])} files in {Path(result['workbook']).parent}"
                 f" (analyst workbook {Path(result['workbook']).name}, raw tables "
                 f"{Path(result['raw_workbook']).name})")
    return "\n".join(lines)


def report(
    db: DbOption,
    focus: FocusOption = None,
    issue: IssuesOption = None,
    session: ReportSessionOption = None,
    out: OutOption = Path("data/out/report"),
    own_voice: Annotated[bool, typer.Option(
        "--own-voice", help="Score on national statements only: no statement delivered on "
        "behalf of a group, no group statement counted for its members (the stored tables "
        "are written as they are).")] = False,
    config_file: ConfigOption = None,
    draft: Annotated[Path | None, typer.Option(
        "--draft", help="Text file of a draft paragraph: the report opens with who would "
        "back it (as 'likeminded forecast').")] = None,
    json_out: JsonOption = False,
) -> None:
    """Write the alignment report: one self-contained index.html (opens offline, no scripts),
    a page per focus state, an analyst workbook (tables/likeminded.xlsx), and every table as
    CSV, Parquet and a raw XLSX workbook in tables/.

    Example: likeminded report --focus KEN --focus "Costa Rica" --out data/out/report
    """
    from nlp.positions import WINDOW
    from pipelines.stages.report_writer import write_report

    states = _resolve(focus or [])
    check_out_folder(out)
    config = load_config(config_file)
    _check_values(db, config, issues=issue or [], session=session)
    try:
        result = write_report(db, out, focus=states, issues=issue or [],
                              session=session or WINDOW, config=config,
                              draft=_read_draft(draft), own_voice=own_voice)
    except ValueError as err:
        raise UserError(str(err)) from err
    if json_out:
        emit_json(result)
    else:
        echo(format_report_result(result))


def register(app: typer.Typer) -> None:
    """Add ``likeminded report`` to the app."""
    app.command(name="report")(handle_errors(report))
