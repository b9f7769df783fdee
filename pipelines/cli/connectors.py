"""Commands for the connectors: ``ingest-ungdc`` and the ``fetch`` group (``votes``, ``manifest``).

Added to the main app by :func:`register`; conventions as in :mod:`pipelines.cli.app` (``--json``
prints one JSON document on stdout, exit 1 with a one-line reason on failures the user must fix).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

import pipelines.cli.formatting as formatting
from pipelines.cli.common import DbOption, JsonOption, UserError, echo, emit_json, handle_errors
from pipelines.settings import IngestConfig, PipelineConfig, configure_prefect

if TYPE_CHECKING:
    from corpora.connectors.http import Fetcher

DEFAULT_SOURCES = Path("data") / "sources"

fetch_app = typer.Typer(
    name="fetch",
    help="Download sources: UN General Assembly voting data, documents listed in a manifest.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

TimeoutOption = Annotated[float, typer.Option(
    "--timeout", min=0.001, help="Seconds to wait for a connection or for data.")]
RetriesOption = Annotated[int, typer.Option(
    "--retries", min=0, help="Further attempts on connection errors, timeouts, 429 and 5xx.")]
BackoffOption = Annotated[float, typer.Option(
    "--backoff", min=0, help="Seconds before the first retry; doubled at each further one.")]
RateOption = Annotated[float, typer.Option(
    "--rate-limit", min=0, help="Least seconds between two requests to the same host.")]
RefreshOption = Annotated[bool, typer.Option(
    "--refresh", help="Ask the server whether cached files changed (conditional request).")]


def _fetcher(timeout: float, retries: int, backoff: float, rate_limit: float,
             max_bytes: int, **policy: Any) -> Fetcher:
    # imported here: httpx is not needed by the commands that never touch the network
    from corpora.connectors.http import Fetcher, FetchPolicy

    return Fetcher(FetchPolicy(timeout=timeout, retries=retries, backoff=backoff,
                               min_interval=rate_limit, max_bytes=max_bytes, **policy))


DeadlineOption = Annotated[float, typer.Option(
    "--deadline", min=0.001, help="Longest time one download may take in all, retries "
    "included (a server that drips bytes is cut off).")]


@handle_errors
def ingest_ungdc(
    path: Annotated[Path, typer.Argument(
        help="The corpus as distributed: a folder, .zip or .tar.gz.")],
    db: DbOption,
    years: Annotated[str | None, typer.Option(
        "--years", help="Only these years: 2017, 2013-2023 or a comma-separated list.")] = None,
    json_out: JsonOption = False,
    max_bytes: Annotated[int, typer.Option(
        "--max-bytes", min=1, help="Quarantine files larger than this.")] = 20 * 1024 * 1024,
) -> None:
    """Ingest the UN General Debate Corpus (folders 'Session 72 - 2017', files USA_72_2017.txt).

    Each file becomes a statement in forum UNGA-GD, session UNGA-72, dated September of its
    year. The EU delegation is stored as the pseudo-actor EU; malformed names, former states and
    empty files are quarantined with a reason. Re-ingesting changes nothing.

    Example: likeminded ingest-ungdc data/raw/UNGDC_1946-2023.tgz --years 2013-2023 --json
    """
    from corpora.ungdc import parse_years

    if not path.exists():
        raise UserError(f"{path}: no such folder or archive")
    selected = sorted(parse_years(years)) if years else None
    configure_prefect(db)
    from pipelines.flows.connectors import ingest_ungdc_flow
    from pipelines.flows.locking import store_lock

    config = PipelineConfig(ingest=IngestConfig(max_bytes=max_bytes))
    with store_lock(db):
        summary = ingest_ungdc_flow(str(path), str(db), selected, config)
    if json_out:
        emit_json(summary)
    else:
        echo(formatting.format_ingest_summary(summary))


@handle_errors
def fetch_votes(
    dest: Annotated[Path, typer.Option("--dest", help="Folder for the CSV.")] = (
        DEFAULT_SOURCES / "votes"),
    url: Annotated[str | None, typer.Option(
        "--url", envvar="LIKEMINDED_VOTES_URL",
        help="Record page or CSV URL (default: the UN Digital Library record).")] = None,
    from_file: Annotated[Path | None, typer.Option(
        "--from-file", help="Register a CSV you downloaded yourself instead of downloading.")
    ] = None,
    refresh: RefreshOption = False,
    timeout: TimeoutOption = 60.0,
    retries: RetriesOption = 3,
    backoff: BackoffOption = 1.0,
    rate_limit: RateOption = 1.0,
    deadline: DeadlineOption = 1800.0,
    json_out: JsonOption = False,
) -> None:
    """Download the UN Digital Library "General Assembly voting data" CSV.

    Reads the record page, picks the newest CSV it links to and downloads it resumably, with
    retries; the SHA-256 and the server's validators are recorded in DEST/.fetch/. Re-running
    downloads nothing when the newest file is already there. Offline, or when the site asks for
    a browser check, download the file in a browser and pass it with --from-file.

    Example: likeminded fetch votes --dest data/sources/votes --json
    """
    from corpora.connectors.votes import VOTES_MAX_BYTES, import_votes_file
    from corpora.connectors.votes import fetch_votes as fetch

    if from_file is not None:
        download = import_votes_file(from_file, dest)
    else:
        # the UN Digital Library may hand files out from another public host; private and
        # loopback addresses stay refused unless the URL itself names them
        with _fetcher(timeout, retries, backoff, rate_limit, VOTES_MAX_BYTES,
                      allow_other_hosts=True, deadline=deadline) as fetcher:
            download = fetch(dest, fetcher=fetcher, url=url, refresh=refresh)
    document = download.to_dict()
    if json_out:
        emit_json(document)
        return
    state = "already there" if document["cached"] else "downloaded"
    echo(f"{state}: {document['path']} ({document['bytes']:,} bytes, sha256 "
               f"{document['sha256'][:16]}) from {document['url']}")
    if document["warning"]:
        typer.echo(f"warning: {document['warning']}", err=True)


@handle_errors
def fetch_manifest(
    manifest: Annotated[Path, typer.Argument(
        help="CSV with url,state,forum,session,date (+ optional metadata columns).")],
    dest: Annotated[Path | None, typer.Option(
        "--dest", help="Output folder (default: data/sources/<manifest name>).")] = None,
    refresh: RefreshOption = False,
    timeout: TimeoutOption = 30.0,
    retries: RetriesOption = 3,
    backoff: BackoffOption = 1.0,
    rate_limit: RateOption = 1.0,
    max_bytes: Annotated[int, typer.Option(
        "--max-bytes", min=1, help="Refuse documents larger than this.")] = 50 * 1024 * 1024,
    deadline: DeadlineOption = 300.0,
    allow_redirects: Annotated[bool, typer.Option(
        "--allow-redirects", help="Follow redirects to hosts or ports the manifest does not "
        "name (public addresses only, unless --allow-private).")] = False,
    allow_private: Annotated[bool, typer.Option(
        "--allow-private", help="Also follow redirects to private, loopback or link-local "
        "addresses the manifest does not name.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Download the documents a manifest lists into a folder ready for 'likeminded ingest'.

    The manifest has the columns url,state,forum,session,date and optionally on_behalf_of,
    aligned_with,language,title,agenda_item. Documents (PDF, web page, DOCX, text) are fetched
    politely (rate limit, retries with backoff, content-type checks, size cap) and cached:
    re-running downloads nothing new. DEST gets the documents, a metadata.csv (merged with
    one already there) and fetch_report.json; a failing row is reported and the others go on.
    Redirects are followed only to hosts and ports the manifest names (see --allow-redirects,
    --allow-private); each download must finish within --deadline.

    Example: likeminded fetch manifest statements.csv --dest data/sources/oewg --json
    """
    from corpora.connectors import fetch_manifest as fetch

    if not manifest.is_file():
        raise UserError(f"{manifest}: no such manifest file")
    folder = dest or DEFAULT_SOURCES / manifest.stem
    with _fetcher(timeout, retries, backoff, rate_limit, max_bytes, deadline=deadline,
                  allow_other_hosts=allow_redirects, allow_private=allow_private) as fetcher:
        report = fetch(manifest, folder, fetcher=fetcher, refresh=refresh)
    if report.all_offline:
        raise UserError(f"offline: none of the {report.rows} document(s) could be reached "
                        f"(first: {report.outcomes[0].reason}); details in "
                        f"{folder / 'fetch_report.json'}")
    document = report.to_dict()
    if json_out:
        emit_json(document)
        return
    echo(format_manifest_report(document))


def format_manifest_report(document: dict[str, Any]) -> str:
    """Readable summary of a manifest fetch (see ``ManifestReport.to_dict``)."""
    lines = [f"{document['rows']} rows: downloaded {document['downloaded']}, cached "
             f"{document['cached']}, failed {document['failed']}"]
    lines += [f"  failed  {f['reason']}" for f in document["failures"]]
    if document["stale"]:
        lines.append(f"  {len(document['stale'])} file(s) in the folder are no longer in the "
                     "manifest: " + ", ".join(document["stale"]))
    lines.append(f"ready to ingest: likeminded ingest {document['dest']}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``ingest-ungdc`` and the ``fetch`` group to ``app`` (idempotent)."""
    commands = {c.name for c in app.registered_commands}
    groups = {g.name for g in app.registered_groups}
    if "ingest-ungdc" not in commands:
        app.command("ingest-ungdc")(ingest_ungdc)
    if "fetch" not in groups:
        app.add_typer(fetch_app, name="fetch")


fetch_app.command("votes")(fetch_votes)
fetch_app.command("manifest")(fetch_manifest)
