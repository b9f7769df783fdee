"""What an ``update`` run changed, as Markdown and tables (published as Prefect artifacts)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from corpora.countries import country_name
from corpora.store import Store
from pipelines.storage import annotation_coverage, coverage_warnings


def alignment_changes(store: Store, *, top: int = 10) -> pd.DataFrame:
    """Pairs whose overall alignment changed most between the last two sessions."""
    sessions = [r[0] for r in store.con.execute(
        "SELECT session FROM statements WHERE superseded_by IS NULL GROUP BY session "
        "ORDER BY min(date)").fetchall()]
    if len(sessions) < 2:
        return pd.DataFrame(columns=["state_a", "state_b", "before", "after", "change"])
    before, after = sessions[-2], sessions[-1]
    return store.con.execute(
        "SELECT a.state_a, a.state_b, a.score AS before, b.score AS after, "
        "b.score - a.score AS change FROM alignment a JOIN alignment b ON a.state_a = b.state_a "
        "AND a.state_b = b.state_b AND a.issue = b.issue WHERE a.issue = '*' AND a.session = ? "
        "AND b.session = ? ORDER BY abs(b.score - a.score) DESC, a.state_a, a.state_b LIMIT ?",
        [before, after, top]).df().assign(from_session=before, to_session=after)


def run_markdown(store: Store, result: dict[str, Any]) -> str:
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
    coverage = annotation_coverage(store)
    if coverage:
        lines += ["", "## Coverage by language", "",
                  "| language | paragraphs | tagged with an issue | given a side |",
                  "|---|---|---|---|"]
        lines += [f"| {k} | {v['segments']} | {v['tag_rate']:.0%} | {v['stance_rate']:.0%} |"
                  for k, v in coverage.items()]
        lines += [f"\n**Warning:** {w}" for w in coverage_warnings(coverage)]
    movers = store.con.execute(
        "SELECT state, issue, from_session, to_session, shift, toward FROM movers "
        "ORDER BY to_session DESC, shift DESC, state LIMIT 8").fetchall()
    if movers:
        lines += ["", "## Top movers", "", "| state | issue | sessions | shift | toward |",
                  "|---|---|---|---|---|"]
        lines += [f"| {country_name(s)} ({s}) | {i} | {a} → {b} | {x:.2f} | {', '.join(t)} |"
                  for s, i, a, b, x, t in movers]
    changes = alignment_changes(store, top=8)
    if not changes.empty:
        lines += ["", "## Biggest changes in alignment", "", "| pair | before | after |",
                  "|---|---|---|"]
        lines += [f"| {r.state_a}–{r.state_b} | {r.before:+.2f} | {r.after:+.2f} |"
                  for r in changes.itertuples()]
    quarantine = ingest.get("quarantine", [])
    if quarantine:
        lines += ["", f"## Quarantined files ({len(quarantine)})", ""]
        lines += [f"- {q['reason']}" for q in quarantine[:50]]
    return "\n".join(lines) + "\n"
