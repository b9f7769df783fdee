"""Out-of-sample choice of the General Debate analysis settings (opt-in; needs ../shared/data).

The vote validation (``likeminded validate-votes --per-session``) scores one setting. Choosing
the setting by looking at those same numbers makes them in-sample: they overstate what the
setting does on a new year. This script makes the choice reproducible and honest: every
candidate setting's alignment is computed for every session of an analysed store (``likeminded
run`` with the ``unga`` taxonomy on General Debate speeches) and correlated (Spearman over state
pairs) with that session's S-score of all roll calls; a setting is then chosen on some sessions
and reported on the others only (:mod:`nlp.selection`): leave one session out, and a two-fold
split by period (2013-2016 vs 2018-2019). The held-out alignment is set beside the baselines of
the validation (TF-IDF, mean embedding, same UN regional group) on the same pairs, with state-
bootstrap intervals.

Candidates, all from text alone (see :data:`GRID`): stance weight, weight of contested issues,
whole-text weight, the evidence a position needs (``min_weight``), shrinking the issue-based
part of a pair with few shared issues towards 0 (``score * c / (c + k)`` for ``c`` shared
issues), and pooling each session with the previous one (the mean of the two sessions'
alignment: text only, no votes). A text + prior combination (rank of the alignment plus ``b``
for a same-group pair) is reported on its own line, clearly labelled, chosen the same way; the
headline comparison stays text against the prior.

Usage: python benchmarks/bench_gd_settings.py --db STORE [--taxonomy unga] [--n-boot 200]
Writes ``benchmarks/results/gd_settings.json`` and prints the held-out table.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import SHARED_DATA, format_table, timer, write_result

GRID: dict[str, tuple[float, ...]] = {
    "stance_weight": (0.0, 0.3, 0.7, 1.0),
    "contested_weight": (1.0, 4.0),
    "whole_text_weight": (0.0, 0.3, 0.6, 1.0),
    "min_weight": (1.0, 3.0),
    "shrink": (0.0, 2.0),
    "pool": (1, 2),
    "whole_text_dims": (0,),
}
"""Candidate values; every combination is a candidate (defaults of the pipeline first).
``whole_text_dims`` 0 is the mean-embedding whole-text similarity, ``k > 0`` the scaled TF-IDF
one with ``k`` components (``analysis.whole_text_method: scaled_tfidf``); ``--set`` changes any
row (``--set whole_text_dims=0,2,3,4``)."""
DEFAULTS = {"stance_weight": 0.7, "contested_weight": 4.0, "whole_text_weight": 0.0,
            "min_weight": 1.0, "shrink": 0.0, "pool": 1, "whole_text_dims": 0}
IN_SAMPLE = {**DEFAULTS, "stance_weight": 0.3, "whole_text_weight": 0.3}
"""The README's earlier General Debate settings, chosen in-sample (shown for reference only)."""
PRIOR_BONUS = (0.0, 0.1, 0.25, 0.5)
FIRST_PERIOD = ("UNGA-68", "UNGA-69", "UNGA-70", "UNGA-71")


def setting_name(values: dict[str, float]) -> str:
    """``sw=0.3 cw=4 wt=0.3 mw=1 k=0 pool=1`` (`` td=3`` for a scaled whole text): a
    candidate's short name."""
    dims = values.get("whole_text_dims", 0)
    return (f"sw={values['stance_weight']:g} cw={values['contested_weight']:g} "
            f"wt={values['whole_text_weight']:g} mw={values['min_weight']:g} "
            f"k={values['shrink']:g} pool={values['pool']:g}" + (f" td={dims:g}" if dims else ""))


def candidates(grid: dict[str, tuple[float, ...]] = GRID) -> list[dict[str, float]]:
    """Every combination of ``grid``, the pipeline defaults first (they win ties)."""
    keys = list(grid)
    combos = [dict(zip(keys, values, strict=True)) for values in itertools.product(*grid.values())]
    # how whole texts are compared matters only when they weigh something
    combos = [c for c in combos if c["whole_text_weight"] or not c.get("whole_text_dims")]
    combos.sort(key=lambda c: c != DEFAULTS)
    return combos


def session_alignments(db: str, taxonomy: str, grid: dict[str, tuple[float, ...]],
                       ) -> tuple[dict[str, dict[str, pd.DataFrame]], list[str]]:
    """``{setting name: {session: overall alignment}}`` for every candidate, and the sessions.

    Positions are estimated once (their point estimates do not depend on the alignment
    settings); ``min_weight`` only re-marks thin positions.
    """
    from nlp.alignment import OVERALL, AlignmentConfig, score_alignment
    from nlp.positions import combine_positions
    from pipelines.settings import AnalysisConfig, PipelineConfig
    from pipelines.stages.analysis import (
        blend_whole_text,
        issue_jobs,
        issue_positions,
        position_config,
        prepare_analysis,
        scaled_positions,
        whole_positions,
    )
    from pipelines.stages.text import get_taxonomy

    analysis = AnalysisConfig(taxonomy=taxonomy, n_boot=10)
    prepared = prepare_analysis(db, PipelineConfig(analysis=analysis))
    inputs = prepared.inputs
    sessions = list(inputs.sessions)
    parts = [issue_positions(issue, rows, vectors, sessions, analysis)
             for issue, rows, vectors in issue_jobs(prepared)]
    contested = [i.id for i in get_taxonomy(taxonomy).contested]
    wholes = {s: whole_positions(inputs, s, analysis) for s in sessions}
    scaled = {td: scaled_positions(inputs, analysis.model_copy(update={
        "whole_text_method": "scaled_tfidf", "whole_text_dims": int(td),
        "whole_text_weight": 1.0})) if td else None for td in grid["whole_text_dims"]}
    single: dict[tuple[float, ...], dict[str, pd.DataFrame]] = {}
    for mw, sw, cw, k, wt, td in itertools.product(
            grid["min_weight"], grid["stance_weight"], grid["contested_weight"], grid["shrink"],
            grid["whole_text_weight"], grid["whole_text_dims"]):
        single[mw, sw, cw, k, wt, td] = {}
    for mw in grid["min_weight"]:
        positions = combine_positions(parts, replace(position_config(analysis), min_weight=mw))
        for session in sessions:
            for sw, cw in itertools.product(grid["stance_weight"], grid["contested_weight"]):
                result = score_alignment(positions, contested=contested, session=session,
                                         config=AlignmentConfig(stance_weight=sw,
                                                                contested_weight=cw),
                                         intervals=False, whole=wholes[session])
                shared = sum(np.isfinite(m).astype(int) for m in result.issues.values())
                for k in grid["shrink"]:
                    overall = result.overall
                    if k > 0:
                        issues_based = ~result.semantic if result.semantic is not None else True
                        overall = np.where(issues_based, overall * shared / (shared + k), overall)
                        np.fill_diagonal(overall, 1.0)
                    shrunk = replace(result, overall=overall)
                    for wt, td in itertools.product(grid["whole_text_weight"],
                                                    grid["whole_text_dims"]):
                        blended = blend_whole_text(shrunk, inputs, [session], wt,
                                                   scaled=scaled[td])
                        single[mw, sw, cw, k, wt, td][session] = blended.frame(OVERALL)
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for values in candidates(grid):
        key = (values["min_weight"], values["stance_weight"], values["contested_weight"],
               values["shrink"], values["whole_text_weight"], values["whole_text_dims"])
        by_session = single[key]
        pooled = {}
        for i, session in enumerate(sessions):
            frames = by_session[session] if values["pool"] == 1 or i == 0 else _pool(
                [by_session[sessions[i - 1]], by_session[session]])
            pooled[session] = frames
        out[setting_name(values)] = pooled
    return out, sessions


def _pool(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Mean of alignment matrices over the union of their states (NaN where none has one)."""
    states = sorted(set().union(*(f.index for f in frames)))
    stack = np.stack([f.reindex(index=states, columns=states).to_numpy(dtype=float)
                      for f in frames])
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(stack, axis=0)
    return pd.DataFrame(mean, index=states, columns=states)


def vote_targets(db: str, sessions: list[str], *, votes_file: Path, roll_calls: Path,
                 groups: Path) -> dict[str, dict[str, pd.DataFrame]]:
    """Per session: the S-score of all its roll calls and the three baselines (as validated)."""
    from corpora.blocks import regional_groups
    from corpora.votes import read_votes
    from nlp.baselines import mean_embedding_similarity, same_group_prior, tfidf_similarity
    from nlp.votes import agreement_matrices, vote_matrix
    from pipelines.settings import PipelineConfig
    from pipelines.stages.text import get_embedder
    from pipelines.stages.vote_sessions import _session_texts, _session_vectors, session_number
    from pipelines.store.storage import open_store

    votes = read_votes(votes_file, roll_calls=roll_calls)
    group_of = regional_groups(groups)
    embedder = get_embedder(PipelineConfig().embedding)
    voted = set(votes.votes["rcid"])
    out = {}
    with open_store(db, read_only=True) as store:
        for session in sessions:
            number = session_number(session)
            table = votes.roll_calls
            rcids = table[(table["session"] == number) & table["rcid"].isin(voted)]["rcid"]
            if number is None or rcids.empty:
                continue
            states, matrix = vote_matrix(votes.votes, rcids.tolist())
            vectors, keys = _session_vectors(store, session, embedder.model_key,
                                             embedder.dimension)
            out[session] = {
                "votes": agreement_matrices(states, matrix, min_common=min(
                    PipelineConfig().votes.min_common, len(rcids)))["s_score"],
                "tfidf": tfidf_similarity(_session_texts(store, session)),
                "mean_embedding": mean_embedding_similarity(vectors, keys),
                "regional_group": same_group_prior(sorted(set(keys)), group_of)}
    return out


def pair_values(frame: pd.DataFrame, states: list[str]) -> np.ndarray:
    """Upper-triangle values of ``frame`` over ``states`` (NaN where it has none)."""
    full = frame.reindex(index=states, columns=states).to_numpy(dtype=float)
    a, b = np.triu_indices(len(states), k=1)
    return full[a, b]


def score_candidates(alignments: dict[str, dict[str, pd.DataFrame]],
                     targets: dict[str, dict[str, pd.DataFrame]]) -> pd.DataFrame:
    """Spearman of every candidate with the S-score per session, on the pairs that the votes
    and every baseline have (the validation's pairs), and the candidate's coverage of them."""
    from scipy.stats import spearmanr

    rows = []
    for session, target in targets.items():
        states = sorted(set.intersection(*(set(f.index) for f in target.values())))
        base = np.isfinite(np.column_stack([pair_values(f, states)
                                            for f in target.values()])).all(axis=1)
        votes = pair_values(target["votes"], states)
        for name, by_session in alignments.items():
            x = pair_values(by_session[session], states)
            keep = base & np.isfinite(x)
            rho = spearmanr(x[keep], votes[keep])[0] if keep.sum() > 2 else np.nan
            rows.append({"setting": name, "session": session, "score": float(rho),
                         "n_pairs": int(keep.sum()), "coverage": float(keep.sum() / base.sum())})
    return pd.DataFrame(rows)


def with_prior(frame: pd.DataFrame, prior: pd.DataFrame, bonus: float) -> pd.DataFrame:
    """Text + prior (labelled as such): percentile rank of the alignment plus ``bonus`` for
    two states of the same regional group."""
    states = sorted(set(frame.index) & set(prior.index))
    values = frame.loc[states, states].to_numpy(dtype=float)
    ranks = pd.Series(values.ravel()).rank(pct=True).to_numpy().reshape(values.shape)
    same = prior.loc[states, states].to_numpy(dtype=float)
    return pd.DataFrame(ranks + bonus * same, index=states, columns=states)


def held_out_table(choices: pd.DataFrame, alignments: dict[str, dict[str, pd.DataFrame]],
                   targets: dict[str, dict[str, pd.DataFrame]], n_boot: int) -> pd.DataFrame:
    """The chosen settings' held-out alignment beside the baselines, with intervals, on the
    same pairs (as :func:`pipelines.stages.vote_sessions.validate_sessions` pairs them)."""
    from nlp.votes import correlate_alignment
    from pipelines.stages.vote_sessions import _common

    rows = []
    for choice in choices.to_dict(orient="records"):
        session = choice["held_out"]
        target = targets[session]
        methods = {"alignment": alignments[choice["setting"]][session],
                   **{k: v for k, v in target.items() if k != "votes"}}
        aligned = _common(methods, target["votes"])
        row = {"scheme": choice["scheme"], "session": session, "setting": choice["setting"]}
        for method, frame in aligned.items():
            found = correlate_alignment(frame, target["votes"], n_boot=n_boot, random_state=0)
            row[method] = found["spearman"]
            row[f"{method}_lo"], row[f"{method}_hi"] = found["spearman_ci"]
            row["n_pairs"] = found["n_pairs"]
        rows.append(row)
    return pd.DataFrame(rows)


def text_plus_prior(alignments: dict[str, dict[str, pd.DataFrame]],
                    targets: dict[str, dict[str, pd.DataFrame]],
                    best: dict[str, str]) -> pd.DataFrame:
    """Text + prior, strictly out of sample: for each held-out session, the alignment setting
    chosen without it (``best``) and the bonus chosen on the other sessions only."""
    from nlp.selection import split_sessions

    rows = []
    sessions = list(best)
    for held in sessions:
        others = [s for s in sessions if s != held]
        frames = {f"b={b:g}": {s: with_prior(alignments[best[held]][s],
                                             targets[s]["regional_group"], b)
                               for s in sessions} for b in PRIOR_BONUS}
        scores = score_candidates(frames, {s: targets[s] for s in sessions})
        rows.append(split_sessions(scores, others, [held], scheme="leave-one-out"))
    return pd.concat(rows, ignore_index=True)


def held_out_choices(scores: pd.DataFrame, alignments: Mapping[str, Mapping[str, pd.DataFrame]],
                     targets: dict[str, dict[str, pd.DataFrame]], n_boot: int) -> pd.DataFrame:
    """:func:`held_out_table` of the settings chosen leaving each session out and, when both
    periods have sessions, by period (2013-2016 against 2018-2019, both ways)."""
    from nlp.selection import leave_one_out, two_fold

    voted = list(targets)
    first = [s for s in voted if s in FIRST_PERIOD]
    second = [s for s in voted if s not in FIRST_PERIOD]
    choices = pd.concat([leave_one_out(scores),
                         *([two_fold(scores, first, second)] if first and second else [])],
                        ignore_index=True)
    return held_out_table(choices, alignments, targets, n_boot)  # type: ignore[arg-type]


def evaluate(alignments: dict[str, dict[str, pd.DataFrame]],
             targets: dict[str, dict[str, pd.DataFrame]], *, n_boot: int) -> dict[str, Any]:
    """Scores of every candidate, the held-out choices and their table, the labelled text +
    prior line, the fixed settings' scores and a summary."""
    scores = score_candidates(alignments, targets)
    voted = list(targets)
    held = held_out_choices(scores, alignments, targets, n_boot)
    loo = held[held["scheme"] == "leave-one-out"]
    combined = text_plus_prior(alignments, targets, dict(zip(loo["session"], loo["setting"],
                                                             strict=True)))
    fixed = {label: name for label, name in (("defaults", setting_name(DEFAULTS)),
                                             ("in-sample 0.3/0.3", setting_name(IN_SAMPLE)))
             if name in alignments}
    fixed_scores = {label: scores[scores["setting"] == name].set_index("session")["score"]
                    .round(4).to_dict() for label, name in fixed.items()}
    summary = {
        "sessions": voted,
        "held_out_mean_spearman": {m: round(float(loo[m].mean()), 4) for m in
                                   ("alignment", "tfidf", "mean_embedding", "regional_group")},
        "beats_regional_group": [s for s, a, r in zip(loo["session"], loo["alignment"],
                                                      loo["regional_group"], strict=True)
                                 if a > r],
        "text_plus_prior_held_out_mean": round(float(combined["score"].mean()), 4),
        "candidates": len(alignments)}
    return {"summary": summary, "held_out": held.round(4).to_dict(orient="records"),
            "text_plus_prior": combined.round(4).to_dict(orient="records"),
            "fixed": fixed_scores, "scores": scores.round(4).to_dict(orient="records")}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an analysed General Debate store")
    parser.add_argument("--taxonomy", default="unga")
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--n-boot", type=int, default=200)
    parser.add_argument("--name", default="gd_settings", help="results file name")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=V1,V2",
                        help=f"candidate values of one grid row (rows: {', '.join(GRID)})")
    args = parser.parse_args(argv)
    grid = dict(GRID)
    for item in args.set:
        key, _, values = item.partition("=")
        if key not in GRID or not values:
            parser.error(f"--set {item!r}: expected KEY=V1,V2 with KEY one of {', '.join(GRID)}")
        try:
            grid[key] = tuple(float(v) for v in values.split(","))
        except ValueError:
            parser.error(f"--set {item!r}: values must be numbers")
    if not (args.data / "unvotes_votes.csv.gz").is_file():
        raise SystemExit(f"{args.data}: no unvotes_votes.csv.gz (the shared data is absent)")
    with timer() as elapsed:
        alignments, sessions = session_alignments(args.db, args.taxonomy, grid)
        targets = vote_targets(args.db, sessions, votes_file=args.data / "unvotes_votes.csv.gz",
                               roll_calls=args.data / "unvotes_roll_calls.csv.gz",
                               groups=args.data / "country_blocks_membership.csv")
        result = evaluate(alignments, targets, n_boot=args.n_boot)
    result["summary"]["seconds"] = round(elapsed(), 1)
    print(format_table([[r["scheme"], r["session"], r["setting"], r["alignment"],
                         r["tfidf"], r["mean_embedding"], r["regional_group"], r["n_pairs"]]
                        for r in result["held_out"]],
                       ["scheme", "held out", "chosen on the other sessions", "alignment",
                        "tfidf", "mean emb", "region", "pairs"]))
    print("text + prior (labelled; setting and bonus chosen leaving the session out):")
    print(format_table([[r["held_out"], r["setting"], r["score"]]
                        for r in result["text_plus_prior"]], ["held out", "bonus", "spearman"]))
    print("fixed settings, every session (not chosen on these data):", result["fixed"])
    print("summary:", result["summary"])
    payload = {"store": args.db, "taxonomy": args.taxonomy, "grid": grid, **result}
    print(f"wrote {write_result(args.name, payload)}")
    return payload


if __name__ == "__main__":
    main()
