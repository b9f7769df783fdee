"""Alignment benchmark: which alignment definition tracks UN votes best, and how the analysis
scales (193 states x 20 sessions x 100,000 segments, synthetic embeddings).

Quality: the sample corpus is analysed once; each definition of alignment is correlated
(Spearman, state-bootstrap 95 % interval) with the Signorino-Ritter S-score of real roll-call
votes from ../shared/data (skipped when absent). No definition uses votes or group membership.
Note that the sample corpus is illustrative text written to reflect publicly known positions,
so these correlations measure the method on a stylised corpus, not on real speeches.

Scale: each size runs in its own process so that peak memory is its own; times are also given
as a ratio to one reference pass over the embeddings (a per-state mean), measured in the same
process.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import SAMPLE, SHARED_DATA, format_table, peak_rss_mb, timer, write_result

SIZES = [(50, 5, 10_000), (100, 10, 50_000), (193, 20, 100_000)]


# -- quality ---------------------------------------------------------------------------------
def build_sample_store(db: Path) -> None:
    from corpora.ingest import ingest_folder
    from pipelines.settings import PipelineConfig
    from pipelines.stages.text import (
        annotate_segments,
        embed_new_segments,
        segment_new_statements,
    )
    from pipelines.store.storage import open_store

    config = PipelineConfig()
    with open_store(db) as store:
        ingest_folder(SAMPLE, store, run_id="bench")
    segment_new_statements(str(db), config)
    embed_new_segments(str(db), config)
    annotate_segments(str(db), config)


def whole_speech_alignment(inputs) -> pd.DataFrame:
    """Baseline: cosine of each state's mean embedding over all its own segments."""
    segments = inputs.segments
    states = sorted(segments["state"].unique())
    means = np.stack([inputs.vectors[segments["seg"][segments["state"] == s].to_numpy()]
                      .mean(axis=0) for s in states])
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    return pd.DataFrame(means @ means.T, index=states, columns=states)


def quality(db: Path) -> dict[str, object]:
    from corpora.votes import read_votes
    from nlp.alignment import AlignmentConfig, score_alignment
    from nlp.positions import PositionConfig, estimate_positions
    from nlp.taxonomy import load_taxonomy
    from nlp.votes import agreement_matrices, correlate_alignment, select_roll_calls, vote_matrix
    from pipelines.settings import PipelineConfig
    from pipelines.stages.analysis import load_inputs
    from pipelines.store.storage import open_store

    if not SHARED_DATA.is_dir():
        return {"skipped": f"shared data not found at {SHARED_DATA}"}
    with open_store(db, read_only=True) as store:
        inputs = load_inputs(store, PipelineConfig())
    contested = [i.id for i in load_taxonomy().contested]
    positions = estimate_positions(inputs.rows, inputs.vectors, session_order=inputs.sessions,
                                   config=PositionConfig(n_boot=20))
    definitions = {
        "whole-speech mean embedding (baseline)": whole_speech_alignment(inputs),
        "issue-aware semantic only": score_alignment(
            positions, contested=contested, intervals=False,
            config=AlignmentConfig(stance_weight=0.0)).frame(),
        "stance only (contested issues)": score_alignment(
            positions, contested=contested, issues=contested, intervals=False,
            config=AlignmentConfig(stance_weight=1.0)).frame(),
        "combined, contested issues only": score_alignment(
            positions, contested=contested, issues=contested, intervals=False).frame(),
        "combined, all issues (default)": score_alignment(
            positions, contested=contested, intervals=False).frame(),
        "combined, relative semantic similarity": score_alignment(
            positions, contested=contested, intervals=False,
            config=AlignmentConfig(relative_semantic=True)).frame(),
    }
    cyber = read_votes(SHARED_DATA / "cyber_ict_votes_long.csv",
                       roll_calls=SHARED_DATA / "cyber_ict_roll_calls.csv")
    everything = read_votes(SHARED_DATA / "unvotes_votes.csv.gz",
                            roll_calls=SHARED_DATA / "unvotes_roll_calls.csv.gz")
    selections = {
        "cyber votes 2018-2019 (6)": (cyber, select_roll_calls(cyber.roll_calls,
                                                               years=[2018, 2019])),
        "all cyber/ICT votes (33)": (cyber, cyber.roll_calls["rcid"].tolist()),
        "all votes, sessions 70-74": (everything, select_roll_calls(
            everything.roll_calls, sessions=[70, 71, 72, 73, 74])),
        "all votes 1946-2019": (everything, everything.roll_calls["rcid"].tolist()),
    }
    table = {}
    for label, (data, rcids) in selections.items():
        voted = set(data.votes["rcid"])
        rcids = [r for r in rcids if r in voted]
        states, matrix = vote_matrix(data.votes, rcids)
        s_score = agreement_matrices(states, matrix,
                                     min_common=PipelineConfig().votes.min_common)["s_score"]
        table[label] = {"roll_calls": len(rcids)}
        for name, alignment in definitions.items():
            found = correlate_alignment(alignment, s_score, n_boot=300)
            table[label][name] = {"spearman": round(found["spearman"], 3),
                                  "lo": round(found["spearman_ci"][0], 3),
                                  "hi": round(found["spearman_ci"][1], 3),
                                  "n_pairs": found["n_pairs"]}
    return {"definitions": list(definitions), "correlations": table}


# -- scale -----------------------------------------------------------------------------------
def synthetic_inputs(n_states: int, n_sessions: int, n_segments: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    dim, issues, contested = 384, [f"issue_{i:02d}" for i in range(17)], 6
    camp = rng.integers(0, 3, size=n_states)
    camp_dirs = rng.normal(size=(3, dim))
    issue_dirs = rng.normal(size=(len(issues), dim))
    seg_state = rng.integers(0, n_states, size=n_segments)
    seg_session = rng.integers(0, n_sessions, size=n_segments)
    seg_issue = rng.integers(0, len(issues), size=n_segments)
    vectors = issue_dirs[seg_issue] + 0.5 * camp_dirs[camp[seg_state]] + rng.normal(
        size=(n_segments, dim))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    second = rng.random(n_segments) < 0.5  # about 1.5 issue tags per segment
    seg = np.concatenate([np.arange(n_segments), np.flatnonzero(second)])
    issue = np.concatenate([seg_issue, rng.integers(0, len(issues), size=second.sum())])
    stance = np.where(issue < contested, np.tanh(camp[seg_state[seg]] - 1.0 + 0.3 *
                                                  rng.normal(size=seg.size)), np.nan)
    states = np.array([f"S{i:03d}" for i in range(n_states)])
    sessions = [f"SESSION-{i:02d}" for i in range(n_sessions)]
    rows = pd.DataFrame({"seg": seg, "state": states[seg_state[seg]],
                         "session": np.array(sessions)[seg_session[seg]],
                         "issue": np.array(issues)[issue], "stance": stance,
                         "weight": 1.0, "kind": "own"})
    return rows, vectors, sessions, issues[:contested]


def scale_one(n_states: int, n_sessions: int, n_segments: int) -> dict[str, float]:
    from nlp.alignment import score_alignment
    from nlp.coalitions import find_coalitions
    from nlp.convergence import find_movers, measure_dispersion
    from nlp.positions import PositionConfig, estimate_positions, estimate_whole_positions

    rows, vectors, sessions, contested = synthetic_inputs(n_states, n_sessions, n_segments)
    with timer() as reference:
        states, inverse = np.unique(rows["state"].to_numpy(), return_inverse=True)
        sums = np.zeros((len(states), vectors.shape[1]), np.float64)
        np.add.at(sums, inverse, vectors[rows["seg"].to_numpy()])
    times = {}
    with timer() as t:
        positions = estimate_positions(rows, vectors, session_order=sessions,
                                       config=PositionConfig())
    times["positions"] = t()
    with timer() as t:
        segments = rows[["seg", "state", "session"]].drop_duplicates("seg")
        whole = estimate_whole_positions(segments, vectors, n_boot=PositionConfig().n_boot)
        window = score_alignment(positions, contested=contested, whole=whole)
        for session in sessions:
            part = segments[segments["session"] == session]
            latest = session in sessions[-2:]
            score_alignment(positions, contested=contested, session=session, intervals=latest,
                            whole=estimate_whole_positions(
                                part, vectors, n_boot=PositionConfig().n_boot if latest else 0))
    times["alignment"] = t()
    with timer() as t:
        for issue in ["*", *sorted(window.issues)]:
            find_coalitions(window.frame(issue))
    times["coalitions"] = t()
    with timer() as t:
        measure_dispersion(positions, session_order=sessions, contested=contested)
        for a, b in itertools.pairwise(sessions):
            find_movers(positions, from_session=a, to_session=b, contested=contested)
    times["convergence"] = t()
    total = sum(times.values())
    return {"states": n_states, "sessions": n_sessions, "segments": n_segments,
            "tags": len(rows), **{k: round(v, 3) for k, v in times.items()},
            "total_seconds": round(total, 3), "reference_seconds": round(reference(), 4),
            "total_over_reference": round(total / max(reference(), 1e-9), 1),
            "peak_rss_mb": round(peak_rss_mb(), 1)}


def scale() -> list[dict[str, float]]:
    results = []
    for n_states, n_sessions, n_segments in SIZES:
        out = subprocess.run([sys.executable, __file__, "--scale-one", str(n_states),
                              str(n_sessions), str(n_segments)], capture_output=True, text=True,
                             check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def trust(db: Path) -> dict[str, object]:
    """The issue-12 measures on the analysed sample corpus (see benchmarks/trust.py)."""
    from benchmarks.trust import trust_metrics

    return trust_metrics(db)


def coalition_votes(db: Path) -> dict[str, object]:
    """Coalition members against unattached states, on real cyber votes (benchmarks/trust.py)."""
    from benchmarks.trust import coalition_votes as measure

    if not SHARED_DATA.is_dir():
        return {"skipped": f"shared data not found at {SHARED_DATA}"}
    cyber = (SHARED_DATA / "cyber_ict_votes_long.csv", SHARED_DATA / "cyber_ict_roll_calls.csv")
    return {"cyber votes 2018-2019 (6)": measure(db, *cyber, years=[2018, 2019]),
            "all cyber/ICT votes (33)": measure(db, *cyber)}


TRUST_ROWS = [
    ("usa_rus", "USA-RUS overall alignment (target <= -0.2)"),
    ("est_rus", "EST-RUS overall alignment"),
    ("eu_rus_mean", "EU members-RUS, mean"),
    ("eu_rus_max", "EU members-RUS, highest (target <= -0.2)"),
    ("within_west_mean", "within West camp, mean (target >= 0.5)"),
    ("within_west_min", "within West camp, lowest"),
    ("within_east_mean", "within Russia's camp, mean (target >= 0.5)"),
    ("within_east_min", "within Russia's camp, lowest"),
    ("within_west_stance_agreement", "stance agreement within the West camp (1: same side)"),
    ("within_east_stance_agreement", "stance agreement within Russia's camp"),
    ("across_camps_stance_agreement", "stance agreement West x Russia's camp (-1: opposed)"),
    ("across_camps_mean", "West x Russia's camp, mean"),
    ("all_pairs_mean", "all pairs, mean"),
    ("score_min", "lowest overall alignment"),
    ("score_max", "highest overall alignment"),
    ("not_with_russia_but_is", "NZL/KOR/SGP/KEN in Russia's coalition (target none)"),
    ("unattached", "states between coalitions (unattached)"),
    ("dispersion_outside_interval", "dispersion estimates outside their interval"),
    ("alignment_outside_interval", "alignment estimates outside their interval"),
    ("max_thin_states_per_issue_all", "thin positions per issue, all states (old count)"),
    ("max_thin_states_per_issue_speakers", "thin evidence per issue, states that spoke"),
    ("pairs_scored_share", "share of state pairs with an overall alignment"),
    ("movers_last_session", "movers into the last session"),
]


def main() -> None:
    from pipelines.settings import PipelineConfig
    from pipelines.stages.analysis import run_analysis

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sample.duckdb"
        build_sample_store(db)
        run_analysis(str(db), PipelineConfig())
        results = {"scale": scale(), "trust": trust(db), "quality": quality(db),
                   "coalition_votes": coalition_votes(db)}
    print(format_table([(r["states"], r["sessions"], r["segments"], r["tags"], r["positions"],
                         r["alignment"], r["coalitions"], r["convergence"], r["total_seconds"],
                         r["total_over_reference"], r["peak_rss_mb"]) for r in results["scale"]],
                       ["states", "sessions", "segments", "tags", "positions s", "alignment s",
                        "coalitions s", "convergence s", "total s", "x reference",
                        "peak MiB"]))
    print("target at 193 x 20 x 100,000: total < 30 s, peak < 2048 MiB")
    print()
    print(format_table([(label, str(results["trust"][key])) for key, label in TRUST_ROWS],
                       ["sample corpus (issue 12)", "value"]))
    quality_result = results["quality"]
    if "skipped" in quality_result:
        print(f"\nvote validation skipped: {quality_result['skipped']}")
    else:
        rows = []
        for label, data in quality_result["correlations"].items():
            for name in quality_result["definitions"]:
                c = data[name]
                rows.append((label, name, c["spearman"], f"[{c['lo']}, {c['hi']}]",
                             c["n_pairs"]))
        print()
        print(format_table(rows, ["votes (S-score)", "alignment definition", "Spearman",
                                  "95% CI", "pairs"]))
    votes = results["coalition_votes"]
    if "skipped" in votes:
        print(f"\ncoalition vote check skipped: {votes['skipped']}")
    else:
        print()
        print(format_table([(label, v["roll_calls"], len(v["unattached"]),
                             v["within_agreement"]["all"], v["within_agreement"]["members"],
                             f"{v['random_drop']['mean']} [{v['random_drop']['lo']}, "
                             f"{v['random_drop']['hi']}]", v["vote_margin"]["members"],
                             v["vote_margin"]["unattached"]) for label, v in votes.items()],
                           ["votes", "roll calls", "unattached", "agreement in coalitions, all",
                            "members only", "random drop [95%]", "margin members",
                            "margin unattached"]))
    print(f"\nwrote {write_result('alignment', results)}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--scale-one":
        print(json.dumps(scale_one(*(int(a) for a in sys.argv[2:]))))
    else:
        main()
