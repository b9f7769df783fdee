"""The UN General Debate Corpus reader, on a small tree written here (dummy speeches)."""

import codecs
import datetime as dt
import shutil
import tarfile

import pytest

from corpora.errors import InputError
from corpora.store import Store
from corpora.ungdc import (
    ingest_ungdc,
    parse_ungdc_name,
    parse_years,
    read_ungdc_statements,
    session_year,
    source_fingerprint,
)

SPEECHES = {
    "Session 72 - 2017/USA_72_2017.txt": "Mr. President, our delegation believes that existing "
    "international law applies in cyberspace. We will keep working with partners.",
    "Session 72 - 2017/KEN_72_2017.txt": "Kenya calls for capacity building so that every state "
    "can protect its networks. Cooperation is the only way forward.",
    "Session 72 - 2017/EU_72_2017.txt": "The European Union stands for an open, free and secure "
    "cyberspace. Human rights apply online as they do offline.",
    "Session 72 - 2017/usa-72-2017.txt": "A file whose name does not follow the pattern at all.",
    "Session 73 - 2018/FRA_73_2018.txt": "France proposes a programme of action to implement the "
    "agreed norms. Responsible behaviour must become routine.",
    "Session 73 - 2018/DEU_73_2018.txt": "France proposes a programme of action to implement the "
    "agreed norms. Responsible behaviour must become routine.",
    "Session 73 - 2018/CHN_72_2017.txt": "A speech filed in the folder of another session; "
    "it must not be stored under the wrong one.",
    "Session 73 - 2018/GBR_73_2019.txt": "Session 73 was held in 2018, so this name is wrong "
    "and the file is quarantined.",
    "Session 73 - 2018/GHA_73_2018.txt": "   ",
    "Session 25 - 1970/YUG_25_1970.txt": "A speech by a state that no longer exists; its code "
    "is not a current ISO code.",
    "Session 73 - 2018/README.txt": "Texts of the general debate, session 73.",
    "Speakers_by_session.xlsx": "not a speech",
    ".DS_Store": "finder metadata",
}
QUARANTINED = {
    "Session 72 - 2017/usa-72-2017.txt": "malformed file name",
    "Session 73 - 2018/CHN_72_2017.txt": "but it is in folder 'Session 73 - 2018'",
    "Session 73 - 2018/GBR_73_2019.txt": "session 73 does not match year 2019",
    "Session 73 - 2018/GHA_73_2018.txt": "empty file",
    "Session 25 - 1970/YUG_25_1970.txt": "(a former state: Yugoslavia",
}


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "ungdc"
    for relative, text in SPEECHES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if relative.endswith("USA_72_2017.txt"):
            data = codecs.BOM_UTF8 + data
        path.write_bytes(data)
    return root


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "lm.duckdb") as s:
        yield s


def test_tree_is_mapped_to_general_debate_statements(tree, store):
    report = ingest_ungdc(tree, store, run_id="r1")
    assert (report.ingested, report.duplicates, report.quarantined) == (4, 1, 5)
    assert report.ignored == 3  # README.txt, the spreadsheet, .DS_Store
    assert report.seen == report.ingested + report.unchanged + report.duplicates + \
        report.quarantined
    reasons = {q.source: q.reason for q in report.quarantine}
    assert set(reasons) == set(QUARANTINED)
    for source, expected in QUARANTINED.items():
        assert expected in reasons[source] and reasons[source].startswith(source)
    # files are taken in sorted order, so the first of two identical texts is the one stored
    [duplicate] = report.duplicate_list
    assert duplicate.source == "Session 73 - 2018/FRA_73_2018.txt"
    assert duplicate.duplicate_of == "Session 73 - 2018/DEU_73_2018.txt"
    assert report.encodings == {"utf-8": 4, "utf-8-sig": 1}
    rows = {r["state"]: r for r in store.current_statements()}
    assert set(rows) == {"USA", "KEN", "EU", "DEU"}
    usa = rows["USA"]
    assert (usa["forum"], usa["session"], usa["date"]) == ("UNGA-GD", "UNGA-72",
                                                           dt.date(2017, 9, 1))
    assert usa["language"] == "en" and usa["encoding"] == "utf-8-sig"
    assert usa["text"].startswith("Mr. President") and usa["document"] == "UNGDC/USA_72_2017"
    assert usa["source"] == "Session 72 - 2017/USA_72_2017.txt"
    assert rows["EU"]["session"] == "UNGA-72"
    assert {q["source"] for q in store.quarantine()} == set(QUARANTINED)


def test_reingest_and_the_zipped_copy_change_nothing(tree, store, tmp_path):
    first = ingest_ungdc(tree, store, run_id="r1")
    again = ingest_ungdc(tree, store, run_id="r2")
    assert again.ingested == 0 and again.unchanged == first.ingested
    archive = shutil.make_archive(str(tmp_path / "ungdc"), "zip", root_dir=tree)
    zipped = ingest_ungdc(archive, store, run_id="r3")
    assert (zipped.ingested, zipped.unchanged, zipped.duplicates, zipped.quarantined) == \
        (0, 4, 1, 5)
    assert {q.source for q in zipped.quarantine} == {f"ungdc.zip/{s}" for s in QUARANTINED}
    assert store.count_statements(current_only=False) == 4


def test_archives_are_read_like_folders(tree, tmp_path):
    tgz = tmp_path / "UNGDC_1946-2023.tgz"
    with tarfile.open(tgz, "w:gz") as archive:
        archive.add(tree, arcname="UNGDC 1946-2023")
    zipped = shutil.make_archive(str(tmp_path / "z"), "zip", root_dir=tree.parent,
                                 base_dir="ungdc")
    for number, path in enumerate((tgz, zipped)):
        with Store(tmp_path / f"store{number}.duckdb") as fresh:
            report = ingest_ungdc(path, fresh, run_id="a")
            assert (report.ingested, report.duplicates, report.quarantined) == (4, 1, 5), path
            assert report.ignored == 3
            assert sorted(r["document"] for r in fresh.current_statements()) == [
                "UNGDC/DEU_73_2018", "UNGDC/EU_72_2017", "UNGDC/KEN_72_2017",
                "UNGDC/USA_72_2017"]


def test_years_filter_counts_other_years_as_ignored(tree, store):
    report = ingest_ungdc(tree, store, run_id="r", years=parse_years("2018"))
    assert {r["state"] for r in store.current_statements()} == {"DEU"}
    assert report.duplicates == 1
    # the malformed name and the session/year mismatch cannot be placed in a year: quarantined
    assert {q.source.split("/")[1] for q in report.quarantine} == {
        "usa-72-2017.txt", "GBR_73_2019.txt", "GHA_73_2018.txt"}
    assert report.ignored == 3 + 5  # USA, KEN, EU, CHN (2017) and YUG (1970)


def test_a_corrected_text_becomes_a_new_version(tree, store):
    ingest_ungdc(tree, store, run_id="r1")
    (tree / "Session 72 - 2017" / "KEN_72_2017.txt").write_text(
        "Kenya calls for capacity building and for a permanent mechanism. Cooperation matters.")
    report = ingest_ungdc(tree, store, run_id="r2")
    assert (report.ingested, report.new_versions) == (1, 1)
    history = store.statement_history("UNGDC/KEN_72_2017")
    assert [h["version"] for h in history] == [1, 2] and history[1]["superseded_by"] is None


def test_size_cap_quarantines(tree, store):
    report = ingest_ungdc(tree, store, run_id="r", max_bytes=60)
    assert all("size cap" in q.reason for q in report.quarantine
               if q.source not in QUARANTINED)
    assert report.ingested == 0


def test_names_years_and_sessions():
    parsed = parse_ungdc_name("usa_72_2017.txt")
    assert (parsed.code, parsed.session, parsed.year) == ("USA", 72, 2017)
    assert session_year(1) == 1946 and session_year(78) == 2023
    assert parse_years("2013-2023") == frozenset(range(2013, 2024))
    assert parse_years("2015, 2017-2018") == {2015, 2017, 2018}
    for bad in ("2023-2013", "twenty", "1900", "2017-"):
        with pytest.raises(InputError, match="years: expected YYYY"):
            parse_years(bad)
    for bad in ("USA-72-2017.txt", "USA_72_2017.md", "USA_72.txt"):
        with pytest.raises(InputError, match="malformed file name"):
            parse_ungdc_name(bad)


def test_not_a_corpus(tmp_path, store):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01 not an archive")
    with pytest.raises(InputError, match=r"not a folder, \.zip or \.tar"):
        ingest_ungdc(junk, store, run_id="r")
    with pytest.raises(InputError, match="no such folder or archive"):
        ingest_ungdc(tmp_path / "missing", store, run_id="r")


def test_source_fingerprint_of_folder_and_file(tree, tmp_path):
    archive = shutil.make_archive(str(tmp_path / "u"), "zip", root_dir=tree)
    assert len(source_fingerprint(tree)) == 64 and len(source_fingerprint(archive)) == 64
    assert source_fingerprint(tree) != source_fingerprint(archive)


def test_statements_are_read_without_a_store_as_ingestion_would_store_them(tree, store, tmp_path):
    ingest_ungdc(tree, store, run_id="r1")
    stored = {row[0]: row[1] for row in store.con.execute(
        "SELECT document, text FROM statements").fetchall()}
    read = dict(read_ungdc_statements(tree))
    # quarantined files are skipped; the duplicate speech (DEU = FRA) is read under both names
    assert set(read) == {"Session 72 - 2017/USA_72_2017.txt", "Session 72 - 2017/KEN_72_2017.txt",
                         "Session 72 - 2017/EU_72_2017.txt", "Session 73 - 2018/FRA_73_2018.txt",
                         "Session 73 - 2018/DEU_73_2018.txt"}
    for statement in read.values():
        if statement.document in stored:
            assert statement.text == stored[statement.document]
    assert not read["Session 72 - 2017/USA_72_2017.txt"].text.startswith("\ufeff")
    tgz = tmp_path / "ungdc.tar.gz"
    with tarfile.open(tgz, "w:gz") as archive:
        archive.add(tree, arcname="UNGDC")
    only = list(read_ungdc_statements(tgz, members={"UNGDC/Session 72 - 2017/KEN_72_2017.txt"}))
    assert [(name, s.state, s.session) for name, s in only] == [
        ("UNGDC/Session 72 - 2017/KEN_72_2017.txt", "KEN", "UNGA-72")]
    with pytest.raises(InputError, match="no such folder or archive"):
        list(read_ungdc_statements(tmp_path / "missing"))
