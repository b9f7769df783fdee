import copy

import numpy as np
import pytest
import yaml

from nlp.errors import NotFittedError, TaxonomyError
from nlp.stance import StanceModel
from nlp.tagging import IssueTagger, keyword_pattern
from nlp.taxonomy import load_taxonomy, parse_taxonomy
from tests.conftest import ROOT

REQUIRED = {"binding_instrument", "ihl", "future_mechanism", "stakeholders", "information_space",
            "attribution", "capacity_building", "critical_infrastructure", "cbms",
            "voluntary_norms", "human_rights_online", "cybercrime", "ransomware",
            "emerging_tech", "gender", "multistakeholder"}


def raw_taxonomy():
    return yaml.safe_load((ROOT / "nlp" / "taxonomy.yaml").read_text(encoding="utf-8"))


def test_bundled_taxonomy_covers_the_brief(taxonomy):
    assert set(taxonomy.ids) >= REQUIRED
    contested = {i.id for i in taxonomy.contested}
    assert contested == {"binding_instrument", "ihl", "future_mechanism", "stakeholders",
                         "information_space", "attribution"}
    for issue in taxonomy.contested:
        assert len(issue.minus.seeds) >= 5 and len(issue.plus.seeds) >= 5
        assert issue.minus.label and issue.plus.label


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["issues"][0].update(id="Bad Id"), r"issues\[0\]\.id"),
    (lambda d: d["issues"][0].update(kind="debated"), r"\(binding_instrument\)\.kind"),
    (lambda d: d["issues"][0]["poles"].pop("plus"), r"poles\.plus"),
    (lambda d: d["issues"][0]["poles"]["minus"].update(seeds=["only one"]),
     r"poles\.minus\.seeds: expected at least 3"),
    (lambda d: d["issues"][6].update(keywords="capacity"), r"\.keywords: expected a list"),
    (lambda d: d["issues"][6].update(poles={"minus": {}}), r"only contested issues have poles"),
    (lambda d: d["issues"][1].update(id="binding_instrument"), "duplicate id"),
    (lambda d: d["issues"][0].update(examples=[{"text": "x", "stance": 2}]),
     r"examples\[0\]\.stance: expected -1, 0 or 1"),
])
def test_validation_errors_name_issue_and_field(mutate, message):
    data = copy.deepcopy(raw_taxonomy())
    mutate(data)
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(data, source="t.yaml")


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read taxonomy"):
        load_taxonomy(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("issues: [unclosed", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy(bad)


def test_user_examples_train_the_stance_model():
    data = copy.deepcopy(raw_taxonomy())
    data["issues"][0]["examples"] = [{"text": "Our own labelled sentence.", "stance": 1}]
    issue = parse_taxonomy(data)["binding_instrument"]
    assert ("Our own labelled sentence.", 1) in issue.stance_examples()


def test_keyword_pattern_matches_whole_phrases():
    pattern = keyword_pattern(["ransomware", "points of contact"])
    assert len(pattern.findall("Ransomware and POINTS OF CONTACT; ransomwares")) == 2


@pytest.fixture(scope="module")
def tagger(taxonomy, embedder):
    return IssueTagger().fit(taxonomy, embedder)


@pytest.fixture(scope="module")
def stance_model(taxonomy, embedder):
    return StanceModel().fit(taxonomy, embedder)


def test_tagging_is_multi_label_and_calibrated(tagger, embedder):
    texts = ["Ransomware attacks on hospitals must stop, and capacity building should help "
             "small states protect their health infrastructure.",
             "The weather in Geneva was pleasant this week."]
    scores = tagger.score(texts, embedder.encode(texts))
    assert scores.shape == (2, len(tagger.issue_ids_))
    tags = tagger.tag(scores)
    assert "ransomware" in tags[0] and len(tags[0]) >= 2
    assert tags[1] == []
    assert np.all((tagger.thresholds_ >= tagger.min_threshold) & (tagger.thresholds_ < 1))


def test_unfitted_models_raise(embedder):
    with pytest.raises(NotFittedError):
        IssueTagger().score(["x"], np.zeros((1, 384), dtype=np.float32))
    with pytest.raises(NotFittedError):
        StanceModel().stance("ihl", np.zeros((1, 384), dtype=np.float32))
    with pytest.raises(ValueError, match="keyword_weight"):
        IssueTagger(keyword_weight=1.5).fit(load_taxonomy(), embedder)


def test_stance_on_held_out_sentences_is_above_a_floor(stance_model, embedder):
    items = yaml.safe_load((ROOT / "nlp" / "data" / "stance_eval.yaml").read_text())["items"]
    vectors = embedder.encode([i["text"] for i in items])
    accuracies = {}
    for issue_id in stance_model.issue_ids_:
        rows = [n for n, item in enumerate(items) if item["issue"] == issue_id]
        truth = np.array([items[n]["stance"] for n in rows])
        accuracies[issue_id] = float(np.mean(stance_model.predict(issue_id, vectors[rows])
                                             == truth))
    assert np.mean(list(accuracies.values())) >= 0.85, accuracies
    assert min(accuracies.values()) >= 0.7, accuracies


def test_stance_values_are_bounded_and_none_for_neutral(stance_model, embedder):
    vectors = embedder.encode([
        "A universal legally binding convention is urgently needed to close the gaps.",
        "Existing international law applies; we see no need to negotiate a new treaty.",
        "We will return to the question of a possible instrument at a later session."])
    values = stance_model.stance("binding_instrument", vectors)
    assert values[0] > 0.3 and values[1] < -0.3
    finite = values[~np.isnan(values)]
    assert np.all((finite >= -1) & (finite <= 1))
    with pytest.raises(ValueError, match="issue_id must be a contested issue"):
        stance_model.stance("gender", vectors)


def test_stance_is_deterministic(taxonomy, embedder, stance_model):
    again = StanceModel().fit(taxonomy, embedder)
    vectors = embedder.encode(["IHL applies to cyber operations in armed conflict."])
    assert np.array_equal(stance_model.predict_proba("ihl", vectors),
                          again.predict_proba("ihl", vectors))
