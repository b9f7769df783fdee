import json

from corpora.store import Store
from pipelines.flows.pipeline import combine_reports, ingest_flow
from pipelines.settings import IngestConfig, PipelineConfig


def test_ingest_flow_records_the_run_and_is_idempotent(prefect_harness, db, sample_dir,
                                                       sample_bad_dir):
    first = ingest_flow([str(sample_dir), str(sample_bad_dir)], str(db))
    assert first["ingested"] == 326 + 6
    assert first["quarantined"] == 15 and first["duplicates"] == 1
    assert first["seen"] == first["ingested"] + first["unchanged"] + first["duplicates"] + \
        first["quarantined"]
    second = ingest_flow([str(sample_dir), str(sample_bad_dir)], str(db))
    assert second["ingested"] == 0 and second["unchanged"] == first["ingested"]
    assert second["corpus_hash"] == first["corpus_hash"]
    with Store(db, read_only=True) as store:
        runs = store.runs()
    assert [r["status"] for r in runs] == ["completed", "completed"]
    latest = runs[0]
    assert latest["counts"]["ingest"]["unchanged"] == first["ingested"]
    provenance = latest["provenance"]
    assert provenance["corpus_hash"] == first["corpus_hash"]
    assert provenance["config_hash"] == PipelineConfig().config_hash()
    assert {"python", "prefect", "duckdb", "likeminded"} <= set(provenance["versions"])
    assert len(provenance["inputs"]) == 2


def test_config_changes_the_config_hash():
    small = PipelineConfig(ingest=IngestConfig(max_bytes=10))
    assert small.config_hash() != PipelineConfig().config_hash()
    assert json.loads(json.dumps(small.model_dump()))["ingest"]["max_bytes"] == 10


def test_combine_reports_adds_counts():
    a = {"root": "a", "seen": 2, "ingested": 1, "new_versions": 0, "unchanged": 1,
         "duplicates": 0, "quarantined": 0, "ignored": 1, "encodings": {"utf-8": 2},
         "quarantine": [], "duplicate_files": []}
    b = {**a, "root": "b", "quarantined": 1, "seen": 3,
         "quarantine": [{"source": "x", "field": "date", "reason": "bad"}]}
    total = combine_reports([a, b])
    assert total["seen"] == 5 and total["encodings"] == {"utf-8": 4}
    assert total["folders"] == ["a", "b"] and len(total["quarantine"]) == 1
