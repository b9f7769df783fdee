"""The stance DEVELOPMENT set (benchmarks/data/stance_dev.yaml): it loads with the same scorer as
the independent set, follows the schema, covers both sides of every contested issue, and shares no
text with the independent (test) set, so tuning on it cannot leak into the reported numbers."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from benchmarks.bench_stance_independent import by_unit_and_language
from benchmarks.stance_eval import (
    CONTESTED_ISSUES,
    DEFAULT_PATH,
    DEV_PATH,
    SETS,
    EvalItem,
    EvalSetError,
    format_counts,
    load_items,
)


@pytest.fixture(scope="module")
def dev() -> list[EvalItem]:
    return load_items(DEV_PATH)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _sentences(text: str) -> int:
    # The same rough count as the independent set's test: a stop followed by a capital.
    return len(re.split(r"(?<!Mr\.)(?<!Mrs\.)(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚÀÈÇ¿¡])", text))


def test_sets_are_named_and_distinct():
    assert SETS == {"independent": DEFAULT_PATH, "dev": DEV_PATH}
    assert DEV_PATH != DEFAULT_PATH


def test_dev_set_follows_the_schema_and_is_marked_as_development(dev):
    assert all(it.id.startswith("dev-") for it in dev)
    header = DEV_PATH.read_text(encoding="utf-8")[:3000]
    assert "DEVELOPMENT" in header and "stance_independent.yaml" in header
    lengths = {it.id: _sentences(it.text) for it in dev if it.unit == "paragraph"}
    bad = {k: n for k, n in lengths.items() if not 3 <= n <= 6}
    assert not bad, f"paragraphs must have 3-6 sentences: {bad}"
    assert f"| {len(dev)} |" in format_counts(dev)


def test_dev_set_has_both_sides_of_every_issue_and_neutral_texts(dev):
    cells = Counter((it.issue, it.side, it.unit) for it in dev)
    for issue in CONTESTED_ISSUES:
        for side in (-1, 1):
            assert cells[(issue, side, "sentence")] >= 10, (issue, side)
            assert cells[(issue, side, "paragraph")] >= 5, (issue, side)
    assert sum(1 for it in dev if it.side == 0) >= 60
    for lang in ("es", "fr"):
        in_lang = [it for it in dev if it.lang == lang]
        assert len(in_lang) >= 30, lang
        assert {it.side for it in in_lang} == {-1, 0, 1}, lang
        assert {it.issue for it in in_lang if it.positioned} == set(CONTESTED_ISSUES), lang


def test_dev_set_shares_no_id_or_text_with_the_independent_set(dev):
    test_items = load_items(DEFAULT_PATH)
    assert not {it.id for it in dev} & {it.id for it in test_items}
    test_texts = {_norm(it.text) for it in test_items}
    shared = [it.id for it in dev if _norm(it.text) in test_texts]
    assert not shared, f"dev items whose text is also in the independent set: {shared}"


def test_a_dev_prefixed_id_must_still_name_the_right_unit(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nitems:\n  - {id: dev-p-bi-001, unit: sentence, lang: en, "
                    "issue: null, side: 0, phenomena: [], text: A text.}\n", encoding="utf-8")
    with pytest.raises(EvalSetError, match=r"dev-p-bi-001.*'unit'"):
        load_items(path)
    path.write_text(path.read_text().replace("dev-p-", "test-p-"), encoding="utf-8")
    with pytest.raises(EvalSetError, match="field 'id'"):
        load_items(path)


def test_unit_by_language_cells_score_each_subset_alone():
    items = [EvalItem("dev-s-bi-001", "sentence", "en", "binding_instrument", -1, (), "a"),
             EvalItem("dev-s-bi-002", "sentence", "es", "binding_instrument", 1, (), "b"),
             EvalItem("dev-p-nn-001", "paragraph", "es", None, 0, (), "c")]
    cells = by_unit_and_language(items, {"dev-s-bi-001": -1, "dev-s-bi-002": 0,
                                         "dev-p-nn-001": 1})
    assert list(cells) == ["sentence/en", "sentence/es", "paragraph/es"]
    assert cells["sentence/en"]["accuracy"] == 1.0
    assert cells["sentence/es"]["accuracy"] == 0.0 and cells["sentence/es"]["coverage"] == 0.0
    assert cells["paragraph/es"]["neutral_abstention"] == 0.0
    assert cells["paragraph/es"]["n_positioned"] == 0


def test_readme_counts_table_matches_the_dev_set(dev):
    readme = (DEV_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert format_counts(dev) in readme, (
        "benchmarks/data/README.md is stale: paste `python benchmarks/stance_eval.py dev` output")


def test_the_packaged_copy_is_the_dev_set_and_trains_the_taxonomy(dev):
    """The taxonomy trains on ``nlp/data/stance_dev.yaml``; it must be the development set
    itself (never the independent set, never a drifted copy), sentences only."""
    from importlib import resources

    from nlp.taxonomy import load_taxonomy

    packaged = resources.files("nlp").joinpath("data/stance_dev.yaml").read_bytes()
    assert packaged == DEV_PATH.read_bytes()
    examples = {text for issue in load_taxonomy().contested for text, _ in issue.stance_examples()}
    sentences = [it for it in dev if it.issue is not None and it.unit == "sentence"]
    assert sentences and all(it.text in examples for it in sentences)
    assert not any(it.text in examples for it in dev if it.unit == "paragraph")
    assert not any(it.text in examples for it in load_items(DEFAULT_PATH))
