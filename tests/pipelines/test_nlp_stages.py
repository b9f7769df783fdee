"""The NLP stages on a small real corpus: real model, real DuckDB, counts of cache hits."""

import shutil

import pytest

from corpora.ingest import ingest_folder
from pipelines.settings import PipelineConfig
from pipelines.stages.text import (
    GROUPS_STAGE,
    annotate_segments,
    discover_corpus_topics,
    embed_new_segments,
    segment_new_statements,
)
from pipelines.store.storage import open_store, stage_state

SUBSET = ["eu_fin.txt", "rus.txt", "usa.txt", "chn.txt", "ken.txt", "sen.txt", "mex.txt",
          "bra.txt", "ind.txt", "gbr.txt"]


def make_corpus(src, dst, files):
    dst.mkdir(parents=True, exist_ok=True)
    lines = (src / "metadata.csv").read_text(encoding="utf-8").splitlines()
    keep = [lines[0]] + [line for line in lines[1:] if line.split(",")[0] in files]
    (dst / "metadata.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    for name in files:
        shutil.copy(src / name, dst / name)
    return dst


@pytest.fixture
def small_corpus(tmp_path, sample_dir):
    return make_corpus(sample_dir / "oewg-2019-1", tmp_path / "corpus", SUBSET)


def test_stages_embed_only_new_text_and_annotate(seeded_db, small_corpus, sample_dir):
    db = str(seeded_db)
    config = PipelineConfig()
    with open_store(db) as store:
        ingest_folder(small_corpus, store, run_id="r1")
    segmented = segment_new_statements(db, config)
    assert segmented["statements"] == 10 and segmented["procedural"] >= 10
    first = embed_new_segments(db, config)
    assert first["new_embeddings"] == first["unique_texts"] > 10 and first["cached"] == 0
    again = embed_new_segments(db, config)
    assert again["new_embeddings"] == 0 and again["cached"] == first["unique_texts"]
    annotated = annotate_segments(db, config)
    assert annotated["tagged_segments"] > 0 and annotated["with_stance"] > 0
    topics = discover_corpus_topics(db, config.model_copy(update={
        "analysis": config.analysis.model_copy(update={"topic_min_size": 3})}))
    assert topics["segments"] == first["unique_texts"]

    # a new session: only its statements are segmented and only its new texts embedded
    make_corpus(sample_dir / "oewg-2023-5", small_corpus / "later", ["rus.txt", "usa.txt"])
    with open_store(db) as store:
        report = ingest_folder(small_corpus, store, run_id="r2")
    assert report.ingested == 2 and report.unchanged == 10
    assert segment_new_statements(db, config)["statements"] == 2
    second = embed_new_segments(db, config)
    assert 0 < second["new_embeddings"] < first["new_embeddings"]
    assert second["cached"] == first["unique_texts"]

    with open_store(db) as store:
        annotations = dict(store.con.execute(
            "SELECT s.source, a.on_behalf_detected FROM statement_annotations a JOIN statements s "
            "ON s.id = a.statement_id").fetchall())
        languages = dict(store.con.execute(
            "SELECT s.source, a.language_detected FROM statement_annotations a JOIN statements s "
            "ON s.id = a.statement_id").fetchall())
    assert annotations["eu_fin.txt"] == "EU"
    assert languages["sen.txt"] == "fr" and languages["mex.txt"] == "es"


def test_changing_the_model_reembeds(seeded_db, small_corpus):
    from nlp.embeddings import default_model_path

    db = str(seeded_db)
    config = PipelineConfig()
    with open_store(db) as store:
        ingest_folder(small_corpus, store, run_id="r1")
    segment_new_statements(db, config)
    first = embed_new_segments(db, config)
    other = config.model_copy(update={"embedding": config.embedding.model_copy(
        update={"model": str(default_model_path())})})
    second = embed_new_segments(db, other)
    assert second["model_key"] != first["model_key"]
    assert second["new_embeddings"] == first["new_embeddings"]


def test_tagging_is_incremental_follows_new_versions_and_settings(seeded_db, small_corpus):
    db = str(seeded_db)
    config = PipelineConfig()

    def advance():
        with open_store(db) as store:
            ingest_folder(small_corpus, store, run_id="r")
        segment_new_statements(db, config)
        embed_new_segments(db, config)

    advance()
    first = annotate_segments(db, config)
    assert first["statements"] == 10 and first["total_tags"] == first["tags"] > 0
    assert annotate_segments(db, config)["statements"] == 0  # nothing new: nothing scored

    # a corrected statement becomes a new version: only it is tagged; the old version's tags go
    usa = small_corpus / "usa.txt"
    usa.write_text(usa.read_text(encoding="utf-8") + "\n\nWe support a binding treaty on "
                   "ransomware attacks against hospitals.\n", encoding="utf-8")
    advance()
    corrected = annotate_segments(db, config)
    assert corrected["statements"] == 1
    with open_store(db) as store:
        stale = store.con.execute(
            "SELECT count(*) FROM segment_issues i JOIN statements s ON s.id = i.statement_id "
            "WHERE s.superseded_by IS NOT NULL").fetchall()[0][0]
        current = store.con.execute(
            "SELECT count(*) FROM statements WHERE superseded_by IS NULL").fetchall()[0][0]
    assert stale == 0 and current == 10

    # other tagging settings: everything is tagged again
    stricter = config.model_copy(update={"analysis": config.analysis.model_copy(
        update={"stance_margin": 0.4})})
    assert annotate_segments(db, stricter)["statements"] == 10

    # topics are clustered again only when the segments change
    topic_config = config.model_copy(update={"analysis": config.analysis.model_copy(
        update={"topic_min_size": 3})})
    assert "skipped" not in discover_corpus_topics(db, topic_config)
    assert discover_corpus_topics(db, topic_config)["skipped"] == "segments unchanged"


def test_group_references_are_read_again_when_the_detector_changes(seeded_db, small_corpus):
    """Stored references found by an older detector (here a stale false "NAM", as "Viet Nam"
    used to give) are corrected by the next segmentation, without segmenting again."""
    db = str(seeded_db)
    config = PipelineConfig()
    with open_store(db) as store:
        ingest_folder(small_corpus, store, run_id="r1")
    segment_new_statements(db, config)
    with open_store(db) as store:
        truth = dict(store.con.execute(
            "SELECT statement_id, on_behalf_detected FROM statement_annotations").fetchall())
        victim = sorted(sid for sid, code in truth.items() if code != "NAM")[0]
        store.con.execute("UPDATE statement_annotations SET on_behalf_detected = 'NAM' "
                          "WHERE statement_id = ?", [victim])
        segments = store.con.execute("SELECT count(*) FROM segments").fetchall()[0][0]
    # the detector that found them is the current one: nothing is read again
    assert segment_new_statements(db, config)["statements"] == 0
    with open_store(db) as store:
        assert store.con.execute("SELECT on_behalf_detected FROM statement_annotations WHERE "
                                 "statement_id = ?", [victim]).fetchall()[0][0] == "NAM"
        store.con.execute("UPDATE analysis_state SET fingerprint = 'older detector' "
                          "WHERE stage = ?", [GROUPS_STAGE])
    assert segment_new_statements(db, config)["statements"] == 0
    with open_store(db) as store:
        again = dict(store.con.execute(
            "SELECT statement_id, on_behalf_detected FROM statement_annotations").fetchall())
        assert store.con.execute("SELECT count(*) FROM segments").fetchall()[0][0] == segments
        details = stage_state(store, GROUPS_STAGE)
    assert again == truth
    assert details is not None and details[1]["changed"] == 1


def test_general_debate_speeches_speak_for_no_group(seeded_db, tmp_path):
    """The same opening is a group statement in a working group and a national speech in the
    General Debate, where a head of state recalls what they did "on behalf of" a group they
    chaired; an explicit group in the metadata still holds there."""
    opening = ("On behalf of the African Union, which my country chaired last year, I thank "
               "the Secretary-General.\n\nWe support a binding treaty on ransomware.\n")
    corpus = tmp_path / "gd"
    corpus.mkdir()
    (corpus / "metadata.csv").write_text(
        "file,state,forum,session,date,on_behalf_of\n"
        "oewg.txt,GNQ,OEWG,OEWG-2019-1,2019-09-09,\n"
        "gd.txt,GNQ,UNGA-GD,UNGA-74,2019-09-01,\n"
        "gd_group.txt,EGY,UNGA-GD,UNGA-74,2019-09-01,AU\n", encoding="utf-8")
    for i, name in enumerate(("oewg.txt", "gd.txt", "gd_group.txt")):
        (corpus / name).write_text(opening + f"\nParagraph {i} of its own.\n", encoding="utf-8")
    db = str(seeded_db)
    with open_store(db) as store:
        ingest_folder(corpus, store, run_id="r1")
    segment_new_statements(db, PipelineConfig())
    with open_store(db) as store:
        found = dict(store.con.execute(
            "SELECT s.forum || ':' || s.on_behalf_of, a.on_behalf_detected FROM statements s "
            "JOIN statement_annotations a ON a.statement_id = s.id").fetchall())
    assert found == {"OEWG:": "AU", "UNGA-GD:": "", "UNGA-GD:AU": ""}
