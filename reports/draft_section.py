"""The report's "Who would back this text?" section, for a draft given with ``report --draft``.

:func:`build_draft_section` turns the plain forecast document of
:func:`pipelines.stages.forecast.forecast_document` into frozen records;
:func:`render_draft_section` makes the HTML. Pure: data in, records or a string out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.html_parts import esc, explain, fmt_interval, quote_html, section, state_label, table
from reports.model import DraftForecast, DraftIssue, DraftState, Estimate, Quote

EXPLAIN_DRAFT = (
    "The draft is placed on the issues with the same tagger and stance model as the corpus. "
    "Each state's camp comes from its pooled stance (all sessions) and its 95 % interval: "
    "likely to support when the interval lies on the draft's side of 0, to oppose when on the "
    "other side, swing when it straddles 0, its paragraphs take both sides or it moved across "
    "0 between sessions. States that took "
    "no side on the issue are listed, never guessed. The quote is the state's paragraph "
    "closest to the draft.")

CAMP_TITLES = (("support", "Likely to support"), ("oppose", "Likely to oppose"),
               ("swing", "Swing states"))



def _quote(closest: Mapping[str, Any] | None, state: str, name: str) -> Quote | None:
    if not closest:
        return None
    return Quote(state=state, name=name, session=str(closest["session"]),
                 text=str(closest["text"]), source=str(closest["source"]), url="",
                 on_behalf_of=str(closest.get("on_behalf_of") or ""))


def _state(entry: Mapping[str, Any]) -> DraftState:
    return DraftState(state=entry["state"], name=entry["name"],
                      stance=Estimate(entry["stance"], entry["lo"], entry["hi"]),
                      voice=entry["voice"], reason=entry["reason"],
                      closest=_quote(entry.get("closest"), entry["state"], entry["name"]))


def build_draft_section(document: Mapping[str, Any]) -> DraftForecast:
    """Records from a forecast document (``draft``, ``tags``, ``issues``, ``note``)."""
    issues = []
    for part in document["issues"]:
        camps = tuple((key, tuple(_state(e) for e in part.get(key) or ()))
                      for key, _ in CAMP_TITLES)
        issues.append(DraftIssue(
            issue=part["issue"], label=part["label"], side=int(part["draft_side"]),
            pole=str(part.get("draft_pole") or ""), stance=part.get("draft_stance"),
            camps=camps, unknown=tuple((u["state"], u["name"], u["reason"])
                                       for u in part.get("unknown") or ())))
    return DraftForecast(draft=str(document["draft"]), tags=tuple(document["tags"]),
                         issues=tuple(issues), note=str(document.get("note") or ""))


def _camp(title: str, states: tuple[DraftState, ...]) -> str:
    rows = [(state_label(s.state, s.name), fmt_interval(s.stance), esc(s.voice),
             esc(s.reason) or "–") for s in states]
    quotes = "".join(quote_html(s.closest) for s in states if s.closest is not None)
    return (f"<h4>{esc(title)} ({len(states)})</h4>"
            + table(["State", "Stance [95 % interval]", "Evidence", "Note"], rows)
            + (f"<details><summary>Closest paragraphs</summary>{quotes}</details>"
               if quotes else ""))


def render_draft_section(forecast: DraftForecast | None) -> str:
    """The ``#draft`` section (empty string without a draft)."""
    if forecast is None:
        return ""
    out = [explain(EXPLAIN_DRAFT), f'<blockquote class="quote"><p>{esc(forecast.draft)}</p>'
           "<footer>The draft</footer></blockquote>",
           f"<p>Issues of the draft: {esc(', '.join(forecast.tags) or 'none')}.</p>"]
    if forecast.note:
        out.append(f"<p>{esc(forecast.note)}</p>")
    for issue in forecast.issues:
        out.append(f"<h3>{esc(issue.label)} <code>{esc(issue.issue)}</code></h3>")
        if not issue.side:
            out.append("<p>The draft takes no side on this issue.</p>")
            continue
        out.append(f"<p>The draft leans {'+1' if issue.side > 0 else '-1'} "
                   f"({esc(issue.pole)}; stance {issue.stance:+.2f}).</p>")
        titles = dict(CAMP_TITLES)
        out += [_camp(titles[key], states) for key, states in issue.camps if states]
        if issue.unknown:
            out.append("<p>No stance (not guessed): " + ", ".join(
                f'<span title="{esc(reason)}">{esc(name)}</span>'
                for _, name, reason in issue.unknown) + ".</p>")
    return section("draft", "Who would back this text?", "".join(out))


__all__ = ["DraftForecast", "DraftIssue", "DraftState", "build_draft_section",
           "render_draft_section"]
