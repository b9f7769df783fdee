"""Write the report: ``index.html``, one page per focus state, the analyst workbook
(``tables/likeminded.xlsx``), and every table as CSV, Parquet and one raw XLSX workbook
(``tables/likeminded-raw.xlsx``) under ``tables/``. Nothing is written outside the output
folder."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from nlp.positions import WINDOW
from pipelines.settings import PipelineConfig
from pipelines.stages.results import ReportFiles, ReportSummary
from pipelines.store.queries import latest_provenance
from pipelines.store.report_data import export_tables, load_report_data, model_record
from pipelines.store.storage import open_store
from reports import (
    Report,
    build_report,
    render_csv,
    render_parquet,
    render_report,
    render_state_page,
    render_xlsx,
    state_page_name,
    with_names,
)
from reports.workbook import render_workbook

WORKBOOK = "tables/likeminded.xlsx"
"""The analyst workbook (summary, partners with quotes, positions, alignment, movers)."""
RAW_WORKBOOK = "tables/likeminded-raw.xlsx"
"""Every stored table, one sheet each, unrounded."""


def safe_target(out: Path, name: str) -> Path:
    """``out / name`` after checking that ``name`` is a plain relative path inside ``out``.

    Raises:
        ValueError: an absolute path, a ``..`` part, a backslash or a path leaving ``out``.
    """
    relative = PurePosixPath(name)
    if relative.is_absolute() or "\\" in name or any(p in ("", ".", "..")
                                                     for p in name.split("/")):
        raise ValueError(f"report file name {name!r}: expected a relative path without '..'")
    root = out.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise ValueError(f"report file name {name!r} resolves outside the output folder {root}")
    return target


def write_files(out: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write each file atomically (temporary file in the same folder, then rename)."""
    targets = {name: safe_target(out, name) for name in sorted(files)}
    written = []
    for name, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            with open(temporary, "wb") as stream:
                stream.write(files[name])
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


def render_files(db: str | Path, *, focus: Sequence[str] = (), issues: Sequence[str] = (),
                 session: str = WINDOW, config: PipelineConfig | None = None,
                 draft: str | None = None, own_voice: bool = False
                 ) -> tuple[dict[str, bytes], ReportSummary]:
    """Every file of the report as ``{relative path: bytes}``, and a summary of the report.

    ``draft``: a draft paragraph; the report then opens with who would back it."""
    with open_store(db, read_only=True) as store:
        own_tables = None
        if own_voice:
            from pipelines.stages.analysis import analyse_own_voice

            own_tables = analyse_own_voice(store, config or PipelineConfig())
        data, chosen = load_report_data(store, focus=list(focus), issues=list(issues),
                                        session=session, config=config,
                                        own_voice_tables=own_tables)
        tables = export_tables(store)
        # the run's provenance with the embedding model actually used (the run may not name it)
        provenance = {**latest_provenance(store),
                      **{k: v for k, v in model_record(store).items() if v}}
    report = build_report(data, focus=chosen, issues=issues, session=session)
    if draft:
        report = with_draft(report, db, draft, config)
    files = {"index.html": render_report(report).encode("utf-8")}
    for brief in report.focus:
        files[state_page_name(brief.state)] = render_state_page(report, brief.state).encode(
            "utf-8")
    named = {name: with_names(frame, data.names) for name, frame in tables.items()}
    for name, frame in named.items():
        meta = {"table": name, **provenance}
        files[f"tables/{name}.csv"] = render_csv(frame)
        files[f"tables/{name}.parquet"] = render_parquet(frame, meta)
    files[RAW_WORKBOOK] = render_xlsx(named, provenance=provenance)
    files[WORKBOOK] = render_workbook(report, data, provenance)
    summary: ReportSummary = {"focus": [b.state for b in report.focus], "session": session,
               "voice": data.voice,
               "issues": [s.issue for s in report.issues]}
    return files, summary


def with_draft(report: Report, db: str | Path, draft: str,
               config: PipelineConfig | None) -> Report:
    """The report with its "Who would back this text?" section for ``draft``."""
    from pipelines.stages.forecast import forecast_document
    from reports.draft_section import build_draft_section

    document = forecast_document(draft, db=str(db), config=config or PipelineConfig())
    return dataclasses.replace(report, draft=build_draft_section(document))


def write_report(db: str | Path, out: str | Path, *, focus: Sequence[str] = (),
                 issues: Sequence[str] = (), session: str = WINDOW,
                 config: PipelineConfig | None = None, draft: str | None = None,
                 own_voice: bool = False
                 ) -> ReportFiles:
    """Render the report from the store at ``db`` into ``out``; returns the paths written.

    Raises:
        ValueError: no analysis in the store, or an unknown session or issue (named).
    """
    files, summary = render_files(db, focus=focus, issues=issues, session=session,
                                  config=config, draft=draft, own_voice=own_voice)
    out = Path(out)
    paths = write_files(out, files)
    by_name = dict(zip(sorted(files), paths, strict=True))
    return {**summary, "out": str(out), "index": str(by_name["index.html"]),
            "pages": [str(by_name[state_page_name(s)]) for s in summary["focus"]],
            "workbook": str(by_name[WORKBOOK]), "raw_workbook": str(by_name[RAW_WORKBOOK]),
            "tables": sorted(str(p) for n, p in by_name.items() if n.startswith("tables/")),
            "files": len(paths)}
