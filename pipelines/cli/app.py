"""The ``likeminded`` command line.

Conventions: every command that touches the store takes ``--db`` (default
``data/likeminded.duckdb`` or ``$LIKEMINDED_DB``); ``--json`` prints exactly one JSON document on
stdout while logs and progress go to stderr; exit 0 on success, 1 on a failure the user must fix
(with a one-line reason), 2 on usage errors.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

import pipelines.cli.formatting as formatting
from pipelines.cli.common import (
    BatchOption,
    ConfigOption,
    DaskAddressOption,
    DaskWorkersOption,
    DbOption,
    JsonOption,
    ModelOption,
    TaskRunnerKind,
    TaskRunnerOption,
    UserError,
    _check_folders,
    check_out_folder,
    echo,
    emit_json,
    handle_errors,
    load_config,
    task_runner,
)
from pipelines.flows.locking import store_lock
from pipelines.settings import ENV_DB, PipelineConfig, configure_prefect

app = typer.Typer(
    name="likeminded",
    help="Find like-minded states in multilateral cyber negotiations, with quotable evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

def _ingest(folders: list[str], db: Path, config: PipelineConfig) -> dict[str, Any]:
    configure_prefect(db)
    from pipelines.flows.pipeline import ingest_flow

    with store_lock(db):
        return ingest_flow(folders, str(db), config)


@app.command()
@handle_errors
def ingest(
    path: Annotated[list[Path], typer.Argument(help="Folder(s) of statement files.")],
    db: DbOption,
    json_out: JsonOption = False,
    max_bytes: Annotated[int | None, typer.Option(
        "--max-bytes", min=1, help="Quarantine files larger than this (default 20 MiB; also "
        "ingest.max_bytes in --config).")] = None,
    config_file: ConfigOption = None,
) -> None:
    """Ingest folders of statements (.txt .md .html .pdf .docx) into the store.

    Metadata comes from a metadata.csv (columns file,state,forum,session,date and optionally
    on_behalf_of,aligned_with,language,title,agenda_item,url) or YAML front matter.
    Re-ingesting changes nothing; a changed file becomes a new version of its statement.
    The ingest.max_* keys of --config cap the work one file may cause (size, characters,
    pages, paragraphs, nesting, metadata rows); a file past a cap is quarantined.

    Example: likeminded ingest corpora/sample --db data/likeminded.duckdb --json
    """
    config = load_config(config_file, max_bytes=max_bytes)
    summary = _ingest(_check_folders(path), db, config)
    if json_out:
        emit_json(summary)
    else:
        echo(formatting.format_ingest_summary(summary))


@app.command()
@handle_errors
def run(
    db: DbOption,
    corpus: Annotated[list[Path] | None, typer.Option(
        "--corpus", help="Folder of statements to ingest first; repeat for several. Without "
        "it, the statements already in the store are analysed.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for reports and exports.")] = Path(
        "data/out"),
    config_file: ConfigOption = None,
    model: ModelOption = None,
    batch_size: BatchOption = None,
    taxonomy: Annotated[str | None, typer.Option(
        "--taxonomy", help="Issue taxonomy: a built-in name (cyber, the default; unga for "
        "General Assembly politics) or a YAML file (overrides analysis.taxonomy).")] = None,
    wait: Annotated[float, typer.Option(
        "--wait", min=0, help="Seconds to wait if another run holds the store.")] = 0.0,
    runner: TaskRunnerOption = TaskRunnerKind.local,
    dask_address: DaskAddressOption = None,
    dask_workers: DaskWorkersOption = None,
    json_out: JsonOption = False,
) -> None:
    """Run every pipeline stage, incrementally, then write the report.

    Ingests the --corpus folders (if any; without them it analyses what the store already
    holds, e.g. after ingest-ungdc or fetch manifest + ingest); segments, embeds and tags only
    what is new; recomputes topics and the analyses only when their inputs changed; writes the
    report and the run summary (with its provenance) to --out. With --task-runner dask the
    embedding chunks and the per-issue analyses run on a Dask cluster.

    Example: likeminded run --corpus corpora/sample --db data/likeminded.duckdb --out data/out

    Example: likeminded run --db data/ungdc.duckdb --taxonomy unga --out data/ungdc-out

    Example: likeminded run --corpus statements/ --task-runner dask --dask-address tcp://10.0.0.5:8786
    """
    folders = _check_folders(corpus or [])
    check_out_folder(out)
    config = load_config(config_file, model=model, batch_size=batch_size, taxonomy=taxonomy)
    if not folders:
        _require_statements(db)
    configure_prefect(db)
    from pipelines.flows.pipeline import start_model_loading, update_flow

    flow = update_flow
    with store_lock(db, wait_seconds=wait):
        chosen = task_runner(runner, dask_address, dask_workers)
        if chosen is not None:
            flow = update_flow.with_options(task_runner=chosen)
        else:  # the model is needed in this process: load it while Prefect starts
            start_model_loading(config)
        called_at = time.time()
        try:
            run = flow(folders, str(db), config, report_out=str(out / "report"),
                       called_at=called_at)
        except ValueError as err:  # a configuration the data does not fit (named in the message)
            raise UserError(str(err)) from err
        # the flow's total ends when the run is recorded; this one also covers publishing the
        # artifacts and closing the flow run
        run["timings"]["total"] = max(run["timings"]["total"], time.time() - called_at)
        # the run summary: the run's result with the report's index file in place of its record
        result: dict[str, Any] = {**run, "report": run["report"]["index"]}
    out.mkdir(parents=True, exist_ok=True)
    result.update(db=str(db), out=str(out), config=config.model_dump(mode="json"))
    summary_path = out / "run_summary.json"
    summary_path.write_text(json.dumps(result, indent=2, sort_keys=True, default=str) + "\n",
                            encoding="utf-8")
    result["summary_file"] = str(summary_path)
    if json_out:
        emit_json(result)
    else:
        echo(formatting.format_run_summary(result))
        echo(f"run summary: {summary_path}")
        echo(f"report: {result['report']}")


def _require_statements(db: Path) -> None:
    """Refuse a run with no --corpus over a store that holds no statements (one line)."""
    from corpora.store import Store

    hint = ("give --corpus FOLDER, or fill the store first with 'likeminded ingest', "
            "'likeminded ingest-ungdc' or 'likeminded fetch manifest'")
    if not db.exists():
        raise UserError(f"{db}: no store here and no --corpus to ingest; {hint}")
    with Store(db, read_only=True) as store:
        if store.count_statements() == 0:
            raise UserError(f"{db}: the store holds no statements; {hint}")


@app.command()
@handle_errors
def serve(
    corpus: Annotated[list[Path], typer.Option(
        "--corpus", help="Folder of statements; repeat for several.")],
    db: DbOption,
    cron: Annotated[str, typer.Option("--cron", help="Cron schedule (server time zone).")] = (
        "0 6 * * 1"),
    name: Annotated[str, typer.Option("--name", help="Deployment name.")] = "likeminded-update",
    focus: Annotated[list[str] | None, typer.Option(
        "--focus", help="State whose top partners are published as an artifact; repeatable.")]
    = None,
    runner: TaskRunnerOption = TaskRunnerKind.local,
    dask_address: DaskAddressOption = None,
    dask_workers: DaskWorkersOption = None,
) -> None:
    """Serve the update flow as a scheduled deployment against a Prefect server (blocks).

    Needs PREFECT_API_URL pointing at a Prefect server (`make server` starts one on
    127.0.0.1:4200). Trigger a run by hand with:
    prefect deployment run 'update/likeminded-update' --watch

    Example: likeminded serve --cron "0 6 * * 1" --corpus statements/ --db data/likeminded.duckdb
    """
    import os

    if not os.environ.get("PREFECT_API_URL"):
        raise UserError("serve needs a Prefect server: start one with 'make server' and set "
                        "PREFECT_API_URL=http://127.0.0.1:4200/api")
    folders = [str(Path(f).resolve()) for f in _check_folders(corpus)]
    configure_prefect(db)
    from pipelines.flows.pipeline import update_flow

    chosen = task_runner(runner, dask_address, dask_workers)
    flow = update_flow if chosen is None else update_flow.with_options(task_runner=chosen)
    flow.serve(name=name, cron=cron, parameters={
        "folders": folders, "db": str(db.resolve()), "focus": list(focus or [])},
        description="Ingest new statements and refresh every analysis.",
        print_starting_message=False)


@app.command()
@handle_errors
def status(db: DbOption, json_out: JsonOption = False) -> None:
    """Show what the store holds: statements by forum and session, recent runs, quarantine.

    Example: likeminded status --db data/likeminded.duckdb
    """
    from corpora.store import Store
    from pipelines.store.status import store_status

    with Store(db, read_only=True) as store:
        document = store_status(store)
    if json_out:
        emit_json(document)
    else:
        echo(formatting.format_status(document))


@app.command("analyze-text")
@handle_errors
def analyze_text(
    db: Annotated[Path | None, typer.Option(
        "--db", envvar=ENV_DB, help="DuckDB store that caches the seed and sentence embeddings "
        "(default: none; nothing is written).")] = None,
    jsonl: Annotated[bool, typer.Option(
        "--jsonl", help="Read JSONL objects with a 'text' field instead of plain lines.")] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Add 'explain': per issue with a side, the sentence that decided it "
        "and its role (own view, rejection of the view before it, ...).")] = False,
    config_file: ConfigOption = None,
    model: ModelOption = None,
) -> None:
    """Tag texts from stdin with issues and stance; one JSON object per input on stdout (JSONL).

    Each output line is {"text", "issues": {id: score}, "tags": [ids], "stance": {id: value or
    null}, "language"}, plus "explain" with --explain. Each text is read sentence by sentence;
    the inputs together are one context (texts without cyber vocabulary, among inputs that
    mostly lack it, need much stronger evidence to be tagged). With --db, seed and sentence
    embeddings are cached in that store, so later calls start fast; without it nothing is written.

    Example: likeminded analyze-text < sentences.txt
    """
    from pipelines.stages.textcheck import analyze_lines

    config = load_config(config_file, model=model)
    lines = sys.stdin.read().splitlines()
    try:
        if db is None:
            documents = list(analyze_lines(lines, db=None, config=config, jsonl=jsonl,
                                           explain=explain))
        else:
            with store_lock(db):  # the seed and sentence embeddings are cached in the store
                documents = list(analyze_lines(lines, db=str(db), config=config, jsonl=jsonl,
                                               explain=explain))
        for document in documents:
            sys.stdout.write(json.dumps(document, ensure_ascii=False, sort_keys=True) + "\n")
    except ValueError as err:
        raise UserError(str(err)) from err
    sys.stdout.flush()


def _register_commands() -> None:
    import pipelines.cli.analysis as cli_analysis
    import pipelines.cli.analyst as cli_analyst
    import pipelines.cli.brief as cli_brief
    import pipelines.cli.connectors as cli_connectors
    import pipelines.cli.report as cli_report
    import pipelines.cli.retire as cli_retire

    cli_analysis.register(app)
    cli_analyst.register(app)
    cli_brief.register(app)
    cli_retire.register(app)
    cli_connectors.register(app)
    cli_report.register(app)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
