import codecs
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpora.errors import InputError
from corpora.model import Statement, normalise_forum, normalise_text, statement_id
from corpora.readers import decode_bytes, read_document, split_front_matter

TEXT = "Merci, Monsieur le Président. La coopération régionale est essentielle ; l’Afrique aussi."


@pytest.mark.parametrize(("data", "encoding"), [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("utf-16"), "utf-16"),
    (TEXT.encode("cp1252"), "cp1252"),
    (TEXT.replace("’", "'").encode("latin-1"), "cp1252"),
])
def test_decode_tries_utf8_utf16_then_cp1252(data, encoding):
    text, used = decode_bytes(data, source="x.txt")
    assert used == encoding
    assert "Président" in text


def test_latin1_fallback_for_bytes_cp1252_cannot_decode():
    # 0x81 is undefined in cp1252 but valid latin-1
    text, used = decode_bytes("Président".encode("latin-1") + b"\x81 ok", source="x.txt")
    assert used == "latin-1"
    assert text.startswith("Président")


def test_binary_is_refused_with_the_file_named():
    with pytest.raises(InputError, match=r"junk\.bin: binary"):
        decode_bytes(b"\x00\x01\x02" * 100, source="junk.bin")


def test_front_matter_is_split_and_lowercased():
    meta, body = split_front_matter("---\nState: Kenya\ndate: 2024-07-09\n---\nBody text.\n",
                                    source="a.md")
    assert meta == {"state": "Kenya", "date": "2024-07-09"}
    assert body == "Body text.\n"


def test_front_matter_that_is_not_a_mapping_is_refused():
    with pytest.raises(InputError, match="front matter must be a mapping"):
        split_front_matter("---\n- a\n- b\n---\nbody", source="a.md")


def test_html_reader_drops_scripts(tmp_path):
    path = tmp_path / "s.html"
    path.write_text("<html><head><script>alert(1)</script></head><body><p>Capacity building "
                    "matters to every delegation here.</p><p>Second paragraph.</p></body></html>")
    document = read_document(path)
    assert "alert" not in document.text
    assert document.text.split("\n\n") == ["Capacity building matters to every delegation here.",
                                           "Second paragraph."]


def test_size_cap(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000)
    with pytest.raises(InputError, match="over the size cap") as info:
        read_document(path, max_bytes=1000)
    assert info.value.field == "file"


def test_statement_id_ignores_whitespace_and_line_endings():
    a = statement_id(text="One para.\r\n\r\nTwo  para. ", state="CHL", session="S-1", forum="OEWG")
    b = statement_id(text="One para.\n\nTwo para.", state="CHL", session="S-1", forum="OEWG")
    c = statement_id(text="One para.\n\nTwo para.", state="PER", session="S-1", forum="OEWG")
    assert a == b != c


def test_statement_create_normalises_forum_and_hashes():
    s = Statement.create(text="Some text here", state="CHL", forum="first committee",
                         session="UNGA-C1-76", date=dt.date(2021, 10, 20), source="a.txt")
    assert s.forum == "UNGA-C1"
    assert len(s.id) == 16 and len(s.content_hash) == 64


def test_unknown_forum_lists_valid_ones():
    with pytest.raises(ValueError, match="forum must be one of OEWG"):
        normalise_forum("Security Council")


@given(st.text())
def test_normalise_text_is_idempotent(text):
    once = normalise_text(text)
    assert normalise_text(once) == once
