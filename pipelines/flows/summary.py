"""What an ``update`` run changed, as Markdown and tables (published as Prefect artifacts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from corpora.countries import country_name
from corpora.store import Store
from pipelines.flows.timings import other_seconds
from pipelines.store.storage import annotation_coverage, coverage_warnings


def alignment_changes(store: Store, *, top: int = 10) -> pd.DataFrame:
    """Pairs whose overall alignment changed most between the last two sessions, with the
    95 % interval of the change."""
    return store.con.execute(
        "SELECT state_a, state_b, before, after, delta AS change, delta_lo AS change_lo, "
        "delta_hi AS change_hi, from_session, to_session FROM pair_changes "
        "ORDER BY abs(delta) DESC, state_a, state_b LIMIT ?", [top]).df()


def run_markdown(store: Store, result: Mapping[str, Any]) -> str:
    """Markdown summary of an update run: counts per stage, movers, changes, quarantine."""
    ingest = result.get("ingest", {})
    lines = [f"# likeminded update {result.get('run_id', '')}", "",
             f"Corpus hash `{str(result.get('corpus_hash', ''))[:16]}`.", "",
             "| stage | result |", "|---|---|",
             f"| ingest | {ingest.get('ingested', 0)} new, {ingest.get('unchanged', 0)} unchanged,"
             f" {ingest.get('duplicates', 0)} duplicates, {ingest.get('quarantined', 0)} "
             "quarantined |"]
    for stage in ("segment", "embed", "annotate", "topics", "analyze"):
        if stage in result:
            details = ", ".join(f"{k} {v}" for k, v in sorted(result[stage].items())
                                if isinstance(v, int | float | str))
            lines.append(f"| {stage} | {details} |")
    lines += timing_lines(result.get("timings"))
    coverage = annotation_coverage(store)
    if coverage:
        lines += ["", "## Coverage by language", "",
                  "| language | paragraphs | tagged with an issue | given a side |",
                  "|---|---|---|---|"]
        lines += [f"| {k} | {v['segments']} | {v['tag_rate']:.0%} | {v['stance_rate']:.0%} |"
                  for k, v in coverage.items()]
        lines += [f"\n**Warning:** {w}" for w in coverage_warnings(coverage)]
    movers = store.con.execute(
        "SELECT state, issue, from_session, to_session, shift, shift_lo, shift_hi, pole, toward "
        "FROM movers ORDER BY to_session DESC, abs(shift) DESC, state LIMIT 8").fetchall()
    lines += ["", "## Top movers", ""]
    if movers:
        lines += ["| state | issue | sessions | change of stance [95 % interval] | toward pole |"
                  " closer to |", "|---|---|---|---|---|---|"]
        lines += [f"| {country_name(s)} ({s}) | {i} | {a} → {b} | {x:+.2f} [{lo:+.2f}, "
                  f"{hi:+.2f}] | {p} | {', '.join(t)} |"
                  for s, i, a, b, x, lo, hi, p, t in movers]
    else:
        lines.append("No state changed its stance beyond its 95 % interval.")
    changes = alignment_changes(store, top=8)
    if not changes.empty:
        lines += ["", "## Biggest changes in alignment", "",
                  "| pair | before | after | change [95 % interval] |", "|---|---|---|---|"]
        lines += [f"| {r.state_a}–{r.state_b} | {r.before:+.2f} | {r.after:+.2f} | "
                  f"{r.change:+.2f} [{r.change_lo:+.2f}, {r.change_hi:+.2f}] |"
                  for r in changes.itertuples()]
    quarantine = ingest.get("quarantine", [])
    if quarantine:
        lines += ["", f"## Quarantined files ({len(quarantine)})", ""]
        lines += [f"- {q['reason']}" for q in quarantine[:50]]
    return "\n".join(lines) + "\n"


def timing_lines(timings: dict[str, Any] | None) -> list[str]:
    """Markdown table of where the run's time went: Prefect's start-up, each stage, the rest."""
    if not timings:
        return []
    total = timings["total"]
    steps = [] if timings.get("startup") is None else [("Prefect start-up", timings["startup"])]
    steps += list(timings["stages"].items())
    steps.append(("other (run records, task overhead)", other_seconds(timings)))
    lines = ["", f"## Where the time went ({total:.1f} s)", "", "| step | seconds | share |",
             "|---|---|---|"]
    lines += [f"| {name} | {seconds:.2f} | {seconds / total if total else 0:.0%} |"
              for name, seconds in steps]
    return lines
