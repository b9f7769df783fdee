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
from nlp.partners import rank_partners
from nlp.positions import WINDOW
from pipelines.analysis import load_alignment
from pipelines.queries import latest_provenance
from pipelines.settings import PipelineConfig
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
    elif what == "partners":
        result = load_alignment(store, session=session, config=config)
        rows = []
        for state in result.states:
            try:
                ranked, _ = rank_partners(result, state, issue=issue, top=10)
            except ValueError:
                continue
            rows += [{"state": state, "rank": n, "partner": p.state, "score": p.score,
                      "lo": p.lo, "hi": p.hi} for n, p in enumerate(ranked, start=1)]
        frame = pd.DataFrame(rows)
    elif what == "coalitions":
        frame = store.con.execute(
            "SELECT * FROM coalitions WHERE issue = ? ORDER BY coalition, state", [issue]).df()
    elif what == "convergence":
        frame = store.con.execute(
            'SELECT d.*, t.slope AS trend_slope, t.lo AS trend_lo, t.hi AS trend_hi, '
            't.direction AS trend FROM dispersion d LEFT JOIN trends t ON t.issue = d.issue '
            "AND t.measure = CASE WHEN d.stance_sd IS NULL THEN 'semantic_spread' "
            "ELSE 'stance_sd' END ORDER BY d.issue, d.\"order\"").df()
        if issue != OVERALL:
            frame = frame[frame["issue"] == issue]
    else:
        raise ValueError(f"what must be one of alignment, positions, partners, coalitions, "
                         f"convergence; got {what!r}")
    if frame.empty:
        raise ValueError(f"nothing to export for {what} (issue {issue}, session {session}); "
                         "run 'likeminded run' first")
    if "state" in frame.columns:
        frame.insert(frame.columns.get_loc("state") + 1, "state_name",
                     frame["state"].map(country_name))
    return frame


def export_table(store: Store, what: str, out: Path, *, fmt: str, issue: str | None = None,
                 session: str | None = None,
                 config: PipelineConfig | None = None) -> list[Path]:
    """Write the table and its provenance; returns the paths written."""
    frame = build_table(store, what, issue=issue, session=session, config=config)
    provenance = {"what": what, "issue": issue or OVERALL, "session": session or WINDOW,
                  **latest_provenance(store)}
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
