"""The ``report`` flow: render the HTML report and the table exports from the store."""

from __future__ import annotations

from prefect import flow, get_run_logger, task

from nlp.positions import WINDOW
from pipelines.settings import PipelineConfig
from pipelines.stages.report_writer import write_report
from pipelines.stages.results import ReportFiles


@task(name="render report")
def render_report_task(db: str, out: str, focus: list[str], issues: list[str], session: str,
                       config: PipelineConfig) -> ReportFiles:
    """Write index.html, the focus states' pages and tables/ under ``out``."""
    return write_report(db, out, focus=focus, issues=issues, session=session, config=config)


@flow(name="report", log_prints=False)
def report_flow(db: str, out: str, focus: list[str] | None = None,
                issues: list[str] | None = None, session: str = WINDOW,
                config: PipelineConfig | None = None) -> ReportFiles:
    """Render the alignment report of the store at ``db`` into the folder ``out``.

    ``focus`` holds ISO3 codes (default: the 3 states with the most statements); ``issues``
    issue ids (default: all); ``session`` a session id or ``"*"`` for all sessions pooled.
    """
    config = config or PipelineConfig()
    result = render_report_task(db, out, list(focus or []), list(issues or []), session,
                                config)
    get_run_logger().info("report written to %s (%d files)", result["index"], result["files"])
    return result
