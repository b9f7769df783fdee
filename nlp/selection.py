"""Choosing analysis settings out of sample: chosen on some sessions, reported on others.

A setting picked because it scores best on the sessions it is then reported on overstates what
it does on new data. Here the candidates' scores (one per setting and session, e.g. the Spearman
correlation of that session's alignment with its votes) are split: a setting is *chosen* on the
``fit`` sessions (highest mean score there; ties go to the earlier candidate, so the choice is
deterministic) and *reported* on the held-out sessions only.

* :func:`leave_one_out`: every session held out in turn, the setting chosen on all the others;
* :func:`split_sessions`: one fixed split (e.g. fit on 2013-2016, report 2018-2019), and
  :func:`two_fold` runs it both ways.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

SETTING, SESSION, SCORE = "setting", "session", "score"
HELD_OUT_COLUMNS = ("scheme", "held_out", "fit_sessions", "setting", "fit_score", "score")


def _check(scores: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in (SETTING, SESSION, SCORE) if c not in scores]
    if missing:
        raise ValueError(f"scores needs columns {SETTING!r}, {SESSION!r} and {SCORE!r}; "
                         f"missing {missing}")
    if scores.duplicated([SETTING, SESSION]).any():
        first = scores[scores.duplicated([SETTING, SESSION])].iloc[0]
        raise ValueError(f"scores has setting {first[SETTING]!r} twice for session "
                         f"{first[SESSION]!r}; expected one score per setting and session")
    return scores


def choose(scores: pd.DataFrame, fit: Sequence[str]) -> tuple[str, float]:
    """The setting with the highest mean score over the ``fit`` sessions, and that mean.

    Settings without a finite score in every fit session are not eligible; ties go to the
    setting listed first in ``scores``.

    Raises:
        ValueError: ``fit`` is empty, names a session ``scores`` lacks, or no setting has a
            score in every fit session.
    """
    _check(scores)
    fit = list(dict.fromkeys(fit))
    if not fit:
        raise ValueError("choose: no fit session given")
    unknown = sorted(set(fit) - set(scores[SESSION]))
    if unknown:
        raise ValueError(f"choose: fit sessions {unknown} have no scores; known: "
                         f"{sorted(set(scores[SESSION]))}")
    order = list(dict.fromkeys(scores[SETTING]))
    wide = scores.pivot(index=SETTING, columns=SESSION, values=SCORE).reindex(order)[fit]
    eligible = wide.dropna()
    if eligible.empty:
        raise ValueError(f"choose: no setting has a score in every fit session {fit}")
    means = eligible.mean(axis=1)
    best = str(means.idxmax())  # the first of equal maxima, in candidate order
    return best, float(means[best])


def _held_out(scores: pd.DataFrame, scheme: str, fit: list[str],
              report: list[str]) -> list[dict[str, object]]:
    setting, fit_score = choose(scores, fit)
    mine = scores[scores[SETTING] == setting].set_index(SESSION)[SCORE]
    return [{"scheme": scheme, "held_out": session, "fit_sessions": ",".join(fit),
             "setting": setting, "fit_score": fit_score,
             "score": float(mine.get(session, float("nan")))} for session in report]


def leave_one_out(scores: pd.DataFrame) -> pd.DataFrame:
    """Each session held out in turn: the setting chosen on all the other sessions, and its
    score in the held-out one (columns :data:`HELD_OUT_COLUMNS`, scheme ``leave-one-out``).

    Raises:
        ValueError: fewer than two sessions, or as :func:`choose`.
    """
    sessions = list(dict.fromkeys(_check(scores)[SESSION]))
    if len(sessions) < 2:
        raise ValueError(f"leave_one_out: need at least two sessions; got {sessions}")
    rows: list[dict[str, object]] = []
    for held in sessions:
        rows += _held_out(scores, "leave-one-out", [s for s in sessions if s != held], [held])
    return pd.DataFrame(rows, columns=list(HELD_OUT_COLUMNS))


def split_sessions(scores: pd.DataFrame, fit: Sequence[str], report: Sequence[str], *,
                   scheme: str = "split") -> pd.DataFrame:
    """The setting chosen on ``fit``, reported on each of ``report`` (which must not overlap).

    Raises:
        ValueError: the two overlap, or as :func:`choose`.
    """
    overlap = sorted(set(fit) & set(report))
    if overlap:
        raise ValueError(f"split_sessions: sessions {overlap} are both fitted and reported; "
                         "a held-out session must not be used to choose the setting")
    return pd.DataFrame(_held_out(_check(scores), scheme, list(fit), list(report)),
                        columns=list(HELD_OUT_COLUMNS))


def two_fold(scores: pd.DataFrame, first: Sequence[str], second: Sequence[str]) -> pd.DataFrame:
    """:func:`split_sessions` both ways: chosen on ``first``, reported on ``second``, and back."""
    return pd.concat([split_sessions(scores, first, second, scheme="two-fold"),
                      split_sessions(scores, second, first, scheme="two-fold")],
                     ignore_index=True)
