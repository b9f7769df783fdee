"""Validation of the text-based alignment against UN General Assembly roll-call votes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from corpora.store import Store
from corpora.votes import read_votes
from nlp.alignment import OVERALL
from nlp.positions import WINDOW
from nlp.votes import agreement_matrices, correlate_alignment, select_roll_calls, vote_matrix
from pipelines.settings import PipelineConfig, VotesConfig
from pipelines.stages.results import VoteCorrelationRow, VoteSelection, VoteValidation
from pipelines.store.analysis_read import load_alignment

MEASURES = ("s_score", "agreement", "kappa")


def _selection(votes: VotesConfig, roll_calls: pd.DataFrame) -> list[str]:
    ids = [v for v in votes.ids if "/" not in v]
    symbols = [v for v in votes.ids if "/" in v]
    if not (ids or symbols or votes.sessions or votes.keywords or votes.years):
        return roll_calls["rcid"].astype(str).tolist()
    return select_roll_calls(roll_calls, ids=ids, resolutions=symbols, sessions=votes.sessions,
                             keywords=votes.keywords, years=votes.years)


def validate_against_votes(store: Store, votes: VotesConfig, *, issue: str = OVERALL,
                           session: str = WINDOW,
                           config: PipelineConfig | None = None) -> VoteValidation:
    """Spearman and Pearson correlation of text alignment with vote agreement.

    Raises:
        InputError: the votes file cannot be read (named, with what was expected).
        ValueError: nothing selected, or too few state pairs in common.
    """
    data = read_votes(Path(votes.path), roll_calls=Path(votes.roll_calls) if votes.roll_calls
                      else None, issues=Path(votes.issues) if votes.issues else None,
                      max_bytes=votes.max_bytes)
    roll_calls = data.roll_calls
    if roll_calls.empty:
        roll_calls = pd.DataFrame({"rcid": sorted(data.votes["rcid"].unique())})
    rcids = _selection(votes, roll_calls)
    voted = set(data.votes["rcid"])
    rcids = [r for r in rcids if r in voted]
    if not rcids:
        raise ValueError(f"{votes.path}: no votes on the selected roll calls")
    states, matrix = vote_matrix(data.votes, rcids)
    matrices = agreement_matrices(states, matrix, min_common=votes.min_common)
    alignment = load_alignment(store, session=session, config=config).frame(issue)
    results: list[VoteCorrelationRow] = []
    for measure in MEASURES:
        found = correlate_alignment(alignment, matrices[measure], n_boot=votes.n_boot)
        results.append({"measure": measure, "spearman": found["spearman"],
                        "spearman_lo": found["spearman_ci"][0],
                        "spearman_hi": found["spearman_ci"][1], "pearson": found["pearson"],
                        "pearson_lo": found["pearson_ci"][0], "pearson_hi": found["pearson_ci"][1],
                        "n_pairs": found["n_pairs"], "n_states": found["n_states"],
                        "n_roll_calls": len(rcids)})
    selection: VoteSelection = {"ids": list(votes.ids), "sessions": list(votes.sessions),
                 "keywords": list(votes.keywords), "years": list(votes.years)}
    return {"votes": votes.path, "format": data.source_format, "roll_calls": len(rcids),
            "skipped_rows": len(data.skipped), "selection": selection, "issue": issue,
            "session": session, "n_boot": votes.n_boot, "results": results}


def store_validation(store: Store, document: VoteValidation) -> None:
    """Replace the stored validation with ``document`` (shown in the report)."""
    frame = pd.DataFrame(document["results"]).assign(
        votes_source=document["votes"], selection=json.dumps(document["selection"]),
        text_issue=document["issue"], text_session=document["session"])
    with store.transaction() as con:
        con.execute("DELETE FROM vote_validation")
        con.register("validation", frame)
        try:
            con.execute("INSERT INTO vote_validation SELECT measure, spearman, spearman_lo, "
                        "spearman_hi, pearson, pearson_lo, pearson_hi, n_pairs, n_states, "
                        "n_roll_calls, votes_source, selection, text_issue, text_session "
                        "FROM validation")
        finally:
            con.unregister("validation")
