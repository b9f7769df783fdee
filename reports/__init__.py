"""Report model and rendering: the alignment report as HTML pages (key findings first), static
SVG charts, the analyst workbook, and the stored tables as CSV, Parquet and a raw XLSX workbook.

``build_*`` functions make the report model from a :class:`ReportData` (plain tables the
pipelines layer loads); ``render_*`` functions make strings or bytes. Nothing here touches the
store, the network or the clock.
"""

from reports.build import build_report, classical_mds, default_focus, select_issues
from reports.data import COLUMNS, ReportData, empty_frames
from reports.exports import flatten, render_csv, render_parquet, with_names
from reports.findings import Findings, build_findings
from reports.html import render_report, render_state_page, state_page_name
from reports.html_parts import CSP
from reports.model import FocusBrief, Quote, Report
from reports.workbook import render_workbook
from reports.xlsx import render_xlsx

__all__ = [
    "COLUMNS",
    "CSP",
    "Findings",
    "FocusBrief",
    "Quote",
    "Report",
    "ReportData",
    "build_findings",
    "build_report",
    "classical_mds",
    "default_focus",
    "empty_frames",
    "flatten",
    "render_csv",
    "render_parquet",
    "render_report",
    "render_state_page",
    "render_workbook",
    "render_xlsx",
    "select_issues",
    "state_page_name",
    "with_names",
]
