"""The per-session vote validation panel: speech alignment vs votes, year by year, with baselines.

:func:`build_session_validation` turns the stored table (``likeminded validate-votes
--per-session``) into a small model; :func:`render_session_validation` makes its HTML.
"""

from __future__ import annotations

import pandas as pd

from reports.common import estimate
from reports.html_parts import esc, fmt, fmt_interval, table
from reports.model import SessionValidation, SessionValidationRow

METHODS: tuple[tuple[str, str], ...] = (
    ("alignment", "Alignment (all issues)"),
    ("issue_alignment", "Alignment on the issue"),
    ("tfidf", "TF-IDF cosine"),
    ("mean_embedding", "Mean embedding cosine"),
    ("regional_group", "Same regional group"),
)
"""Method id and column heading, in column order."""
ISSUE_NAMES = {"*": "all roll calls", "me": "Middle East", "nu": "nuclear weapons",
               "di": "arms control", "hr": "human rights", "co": "colonialism",
               "ec": "economic development"}


def _meaning(rows: list[SessionValidationRow]) -> str:
    overall = [r for r in rows if r.vote_issue == "*"]
    a, g = 0, len(METHODS) - 1
    pairs = [(r.cells[a].value, r.cells[g].value) for r in overall
             if r.cells[a] is not None and r.cells[g] is not None
             and r.cells[a].value is not None and r.cells[g].value is not None]
    if not pairs:
        return "Too few sessions have both speeches and votes to say anything yet."
    wins = sum(x > y for x, y in pairs)
    mean = sum(x for x, _ in pairs) / len(pairs)
    verdict = ("states that speak alike in a year's General Debate also tend to vote alike "
               "that year, more than their regional group alone predicts" if wins == len(pairs)
               else "speech alignment tracks voting, but does not beat the regional-group "
               f"prior in every session ({wins} of {len(pairs)})")
    return (f"Over {len(pairs)} sessions the alignment's rank correlation with vote agreement "
            f"averages {fmt(mean, 2, False)}: {verdict}.")


def build_session_validation(frame: pd.DataFrame, *, measure: str = "s_score"
                             ) -> SessionValidation | None:
    """The panel's model from the stored rows (``None`` when there are none)."""
    part = frame[frame["measure"] == measure] if len(frame) else frame
    if part.empty:
        return None
    order = {code: n for n, code in enumerate(ISSUE_NAMES)}
    keys = sorted({(str(r.session), str(r.vote_issue)) for r in part.itertuples()},
                  key=lambda k: (k[0], order.get(k[1], 99), k[1]))
    rows = []
    for session, issue in keys:
        cell = part[(part["session"] == session) & (part["vote_issue"] == issue)]
        by_method = {str(r["method"]): r for r in cell.to_dict(orient="records")}
        cells = tuple(estimate(by_method[m]["spearman"], by_method[m]["spearman_lo"],
                               by_method[m]["spearman_hi"]) if m in by_method else None
                      for m, _ in METHODS)
        first = next(iter(by_method.values()))
        rows.append(SessionValidationRow(session=session, vote_issue=issue,
                                         n_roll_calls=int(first["n_roll_calls"] or 0),
                                         n_pairs=int(first["n_pairs"] or 0), cells=cells))
    return SessionValidation(measure=measure, rows=tuple(rows), sentence=_meaning(rows))


def render_session_validation(panel: SessionValidation) -> str:
    """HTML: the one-sentence reading, then the table over sessions and issue areas."""
    rows = [(esc(r.session), esc(ISSUE_NAMES.get(r.vote_issue, r.vote_issue)),
             str(r.n_roll_calls), str(r.n_pairs),
             *(fmt_interval(c) if c is not None else "–" for c in r.cells)) for r in panel.rows]
    headers = ["Session", "Roll calls on", "Roll calls", "Pairs", *(h for _, h in METHODS)]
    return (f'<h3>Session by session</h3><p class="reading">{esc(panel.sentence)}</p>'
            + table(headers, rows, cls="validation sessions",
                    caption=f"Spearman with the {panel.measure.replace('_', '-')} of the same "
                    "session's roll calls, over the same state pairs for every column; 95 % "
                    "intervals resample states"))
