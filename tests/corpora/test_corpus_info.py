"""A corpus folder's corpus.yaml: read and validated, recorded per document at ingest, and
reported for the current statements only."""

import pytest

from corpora.corpus_info import read_corpus_info
from corpora.errors import InputError
from corpora.ingest import ingest_folder
from corpora.store import Store

STATEMENT = "---\nstate: KEN\nforum: OEWG\nsession: S1\ndate: 2024-07-08\n---\n{}\n"


def _corpus(root, texts, yaml_text=None):
    root.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (root / name).write_text(STATEMENT.format(text), encoding="utf-8")
    if yaml_text is not None:
        (root / "corpus.yaml").write_text(yaml_text, encoding="utf-8")
    return root


def test_the_sample_declares_itself_illustrative(sample_dir):
    info = read_corpus_info(sample_dir)
    assert info.illustrative and info.name and "not" in info.note.lower()


@pytest.mark.parametrize(("text", "field"), [
    ("illustrative: yes please\n", "illustrative"),
    ("illustrative: true\nsource: x\n", "source"),
    ("- a\n- b\n", "file"),
    ("name: [1, 2]\n", "name")])
def test_an_invalid_corpus_yaml_is_an_error_naming_the_field(tmp_path, text, field):
    (tmp_path / "corpus.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_corpus_info(tmp_path)
    assert err.value.field == field and "corpus.yaml" in str(err.value)


def test_ingest_records_the_flag_per_document_and_counts_current_statements(tmp_path):
    one, two = (f"An invented statement, number {n}, for this test." for n in ("one", "two"))
    demo = _corpus(tmp_path / "demo", {"a.md": one, "b.md": two},
                   "name: demo corpus\nillustrative: true\n")
    real = _corpus(tmp_path / "real", {"c.md": "A statement standing for a real one here."})
    with Store(tmp_path / "lm.duckdb") as store:
        report = ingest_folder(demo, store, run_id="r1")
        assert report.ingested == 2 and report.ignored == 0  # corpus.yaml is no statement
        ingest_folder(real, store, run_id="r2")
        assert store.illustrative_summary() == {"statements": 2, "corpora": ["demo corpus"],
                                                "notes": []}
        # the folder no longer declares itself illustrative: its documents are real now
        (demo / "corpus.yaml").write_text("illustrative: false\n", encoding="utf-8")
        ingest_folder(demo, store, run_id="r3")
        assert store.illustrative_summary()["statements"] == 0
