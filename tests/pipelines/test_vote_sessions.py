"""Per-session vote validation on real General Debate speeches and real UN votes.

Needs ``../shared/data`` (skipped with a message otherwise); kept small: ten states' speeches in
sessions 73 and 74 and a handful of roll calls per issue area of each session.
"""

import json
import shutil
import tarfile
from pathlib import PurePosixPath

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corpora.ungdc import ingest_ungdc
from pipelines.cli.app import app
from pipelines.cli.formatting import format_session_validation
from pipelines.settings import AnalysisConfig, PipelineConfig
from pipelines.stages.analysis import run_analysis
from pipelines.stages.report_writer import render_files
from pipelines.stages.text import annotate_segments, embed_new_segments, segment_new_statements
from pipelines.stages.vote_sessions import ALIGNMENT, BASELINES, ISSUE_ALIGNMENT, validate_sessions
from pipelines.store.storage import open_store

STATES = ("USA", "ISR", "GBR", "FRA", "RUS", "CHN", "CUB", "IRN", "BRA", "ZAF")
SESSIONS = (73, 74)
PER_ISSUE = 4


@pytest.fixture(scope="module")
def gd(shared_data, tmp_path_factory, unga_seeded_template):
    root = tmp_path_factory.mktemp("gd")
    speeches = root / "ungdc"
    wanted = {f"{s}_{n}_{1945 + n}.txt" for s in STATES for n in SESSIONS}
    with tarfile.open(shared_data / "ungdc_2013-2024_no2017.tar.gz") as archive:
        for member in archive:
            if member.isfile() and PurePosixPath(member.name).name in wanted:
                target = speeches / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.extractfile(member).read())
    votes = pd.read_csv(shared_data / "unvotes_votes.csv.gz", dtype=str)
    issues = pd.read_csv(shared_data / "unvotes_roll_call_issues.csv", dtype=str)
    votes = votes[votes["session"].astype(float).isin(SESSIONS)]
    in_sessions = issues[issues["rcid"].isin(set(votes["rcid"]))]
    chosen = in_sessions.merge(votes[["rcid", "session"]].drop_duplicates(), on="rcid")
    chosen = chosen.sort_values("rcid", key=lambda c: c.astype(int))
    chosen = chosen.groupby(["session", "short_name"]).head(PER_ISSUE)["rcid"]
    votes_path = root / "votes.csv"
    votes[votes["rcid"].isin(set(chosen))].to_csv(votes_path, index=False)

    db = str(root / "gd.duckdb")
    shutil.copy(unga_seeded_template, db)
    config = PipelineConfig(analysis=AnalysisConfig(taxonomy="unga", n_boot=20))
    with open_store(db) as store:
        report = ingest_ungdc(speeches, store, run_id="gd")
    assert report.ingested == len(wanted)
    segment_new_statements(db, config)
    embed_new_segments(db, config)
    annotate_segments(db, config)
    run_analysis(db, config)
    return {"db": db, "config": config, "votes": votes_path, "data": shared_data,
            "n_roll_calls": len(set(chosen))}


def files(gd):
    data = gd["data"]
    return {"votes": gd["votes"], "roll_calls": data / "unvotes_roll_calls.csv.gz",
            "issues": data / "unvotes_roll_call_issues.csv",
            "groups": data / "country_blocks_membership.csv"}


def test_each_session_is_set_against_its_own_votes(gd):
    with open_store(gd["db"], read_only=True) as store:
        document = validate_sessions(store, **files(gd), config=gd["config"], n_boot=20)
    rows = pd.DataFrame(document["rows"])
    assert document["sessions"] == ["UNGA-73", "UNGA-74"]
    assert document["taxonomy"]["name"] == "unga"
    overall = rows[(rows["vote_issue"] == "*") & (rows["measure"] == "s_score")]
    assert set(overall["method"]) == {ALIGNMENT, *BASELINES}
    assert set(overall["vote_session"]) == set(SESSIONS)
    # every method is scored on the same pairs of the same states
    for _, part in overall.groupby("session"):
        assert part["n_pairs"].nunique() == 1 and part["n_pairs"].iloc[0] >= 15
    assert overall.drop_duplicates("session")["n_roll_calls"].sum() <= gd["n_roll_calls"]
    assert (overall["spearman_lo"] <= overall["spearman"] + 1e-9).all()
    assert (overall["spearman"] <= overall["spearman_hi"] + 1e-9).all()
    # with the United States and Israel among ten states, the regional-group prior and the
    # speeches both rank pairs in the direction of the votes
    prior = overall[overall["method"] == "regional_group"]["spearman"]
    assert np.isfinite(prior).all()
    per_issue = rows[rows["vote_issue"] != "*"]
    assert set(per_issue["vote_issue"]) <= {"me", "nu", "di", "hr", "co", "ec"}
    assert ISSUE_ALIGNMENT in set(per_issue["method"])
    assert per_issue["n_roll_calls"].between(1, gd["n_roll_calls"]).all()
    assert set(document["summary"]["mean_spearman"]) == {ALIGNMENT, *BASELINES}
    movers = document["movers"]
    assert [(m["from_session"], m["to_session"]) for m in movers] == [("UNGA-73", "UNGA-74")]
    m = movers[0]
    assert m["expected"] == pytest.approx(m["text_movers"] * m["vote_movers"] / m["population"],
                                          abs=1e-4)
    assert 0 <= m["p_value"] <= 1 and m["overlap"] == len(m["states"])


def test_cli_stores_it_and_the_report_shows_it(gd):
    f = files(gd)
    result = CliRunner().invoke(app, [
        "validate-votes", str(f["votes"]), "--per-session", "--roll-calls", str(f["roll_calls"]),
        "--issues", str(f["issues"]), "--groups", str(f["groups"]), "--n-boot", "20",
        "--taxonomy", "unga", "--db", gd["db"], "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    text = format_session_validation(document)
    assert "UNGA-73" in text and max(len(line) for line in text.splitlines()) <= 80
    with open_store(gd["db"], read_only=True) as store:
        stored = store.con.execute("SELECT count(*) FROM vote_validation_sessions").fetchall()
        movers = store.con.execute("SELECT count(*) FROM vote_mover_check").fetchall()
    assert stored[0][0] == len(document["rows"]) and movers[0][0] == 1
    pages, _ = render_files(gd["db"], config=gd["config"])
    html = pages["index.html"].decode("utf-8")
    assert "Session by session" in html and "UNGA-74" in html and "Same regional group" in html
    assert "tables/vote_validation_sessions.csv" in pages
    missing = CliRunner().invoke(app, ["validate-votes", str(f["votes"]), "--per-session",
                                       "--db", gd["db"], "--no-store"])
    assert missing.exit_code == 1 and "--per-session needs --groups" in missing.output


def assert_chosen_on_the_other_session(scores: pd.DataFrame, loo: pd.DataFrame) -> None:
    """The setting reported for each of the two sessions is the best one on the other, and its
    reported score is its own score on the session it is reported for."""
    for session, other in (("UNGA-73", "UNGA-74"), ("UNGA-74", "UNGA-73")):
        best = scores[scores["session"] == other].sort_values("score", ascending=False,
                                                               kind="stable")
        assert loo.loc[session, "setting"] == best["setting"].iloc[0]
        mine = scores[(scores["session"] == session)
                      & (scores["setting"] == loo.loc[session, "setting"])]["score"]
        assert loo.loc[session, "alignment"] == pytest.approx(mine.iloc[0], abs=1e-4)


def test_settings_are_chosen_on_other_sessions_than_they_are_reported_on(gd):
    from benchmarks.bench_gd_settings import (
        DEFAULTS,
        evaluate,
        session_alignments,
        setting_name,
        vote_targets,
    )

    grid = {"stance_weight": (0.7, 0.0), "contested_weight": (4.0,),
            "whole_text_weight": (0.0, 1.0), "min_weight": (1.0,), "shrink": (0.0, 2.0),
            "pool": (1, 2), "whole_text_dims": (0, 3)}
    alignments, sessions = session_alignments(gd["db"], "unga", grid)
    assert sessions == ["UNGA-73", "UNGA-74"] and len(alignments) == 24  # td only with wt > 0
    scaled = {name: a for name, a in alignments.items() if name.endswith(" td=3")}
    assert len(scaled) == 8 and all(
        not a["UNGA-73"].equals(alignments[name[:-len(" td=3")]]["UNGA-73"])
        for name, a in scaled.items())
    assert next(iter(alignments)) == setting_name(DEFAULTS)  # defaults first: they win ties
    f = files(gd)
    targets = vote_targets(gd["db"], sessions, votes_file=f["votes"],
                           roll_calls=f["roll_calls"], groups=f["groups"])
    result = evaluate(alignments, targets, n_boot=20)
    scores = pd.DataFrame(result["scores"])
    assert len(scores) == 24 * 2 and scores["coverage"].between(0, 1).all()
    held = pd.DataFrame(result["held_out"])
    loo = held[held["scheme"] == "leave-one-out"].set_index("session")
    assert_chosen_on_the_other_session(scores, loo)
    assert (loo["alignment_lo"] <= loo["alignment_hi"]).all()
    assert set(result["fixed"]) == {"defaults"}
    assert [r["held_out"] for r in result["text_plus_prior"]] == sessions
    # the first session has no previous one to pool with
    pooled = setting_name({**DEFAULTS, "pool": 2})
    assert alignments[pooled]["UNGA-73"].equals(alignments[setting_name(DEFAULTS)]["UNGA-73"])


def test_roll_calls_in_common_are_the_configured_threshold(gd, monkeypatch):
    """``votes.min_common`` was 3 for ``validate-votes`` and a hard-coded 5 for
    ``--per-session``: both read the configuration now (capped by a scope's roll calls)."""
    from pipelines.settings import VotesConfig
    from pipelines.stages import vote_sessions

    seen = []
    real = vote_sessions.agreement_matrices

    def spy(states, matrix, *, min_common):
        seen.append((matrix.shape[1], min_common))
        return real(states, matrix, min_common=min_common)

    monkeypatch.setattr(vote_sessions, "agreement_matrices", spy)
    for threshold in (VotesConfig().min_common, 4):
        seen.clear()
        config = gd["config"].model_copy(update={"votes": VotesConfig(min_common=threshold)})
        with open_store(gd["db"], read_only=True) as store:
            validate_sessions(store, **files(gd), config=config, n_boot=10)
        assert seen and all(used == min(threshold, n) for n, used in seen)
        assert any(n > threshold for n, _ in seen)  # the cap alone does not explain it


def test_scaled_text_positions_are_chosen_on_other_sessions(gd):
    """``benchmarks/bench_gd_scaling.py`` on the small store: every candidate scored on the
    validation's pairs, the held-out choice made on the other session, and the pipeline's
    column the stored alignment's own correlation."""
    from benchmarks.bench_gd_scaling import candidates, evaluate, load

    f = files(gd)
    coords, targets, camp_votes, camp, cost = load(gd["db"], votes_file=f["votes"],
                                                   roll_calls=f["roll_calls"], groups=f["groups"])
    assert list(targets) == ["UNGA-73", "UNGA-74"] and cost["speeches"] == 20
    result = evaluate(coords, targets, camp_votes, camp, n_boot=20)
    scores = pd.DataFrame(result["scores"])
    assert len(scores) == len(candidates()) * 2
    held = pd.DataFrame(result["held_out"])
    loo = held[held["scheme"] == "leave-one-out"].set_index("session")
    assert_chosen_on_the_other_session(scores, loo)
    with open_store(gd["db"], read_only=True) as store:  # the pipeline's column is its own
        rows = pd.DataFrame(validate_sessions(store, **f, config=gd["config"],
                                              n_boot=20)["rows"])
    stored = rows[(rows["vote_issue"] == "*") & (rows["measure"] == "s_score")
                  & (rows["method"] == ALIGNMENT)].set_index("session")["spearman"]
    assert loo["pipeline"].to_dict() == pytest.approx(stored.to_dict(), abs=1e-4)
    assert [r["held_out"] for r in result["pipeline_plus_scaled"]] == list(targets)
    assert {r["pairs"] for r in result["strata"]} == {"same group", "different groups"}
    assert [p["from_session"] for p in result["movers"]["pairs"]] == ["UNGA-73"]
