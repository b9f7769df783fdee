"""Issue 14 items 2, 5, 11, 12: one bad file never stops the others; every entry is accounted for.

One folder holds good statements beside each hostile file; a single ``likeminded ingest`` must
store the good ones, quarantine each bad one with a one-line reason naming it, and add up.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from tests.hostile.builders import (
    corrupt_crc,
    document_xml,
    docx_bytes,
    paragraph,
    pdf_with_stream,
    with_compression_method,
)
from tests.hostile.helpers import GOOD_TEXT, adds_up, front_matter, ingest, reasons

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">'
                            for n in range(1, 10))
                  + ']>')


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, prefect_harness) -> tuple[Path, dict, str]:
    folder = tmp_path_factory.mktemp("hostile-folder")
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text(front_matter("The password file content must never be read: " * 3))
    good = front_matter()
    (folder / "good.txt").write_text(good)
    (folder / "good2.md").write_text(front_matter(GOOD_TEXT.replace("first", "main"),
                                                  state="Ghana"))
    (folder / "bad_xml.docx").write_bytes(docx_bytes(b"<w:document><w:body><w:p>"))
    (folder / "encrypted_part.docx").write_bytes(
        docx_bytes(document_xml(paragraph(GOOD_TEXT)), flag_bits=1))
    (folder / "deflate64.docx").write_bytes(with_compression_method(
        docx_bytes(document_xml(paragraph(GOOD_TEXT))), "word/document.xml", 9))
    (folder / "bad_crc.docx").write_bytes(corrupt_crc(
        docx_bytes(document_xml(paragraph(GOOD_TEXT)), compression=zipfile.ZIP_STORED),
        b"Capacity"))
    entities = BILLION_LAUGHS.encode() + document_xml(paragraph("&lol9;" + GOOD_TEXT))[38:]
    (folder / "entities.docx").write_bytes(docx_bytes(entities))
    (folder / "bomb.pdf").write_bytes(pdf_with_stream(b" " * 3_000_000))
    (folder / "impossible_date.md").write_text(front_matter(date="2024-02-30"))
    (folder / "huge_integer.md").write_text(front_matter(session="9" * 5000))
    (folder / "nested_lists.md").write_text(front_matter(title="[" * 10_000 + "]" * 10_000))
    sub = folder / "described"
    sub.mkdir()
    (sub / "long_title.txt").write_text(GOOD_TEXT + " Long title.")
    (sub / "ok.txt").write_text(GOOD_TEXT + " Described by the CSV.")
    (sub / "metadata.csv").write_text(
        "file,state,forum,session,date,title\n"
        f"long_title.txt,Chile,OEWG,OEWG-2024-8,2024-07-09,{'x' * 140_000}\n"
        "ok.txt,Chile,OEWG,OEWG-2024-8,2024-07-09,fine\n")
    fd = os.open(bytes(folder) + b"/caf\xe9.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, front_matter(GOOD_TEXT + " Latin-1 name.").encode())
    os.close(fd)
    (folder / "esc\x1b[31mred\nquarantined: forged.txt").write_text(
        front_matter(GOOD_TEXT + " Escape codes in the name."))
    (folder / "link_out.txt").symlink_to(outside)
    (folder / "link_in.txt").symlink_to(folder / "good.txt")
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    (folder / "README.md").write_text("# notes\n")
    (folder / "stray.csv").write_text("a,b\n1,2\n")
    config = folder.parent / "limits.yaml"
    config.write_text("ingest:\n  max_decompressed_bytes: 1000000\n")
    db = folder.parent / "hostile.duckdb"
    code, document, stderr = ingest(folder, db, "--config", str(config))
    assert code == 0, stderr
    return folder, document, stderr


def test_the_good_files_are_ingested_and_the_counts_add_up(hostile):
    _, document, _ = hostile
    assert adds_up(document)
    # good.txt, good2.md, ok.txt and the escaped name; link_in has the same text as good.txt
    assert document["ingested"] == 4, [q["reason"] for q in document["quarantine"]]
    assert document["duplicates"] == 1


@pytest.mark.parametrize(("source", "expected"), [
    ("bad_xml.docx", "corrupt or unreadable .docx (malformed XML"),
    ("encrypted_part.docx", "encrypted"),
    ("deflate64.docx", "unsupported compression"),
    ("bad_crc.docx", "BadZipFile"),
    ("entities.docx", "entity amplification"),
    ("bomb.pdf", "corrupt or unreadable PDF (LimitReachedError"),
    ("impossible_date.md", "field 'date' must be a date YYYY-MM-DD; got '2024-02-30'"),
    ("huge_integer.md", "field 'session'"),
    ("nested_lists.md", "front matter"),
    ("described/long_title.txt", "over the limit of 10,000 (ingest.max_field_chars)"),
    ("caf\\xe9.txt", "file name is not valid UTF-8"),
    ("link_out.txt", "outside the ingested folder; refused"),
    ("dangling.txt", "broken symbolic link"),
])
def test_each_bad_file_is_quarantined_with_a_one_line_reason_naming_it(hostile, source,
                                                                       expected):
    _, document, _ = hostile
    reason = reasons(document)[source]
    assert reason.startswith(source) and expected in reason
    assert "\n" not in reason and len(reason) < 400


def test_no_file_outside_the_folder_is_read(hostile):
    folder, _, _ = hostile
    from corpora.store import Store

    with Store(folder.parent / "hostile.duckdb", read_only=True) as store:
        texts = " ".join(r["text"] for r in store.current_statements(columns=("text",)))
    assert "password" not in texts


def test_names_are_escaped_everywhere(hostile):
    folder, document, _ = hostile
    sources = [q["source"] for q in document["quarantine"]] + document["ignored_files"]
    assert all("\x1b" not in s and "\n" not in s for s in sources)
    from corpora.store import Store

    with Store(folder.parent / "hostile.duckdb", read_only=True) as store:
        stored = [r["source"] for r in store.current_statements(columns=("source",))]
    assert "esc\\x1b[31mred\\x0aquarantined: forged.txt" in stored


def test_plain_output_has_no_raw_control_characters_and_no_forged_lines(hostile, tmp_path):
    from typer.testing import CliRunner

    from pipelines.cli.app import app

    folder, _, _ = hostile
    result = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert not any(line.startswith("quarantined: forged") for line in result.output.splitlines())


def test_non_statement_files_are_ignored_alike_and_listed(hostile):
    _, document, _ = hostile
    assert {"README.md", "stray.csv"} <= set(document["ignored_files"])
    # a metadata.csv describes the folder: read, and neither a statement nor "ignored"
    assert not any(f.endswith("metadata.csv") for f in document["ignored_files"])
    assert document["ignored"] == len(document["ignored_files"])
    assert "stray.csv" not in reasons(document)


def test_ingest_ungdc_refuses_a_link_out_of_the_corpus(tmp_path, prefect_harness):
    from typer.testing import CliRunner

    from pipelines.cli.app import app

    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 5)
    corpus = tmp_path / "ungdc" / "Session 72 - 2017"
    corpus.mkdir(parents=True)
    (corpus / "USA_72_2017.txt").symlink_to(secret)
    (corpus / "KEN_72_2017.txt").write_text("Kenya speaks on capacity building and norms. " * 3)
    db = tmp_path / "lm.duckdb"
    result = CliRunner().invoke(app, ["ingest-ungdc", str(tmp_path / "ungdc"), "--db", str(db),
                                      "--json"])
    assert result.exit_code == 0, result.output
    document = __import__("json").loads(result.stdout)
    assert document["ingested"] == 1 and adds_up(document)
    assert "symbolic link that leaves the corpus" in reasons(document)[
        "Session 72 - 2017/USA_72_2017.txt"]


def test_a_file_swapped_for_a_link_after_listing_is_not_followed(tmp_path):
    from corpora.errors import InputError
    from corpora.readers import read_document

    outside = tmp_path / "outside.txt"
    outside.write_text(front_matter("Text from outside the folder must never be read here."))
    link = tmp_path / "statement.txt"
    link.symlink_to(outside)
    with pytest.raises(InputError, match="cannot read file"):
        read_document(link, source="statement.txt", follow_symlinks=False)
