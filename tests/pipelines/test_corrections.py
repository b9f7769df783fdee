"""``likeminded correct`` on a copy of the analysed sample slice: corrections are stored,
applied where stances enter positions, recompute the analyses only, and travel as YAML."""

import json
import shutil

import pytest
from typer.testing import CliRunner

from pipelines.cli.app import app
from pipelines.stages.analysis import prepare_analysis
from pipelines.store.storage import open_store


def cli(*args, code=0):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def tagged(db, state, issue, sign):
    """A segment of ``state`` tagged with ``issue`` whose stance has the sign ``sign``."""
    with open_store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT i.statement_id, i.idx, i.stance FROM segment_issues i JOIN statements s "
            "ON s.id = i.statement_id WHERE s.state = ? AND i.issue = ? AND s.on_behalf_of = '' "
            "AND sign(i.stance) = ? ORDER BY i.statement_id, i.idx", [state, issue, sign]
        ).fetchall()
    assert rows, f"no {state} segment on {issue} with stance sign {sign}"
    return rows[0]


def pooled(db, state, issue):
    with open_store(db, read_only=True) as store:
        return store.con.execute(
            "SELECT stance, n_own FROM positions WHERE state = ? AND issue = ? AND session = '*'",
            [state, issue]).fetchall()[0]


def test_a_stance_correction_recomputes_the_analyses_and_nothing_upstream(analysed,
                                                                          analysed_copy):
    from pipelines.flows.pipeline import update_flow

    db, config = str(analysed_copy), analysed["config"]
    before = prepare_analysis(db, config)
    assert before.unchanged
    statement, idx, _ = tagged(db, "RUS", "binding_instrument", 1)
    stance_before = pooled(db, "RUS", "binding_instrument")[0]
    added = json.loads(cli("correct", "stance", f"{statement}#{idx}", "binding_instrument",
                           "-1", "--why", "irony: quotes the treaty to reject it", "--by",
                           "analyst", "--db", db, "--json").stdout)
    assert added["id"] == 1 and added["value"] == -1 and added["author"] == "analyst"
    after = prepare_analysis(db, config)
    assert not after.unchanged and after.fingerprint != before.fingerprint
    rows = after.inputs.rows
    mine = rows[(rows["statement_id"] == statement) & (rows["idx"] == idx)
                & (rows["issue"] == "binding_instrument") & (rows["kind"] == "own")]
    assert mine["stance"].tolist() == [-1.0]
    # re-running with no new data: only the analyses are recomputed
    result = update_flow([str(analysed["root"] / "corpus")], db, config)
    assert result["ingest"]["ingested"] == 0 and result["embed"]["new_embeddings"] == 0
    assert result["annotate"]["statements"] == 0 and result["topics"].get("skipped")
    assert "skipped" not in result["analyze"]
    assert pooled(db, "RUS", "binding_instrument")[0] < stance_before
    assert prepare_analysis(db, config).unchanged  # and it sticks: the next run keeps it
    status = json.loads(cli("status", "--db", db, "--json").stdout)
    assert status["corrections"] == 1
    # undoing it brings back the original inputs
    cli("correct", "undo", "1", "--db", db)
    assert prepare_analysis(db, config).fingerprint == before.fingerprint
    listed = json.loads(cli("correct", "list", "--all", "--db", db, "--json").stdout)
    assert listed["count"] == 1 and listed["corrections"][0]["undone_at"]
    assert json.loads(cli("correct", "list", "--db", db, "--json").stdout)["count"] == 0


def test_a_chair_statement_no_longer_counts_for_its_state(analysed, analysed_copy):
    db, config = str(analysed_copy), analysed["config"]
    statement, _, _ = tagged(db, "RUS", "binding_instrument", 1)
    cli("correct", "chair", statement, "--why", "delivered as Chair", "--db", db)
    rows = prepare_analysis(db, config).inputs.rows
    assert not (rows["statement_id"] == statement).any()
    text = cli("correct", "list", "--db", db).stdout
    assert f"{statement}: spoken in a Chair's capacity" in text and "delivered as Chair" in text


def test_rejected_and_pinned_quotes_change_the_forecast_evidence(analysed, analysed_copy):
    from pipelines.stages.forecast import forecast_document

    db, config = str(analysed_copy), analysed["config"]
    draft = ("We call for a new legally binding international convention on information "
             "security to close the gaps in international law.")

    def closest():
        document = forecast_document(draft, db=db, config=config, issue="binding_instrument",
                                     top=50)
        part = document["issues"][0]
        return {e["state"]: e["closest"]["segment_id"] for c in ("support", "oppose", "swing")
                for e in part[c]}

    first = closest()["RUS"]
    cli("correct", "quote", first, "--reject", "--db", db)
    second = closest()["RUS"]
    assert second != first
    cli("correct", "quote", first, "--pin", "--db", db)  # the latest judgement wins
    assert closest()["RUS"] == first


def test_corrections_travel_as_yaml(analysed, analysed_copy, tmp_path):
    db = str(analysed_copy)
    statement, idx, _ = tagged(db, "IRN", "binding_instrument", 1)
    cli("correct", "stance", f"{statement}#{idx}", "binding_instrument", "0", "--why", "neutral",
        "--db", db)
    cli("correct", "quote", f"{statement}#{idx}", "--pin", "--db", db)
    path = tmp_path / "team.yaml"
    assert json.loads(cli("correct", "export", path, "--db", db, "--json").stdout)["count"] == 2
    other = tmp_path / "other.duckdb"
    shutil.copy(analysed["db"], other)
    result = json.loads(cli("correct", "import", path, "--db", other, "--json").stdout)
    assert result == {"added": 2, "skipped": 0}
    assert json.loads(cli("correct", "import", path, "--db", other, "--json").stdout) == {
        "added": 0, "skipped": 2}
    keep = ("kind", "statement_id", "idx", "issue", "value", "action", "why", "author",
            "created_at")
    mine, theirs = (
        [{k: r[k] for k in keep} for r in json.loads(
            cli("correct", "list", "--db", d, "--json").stdout)["corrections"]]
        for d in (db, other))
    assert mine == theirs
    bad = tmp_path / "bad.yaml"
    bad.write_text("corrections:\n  - kind: stance\n    statement_id: nope\n    idx: 1\n"
                   "    issue: ihl\n    value: 1\n    action: set\n", encoding="utf-8")
    result = cli("correct", "import", bad, "--db", other, code=1)
    assert result.output.strip().splitlines() == [
        f"error: {bad}: corrections[0]: segment nope#1: not in the store ('likeminded "
        "forecast --json' gives each quote's segment_id)"]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["stance", "abc", "ihl", "+1", "--why", "x"], 1, "segment id 'abc': expected"),
    (["stance", "abc#1", "cbms", "+1", "--why", "x"], 1, "unknown contested issue 'cbms'"),
    (["stance", "abc#1", "ihl", "2", "--why", "x"], 2, "expected -1, 0 or +1"),
    (["stance", "abc#1", "ihl", "+1"], 1, "--why: say why"),
    (["quote", "abc#1", "--reject", "--pin"], 2, "exactly one of --reject and --pin"),
    (["chair", "nope"], 1, "statement 'nope': not in the store"),
    (["undo", "7"], 1, "correction 7: no such correction; ids: none yet"),
])
def test_bad_corrections_are_refused(analysed_copy, args, code, message):
    result = cli("correct", *args, "--db", analysed_copy, code=code)
    assert message in result.output


def test_rejected_and_pinned_quotes_in_the_partners_evidence(analysed_copy):
    db = str(analysed_copy)

    def evidence():
        document = json.loads(cli("partners", "KEN", "--db", db, "--json", "--top", "3").stdout)
        return [e for p in document["partners"] for e in p["evidence"]]

    def quotes():
        return [(e["state"], e["quote"]) for e in evidence()]

    first = evidence()[0]
    state, shown = first["state"], first["quote"]
    with open_store(db, read_only=True) as store:
        found = store.con.execute(
            "SELECT g.statement_id, g.idx FROM segments g JOIN statements s ON s.id = "
            "g.statement_id WHERE s.state = ? AND starts_with(g.text, ?)",
            [state, shown.rstrip("…").rstrip()[:60]]).fetchall()
    assert found, shown
    for statement, idx in found:
        cli("correct", "quote", f"{statement}#{idx}", "--reject", "--db", db)
    assert (state, shown) not in quotes()
    # pinning another of the state's paragraphs on a driving issue makes it the evidence there
    with open_store(db, read_only=True) as store:
        candidates = store.con.execute(
            "SELECT i.issue, i.statement_id, i.idx, g.text FROM segment_issues i JOIN segments g "
            "ON g.statement_id = i.statement_id AND g.idx = i.idx JOIN statements s ON s.id = "
            "i.statement_id WHERE s.state = ? ORDER BY i.issue, i.statement_id, i.idx",
            [state]).fetchall()
    shown_now = {(e["issue"], e["quote"].rstrip("…").rstrip()[:60]) for e in evidence()
                 if e["state"] == state}
    choice = next(((issue, sid, idx, text) for issue, sid, idx, text in candidates
                   if issue in {i for i, _ in shown_now}
                   and (issue, " ".join(text.split())[:60]) not in shown_now), None)
    assert choice, f"{state} has a single paragraph on each driving issue"
    issue, statement, idx, text = choice
    cli("correct", "quote", f"{statement}#{idx}", "--pin", "--db", db)
    mine = [e["quote"] for e in evidence() if e["state"] == state and e["issue"] == issue]
    assert mine and all(" ".join(text.split()).startswith(q.rstrip("…").rstrip())
                        for q in mine), (mine, text)


def test_corrections_follow_their_paragraph_into_a_new_version(analysed, analysed_copy,
                                                               tmp_path):
    """A new version of a statement keeps the correction of a paragraph it did not change; a
    version that changed the paragraph leaves the correction orphaned, listed as such."""
    from corpora.ingest import ingest_folder
    from pipelines.stages.text import annotate_segments, embed_new_segments, segment_new_statements

    db, config = str(analysed_copy), analysed["config"]
    statement, idx, _ = tagged(db, "RUS", "binding_instrument", 1)
    cli("correct", "stance", f"{statement}#{idx}", "binding_instrument", "-1", "--why", "irony",
        "--db", db)
    cli("correct", "chair", statement, "--why", "test", "--db", db)
    cli("correct", "undo", "2", "--db", db)  # the chair mark would hide the statement
    with open_store(db, read_only=True) as store:
        source, text = store.con.execute(
            "SELECT s.source, g.text FROM statements s JOIN segments g ON g.statement_id = s.id "
            "WHERE s.id = ? AND g.idx = ?", [statement, idx]).fetchall()[0]
    corpus = tmp_path / "corpus"
    shutil.copytree(analysed["root"] / "corpus", corpus)
    path = corpus / source
    original = path.read_text(encoding="utf-8")
    assert text in original, "the corrected paragraph is one line of the file"

    def new_version(body, run_id):
        path.write_text(body, encoding="utf-8")
        with open_store(db) as store:
            summary = ingest_folder(corpus, store, run_id=run_id)
        assert summary.new_versions == 1, summary
        segment_new_statements(db, config)

    def listed():
        document = json.loads(cli("correct", "list", "--all", "--db", db, "--json").stdout)
        return {r["id"]: r for r in document["corrections"]}, document["orphaned"]

    # another paragraph added: the corrected one is unchanged and the correction follows it
    new_version(original + "\n\nWe thank the Chair once more for the draft.\n", "v2")
    records, orphaned = listed()
    assert orphaned == 0 and records[1]["status"] == "follows"
    target, target_idx = records[1]["target_statement_id"], records[1]["target_idx"]
    assert target != statement and records[1]["target"] == f"{target}#{target_idx}"
    embed_new_segments(db, config)
    annotate_segments(db, config)
    rows = prepare_analysis(db, config).inputs.rows
    mine = rows[(rows["statement_id"] == target) & (rows["idx"] == target_idx)
                & (rows["issue"] == "binding_instrument") & (rows["kind"] == "own")]
    assert mine["stance"].tolist() == [-1.0]
    assert not (rows["statement_id"] == statement).any()  # the old version is out
    text_out = cli("correct", "list", "--db", db).stdout
    assert f"follows its text to {target}#{target_idx}" in text_out
    assert json.loads(cli("status", "--db", db, "--json").stdout)["corrections"] == 1
    # the corrected paragraph itself edited: the correction applies to nothing, and says so
    new_version(original.replace(text, text.replace(" ", "  ", 1) + " Indeed."), "v3")
    records, orphaned = listed()
    assert orphaned == 1 and records[1]["status"] == "orphaned" and records[1]["target"] is None
    text_out = cli("correct", "list", "--db", db).stdout
    assert "orphaned: its paragraph is no longer in the corpus" in text_out
    assert "1 orphaned: undo them" in text_out
    assert json.loads(cli("status", "--db", db, "--json").stdout)["corrections"] == 0
