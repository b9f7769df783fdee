"""Exports of the stored analysis as CSV or Parquet, each with its provenance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from corpora.countries import country_name
from corpora.store import Store
from nlp.alignment import OVERALL
from nlp.partners import rank_partners, voice
from nlp.positions import WINDOW
from pipelines.settings import PipelineConfig
from pipelines.store.analysis_read import load_alignment
from pipelines.store.queries import convergence_document, latest_provenance
from reports.exports import csv_safe


def build_table(store: Store, what: str, *, issue: str | None = None,
                session: str | None = None,
                config: PipelineConfig | None = None) -> pd.DataFrame:
    """The table an export writes (see ``likeminded export --help``)."""
    session = session or WINDOW
    issue = issue or OVERALL
    if what == "alignment":
        result = load_alignment(store, session=session, config=config)
        if issue != OVERALL and issue not in result.issues:
            raise ValueError(f"issue {issue!r} has no alignment for session {session!r}")
        frame = result.frame(issue)
        frame.index.name = "state"
        return frame
    if what == "positions":
        sql = ("SELECT state, issue, session, n_own, n_group, weight, stance, stance_lo, "
               "stance_hi, n_stance, thin FROM positions WHERE 1=1")
        params: list[Any] = []
        if issue != OVERALL:
            sql, params = sql + " AND issue = ?", [*params, issue]
        if session != WINDOW:
            sql, params = sql + " AND session = ?", [*params, session]
        frame = store.con.execute(sql + " ORDER BY issue, session, state", params).df()
    elif what == "pairs":
        sql = ("SELECT state_a, state_b, issue, session, score, lo, hi, basis FROM alignment "
               "WHERE issue = ? AND session = ? ORDER BY state_a, state_b")
        frame = store.con.execute(sql, [issue, session]).df()
    elif what == "partners":
        frame = partners_table(store, issue=issue, session=session, config=config)
    elif what == "coalitions":
        frame = store.con.execute(
            "SELECT * FROM coalitions WHERE issue = ? ORDER BY coalition, state", [issue]).df()
    elif what == "convergence":
        # the same headline measure per issue, with the same name, as the report and the CLI
        document = convergence_document(store, issue=None if issue == OVERALL else issue,
                                        config=config)
        rows = []
        for name, data in document["issues"].items():
            trend = data.get("trend") or {}
            centre = data.get("centre_trend") or {}
            rows += [{"issue": name, "session": r["session"], "n_states": r["n_states"],
                      "measure": data["measure"], "measure_label": data["measure_label"],
                      "value": r["value"], "lo": r["lo"], "hi": r["hi"],
                      "trend_slope": trend.get("slope"), "trend_lo": trend.get("lo"),
                      "trend_hi": trend.get("hi"), "trend": trend.get("direction"),
                      "centre": r["centre"], "centre_lo": r["centre_lo"],
                      "centre_hi": r["centre_hi"], "centre_heading": centre.get("heading")}
                     for r in data["sessions"]]
        frame = pd.DataFrame(rows)
    else:
        raise ValueError(f"what must be one of alignment, pairs, positions, partners, "
                         f"coalitions, convergence; got {what!r}")
    if frame.empty:
        raise ValueError(f"nothing to export for {what} (issue {issue}, session {session}); "
                         "run 'likeminded run' first")
    if what == "pairs":
        frame.insert(1, "name_a", frame["state_a"].map(country_name))
        frame.insert(3, "name_b", frame["state_b"].map(country_name))
    if "state" in frame.columns:
        frame.insert(frame.columns.get_loc("state") + 1, "state_name",
                     frame["state"].map(country_name))
    return frame


def partners_table(store: Store, *, issue: str = OVERALL, session: str = WINDOW,
                   config: PipelineConfig | None = None, top: int = 10) -> pd.DataFrame:
    """Every state's ``top`` partners and most opposed states on ``issue``, with names, the
    95 % interval, the driving issues and one quoted pair of paragraphs (theirs and ours, with
    whose words each is: see :func:`nlp.partners.voice`)."""
    from pipelines.resources import get_taxonomy
    from pipelines.store.queries import own_tagged_segments, position_sides
    from pipelines.store.report_data import model_record

    config = config or PipelineConfig()
    result = load_alignment(store, session=session, config=config)
    taxonomy = get_taxonomy(config.analysis.taxonomy)
    labels = {i.id: i.label for i in taxonomy.issues}
    contested = frozenset(i.id for i in taxonomy.contested)
    model = model_record(store)
    own, vectors = (own_tagged_segments(store, list(result.states), model["model_key"],
                                        model["dimension"], session)
                    if model else (pd.DataFrame(), None))
    sides = position_sides(store, session, None)
    rows = []
    for state in result.states:
        try:
            ranked = rank_partners(result, state, issue=issue, top=top,
                                   own=own if len(own) else None, vectors=vectors,
                                   contested=contested, sides=sides, evidence_per_partner=1)
        except ValueError:
            continue
        for side, entries in zip(("partner", "opposed"), ranked, strict=True):
            for n, p in enumerate(entries, start=1):
                e = p.evidence[0] if p.evidence else None
                rows.append({
                    "state": state, "issue": issue,
                    "issue_label": "all issues" if issue == OVERALL else labels.get(issue, issue),
                    "side": side, "rank": n, "partner": p.state,
                    "partner_name": country_name(p.state), "score": p.score, "lo": p.lo,
                    "hi": p.hi, "basis": p.basis, "reading": p.label,
                    "drivers": "; ".join(f"{labels.get(i, i)} {s:+.2f}" for i, s in p.drivers),
                    "quoted_issue": labels.get(e.issue, e.issue) if e else "",
                    "partner_quote": e.partner_quote if e else "",
                    "partner_session": e.partner_session if e else "",
                    "partner_source": e.partner_source if e else "",
                    "partner_voice": voice(e.partner_on_behalf_of, e.partner_delivered_by)
                    if e else "",
                    "quote": e.quote if e else "", "quote_session": e.session if e else "",
                    "quote_source": e.source if e else "",
                    "quote_voice": voice(e.on_behalf_of, e.delivered_by) if e else ""})
    return pd.DataFrame(rows)


def export_table(store: Store, what: str, out: Path, *, fmt: str, issue: str | None = None,
                 session: str | None = None,
                 config: PipelineConfig | None = None) -> list[Path]:
    """Write the table and its provenance; returns the paths written."""
    frame = build_table(store, what, issue=issue, session=session, config=config)
    provenance = {"what": what, "issue": issue or OVERALL, "session": session or WINDOW,
                  **latest_provenance(store)}
    if what == "alignment":
        basis = store.con.execute(
            "SELECT basis, count(*) FROM alignment WHERE issue = ? AND session = ? "
            "GROUP BY basis ORDER BY basis", [issue or OVERALL, session or WINDOW]).fetchall()
        provenance["pairs_by_basis"] = {b: int(n) for b, n in basis}
        provenance["basis"] = ("issues: mean over shared issues; semantic: whole positions, "
                               "for pairs sharing fewer than two issues (see --what pairs)")
    out.parent.mkdir(parents=True, exist_ok=True)
    keep_index = what == "alignment"
    if fmt == "parquet":
        table = pa.Table.from_pandas(frame, preserve_index=keep_index)
        metadata = dict(table.schema.metadata or {})
        metadata[b"likeminded"] = json.dumps(provenance, sort_keys=True).encode()
        pq.write_table(table.replace_schema_metadata(metadata), out)
        return [out]
    csv_safe(frame).to_csv(out, index=keep_index, float_format="%.6g", lineterminator="\r\n")
    sidecar = out.with_name(out.name + ".provenance.json")
    sidecar.write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return [out, sidecar]
