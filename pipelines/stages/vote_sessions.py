"""Vote validation session by session: does a year's speech alignment track that year's votes?

For every stored text session whose id ends in a General Assembly session number (``UNGA-73``:
the General Debate of session 73) and that has roll calls in the votes file, the stored alignment
of that session is correlated (Spearman over state pairs, intervals resampling states, see
:func:`nlp.votes.correlate_alignment`) with the vote agreement and S-score of that session's
roll calls: all of them, and those of each roll-call issue area that a taxonomy issue names in
``vote_issue`` (the issue's own alignment is then set beside the overall one). Three baselines are
computed in the same run from the same speeches: TF-IDF cosine, mean segment-embedding cosine,
and "same UN regional group". Every method is scored on the same state pairs (those where all of
them and the votes have a value), so the numbers compare like with like.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpora.blocks import regional_groups
from corpora.store import Store
from corpora.votes import read_votes
from nlp.alignment import OVERALL
from nlp.baselines import mean_embedding_similarity, same_group_prior, tfidf_similarity
from nlp.vote_movers import camp_agreement, mover_overlap, vote_movers
from nlp.votes import agreement_matrices, correlate_alignment, vote_matrix
from pipelines.settings import PipelineConfig
from pipelines.stages.results import SessionValidation, SessionValidationSummary
from pipelines.stages.text import get_embedder, get_taxonomy
from pipelines.store.analysis_read import load_alignment
from pipelines.store.storage import execute_many, vectors_from_arrow

ALL_ISSUES = "*"
MEASURES = ("s_score", "agreement")
ALIGNMENT, ISSUE_ALIGNMENT = "alignment", "issue_alignment"
BASELINES = ("tfidf", "mean_embedding", "regional_group")
METHOD_ORDER = (ALIGNMENT, ISSUE_ALIGNMENT, *BASELINES)
VOTE_ISSUE_NAMES: dict[str, str] = {
    "me": "Palestinian conflict",
    "nu": "Nuclear weapons and nuclear material",
    "di": "Arms control and disarmament",
    "hr": "Human rights",
    "co": "Colonialism",
    "ec": "Economic development",
}
"""Roll-call issue codes (Voeten) and the names the issues file gives them."""
_SESSION_NUMBER = re.compile(r"(\d+)$")
COLUMNS = ("session", "vote_session", "vote_issue", "text_issue", "method", "measure",
           "spearman", "spearman_lo", "spearman_hi", "n_pairs", "n_states", "n_roll_calls")


def session_number(session: str) -> int | None:
    """The General Assembly session number a text session id ends with (``UNGA-73`` -> 73)."""
    match = _SESSION_NUMBER.search(str(session))
    return int(match.group(1)) if match else None


def _matches(issues: Sequence[str], code: str) -> bool:
    wanted = {code.casefold(), VOTE_ISSUE_NAMES.get(code, code).casefold()}
    return any(str(i).casefold() in wanted for i in issues)


def _session_texts(store: Store, session: str) -> dict[str, str]:
    return store.session_texts(session)


def _session_vectors(store: Store, session: str, model_key: str,
                     dimension: int) -> tuple[np.ndarray, list[str]]:
    table = store.con.sql(
        "SELECT s.state, e.vector FROM segments g JOIN statements s ON s.id = g.statement_id AND "
        "s.superseded_by IS NULL JOIN embeddings e ON e.text_hash = g.text_hash AND "
        "e.model_key = ? WHERE g.kind = 'substantive' AND s.session = ? "
        "ORDER BY g.statement_id, g.idx", params=[model_key, session]).to_arrow_table()
    return (vectors_from_arrow(table.column("vector"), dimension),
            [str(s) for s in table.column("state").to_pylist()])


def _common(frames: dict[str, pd.DataFrame], votes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every frame restricted to the states of all and NaN outside the pairs all of them know."""
    states = sorted(set(votes.index).intersection(*(set(f.index) for f in frames.values())))
    mask = np.isfinite(votes.loc[states, states].to_numpy(dtype=float))
    for frame in frames.values():
        mask &= np.isfinite(frame.loc[states, states].to_numpy(dtype=float))
    return {name: pd.DataFrame(np.where(mask, f.loc[states, states].to_numpy(dtype=float),
                                        np.nan), index=states, columns=states)
            for name, f in frames.items()}


def validate_sessions(
    store: Store,
    *,
    votes: str | Path,
    roll_calls: str | Path | None,
    issues: str | Path | None,
    groups: str | Path,
    config: PipelineConfig | None = None,
    n_boot: int | None = None,
    sessions: Sequence[str] = (),
    camp: str = "UN_WEOG",
) -> SessionValidation:
    """Correlate each session's text alignment and baselines with that session's votes.

    Args:
        store: a store holding the analysed speeches (``likeminded run``).
        votes / roll_calls / issues: the unvotes layout files (the issues file gives the
            per-issue comparisons; without it only all roll calls are used).
        groups: a membership table with the UN regional groups (``country_blocks_membership``).
        config: the pipeline configuration (taxonomy and embedding model).
        n_boot: state-bootstrap replicates for the intervals (default: the configuration's
            ``votes.session_n_boot``).
        sessions: text sessions to validate (default: every stored one with votes).
        camp: block id in ``groups`` of the reference camp for the movers check.

    Returns:
        ``{"rows": [...], "summary": {...}, "sessions": [...], ...}``: one row per (session,
        vote issue, method, measure) with columns :data:`COLUMNS`.

    Raises:
        InputError: a file cannot be read (named).
        ValueError: no stored session has roll calls in the votes file.
    """
    config = config or PipelineConfig()
    n_boot = config.votes.session_n_boot if n_boot is None else n_boot
    taxonomy = get_taxonomy(config.analysis.taxonomy)
    issue_of_code = {i.vote_issue: i.id for i in taxonomy.issues if i.vote_issue}
    embedder = get_embedder(config.embedding)
    data = read_votes(Path(votes), roll_calls=Path(roll_calls) if roll_calls else None,
                      issues=Path(issues) if issues else None)
    group_of = regional_groups(groups)
    stored = [r[0] for r in store.con.execute(
        "SELECT DISTINCT session FROM alignment ORDER BY session").fetchall()]
    wanted = [s for s in stored if s != "*" and (not sessions or s in sessions)]
    roll_calls_table = data.roll_calls
    voted = set(data.votes["rcid"])
    rows: list[dict[str, Any]] = []
    done: list[str] = []
    camp_members = sorted(s for s, g in group_of.items() if g == camp)
    if not camp_members:
        raise ValueError(f"{groups}: no member of the reference camp {camp!r}; expected a "
                         f"block id such as {', '.join(sorted(set(group_of.values())))}")
    camp_by_session: dict[str, pd.Series] = {}
    for session in wanted:
        number = session_number(session)
        if number is None:
            continue
        in_session = roll_calls_table[(roll_calls_table["session"] == number)
                                      & roll_calls_table["rcid"].isin(voted)]
        if in_session.empty:
            continue
        alignment = load_alignment(store, session=session, config=config)
        vectors, keys = _session_vectors(store, session, embedder.model_key, embedder.dimension)
        baselines = {
            "tfidf": tfidf_similarity(_session_texts(store, session)),
            "mean_embedding": mean_embedding_similarity(vectors, keys),
            "regional_group": same_group_prior(sorted(set(keys)), group_of),
        }
        scopes: list[tuple[str, list[str]]] = [(ALL_ISSUES, in_session["rcid"].tolist())]
        for code in sorted(issue_of_code):
            picked = in_session[in_session["issues"].map(lambda i, c=code: _matches(i, c))]
            if len(picked):
                scopes.append((code, picked["rcid"].tolist()))
        for code, rcids in scopes:
            states, matrix = vote_matrix(data.votes, rcids)
            agreement = agreement_matrices(states, matrix, min_common=min(
                config.votes.min_common, len(rcids)))
            if code == ALL_ISSUES:
                camp_by_session[session] = camp_agreement(agreement["agreement"], camp_members)
            methods = {ALIGNMENT: alignment.frame(OVERALL), **baselines}
            text_issue = ""
            if code != ALL_ISSUES:
                text_issue = issue_of_code[code]
                if text_issue not in alignment.issues:
                    continue
                methods = {ALIGNMENT: methods[ALIGNMENT],
                           ISSUE_ALIGNMENT: alignment.frame(text_issue), **baselines}
            for measure in MEASURES:
                aligned = _common(methods, agreement[measure])
                for method, frame in aligned.items():
                    try:
                        found = correlate_alignment(frame, agreement[measure], n_boot=n_boot,
                                                    random_state=config.analysis.random_state)
                    except ValueError:  # too few pairs in common
                        continue
                    rows.append({
                        "session": session, "vote_session": number, "vote_issue": code,
                        "text_issue": text_issue or OVERALL, "method": method,
                        "measure": measure, "spearman": found["spearman"],
                        "spearman_lo": found["spearman_ci"][0],
                        "spearman_hi": found["spearman_ci"][1], "n_pairs": found["n_pairs"],
                        "n_states": found["n_states"], "n_roll_calls": len(rcids)})
        done.append(session)
    if not rows:
        raise ValueError(f"{votes}: no stored text session has roll calls in the votes file "
                         f"(stored sessions: {', '.join(wanted) or 'none'}); session ids must "
                         "end with the General Assembly session number, e.g. UNGA-73")
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    movers = check_movers(store, camp_by_session, camp=camp)
    return {"votes": str(votes), "groups": str(groups), "taxonomy": taxonomy.provenance(),
            "n_boot": n_boot, "sessions": done, "rows": table.to_dict(orient="records"),
            "summary": summarise(table), "movers": movers}


def check_movers(store: Store, camp_by_session: dict[str, pd.Series], *,
                 camp: str) -> list[dict[str, Any]]:
    """Stored text movers between consecutive sessions against the vote movers (see
    :mod:`nlp.vote_movers`), for every stored mover pair whose two sessions have votes."""
    pairs = store.con.execute(
        "SELECT from_session, to_session, list(state ORDER BY state) FROM movers "
        "GROUP BY from_session, to_session ORDER BY from_session, to_session").fetchall()
    present = store.con.execute(
        "SELECT session, list(DISTINCT state) FROM positions WHERE NOT thin GROUP BY session"
    ).fetchall()
    speakers = {session: set(states) for session, states in present}
    out = []
    for before, after, text_movers in pairs:
        if before not in camp_by_session or after not in camp_by_session:
            continue
        a, b = camp_by_session[before], camp_by_session[after]
        population = sorted((speakers.get(before, set()) & speakers.get(after, set()))
                            & set(a.dropna().index) & set(b.dropna().index))
        moved = vote_movers(a, b, top=len(text_movers), among=population)
        found = mover_overlap(text_movers, moved, population)
        out.append({"from_session": before, "to_session": after, "camp": camp, **found})
    return out


def summarise(table: pd.DataFrame, *, measure: str = "s_score") -> SessionValidationSummary:
    """Headline numbers: per method mean Spearman over sessions (all roll calls), the sessions
    where the alignment beats the regional-group prior, and issue vs overall alignment."""
    part = table[(table["measure"] == measure) & (table["vote_issue"] == ALL_ISSUES)]
    wide = part.pivot(index="session", columns="method", values="spearman")
    means = {m: round(float(wide[m].mean()), 4) for m in METHOD_ORDER if m in wide}
    beats = ([str(s) for s in wide.index if wide.loc[s, ALIGNMENT] > wide.loc[s, "regional_group"]]
             if {ALIGNMENT, "regional_group"} <= set(wide) else [])
    issues = table[(table["measure"] == measure) & (table["vote_issue"] != ALL_ISSUES)]
    per_issue = issues.pivot_table(index=["session", "vote_issue"], columns="method",
                                   values="spearman")
    better = 0
    if {ALIGNMENT, ISSUE_ALIGNMENT} <= set(per_issue.columns):
        better = int((per_issue[ISSUE_ALIGNMENT] > per_issue[ALIGNMENT]).sum())
    return {"measure": measure, "mean_spearman": means, "sessions": len(wide),
            "alignment_beats_regional_group": beats,
            "issue_beats_overall": {"better": better, "of": len(per_issue)}}


MOVER_COLUMNS = ("from_session", "to_session", "camp", "population", "text_movers",
                 "vote_movers", "overlap", "expected", "p_value", "states")


def store_session_validation(store: Store, document: SessionValidation) -> None:
    """Replace the stored per-session validation and movers check with ``document``'s."""
    rows = [[r[c] for c in COLUMNS] for r in document["rows"]]
    movers = [[m[c] for c in MOVER_COLUMNS] for m in document.get("movers", [])]
    with store.transaction() as con:
        con.execute("DELETE FROM vote_validation_sessions")
        execute_many(con, f"INSERT INTO vote_validation_sessions VALUES "
                     f"({', '.join('?' for _ in COLUMNS)})", rows)
        con.execute("DELETE FROM vote_mover_check")
        execute_many(con, f"INSERT INTO vote_mover_check VALUES "
                     f"({', '.join('?' for _ in MOVER_COLUMNS)})", movers)
