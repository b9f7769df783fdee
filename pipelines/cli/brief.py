"""``likeminded brief``: the one-page brief of a delegation before a session."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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

FORMATS = ("html", "md", "docx")
SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".docx": "docx"}


def _format(value: str | None, out: Path) -> str:
    from pipelines.cli.choices import check_choice

    if value is not None:
        return check_choice("format", value, FORMATS)
    if out.suffix.lower() in SUFFIXES:
        return SUFFIXES[out.suffix.lower()]
    raise UserError(f"--format: give html, md or docx (the --out suffix {out.suffix!r} does "
                    "not say which)")


def brief(
    state: Annotated[str, typer.Argument(help="The delegation's state: ISO3 code or name.")],
    out: Annotated[Path, typer.Option("--out", help="File to write (.html, .md or .docx).")],
    db: DbOption,
    format_: Annotated[str | None, typer.Option(
        "--format", help="html (prints on one A4 or Letter page), md or docx (default: from "
        "the --out suffix).")] = None,
    session: Annotated[str | None, typer.Option(
        "--session", help="Session the moves lead into; partners and statements to join are "
        "then those of this session (default: moves into the latest session, partners over "
        "all sessions pooled).")] = None,
    issue: Annotated[str | None, typer.Option(
        "--issue", help="Brief on this issue only (default: every contested issue).")] = None,
    config_file: ConfigOption = None,
    json_out: JsonOption = False,
) -> None:
    """One-page brief for a delegation: who moved toward or away from it, its best partners
    outside its own groups per issue (score, interval, both paragraphs), statements it could
    join, and three talking points, each resting on a quoted paragraph. Where there is no
    evidence the brief says so; nothing is guessed.

    Example: likeminded brief EST --out est-brief.html
    """
    from corpora.countries import resolve_state
    from corpora.errors import UnknownStateError
    from nlp.positions import WINDOW
    from pipelines.cli.choices import check_issue, check_session, closest, store_sessions
    from pipelines.stages.brief import load_brief, stored_states
    from pipelines.stages.text import get_taxonomy
    from pipelines.store.storage import open_store
    from reports.brief import brief_document
    from reports.brief_render import RENDERERS

    config = load_config(config_file)
    kind = _format(format_, out)
    taxonomy = get_taxonomy(config.analysis.taxonomy)
    issue = check_issue(issue, taxonomy)
    issues = [issue] if issue else [i.id for i in taxonomy.contested]
    if not db.exists():
        raise UserError(f"{db}: store does not exist; run 'likeminded run' first or pass --db")
    with open_store(db, read_only=True) as store:
        known = stored_states(store)
        try:
            code = resolve_state(state)
        except UnknownStateError as err:
            near = closest(state, known)
            raise UserError(f"{err}; closest in the store: {', '.join(near) or 'none'}") from err
        sessions = store_sessions(store)
        if not sessions:
            raise UserError(f"{db}: no statements yet; run 'likeminded run' first")
        chosen = check_session(session, store)
        session, scope = (chosen, chosen) if chosen else (sessions[-1], WINDOW)
        try:
            made = load_brief(store, code, session=session, scope=scope, issues=issues,
                              config=config)
        except ValueError as err:
            raise UserError(str(err)) from err
    rendered = RENDERERS[kind](made)
    try:
        if isinstance(rendered, bytes):
            out.write_bytes(rendered)
        else:
            out.write_text(rendered, encoding="utf-8")
    except OSError as err:
        raise UserError(f"--out: {out}: cannot write ({err.strerror or err})") from err
    if json_out:
        emit_json({"written": str(out), "format": kind, "known_state": code in known,
                   "brief": brief_document(made)})
        return
    echo(f"brief for {made.name} ({code}) written to {out}: {len(made.points)} talking "
         f"points, {len(made.moves)} moves, {sum(1 for p in made.partners if p.partner)} "
         f"partners outside its groups, {len(made.joinable)} statements to join")
    for note in made.notes:
        echo(f"note: {note}")


def register(app: typer.Typer) -> None:
    """Add ``brief`` to the ``likeminded`` app."""
    app.command(name="brief")(handle_errors(brief))
