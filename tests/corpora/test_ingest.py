import shutil
import subprocess
import sys
from collections import Counter

import pytest

from corpora.groups import default_groups
from corpora.ingest import ingest_folder
from corpora.store import Store


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "lm.duckdb") as s:
        yield s


def test_sample_corpus_meets_its_brief(sample_dir, store):
    report = ingest_folder(sample_dir, store, run_id="r1")
    assert report.quarantined == 0 and report.duplicates == 0
    assert report.seen == report.ingested >= 300
    rows = store.current_statements()
    states = {r["state"] for r in rows}
    assert len(states) >= 40
    sessions = {r["session"] for r in rows}
    assert len(sessions) >= 4
    assert {r["forum"] for r in rows} >= {"OEWG", "UNGA-C1"}
    assert min(r["date"].year for r in rows) == 2019 and max(r["date"].year for r in rows) == 2025
    groups = default_groups()
    regional = {groups.groups_of(s, rows[0]["date"]) and
                next(g for g in groups.groups_of(s, rows[0]["date"])
                     if g in {"AFRICAN_GROUP", "APG", "EEG", "GRULAC", "WEOG"}) for s in states}
    assert regional == {"AFRICAN_GROUP", "APG", "EEG", "GRULAC", "WEOG"}
    on_behalf = Counter(r["on_behalf_of"] for r in rows if r["on_behalf_of"])
    assert sum(on_behalf.values()) >= 5 and {"EU", "NAM", "AFRICAN_GROUP"} <= set(on_behalf)
    languages = Counter(r["language"] for r in rows)
    assert languages["fr"] >= 3 and languages["es"] >= 3


def test_reingest_changes_nothing(sample_dir, store):
    first = ingest_folder(sample_dir, store, run_id="r1")
    second = ingest_folder(sample_dir, store, run_id="r2")
    assert second.ingested == 0 and second.changed_nothing
    assert second.unchanged == first.ingested == second.seen
    assert store.count_statements(current_only=False) == first.ingested


def write_statement(folder, name, text, state="Chile", session="OEWG-2023-5"):
    (folder / name).write_text(text, encoding="utf-8")
    meta = folder / "metadata.csv"
    if not meta.exists():
        meta.write_text("file,state,forum,session,date\n", encoding="utf-8")
    with meta.open("a", encoding="utf-8") as handle:
        handle.write(f"{name},{state},OEWG,{session},2023-07-25\n")


def test_changed_text_creates_a_traceable_new_version(tmp_path, store):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_statement(corpus, "chl.txt", "Capacity building is our first priority in this room.")
    write_statement(corpus, "per.txt", "Critical infrastructure such as hospitals must be spared.",
                    state="Peru")
    first = ingest_folder(corpus, store, run_id="r1")
    old_id = first.statement_ids[0]
    (corpus / "chl.txt").write_text("Capacity building and gender are our priorities.")
    second = ingest_folder(corpus, store, run_id="r2")
    assert (second.ingested, second.new_versions, second.unchanged) == (1, 1, 1)
    history = store.statement_history("chl.txt")
    assert [h["version"] for h in history] == [1, 2]
    assert history[0]["id"] == old_id and history[0]["superseded_by"] == history[1]["id"]
    assert history[1]["superseded_by"] is None
    assert store.count_statements() == 2 and store.count_statements(current_only=False) == 3
    # reverting the file makes the first version current again, without a third row
    (corpus / "chl.txt").write_text("Capacity building is our first priority in this room.")
    third = ingest_folder(corpus, store, run_id="r3")
    assert third.new_versions == 1
    history = store.statement_history("chl.txt")
    assert len(history) == 2 and history[0]["superseded_by"] is None
    assert history[1]["superseded_by"] == history[0]["id"]
    assert store.count_statements() == 2


def test_metadata_fix_is_a_new_version_not_a_duplicate(tmp_path, store):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_statement(corpus, "a.txt", "Ransomware against hospitals must stop, everywhere.",
                    state="Peru")
    ingest_folder(corpus, store, run_id="r1")
    (corpus / "metadata.csv").write_text("file,state,forum,session,date\n"
                                         "a.txt,Chile,OEWG,OEWG-2023-5,2023-07-25\n")
    report = ingest_folder(corpus, store, run_id="r2")
    assert (report.ingested, report.new_versions, report.duplicates) == (1, 1, 0)
    assert [r["state"] for r in store.current_statements()] == ["CHL"]


EXPECTED_BAD = {
    "metadata.csv line 19": "does not exist",
    "metadata.csv line 20": "outside the ingested folder",
    "bad_date.txt": "field 'date' must be a date YYYY-MM-DD",
    "bad_forum.txt": "field 'forum' must be one of",
    "unknown_state.txt": "field 'state' is not a known state",
    "unknown_group.txt": "field 'on_behalf_of' must name a known group",
    "empty.txt": "empty file",
    "whitespace_only.txt": "empty file",
    "junk.txt": "binary content",
    "corrupt.pdf": "corrupt or unreadable PDF",
    "encrypted.pdf": "encrypted PDF",
    "corrupt.docx": "corrupt or unreadable .docx",
    "slides.pptx": "unsupported file type",
    "no_metadata.txt": "no metadata",
    "bad_front_matter.md": "front matter is not valid YAML",
}


def test_every_bad_input_is_quarantined_with_its_reason(sample_bad_dir, store):
    report = ingest_folder(sample_bad_dir, store, run_id="bad")
    reasons = {q.source: q.reason for q in report.quarantine}
    assert set(reasons) == set(EXPECTED_BAD)
    for source, expected in EXPECTED_BAD.items():
        assert expected in reasons[source], source
        assert source.split(" ")[0] in reasons[source]
    assert [d.source for d in report.duplicate_list] == ["good.txt"]
    assert report.ingested == 6
    assert report.seen == report.ingested + report.unchanged + report.duplicates + \
        report.quarantined == 22
    encodings = {r["source"]: r["encoding"] for r in store.current_statements()}
    assert encodings["cp1252.txt"] == "cp1252" and encodings["utf16.txt"] == "utf-16"
    assert encodings["statement.docx"] == "docx"
    stored = {q["source"] for q in store.quarantine()}
    assert stored == set(EXPECTED_BAD)
    # a second pass quarantines the same entries without duplicating rows
    again = ingest_folder(sample_bad_dir, store, run_id="bad2")
    assert again.quarantined == 15 and again.unchanged == 6 and len(store.quarantine()) == 15


def test_size_cap_quarantines_large_files(tmp_path, store):
    corpus = tmp_path / "c"
    corpus.mkdir()
    write_statement(corpus, "big.txt", "Norms matter. " * 500)
    report = ingest_folder(corpus, store, run_id="r", max_bytes=1024)
    assert report.quarantined == 1 and "size cap" in report.quarantine[0].reason


def test_nested_metadata_and_front_matter(tmp_path, store, sample_bad_dir):
    corpus = tmp_path / "c"
    (corpus / "nested").mkdir(parents=True)
    write_statement(corpus / "nested", "x.txt", "A statement in a nested folder about norms.")
    shutil.copy(sample_bad_dir / "front_matter.md", corpus / "fm.md")
    report = ingest_folder(corpus, store, run_id="r")
    assert report.ingested == 2
    rows = {r["source"]: r for r in store.current_statements()}
    assert rows["fm.md"]["state"] == "KEN" and rows["fm.md"]["title"].endswith("(front matter)")
    assert "nested/x.txt" in rows


def test_input_folder_is_never_modified(sample_bad_dir, store):
    before = {p: p.read_bytes() for p in sample_bad_dir.rglob("*") if p.is_file()}
    ingest_folder(sample_bad_dir, store, run_id="r")
    after = {p: p.read_bytes() for p in sample_bad_dir.rglob("*") if p.is_file()}
    assert before == after


def test_second_writer_gets_a_clear_lock_error(tmp_path):
    from corpora.errors import StoreLockedError

    db = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
         " time.sleep(30)", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError, match="in use by another likeminded process"):
            Store(db)
    finally:
        holder.kill()
        holder.wait()
