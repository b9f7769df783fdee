"""The update flow end to end on a two-session slice of the sample corpus, then the analysis
commands over the resulting store (real model, real DuckDB, real Prefect harness)."""

import json
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipelines.cli.app import app
from pipelines.settings import PipelineConfig
from pipelines.store.storage import open_store
from tests.conftest import SHARED_DATA


def test_update_runs_every_stage_and_is_incremental(analysed):
    first, second = analysed["first"], analysed["second"]
    assert first["ingest"]["ingested"] == 40
    assert first["segment"]["statements"] == 40 and first["embed"]["new_embeddings"] > 100
    assert first["analyze"]["states_aligned"] >= 15
    assert second["ingest"]["ingested"] == 0 and second["segment"]["statements"] == 0
    assert second["embed"]["new_embeddings"] == 0
    # nothing new: tagging scores no statement, topics and analyses keep the stored results
    assert first["annotate"]["statements"] == 40 and second["annotate"]["statements"] == 0
    assert second["annotate"]["total_tags"] == first["annotate"]["total_tags"] > 0
    assert second["topics"]["skipped"] and second["analyze"]["skipped"]
    assert "skipped" not in first["analyze"] and first["analyze"]["issues"] >= 10
    assert second["corpus_hash"] == first["corpus_hash"]
    with open_store(analysed["db"], read_only=True) as store:
        runs = store.runs()
        first_alignment = store.con.execute(
            "SELECT * FROM alignment ORDER BY ALL").df()
    assert [r["kind"] for r in runs] == ["update", "update"]
    assert set(runs[0]["counts"]) >= {"ingest", "segment", "embed", "annotate", "topics",
                                      "analyze"}
    assert not first_alignment.empty


def test_update_publishes_artifacts(analysed):
    from prefect.client.orchestration import get_client

    from pipelines.flows.summary import run_markdown

    with get_client(sync_client=True) as client:
        keys = {a.key for a in client.read_artifacts()}
    assert {"update-summary", "partners-ken"} <= keys
    with open_store(analysed["db"], read_only=True) as store:
        markdown = run_markdown(store, analysed["first"])
    assert "## Top movers" in markdown and "| ingest | 40 new" in markdown
    assert "## Biggest changes in alignment" in markdown


def cli(*args):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_partners_json_has_intervals_drivers_and_evidence(analysed):
    document = json.loads(cli("partners", "Kenya", "--db", analysed["db"], "--json",
                              "--top", "3").stdout)
    assert document["state"] == "KEN" and len(document["partners"]) == 3
    best = document["partners"][0]
    assert best["lo"] <= best["score"] <= best["hi"]
    assert best["drivers"] and best["evidence"]
    evidence = best["evidence"][0]
    assert {"state", "session", "quote", "source", "partner_quote"} <= set(evidence)
    assert document["opposed"] and document["provenance"]["corpus_hash"]
    text = cli("partners", "KEN", "--db", analysed["db"], "--issue", "ihl").stdout
    assert "Like-minded partners of Kenya" in text


def test_partners_of_an_unknown_state_fail_cleanly(analysed):
    result = CliRunner().invoke(app, ["partners", "Atlantis", "--db", analysed["db"]])
    assert result.exit_code == 1 and "unknown state" in result.output
    result = CliRunner().invoke(app, ["partners", "NOR", "--db", analysed["db"]])
    assert result.exit_code == 1 and "no alignment scores" in result.output


def test_coalitions_and_convergence_json(analysed):
    document = json.loads(cli("coalitions", "--db", analysed["db"], "--json").stdout)
    assert document["k"] >= 2 and sum(c["size"] for c in document["coalitions"]) >= 15
    assert document["bridges"] and any(g["group"] == "EU" for g in document["groups"])
    fixed = json.loads(cli("coalitions", "--db", analysed["db"], "--k", "3", "--json").stdout)
    assert fixed["k"] == 3 and fixed["k_chosen_by"] == "given"
    conv = json.loads(cli("convergence", "--db", analysed["db"], "--json").stdout)
    assert conv["issues"]
    for mover in conv["movers"]:
        assert {"state", "from_session", "to_session", "shift", "toward"} <= set(mover)
        assert mover["shift_lo"] <= mover["shift"] <= mover["shift_hi"]
        assert mover["shift_lo"] > 0 or mover["shift_hi"] < 0
    sessions = next(iter(conv["issues"].values()))["sessions"]
    assert [s["session"] for s in sessions] == ["OEWG-2023-5", "OEWG-2024-8"]


def test_exports(analysed, tmp_path):
    out = tmp_path / "alignment.csv"
    cli("export", "--db", analysed["db"], "--what", "alignment", "--out", str(out))
    matrix = pd.read_csv(out, index_col=0)
    assert list(matrix.index) == [c for c in matrix.columns if c != "state_name"]
    assert json.loads((tmp_path / "alignment.csv.provenance.json").read_text())["corpus_hash"]
    for what in ["pairs", "positions", "partners", "coalitions", "convergence"]:
        path = tmp_path / f"{what}.parquet"
        cli("export", "--db", analysed["db"], "--what", what, "--out", str(path))
        table = pq.read_table(path)
        assert table.num_rows > 0
        assert b"likeminded" in table.schema.metadata
    result = CliRunner().invoke(app, ["export", "--db", analysed["db"], "--what", "nope",
                                      "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2


def test_validate_votes_with_a_fixture(analysed, tmp_path):
    votes = tmp_path / "votes.csv"
    rows = []
    for rc in ("A/RES/1", "A/RES/2", "A/RES/3", "A/RES/4"):
        for code in ["USA", "GBR", "FRA", "DEU", "CAN", "AUS", "JPN"]:
            rows.append({"Resolution": rc, "Member State Code": code, "Member State": code,
                         "Vote": "N" if rc in ("A/RES/1", "A/RES/3") else "Y",
                         "Date": "2019-12-12", "Title": "ICT"})
        for code in ["RUS", "CHN", "IRN", "CUB", "BLR"]:
            rows.append({"Resolution": rc, "Member State Code": code, "Member State": code,
                         "Vote": "Y" if rc in ("A/RES/1", "A/RES/3") else "N",
                         "Date": "2019-12-12", "Title": "ICT"})
    pd.DataFrame(rows).to_csv(votes, index=False)
    document = json.loads(cli("validate-votes", str(votes), "--db", analysed["db"],
                              "--json").stdout)
    s_score = next(r for r in document["results"] if r["measure"] == "s_score")
    assert s_score["n_states"] >= 10 and s_score["spearman"] > 0.3
    assert document["n_boot"] == 1000  # votes.n_boot's default
    config = tmp_path / "config.yaml"
    config.write_text("votes:\n  n_boot: 50\n")
    document = json.loads(cli("validate-votes", str(votes), "--db", analysed["db"], "--config",
                              str(config), "--no-store", "--json").stdout)
    assert document["n_boot"] == 50
    assert json.loads(cli("validate-votes", str(votes), "--db", analysed["db"], "--config",
                          str(config), "--n-boot", "20", "--no-store", "--json").stdout
                      )["n_boot"] == 20
    with open_store(analysed["db"], read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM vote_validation").fetchall()[0][0] == 3


def test_validate_votes_with_shared_data(analysed, shared_data):
    document = json.loads(cli("validate-votes", str(shared_data / "cyber_ict_votes_long.csv"),
                              "--roll-calls", str(shared_data / "cyber_ict_roll_calls.csv"),
                              "--year", "2018", "--year", "2019", "--db", analysed["db"],
                              "--no-store", "--json").stdout)
    assert document["roll_calls"] == 6
    s_score = next(r for r in document["results"] if r["measure"] == "s_score")
    assert s_score["n_pairs"] > 50 and s_score["spearman"] > 0.2


def test_bad_votes_file_is_a_one_line_error(analysed, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = CliRunner().invoke(app, ["validate-votes", str(bad), "--db", analysed["db"]])
    assert result.exit_code == 1 and "bad.csv" in result.output


assert SHARED_DATA  # imported for the skip message in the shared_data fixture


def test_analysis_window_restricts_the_sessions(analysed, tmp_path):
    from pipelines.settings import AnalysisConfig
    from pipelines.stages.analysis import run_analysis

    db = tmp_path / "window.duckdb"
    shutil.copy(analysed["db"], db)
    config = PipelineConfig(analysis=AnalysisConfig(window=("OEWG-2024-8",), n_boot=20))
    assert run_analysis(str(db), config)["sessions"] == 1
    with open_store(db, read_only=True) as store:
        sessions = {r[0] for r in store.con.execute("SELECT DISTINCT session FROM alignment")
                    .fetchall()}
    assert sessions == {"*", "OEWG-2024-8"}
    with pytest.raises(ValueError, match=r"analysis\.window: unknown session"):
        run_analysis(str(db), PipelineConfig(analysis=AnalysisConfig(window=("NOPE",))))


# -- issue 12: alignment an analyst can trust (on the 20-state, two-session slice) -------------
def overall(db: str) -> pd.DataFrame:
    with open_store(db, read_only=True) as store:
        return store.con.execute("SELECT state_a, state_b, score, lo, hi, basis FROM alignment "
                                 "WHERE issue = '*' AND session = '*'").df()


def score(frame: pd.DataFrame, a: str, b: str) -> float:
    a, b = sorted([a, b])
    return float(frame.loc[(frame["state_a"] == a) & (frame["state_b"] == b), "score"].iloc[0])


def test_opposite_camps_score_negative(analysed):
    frame = overall(analysed["db"])
    assert ((frame["lo"] <= frame["score"]) & (frame["score"] <= frame["hi"])).all()
    for west in ("USA", "GBR", "FRA", "DEU"):
        assert score(frame, west, "RUS") <= -0.2, west
    assert set(frame["basis"]) <= {"issues", "semantic"}


def test_partners_in_own_voice_beyond_a_group(analysed):
    document = json.loads(cli("partners", "FRA", "--db", analysed["db"], "--json", "--top",
                              "5", "--own-voice", "--beyond-group", "EU").stdout)
    assert document["voice"] == "own" and document["excluded_groups"] == ["EU"]
    assert "DEU" not in {p["state"] for p in document["partners"]}
    for entry in document["partners"] + document["opposed"]:
        assert entry["label"] in ("like-minded", "mixed or unrelated", "opposed")
        for e in entry["evidence"]:
            assert e["on_behalf_of"] == "" and e["partner_on_behalf_of"] == ""
    mine = json.loads(cli("partners", "FRA", "--db", analysed["db"], "--json", "--top", "3",
                          "--exclude-groups").stdout)
    assert {"EU", "WEOG"} <= set(mine["excluded_groups"])


def test_coalitions_describe_shared_positions_and_convergence_per_state(analysed):
    document = json.loads(cli("coalitions", "--db", analysed["db"], "--json",
                              "--own-voice").stdout)
    assert document["voice"] == "own"
    assert any(c["positions"] for c in document["coalitions"])
    text = cli("convergence", "--db", analysed["db"], "--session", "OEWG-2024-8", "--state",
               "Russia").stdout
    assert "moves into OEWG-2024-8 by RUS" in text
    conv = json.loads(cli("convergence", "--db", analysed["db"], "--json").stdout)
    issue = conv["issues"]["binding_instrument"]
    assert issue["measure"] == "stance_sd" and "centre_trend" in issue
    result = CliRunner().invoke(app, ["convergence", "--db", analysed["db"], "--session", "X"])
    assert result.exit_code == 1 and "unknown session" in result.output


def test_report_in_own_voice(analysed, tmp_path):
    result = json.loads(cli("report", "--db", analysed["db"], "--focus", "KEN", "--own-voice",
                            "--out", str(tmp_path / "report"), "--json").stdout)
    assert result["voice"] == "own" and result["focus"] == ["KEN"]
    page = (tmp_path / "report" / "state-KEN.html").read_text(encoding="utf-8")
    assert "Joint statements it could join" in page and " for EU" not in page
