"""The issue table of the report: every issue of the taxonomy with its id, label and poles.

Analysts need the issue ids to use ``--issue`` and to read the per-issue sections; this table
lists them (the same rows as ``likeminded issues``). Pure: issue info in, model or HTML out.
"""

from __future__ import annotations

from collections.abc import Mapping

from reports.html_parts import esc, explain, section, table
from reports.model import IssueRow

EXPLAIN_ISSUES = (
    "The issues every statement paragraph is tagged with. Contested issues have two poles: a "
    "stance of -1 is the minus pole, +1 the plus pole. Use the id with --issue on the command "
    "line (likeminded issues lists the same table).")




def build_issue_rows(issue_info: Mapping[str, Mapping[str, str]]) -> tuple[IssueRow, ...]:
    """Rows in the taxonomy's order from ``ReportData.issue_info``-shaped data.

    Args:
        issue_info: issue id -> ``label``, ``kind`` (``contested``/``consensual``), ``minus``
            and ``plus`` pole labels (empty for consensual issues).
    """
    return tuple(IssueRow(id=issue_id, label=str(info.get("label", issue_id)),
                          contested=info.get("kind") == "contested",
                          minus=str(info.get("minus") or ""), plus=str(info.get("plus") or ""))
                 for issue_id, info in issue_info.items())


def render_issue_table(rows: tuple[IssueRow, ...]) -> str:
    """The ``#taxonomy`` section (empty string when there are no rows)."""
    if not rows:
        return ""
    body = [(f"<code>{esc(r.id)}</code>", esc(r.label), "contested" if r.contested else
             "consensual", esc(r.minus) if r.contested else "–",
             esc(r.plus) if r.contested else "–") for r in rows]
    return section("taxonomy", "Issues", explain(EXPLAIN_ISSUES) + table(
        ["Id", "Issue", "Kind", "Stance -1 (minus pole)", "Stance +1 (plus pole)"], body,
        caption="Issues of the taxonomy"))


__all__ = ["IssueRow", "build_issue_rows", "render_issue_table"]
