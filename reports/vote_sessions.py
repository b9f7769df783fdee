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
SHORT_NAMES = {"tfidf": "TF-IDF", "mean_embedding": "mean embedding",
               "regional_group": "same regional group"}
"""Baselines as the one-sentence reading names them."""
ISSUE_NAMES = {"*": "all roll calls", "me": "Middle East", "nu": "nuclear weapons",
               "di": "arms control", "hr": "human rights", "co": "colonialism",
               "ec": "economic development"}


def _value(row: SessionValidationRow, column: int) -> float | None:
    cell = row.cells[column]
    return None if cell is None else cell.value


def _mean(rows: list[SessionValidationRow], column: int) -> float | None:
    values = [value for r in rows if (value := _value(r, column)) is not None]
    return sum(values) / len(values) if values else None


def _meaning(rows: list[SessionValidationRow]) -> str:
    """One sentence: the alignment's mean correlation beside the baselines', in how many
    sessions it beats the regional-group prior, and (where computed) whether each issue's own
    alignment tracks that issue's votes better than the overall alignment does."""
    overall = [r for r in rows if r.vote_issue == "*"]
    a, i, g = 0, 1, len(METHODS) - 1
    pairs = [(x, y) for r in overall
             if (x := _value(r, a)) is not None and (y := _value(r, g)) is not None]
    if not pairs:
        return "Too few sessions have both speeches and votes to say anything yet."
    wins = sum(x > y for x, y in pairs)
    means = {SHORT_NAMES[method]: _mean(overall, column)
             for column, (method, _) in enumerate(METHODS) if method in SHORT_NAMES}
    beside = ", ".join(f"{name} {fmt(value, 2, False)}" for name, value in means.items()
                       if value is not None)
    verdict = ("states that speak alike in a year's General Debate also tend to vote alike "
               "that year, more than their regional group alone predicts, in every session"
               if wins == len(pairs) else
               f"it beats the regional-group prior in {wins} of {len(pairs)} sessions")
    cells = [(x, y) for r in rows if r.vote_issue != "*"
             and (x := _value(r, i)) is not None and (y := _value(r, a)) is not None]
    issues = (f"; the issue's own alignment tracks that issue's votes better than the overall "
              f"alignment in {sum(x > y for x, y in cells)} of {len(cells)} session and "
              "issue-area cells" if cells else "")
    return (f"Over {len(pairs)} sessions the alignment's rank correlation with vote agreement "
            f"averages {fmt(sum(x for x, _ in pairs) / len(pairs), 2, False)} ({beside}): "
            f"{verdict}{issues}.")


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
