"""Issue 14 items 3 and 8: bounded work for small inputs, and no lost text.

Each cap is exercised with a small file and a small limit in the configuration (the caps are
keys of ``ingest`` and ``votes``), so the test proves the cap triggers without allocating much.
"""

from __future__ import annotations

import gzip
import time

import pytest
from typer.testing import CliRunner

from corpora.store import Store
from pipelines.cli.app import app
from tests.hostile.builders import document_xml, docx_bytes, paragraph, pdf_with_stream, text_stream
from tests.hostile.helpers import GOOD_TEXT, adds_up, front_matter, ingest, reasons, write_config

ALIAS_BOMB = ("---\nstate: Kenya\nforum: OEWG\nsession: OEWG-2024-8\ndate: 2024-07-09\n"
              "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
              + "".join(f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n"
                        for n in range(8))
              + "---\n" + GOOD_TEXT + "\n")


@pytest.fixture(scope="module")
def limited(tmp_path_factory, prefect_harness):
    folder = tmp_path_factory.mktemp("limits")
    (folder / "good.txt").write_text(front_matter())
    (folder / "alias_bomb.md").write_text(ALIAS_BOMB)
    (folder / "many_paragraphs.docx").write_bytes(
        docx_bytes(document_xml("<w:p/>" * 1_500 + paragraph(GOOD_TEXT))))
    (folder / "inflating.docx").write_bytes(
        docx_bytes(document_xml(paragraph(GOOD_TEXT) + " " * 2_000_000)))
    (folder / "pages.pdf").write_bytes(pdf_with_stream(text_stream(GOOD_TEXT), pages=30))
    (folder / "deep.html").write_bytes(b"<html><body>" + b"<div>" * 100_000 + b"deep text"
                                       + b"</div>" * 100_000 + b"</body></html>")
    (folder / "p_soup.html").write_bytes(b"<p>" * 100_000 + b"text" + b"</p>" * 100_000)
    (folder / "long.txt").write_text(front_matter("Cyber norms matter. " * 150))
    (folder / "mixed.html").write_text(
        "<html><head><title>skip me</title><style>p{}</style></head><body>Text directly in "
        "the body about capacity building.<div>A div about the points of contact directory."
        "</div><h2>Heading on norms</h2><p>A paragraph on international law.</p></body></html>")
    import docx

    document = docx.Document()
    document.add_paragraph("A paragraph before the table on confidence-building measures.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Cell on ransomware and critical infrastructure."
    table.cell(0, 1).text = "Cell on undersea cables."
    document.save(folder / "tables.docx")
    many = folder / "many_rows"
    many.mkdir()
    (many / "listed.txt").write_text(GOOD_TEXT + " Listed in a long metadata.csv.")
    (many / "metadata.csv").write_text("file,state,forum,session,date\n" + "".join(
        f"listed{'' if n == 0 else n}.txt,Kenya,OEWG,OEWG-2024-8,2024-07-09\n"
        for n in range(30)).replace("listed.txt", "listed.txt", 1))
    (folder / "metadata.csv").write_text(
        "file,state,forum,session,date\n" + "".join(
            f"{name},Chile,OEWG,OEWG-2024-8,2024-07-09\n" for name in (
                "many_paragraphs.docx", "inflating.docx", "pages.pdf", "deep.html",
                "p_soup.html", "mixed.html", "tables.docx")))
    config = write_config(folder.parent / "caps.yaml", max_chars=2_000, max_paragraphs=1_000,
                          max_decompressed_bytes=1_000_000, max_pages=10, max_nesting=100,
                          max_metadata_rows=20)
    db = folder.parent / "limits.duckdb"
    started = time.perf_counter()
    code, document, stderr = ingest(folder, db, "--config", str(config))
    assert code == 0, stderr
    return folder, db, document, time.perf_counter() - started


@pytest.mark.parametrize(("source", "expected"), [
    ("alias_bomb.md", "aliases are not allowed"),
    ("many_paragraphs.docx", "(ingest.max_paragraphs)"),
    ("inflating.docx", "(ingest.max_decompressed_bytes)"),
    ("pages.pdf", "pages 30 is over the limit of 10 (ingest.max_pages)"),
    ("deep.html", "nesting depth of HTML elements 101 is over the limit of 100 "
                  "(ingest.max_nesting)"),
    ("p_soup.html", "(ingest.max_paragraphs)"),
    ("long.txt", "(ingest.max_chars)"),
    ("many_rows/metadata.csv", "rows 21 is over the limit of 20 (ingest.max_metadata_rows)"),
    ("many_rows/listed.txt", "no metadata"),
])
def test_each_cap_quarantines_with_a_reason_naming_its_key(limited, source, expected):
    _, _, document, _ = limited
    assert expected in reasons(document)[source]


def test_bounded_work_and_the_counts_add_up(limited):
    _, _, document, seconds = limited
    assert adds_up(document) and document["ingested"] == 3, document["quarantine"]
    assert seconds < 20  # the same inputs took minutes and gigabytes before the caps


def test_text_in_divs_body_and_docx_tables_is_kept(limited):
    _, db, _, _ = limited
    with Store(db, read_only=True) as store:
        texts = {r["source"]: r["text"] for r in store.current_statements(
            columns=("source", "text"))}
    assert texts["mixed.html"].split("\n\n") == [
        "Text directly in the body about capacity building.",
        "A div about the points of contact directory.", "Heading on norms",
        "A paragraph on international law."]
    assert "skip me" not in texts["mixed.html"]
    assert texts["tables.docx"].split("\n\n") == [
        "A paragraph before the table on confidence-building measures.",
        "Cell on ransomware and critical infrastructure.", "Cell on undersea cables."]


def test_a_votes_gzip_bomb_stops_at_the_cap(tmp_path):
    from corpora.errors import InputError
    from corpora.votes import read_votes

    bomb = tmp_path / "votes.csv.gz"
    bomb.write_bytes(gzip.compress(b"rcid,country_code,vote\n" + b"1,USA,1\n" * 400_000))
    assert bomb.stat().st_size < 50_000
    with pytest.raises(InputError, match=r"over the limit of 1,000,000 bytes"):
        read_votes(bomb, max_bytes=1_000_000)
    db = tmp_path / "lm.duckdb"
    Store(db).close()
    config = tmp_path / "votes.yaml"
    config.write_text("votes:\n  max_bytes: 1000000\n")
    result = CliRunner().invoke(app, ["validate-votes", str(bomb), "--db", str(db),
                                      "--config", str(config)])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1, result.output
    assert "(decompressed; votes.max_bytes)" in result.stderr
