"""Shared pieces of the ``likeminded`` command line: options, error handling, JSON output.

Kept apart from :mod:`pipelines.cli.app` so that command modules can import them without importing
the app (which registers those modules), also under ``python -m pipelines.cli``.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError

from pipelines.settings import (
    ENV_CONFIG,
    ENV_DB,
    ENV_PRECISION,
    AnalysisConfig,
    PipelineConfig,
    default_db,
)

F = TypeVar("F", bound=Callable[..., Any])

DbOption = Annotated[Path, typer.Option(
    "--db", envvar=ENV_DB, help="DuckDB store file.", show_default=True,
    default_factory=default_db)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


class UserError(Exception):
    """A failure the user must fix; printed as one line, exit status 1."""


def echo(text: str, *, err: bool = False) -> None:
    """Print ``text`` with control characters escaped in every line (terminal safety).

    Names and reasons come from files and servers; an escape sequence in them must not reach
    the terminal raw, and a newline inside a value was already escaped where it was recorded.
    """
    from corpora.names import printable

    typer.echo("\n".join(printable(line) for line in text.split("\n")), err=err)


def _fail(message: str) -> None:
    from corpora.names import printable

    typer.echo(f"error: {printable(message)}", err=True)
    raise typer.Exit(1)


def _usage_errors() -> tuple[type[BaseException], ...]:
    """``typer.Exit`` and click's exception base classes (typer may bundle its own copy of
    click)."""
    import click

    bases: list[type[BaseException]] = [typer.Exit, click.exceptions.ClickException,
                                        click.exceptions.Abort, click.exceptions.Exit]
    base = getattr(typer.BadParameter, "__mro__", ())
    bases += [c for c in base if c.__name__ == "ClickException"]
    return tuple(bases)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _describe(err: BaseException) -> str:
    """One line for an error outside the library's own classes (files, DuckDB, models)."""
    import duckdb

    if isinstance(err, duckdb.CatalogException):
        return (f"the store holds no such table yet ({str(err).splitlines()[0]}); run "
                "'likeminded run' first")
    if isinstance(err, duckdb.Error):
        return (f"the store cannot be read or written ({type(err).__name__}: "
                f"{str(err).splitlines()[0] if str(err) else ''}); if the file is corrupt, "
                "restore it from a backup or start a new one with --db")
    if isinstance(err, OSError):
        where = f" {err.filename}" if err.filename else ""
        hint = {28: " (disk full)", 30: " (read-only file system)", 13: " (permission denied)",
                20: " (a path component is a file, not a folder)",
                21: " (is a folder, expected a file)"}.get(err.errno or 0, "")
        return f"cannot access{where}: {err.strerror or err}{hint}"
    return f"unexpected {type(err).__name__}: {err} (set LIKEMINDED_DEBUG=1 for the traceback)"


def handle_errors(func: F) -> F:
    """Turn every failure into a one-line message and exit status 1 (130 when interrupted).

    SIGTERM is handled like Ctrl-C: the command stops promptly, the run is recorded as
    ``interrupted`` and nothing is retried. ``LIKEMINDED_DEBUG=1`` shows the traceback of an
    unexpected error instead.
    """
    import os
    import signal
    import threading

    from corpora.errors import CorporaError
    from nlp.errors import NlpError

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)
        try:
            return func(*args, **kwargs)
        except (UserError, CorporaError, NlpError) as err:
            _fail(str(err))
        except _usage_errors():
            raise  # usage errors (exit 2) and deliberate exits stay as click makes them
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except BaseException as err:
            if type(err).__name__ == "TerminationSignal":  # Prefect's form of SIGTERM
                typer.echo("interrupted", err=True)
                raise typer.Exit(130) from None
            if isinstance(err, SystemExit | GeneratorExit) or not isinstance(err, Exception) \
                    or os.environ.get("LIKEMINDED_DEBUG"):
                raise
            _fail(_describe(err))
    return wrapper  # type: ignore[return-value]


def emit_json(document: Any) -> None:
    """Write one JSON document on stdout."""
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True, default=str) + "\n")
    sys.stdout.flush()


def _check_folders(paths: list[Path]) -> list[str]:
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such folder")
        if not path.is_dir():
            raise UserError(f"{path}: not a folder; expected a folder of statement files")
    return [str(p) for p in paths]


def check_out_folder(path: Path) -> Path:
    """Refuse an output folder that cannot be one, before any work is done."""
    for parent in (path, *path.parents):
        if parent.exists():
            if not parent.is_dir():
                raise UserError(f"--out {path}: {parent} is a file, not a folder; choose a folder")
            break
    return path


ConfigOption = Annotated[Path | None, typer.Option(
    "--config", envvar=ENV_CONFIG, help="Pipeline configuration file (YAML or JSON).")]
ModelOption = Annotated[str | None, typer.Option(
    "--model", help="Embedding model: a sentence-transformers name or folder "
    "(default: the packaged all-MiniLM-L6-v2; also LIKEMINDED_MODEL).")]
BatchOption = Annotated[int | None, typer.Option("--batch-size", min=1,
                                                 help="Texts per embedding forward pass.")]


def load_config(path: Path | None, *, model: str | None = None, batch_size: int | None = None,
                max_bytes: int | None = None, taxonomy: str | None = None) -> PipelineConfig:
    """The pipeline configuration: a file if given, then command-line overrides."""
    if taxonomy is not None:  # the option's own errors (its name, its recommended settings)
        try:
            AnalysisConfig.model_validate({"taxonomy": taxonomy})
        except ValidationError as err:
            first = err.errors()[0]
            field = "".join(f"{p}: " for p in first["loc"] if p != "taxonomy")
            raise UserError(f"--taxonomy: {field}"
                            f"{first['msg'].removeprefix('Value error, ')}") from err
    try:
        config = (PipelineConfig.from_file(path, taxonomy=taxonomy) if path
                  else PipelineConfig(analysis=AnalysisConfig(taxonomy=taxonomy or "")))
    except ValidationError as err:
        first = err.errors()[0]
        where = ("--taxonomy" if first["loc"] and first["loc"][-1] == "taxonomy"
                 else ENV_PRECISION if tuple(first["loc"]) == ("precision",)
                 else ".".join(str(p) for p in first["loc"]) or "configuration")
        raise UserError(f"{where}: {first['msg'].removeprefix('Value error, ')}") from err
    except ValueError as err:
        raise UserError(str(err)) from err
    embedding = config.embedding.model_copy(update={
        k: v for k, v in {"model": model, "batch_size": batch_size}.items() if v is not None})
    ingest_config = (config.ingest if max_bytes is None
                     else config.ingest.model_copy(update={"max_bytes": max_bytes}))
    return config.model_copy(update={"embedding": embedding, "ingest": ingest_config})


class TaskRunnerKind(StrEnum):
    """Choices of ``--task-runner``."""

    local = "local"
    dask = "dask"


TaskRunnerOption = Annotated[TaskRunnerKind, typer.Option(
    "--task-runner", help="Where the embedding chunks and per-issue analyses run: 'local' (this "
    "process) or 'dask' (a Dask cluster; results are identical).")]
DaskAddressOption = Annotated[str | None, typer.Option(
    "--dask-address", help="Dask scheduler to use with --task-runner dask, as tcp://HOST:PORT "
    "(default: a LocalCluster on this machine for the run).")]
DaskWorkersOption = Annotated[int | None, typer.Option(
    "--dask-workers", min=1, help="Worker processes of the LocalCluster (default: CPUs, max 4).")]


def task_runner(kind: TaskRunnerKind | str, address: str | None, workers: int | None) -> Any:
    """The Prefect task runner the options name (``None`` for local), or a UserError."""
    from pipelines.flows.runners import make_task_runner

    try:
        return make_task_runner(TaskRunnerKind(kind).value, address, workers)
    except ValueError as err:
        raise UserError(str(err)) from err
