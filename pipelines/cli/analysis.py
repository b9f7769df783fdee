"""CLI commands over the analysis: partners, coalitions, convergence, export."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

import pipelines.cli.formatting as formatting
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
from pipelines.settings import PipelineConfig

IssueOption = Annotated[str | None, typer.Option(
    "--issue", help="Issue id from the taxonomy (default: all issues together).")]
SessionOption = Annotated[str | None, typer.Option(
    "--session", help="Session id (default: all sessions pooled).")]
OwnVoiceOption = Annotated[bool, typer.Option(
    "--own-voice", help="Score on national statements only: no statement delivered on behalf "
    "of a group, and no group statement counted for its members (computed on the fly).")]
WideOption = Annotated[bool, typer.Option(
    "--wide", help="Full quotes and lines instead of fitting 80 columns.")]


def _open(db: Path):  # -> Store
    from pipelines.store.storage import open_store

    return open_store(db, read_only=True)


def illustrative_line(summary: dict) -> str:
    """The footer line of a listing made from illustrative statements (``""`` when none)."""
    count = int((summary or {}).get("statements", 0) or 0)
    if not count:
        return ""
    corpora = ", ".join(summary.get("corpora") or ()) or "an illustrative corpus"
    return (f"Note: illustrative data: {count} statements come from {corpora}; they are not "
            "what any government said.")


def _emit(document: Mapping[str, Any], illustrative: dict[str, Any], json_out: bool,
          render: Callable[[Any], str]) -> None:
    """Print ``document`` as JSON (with the ``illustrative`` field) or as text via ``render``;
    in text, say on stderr that the data is illustrative (stdout stays the listing)."""
    if json_out:
        emit_json({**document, "illustrative": illustrative})
        return
    echo(render(document))
    line = illustrative_line(illustrative)
    if line:
        echo(line, err=True)


def _checked(store, config, *, issue: str | None = None, session: str | None = None) -> None:
    """Fail with the valid values when ``issue`` or ``session`` is unknown."""
    from pipelines.cli.choices import check_issue, check_session
    from pipelines.resources import get_taxonomy

    check_issue(issue, get_taxonomy(config.analysis.taxonomy))
    check_session(session, store)


def _own_voice(store: Any, config: PipelineConfig, own_voice: bool) -> Any:
    """The analysis of the states' own voice (``--own-voice``), computed now; else ``None``."""
    if not own_voice:
        return None
    from pipelines.stages.analysis import analyse_own_voice

    return analyse_own_voice(store, config)


def partners(
    state: Annotated[str, typer.Argument(help="ISO3 code or name of the focal state.")],
    db: DbOption,
    issue: IssueOption = None,
    session: SessionOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many partners to list.")] = 10,
    own_voice: OwnVoiceOption = False,
    beyond_group: Annotated[list[str] | None, typer.Option(
        "--beyond-group", help="Leave out the members of this group (code such as EU, NAM, "
        "ASEAN); repeatable.")] = None,
    exclude_groups: Annotated[bool, typer.Option(
        "--exclude-groups", help="Leave out the members of every group the state belongs "
        "to: partners beyond its own groups.")] = False,
    config_file: ConfigOption = None,
    wide: WideOption = False,
    json_out: JsonOption = False,
) -> None:
    """Rank like-minded partners of a state, with intervals, driving issues and quoted evidence.

    Also lists the most opposed states. Alignment runs from -1 (opposed) through 0 (unrelated
    or mixed) to +1 (same positions); below -0.2 reads "opposed", above +0.5 "like-minded"
    (see the README).

    Example: likeminded partners EST --beyond-group EU --own-voice --top 5 --json
    """
    from nlp.alignment import OVERALL
    from nlp.positions import WINDOW
    from pipelines.cli.choices import check_state
    from pipelines.store.queries import partners_document

    config = load_config(config_file)
    with _open(db) as store:
        _checked(store, config, issue=issue, session=session)
        code = check_state(state, store)
        try:
            document = partners_document(
                store, code, issue=issue or OVERALL, session=session or WINDOW,
                top=top, config=config, own_voice_tables=_own_voice(store, config, own_voice),
                beyond_groups=tuple(g.strip().upper() for g in beyond_group or ()),
                exclude_own_groups=exclude_groups)
        except ValueError as err:
            raise UserError(str(err)) from err
        illustrative = store.illustrative_summary()
    _emit(document, illustrative, json_out,
          lambda doc: formatting.format_partners(doc, wide=wide))


def coalitions(
    db: DbOption,
    issue: IssueOption = None,
    session: SessionOption = None,
    k: Annotated[int | None, typer.Option("--k", min=2, help="Number of coalitions "
                                          "(default: best mean silhouette).")] = None,
    own_voice: OwnVoiceOption = False,
    config_file: ConfigOption = None,
    wide: WideOption = False,
    json_out: JsonOption = False,
) -> None:
    """Group states into coalitions and compare them with formal groups; name bridge states.

    Example: likeminded coalitions --issue future_mechanism --json
    """
    from nlp.alignment import OVERALL
    from nlp.positions import WINDOW
    from pipelines.store.queries import coalitions_document

    config = load_config(config_file)
    with _open(db) as store:
        _checked(store, config, issue=issue, session=session)
        try:
            document = coalitions_document(
                store, issue=issue or OVERALL, session=session or WINDOW, k=k, config=config,
                own_voice_tables=_own_voice(store, config, own_voice))
        except ValueError as err:
            raise UserError(str(err)) from err
        illustrative = store.illustrative_summary()
    _emit(document, illustrative, json_out,
          lambda doc: formatting.format_coalitions(doc, wide=wide))


def convergence(
    db: DbOption,
    issue: IssueOption = None,
    session: Annotated[str | None, typer.Option(
        "--session", help="Only moves into this session (from the one before).")] = None,
    state: Annotated[str | None, typer.Option(
        "--state", help="Only this state's moves (ISO3 code or name), with the paragraphs "
        "before and after.")] = None,
    config_file: ConfigOption = None,
    wide: WideOption = False,
    json_out: JsonOption = False,
) -> None:
    """Dispersion and centre of positions per issue and session, their trends, and the moves.

    A move is a change of stance larger than its 95 % interval (and at least 0.25) between
    consecutive sessions; joining a consensus is not one.

    Example: likeminded convergence --session OEWG-2025-11 --state Egypt
    """
    from pipelines.cli.choices import check_state
    from pipelines.store.queries import convergence_document

    with _open(db) as store:
        config = load_config(config_file)
        _checked(store, config, issue=issue, session=session)
        code = check_state(state, store) if state else None
        try:
            document = convergence_document(store, issue=issue, session=session, state=code,
                                            config=config)
        except ValueError as err:
            raise UserError(str(err)) from err
    if issue and not document["issues"]:
        raise UserError(f"no convergence data for issue {issue!r}; run 'likeminded run' "
                        "first")
    if json_out:
        emit_json(document)
    else:
        echo(formatting.format_convergence(document, wide=wide))


WHAT = ("alignment", "pairs", "positions", "partners", "coalitions", "convergence")


def export(
    db: DbOption,
    what: Annotated[str, typer.Option("--what", help="One of: " + ", ".join(WHAT))],
    out: Annotated[Path, typer.Option("--out", help="Output file (.csv or .parquet).")],
    fmt: Annotated[str | None, typer.Option(
        "--format", help="csv or parquet (default: from the --out suffix).")] = None,
    issue: IssueOption = None,
    session: SessionOption = None,
    config_file: ConfigOption = None,
) -> None:
    """Export a table as CSV or Parquet, with its provenance alongside.

    The alignment export is a square state x state matrix with ISO3 row and column labels;
    'pairs' is the same as a long table with intervals and each score's basis ('issues', or
    'semantic' for pairs sharing fewer than two issues, scored on whole positions).
    Parquet files carry the provenance in their metadata; CSV files get PATH.provenance.json.

    Example: likeminded export --what alignment --issue ihl --format csv --out ihl.csv
    """
    from pipelines.store.exports import export_table

    if what not in WHAT:
        raise typer.BadParameter(f"expected one of {', '.join(WHAT)}; got {what!r}",
                                 param_hint="--what")
    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter(f"expected csv or parquet; got {fmt!r}", param_hint="--format")
    config = load_config(config_file)
    with _open(db) as store:
        _checked(store, config, issue=issue, session=session)
        try:
            written = export_table(store, what, out, fmt=fmt, issue=issue, session=session,
                                   config=config)
        except ValueError as err:
            raise UserError(str(err)) from err
    echo(json.dumps({"written": [str(p) for p in written]}))


def validate_votes(
    votes: Annotated[Path, typer.Argument(help="Votes CSV (unvotes layout or UN Digital "
                                          "Library voting data; .csv or .csv.gz).")],
    db: DbOption,
    roll_calls: Annotated[Path | None, typer.Option(
        "--roll-calls", help="Roll-call table for the unvotes layout (dates, titles).")] = None,
    rollcalls: Annotated[list[str] | None, typer.Option(
        "--rollcalls", help="Roll-call id or resolution symbol (A/RES/73/27); repeatable.")]
    = None,
    vote_session: Annotated[list[int] | None, typer.Option(
        "--vote-session", help="General Assembly session number of the votes; repeatable.")]
    = None,
    keyword: Annotated[list[str] | None, typer.Option(
        "--keyword", help="Keyword in the roll call's title or description; repeatable.")] = None,
    year: Annotated[list[int] | None, typer.Option("--year", help="Year; repeatable.")] = None,
    issue: IssueOption = None,
    session: SessionOption = None,
    issues_file: Annotated[Path | None, typer.Option(
        "--issues", help="Roll-call issues table (rcid, short_name, issue) for per-issue "
        "comparisons.")] = None,
    per_session: Annotated[bool, typer.Option(
        "--per-session", help="Correlate each stored session's alignment (e.g. a General "
        "Debate, UNGA-73) with that session's votes, overall and per issue area, beside "
        "TF-IDF, mean-embedding and same-regional-group baselines.")] = False,
    groups: Annotated[Path | None, typer.Option(
        "--groups", help="Group membership table with the UN regional groups "
        "(country_blocks_membership.csv); needed by --per-session.")] = None,
    n_boot: Annotated[int | None, typer.Option(
        "--n-boot", min=10, help="State-bootstrap replicates for the intervals (default: "
        "votes.n_boot, or votes.session_n_boot with --per-session).")] = None,
    store_result: Annotated[bool, typer.Option(
        "--store/--no-store", help="Keep the result in the store for the report.")] = True,
    config_file: ConfigOption = None,
    taxonomy: Annotated[str | None, typer.Option(
        "--taxonomy", help="Taxonomy the store was analysed with (cyber, unga or a YAML file; "
        "default: the configuration's).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Correlate the text-based alignment with vote agreement (Spearman, Pearson, bootstrap CI).

    Vote agreement is computed as simple agreement, Cohen's kappa and the Signorino-Ritter
    S-score on the selected roll calls (all when no selection is given); intervals resample
    states. The text alignment is the stored one (all issues and sessions unless given).
    With --per-session, each stored session is set against its own year's roll calls.

    Example: likeminded validate-votes votes.csv --roll-calls roll_calls.csv --year 2018 --json

    Example: likeminded validate-votes ../shared/data/unvotes_votes.csv.gz --per-session
    --roll-calls ../shared/data/unvotes_roll_calls.csv.gz --issues
    ../shared/data/unvotes_roll_call_issues.csv --groups
    ../shared/data/country_blocks_membership.csv --db data/ungdc.duckdb --taxonomy unga
    """
    from nlp.alignment import OVERALL
    from nlp.positions import WINDOW
    from pipelines.settings import VotesConfig
    from pipelines.stages.validation import store_validation, validate_against_votes
    from pipelines.store.storage import open_store

    config = load_config(config_file, taxonomy=taxonomy)
    if per_session:
        _validate_sessions(votes, db, roll_calls=roll_calls, issues=issues_file, groups=groups,
                           n_boot=n_boot or config.votes.session_n_boot,
                           store_result=store_result, config=config,
                           json_out=json_out)
        return
    selection = VotesConfig(path=str(votes), roll_calls=str(roll_calls or ""),
                            issues=str(issues_file or ""),
                            ids=tuple(rollcalls or ()), sessions=tuple(vote_session or ()),
                            keywords=tuple(keyword or ()), years=tuple(year or ()),
                            min_common=config.votes.min_common,
                            n_boot=n_boot or config.votes.n_boot,
                            max_bytes=config.votes.max_bytes)
    from pipelines.flows.locking import store_lock

    with (store_lock(db) if store_result else nullcontext()), \
            open_store(db, read_only=not store_result) as store:
        try:
            document = validate_against_votes(store, selection, issue=issue or OVERALL,
                                              session=session or WINDOW, config=config)
        except ValueError as err:
            raise UserError(str(err)) from err
        if store_result:
            store_validation(store, document)
    if json_out:
        emit_json(document)
    else:
        echo(formatting.format_validation(document))


def _validate_sessions(votes: Path, db: Path, *, roll_calls: Path | None, issues: Path | None,
                       groups: Path | None, n_boot: int, store_result: bool,
                       config: PipelineConfig,
                       json_out: bool) -> None:
    from pipelines.flows.locking import store_lock
    from pipelines.stages.vote_sessions import store_session_validation, validate_sessions
    from pipelines.store.storage import open_store

    if groups is None:
        raise UserError("--per-session needs --groups (a membership table with the UN regional "
                        "groups, such as country_blocks_membership.csv)")
    with (store_lock(db) if store_result else nullcontext()), \
            open_store(db, read_only=not store_result) as store:
        try:
            document = validate_sessions(store, votes=votes, roll_calls=roll_calls,
                                         issues=issues, groups=groups, config=config,
                                         n_boot=n_boot)
        except ValueError as err:
            raise UserError(str(err)) from err
        if store_result:
            store_session_validation(store, document)
    if json_out:
        emit_json(document)
    else:
        echo(formatting.format_session_validation(document))


def register(app: typer.Typer) -> None:
    """Add the analysis commands to the ``likeminded`` app."""
    for command in (partners, coalitions, convergence, export):
        app.command(name=command.__name__)(handle_errors(command))
    app.command(name="validate-votes")(handle_errors(validate_votes))
