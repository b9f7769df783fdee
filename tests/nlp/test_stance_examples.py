"""Labelled example files (the taxonomy's ``examples_files``) and the cross-validation harness that
measures what the development set is worth as training data (benchmarks/stance_cv.py)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import yaml

from benchmarks.stance_cv import (
    VARIANTS,
    assign_folds,
    seeds_only_taxonomy_data,
    strata_key,
    taxonomy_data_with,
    training_examples,
)
from benchmarks.stance_eval import DEV_PATH, load_items
from nlp.errors import TaxonomyError
from nlp.stance import StanceModel
from nlp.taxonomy import load_taxonomy, parse_taxonomy


@pytest.fixture(scope="module")
def dev():
    return load_items(DEV_PATH)


MINIMAL = """version: 1
examples_files: [labelled.yaml]
issues:
  - id: binding_instrument
    kind: contested
    label: A new binding instrument
    keywords: [treaty]
    seeds: ["a treaty on cyberspace", "a convention for ICT", "binding rules online"]
    poles:
      minus: {label: existing law, seeds: ["existing law suffices", "no new treaty is needed",
                                           "the current framework is enough"]}
      plus: {label: new treaty, seeds: ["we need a new treaty", "a binding convention is needed",
                                        "negotiate a legally binding instrument"]}
      neutral: {seeds: ["the treaty question was discussed", "delegations spoke on a treaty"]}
  - id: capacity_building
    label: Capacity building
    keywords: [capacity]
    seeds: ["training officials", "building capacity", "technical assistance"]
"""


def _labelled(items: list[dict]) -> str:
    return yaml.safe_dump({"version": 1, "items": items}, allow_unicode=True)


def test_an_examples_file_next_to_a_taxonomy_file_is_read(tmp_path):
    (tmp_path / "taxonomy.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "labelled.yaml").write_text(_labelled([
        {"issue": "binding_instrument", "side": -1, "text": "We see no gap a treaty would fill."},
        {"issue": None, "side": 0, "text": "Fisheries matter."}]), encoding="utf-8")
    first = load_taxonomy(tmp_path / "taxonomy.yaml")
    assert first["binding_instrument"].examples == (("We see no gap a treaty would fill.", -1),)
    (tmp_path / "labelled.yaml").write_text(_labelled([
        {"issue": "binding_instrument", "side": 1, "text": "We see no gap a treaty would fill."}]),
        encoding="utf-8")
    second = load_taxonomy(tmp_path / "taxonomy.yaml")
    assert second["binding_instrument"].examples == (("We see no gap a treaty would fill.", 1),)
    assert first.digest != second.digest


def test_an_examples_file_entry_can_take_one_unit(tmp_path):
    entry = "examples_files: [labelled.yaml]"
    (tmp_path / "taxonomy.yaml").write_text(MINIMAL.replace(
        entry, "examples_files: [{path: labelled.yaml, unit: sentence}]"), encoding="utf-8")
    (tmp_path / "labelled.yaml").write_text(_labelled([
        {"issue": "binding_instrument", "side": -1, "unit": "sentence", "text": "No treaty."},
        {"issue": "binding_instrument", "side": 1, "unit": "paragraph",
         "text": "Thank you. We want a treaty. It is time."}]), encoding="utf-8")
    taxonomy = load_taxonomy(tmp_path / "taxonomy.yaml")
    assert taxonomy["binding_instrument"].examples == (("No treaty.", -1),)
    (tmp_path / "taxonomy.yaml").write_text(MINIMAL.replace(
        entry, "examples_files: [{path: labelled.yaml, unit: word}]"), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"examples_files: expected file paths or \{path, unit"):
        load_taxonomy(tmp_path / "taxonomy.yaml")


@pytest.mark.parametrize(("content", "message"), [
    (None, r"cannot read labelled\.yaml"),
    ("items: []", r"labelled\.yaml: expected a mapping with 'version: 1'"),
    (_labelled([{"issue": "binding_instrument", "side": 2, "text": "x"}]),
     r"items\[0\]\.side: expected -1, 0 or 1"),
    (_labelled([{"issue": "capacity_building", "side": 1, "text": "x"}]),
     r"'capacity_building', which is not a contested issue"),
    (_labelled([{"issue": "nuclear", "side": 1, "text": "x"}]), r"'nuclear'"),
])
def test_a_bad_examples_file_is_a_clear_error(tmp_path, content, message):
    (tmp_path / "taxonomy.yaml").write_text(MINIMAL, encoding="utf-8")
    if content is not None:
        (tmp_path / "labelled.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(tmp_path / "taxonomy.yaml")


# -- the cross-validation harness -------------------------------------------------------------
def test_folds_are_disjoint_cover_the_set_and_are_stratified(dev):
    folds = assign_folds(dev, 5, 0)
    assert set(folds) == {it.id for it in dev}  # every item in exactly one fold
    sizes = Counter(folds.values())
    assert set(sizes) == set(range(5)) and max(sizes.values()) - min(sizes.values()) <= 1
    for key in {strata_key(it) for it in dev}:
        per_fold = Counter(folds[it.id] for it in dev if strata_key(it) == key)
        counts = [per_fold.get(f, 0) for f in range(5)]
        assert max(counts) - min(counts) <= 1, key
    assert assign_folds(dev, 5, 0) == folds
    assert assign_folds(dev, 5, 1) != folds
    with pytest.raises(ValueError, match="k must be between 2"):
        assign_folds(dev, 1, 0)


def test_training_examples_keep_the_held_out_fold_out(dev):
    folds = assign_folds(dev, 5, 0)
    train = [it for it in dev if folds[it.id] != 0]
    held = {it.text for it in dev if folds[it.id] == 0}
    examples, off = training_examples(train, paragraphs=True)
    texts = {t for pairs in examples.values() for t, _ in pairs} | set(off)
    assert texts == {it.text for it in train} and not texts & held
    sentences, _ = training_examples(train, paragraphs=False)
    assert sum(map(len, sentences.values())) == sum(
        1 for it in train if it.unit == "sentence" and it.issue is not None)
    data = taxonomy_data_with(seeds_only_taxonomy_data(), examples)
    taxonomy = parse_taxonomy(data)
    assert {i.id: len(i.examples) for i in taxonomy.contested} == {
        k: len(v) for k, v in examples.items()}
    assert VARIANTS["baseline"].stance is False and VARIANTS["taxonomy_all"].tagger is True


def test_training_examples_change_the_stance_model(dev, embedder):
    plain = parse_taxonomy(seeds_only_taxonomy_data())
    examples, _ = training_examples(dev, paragraphs=True)
    extended = parse_taxonomy(taxonomy_data_with(seeds_only_taxonomy_data(), examples))
    texts = [it.text for it in dev if it.issue == "binding_instrument"]
    vectors = embedder.encode(texts)
    before = StanceModel(margin=0.2).fit(plain, embedder)
    after = StanceModel(margin=0.2).fit(extended, embedder)
    assert after.n_examples_["binding_instrument"] == (
        before.n_examples_["binding_instrument"] + len(texts))
    assert not np.allclose(before.predict_proba("binding_instrument", vectors),
                           after.predict_proba("binding_instrument", vectors))
    # fitted on them, the model gets its own training texts' sides right more often
    truth = np.array([it.side for it in dev if it.issue == "binding_instrument"])
    assert (np.mean(after.predict("binding_instrument", vectors) == truth)
            > np.mean(before.predict("binding_instrument", vectors) == truth))
