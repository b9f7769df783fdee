"""The per-session vote validation panel's one-sentence reading (logic on a synthetic table)."""

import pandas as pd

from reports.vote_sessions import build_session_validation

COLUMNS = ["session", "vote_issue", "method", "measure", "spearman", "spearman_lo",
           "spearman_hi", "n_pairs", "n_roll_calls"]


def rows(values: dict[tuple[str, str], dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame([[session, issue, method, "s_score", v, v - 0.05, v + 0.05, 100, 10]
                         for (session, issue), by_method in values.items()
                         for method, v in by_method.items()], columns=COLUMNS)


def test_the_sentence_sets_the_alignment_beside_the_baselines_and_the_issues():
    base = {"tfidf": 0.1, "mean_embedding": 0.2, "regional_group": 0.3}
    frame = rows({("UNGA-73", "*"): {"alignment": 0.5, **base},
                  ("UNGA-74", "*"): {"alignment": 0.2, **base},
                  ("UNGA-73", "me"): {"alignment": 0.4, "issue_alignment": 0.1, **base},
                  ("UNGA-74", "me"): {"alignment": 0.1, "issue_alignment": 0.3, **base}})
    sentence = build_session_validation(frame).sentence
    assert sentence == (
        "Over 2 sessions the alignment's rank correlation with vote agreement averages 0.35 "
        "(TF-IDF 0.10, mean embedding 0.20, same regional group 0.30): it beats the "
        "regional-group prior in 1 of 2 sessions; the issue's own alignment tracks that "
        "issue's votes better than the overall alignment in 1 of 2 session and issue-area "
        "cells.")


def test_every_session_won_says_so():
    frame = rows({("UNGA-73", "*"): {"alignment": 0.5, "regional_group": 0.3}})
    sentence = build_session_validation(frame).sentence
    assert "more than their regional group alone predicts, in every session." in sentence
    assert "same regional group 0.30" in sentence and "TF-IDF" not in sentence
