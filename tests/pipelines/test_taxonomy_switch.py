"""``likeminded run`` without --corpus analyses the store; switching taxonomy re-tags only."""

import json
import shutil

from typer.testing import CliRunner

from corpora.ingest import ingest_folder
from nlp.taxonomy import load_taxonomy
from pipelines.cli.app import app
from pipelines.store.queries import latest_provenance
from pipelines.store.storage import open_store
from tests.pipelines.test_nlp_stages import make_corpus

FILES = ["usa.txt", "rus.txt", "chn.txt", "ken.txt"]


def run(*args: str) -> dict:
    result = CliRunner().invoke(app, ["run", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_run_on_the_store_then_switch_taxonomy_without_reembedding(
        prefect_harness, unga_seeded_template, sample_dir, tmp_path):
    seeded_db = tmp_path / "store.duckdb"
    shutil.copy(unga_seeded_template, seeded_db)
    corpus = make_corpus(sample_dir / "oewg-2019-1", tmp_path / "corpus", FILES)
    with open_store(seeded_db) as store:
        ingest_folder(corpus, store, run_id="before")
    config = tmp_path / "config.yaml"
    config.write_text("analysis:\n  n_boot: 20\n  topic_min_size: 3\n", encoding="utf-8")
    common = ["--db", str(seeded_db), "--out", str(tmp_path / "out"), "--config", str(config)]

    first = run(*common)
    assert first["ingest"]["seen"] == 0 and first["segment"]["statements"] == len(FILES)
    assert first["embed"]["new_embeddings"] > 0 and first["annotate"]["taxonomy_name"] == "cyber"
    assert (tmp_path / "out" / "report" / "index.html").is_file()
    timings = first["timings"]  # the command line times Prefect's start-up and the report too
    assert sorted(timings["stages"]) == sorted(["ingest", "segment", "embed", "annotate",
                                                "topics", "analyze", "report"])
    assert timings["startup"] >= 0 and all(s >= 0 for s in timings["stages"].values())
    assert timings["startup"] + sum(timings["stages"].values()) <= timings["total"]

    second = run(*common, "--taxonomy", "unga")
    assert second["embed"]["new_embeddings"] == 0  # vectors do not depend on the taxonomy
    assert second["segment"]["statements"] == 0
    assert second["topics"].get("skipped") == "segments unchanged"
    assert second["annotate"]["statements"] == len(FILES)
    assert second["annotate"]["taxonomy_name"] == "unga"
    assert "skipped" not in second["analyze"]
    with open_store(seeded_db, read_only=True) as store:
        issues = {r[0] for r in store.con.execute(
            "SELECT DISTINCT issue FROM segment_issues").fetchall()}
        provenance = latest_provenance(store)
    assert issues <= set(load_taxonomy("unga").ids) and issues
    assert provenance["taxonomy"] == {"name": "unga", "digest": load_taxonomy("unga").digest}
    report = (tmp_path / "out" / "report" / "index.html").read_text(encoding="utf-8")
    assert "unga (SHA-256" in report


def test_run_without_corpus_needs_statements_and_a_known_taxonomy(tmp_path):
    missing = CliRunner().invoke(app, ["run", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1
    assert len(missing.output.strip().splitlines()) == 1
    assert "no store here and no --corpus" in missing.output
    bogus = CliRunner().invoke(app, ["run", "--db", str(tmp_path / "none.duckdb"),
                                     "--taxonomy", "ungaa"])
    assert bogus.exit_code == 1 and len(bogus.output.strip().splitlines()) == 1
    assert "unknown taxonomy 'ungaa'; expected one of cyber, unga" in bogus.output
