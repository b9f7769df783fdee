"""Per-issue parts of the report model: stance distribution, group means, convergence."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from reports.common import estimate, is_contested, label_of, num
from reports.data import ReportData
from reports.model import (
    DispersionPoint,
    GroupStance,
    IssueSection,
    IssueTrend,
    StancePoint,
)

MEASURE_COLUMNS = {"stance_sd": ("stance_sd", "stance_sd_lo", "stance_sd_hi"),
                   "semantic_spread": ("semantic_spread", "spread_lo", "spread_hi"),
                   "centre": ("centre", "centre_lo", "centre_hi")}
MEASURE_LABELS = {"stance_sd": "spread of stances (SD)",
                  "semantic_spread": "semantic spread (1 - mean cosine)",
                  "centre": "centre of stances (mean)"}
"""The names of the convergence measures, the same in the report, the CLI and the exports."""


def headline_measure(contested: bool, has_stance_sd: bool) -> str:
    """The dispersion measure shown for an issue everywhere: ``stance_sd`` for contested issues
    that have one, else ``semantic_spread``."""
    return "stance_sd" if contested and has_stance_sd else "semantic_spread"


def centre_heading(direction: str, poles: tuple[str, str]) -> str:
    """Where the centre of stances heads, in words (``poles``: minus and plus labels)."""
    if direction == "toward_plus":
        return f"toward “{poles[1] or 'the + pole'}”"
    if direction == "toward_minus":
        return f"toward “{poles[0] or 'the - pole'}”"
    return "no clear heading"


def trend_measure(data: ReportData, issue: str) -> str:
    """The headline measure of ``issue`` (see :func:`headline_measure`)."""
    t = data.trends
    has_sd = not t[(t["issue"] == issue) & (t["measure"] == "stance_sd")
                   & t["slope"].notna()].empty
    return headline_measure(is_contested(data.issue_info, issue), has_sd)


def _dispersion_at(data: ReportData, issue: str, session: str | None, column: str
                   ) -> float | None:
    if session is None:
        return None
    d = data.dispersion
    part = d[(d["issue"] == issue) & (d["session"] == session)]
    return num(part[column].iloc[0]) if len(part) else None


def build_trend(data: ReportData, issue: str, before: str | None = None,
                after: str | None = None) -> IssueTrend | None:
    """Trend of an issue's dispersion, with its values in the ``before``/``after`` sessions."""
    measure = trend_measure(data, issue)
    t = data.trends
    row = t[(t["issue"] == issue) & (t["measure"] == measure)]
    if row.empty:
        return None
    r = row.iloc[0]
    column = MEASURE_COLUMNS[measure][0]
    centre = t[(t["issue"] == issue) & (t["measure"] == "centre")]
    info = data.issue_info.get(issue, {})
    heading = centre_heading(str(centre["direction"].iloc[0]), (
        str(info.get("minus", "")), str(info.get("plus", "")))) if len(centre) else ""
    return IssueTrend(issue=issue, label=label_of(data.issue_info, issue),
                      measure=MEASURE_LABELS[measure],
                      before=_dispersion_at(data, issue, before, column),
                      after=_dispersion_at(data, issue, after, column),
                      slope=estimate(r["slope"], r["lo"], r["hi"]),
                      direction=str(r["direction"] or "stable"), heading=heading)


def group_stances(data: ReportData, positions, issue: str) -> tuple[GroupStance, ...]:
    """Mean and SD of the stances of each group's members that took a side on ``issue``."""
    part = positions[(positions["issue"] == issue) & ~positions["thin"].astype(bool)]
    stance = dict(zip(part["state"], part["stance"].astype(float), strict=True))
    rows = []
    for code, info in sorted(data.groups.items()):
        members = [m for m in info.get("members", []) if m in stance]
        values = np.array([stance[m] for m in members], dtype=float)
        values = values[np.isfinite(values)]
        if not members:
            continue
        rows.append(GroupStance(
            group=code, name=str(info.get("name", code)), members=len(members),
            mean=num(values.mean()) if values.size else None,
            sd=num(values.std(ddof=1)) if values.size > 1 else None,
            states=tuple(sorted(members))))
    return tuple(rows)


def build_issue_section(data: ReportData, issue: str, *, session: str,
                        coalition: Mapping[str, int]) -> IssueSection:
    info = data.issue_info.get(issue, {})
    contested = is_contested(data.issue_info, issue)
    p = data.positions
    pos = p[(p["session"] == session) & (p["issue"] == issue) & ~p["thin"].astype(bool)]
    stances = []
    if contested:
        for r in pos.to_dict(orient="records"):
            point = estimate(r["stance"], r["stance_lo"], r["stance_hi"])
            if point.value is not None:
                stances.append(StancePoint(state=str(r["state"]), name=data.name(str(r["state"])),
                                           stance=point, coalition=coalition.get(r["state"])))
    stances.sort(key=lambda s: (s.stance.value, s.state))
    measure = trend_measure(data, issue)
    value, lo, hi = MEASURE_COLUMNS[measure]
    d = data.dispersion[data.dispersion["issue"] == issue].sort_values("order", kind="stable")
    timeline = tuple(DispersionPoint(session=str(r["session"]),
                                     value=estimate(r[value], r[lo], r[hi]),
                                     n_states=int(r["n_states"]))
                     for r in d.to_dict(orient="records"))
    return IssueSection(
        issue=issue, label=label_of(data.issue_info, issue),
        description=str(info.get("description", "")), contested=contested,
        poles=(str(info.get("minus", "")), str(info.get("plus", ""))), addressed=len(pos),
        stances=tuple(stances), groups=group_stances(data, p[p["session"] == session], issue),
        measure=MEASURE_LABELS[measure], timeline=timeline, trend=build_trend(data, issue))
