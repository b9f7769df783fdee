"""Taxonomies as plug-ins: built-in names, files, unknown names, the ``unga`` taxonomy."""

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from nlp.errors import TaxonomyError
from nlp.taxonomy import BUILTIN_TAXONOMIES, load_taxonomy
from pipelines.settings import AnalysisConfig

VOTE_CODES = {"me", "nu", "di", "hr", "co", "ec"}


def test_default_is_cyber_and_names_are_recorded():
    default, cyber = load_taxonomy(), load_taxonomy("cyber")
    assert default.digest == cyber.digest and default.name == "cyber"
    assert cyber.provenance() == {"name": "cyber", "digest": cyber.digest}
    assert load_taxonomy("").digest == cyber.digest


def test_unga_mirrors_the_six_vote_issue_areas():
    unga = load_taxonomy("unga")
    assert unga.name == "unga" and unga.digest != load_taxonomy("cyber").digest
    codes = {i.vote_issue: i for i in unga.issues if i.vote_issue}
    assert set(codes) == VOTE_CODES
    assert all(issue.contested for issue in codes.values())
    for issue in codes.values():
        assert len(issue.minus.seeds) >= 8 and len(issue.plus.seeds) >= 8
        assert len(issue.neutral) >= 4 and issue.keywords
    assert any(not i.contested for i in unga.issues)
    assert not any(i.vote_issue for i in load_taxonomy("cyber").issues)


def test_a_file_is_a_taxonomy_too(tmp_path):
    data = yaml.safe_load(Path(__file__).parents[2].joinpath(
        "nlp", "taxonomies", "unga.yaml").read_text(encoding="utf-8"))
    data["issues"] = data["issues"][:2]
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    mine = load_taxonomy(path)
    assert mine.ids == ["middle_east", "nuclear_weapons"] and mine.name == str(path)


def test_unknown_name_lists_the_built_in_ones():
    with pytest.raises(TaxonomyError, match=r"unknown name 'ungaa'.*cyber, unga"):
        load_taxonomy("ungaa")
    with pytest.raises(ValidationError, match="unknown taxonomy 'ungaa'; expected one of cyber"):
        AnalysisConfig(taxonomy="ungaa")
    assert AnalysisConfig(taxonomy="unga").taxonomy == "unga"
    assert set(BUILTIN_TAXONOMIES) >= {"cyber", "unga"}


def test_bad_vote_issue_is_named(tmp_path):
    data = yaml.safe_load(Path(__file__).parents[2].joinpath(
        "nlp", "taxonomies", "unga.yaml").read_text(encoding="utf-8"))
    data["issues"][0]["vote_issue"] = "Middle East"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"issues\[0\] \(middle_east\)\.vote_issue"):
        load_taxonomy(path)


def _unga_data() -> dict:
    return yaml.safe_load(Path(__file__).parents[2].joinpath(
        "nlp", "taxonomies", "unga.yaml").read_text(encoding="utf-8"))


def test_a_taxonomy_recommends_analysis_settings_a_configuration_overrides(tmp_path):
    unga = load_taxonomy("unga")
    assert dict(unga.analysis)["whole_text_weight"] > 0 and not load_taxonomy("cyber").analysis
    chosen = AnalysisConfig(taxonomy="unga")
    assert chosen.whole_text_weight == dict(unga.analysis)["whole_text_weight"]
    assert chosen.min_weight == dict(unga.analysis)["min_weight"]
    assert (chosen.whole_text_method, chosen.whole_text_dims) == ("scaled_tfidf", 3)
    assert AnalysisConfig().whole_text_method == "embedding"
    assert AnalysisConfig(taxonomy="unga", whole_text_weight=0).whole_text_weight == 0
    assert AnalysisConfig().whole_text_weight == 0  # cyber recommends nothing
    # the settings are not the taxonomy's content: stored tags and stances stay valid
    data = _unga_data()
    del data["analysis"]
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_taxonomy(path).digest == unga.digest and not load_taxonomy(path).analysis


@pytest.mark.parametrize(("analysis", "error", "match"), [
    ({"whole_text_weight": [0.6]}, TaxonomyError,
     r"analysis\.whole_text_weight: expected a number"),
    ("heavy", TaxonomyError, r"analysis: expected a mapping"),
    ({"whole_text_wieght": 0.6}, ValidationError, r"analysis\.whole_text_wieght: not an analysis"),
    ({"whole_text_weight": 3}, ValidationError, r"whole_text_weight"),
    ({"whole_text_method": "wordfish"}, ValidationError, r"whole_text_method"),
])
def test_bad_recommended_settings_are_named(tmp_path, analysis, error, match):
    data = _unga_data()
    data["analysis"] = analysis
    path = tmp_path / f"bad{len(str(analysis))}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(error, match=match):
        if error is TaxonomyError:
            load_taxonomy(path)
        else:
            AnalysisConfig(taxonomy=str(path))


def test_the_taxonomy_option_brings_its_settings_under_the_files(tmp_path):
    from pipelines.cli.common import load_config

    config = tmp_path / "gd.yaml"
    config.write_text("analysis:\n  taxonomy: unga\n  stance_weight: 0.5\n", encoding="utf-8")
    from_file = load_config(config).analysis
    assert (from_file.stance_weight, from_file.whole_text_weight) == (0.5, 0.6)
    cyber = load_config(config, taxonomy="cyber").analysis
    assert (cyber.taxonomy, cyber.stance_weight, cyber.whole_text_weight) == ("cyber", 0.5, 0.0)
    unga = load_config(None, taxonomy="unga").analysis
    assert (unga.stance_weight, unga.whole_text_weight) == (0.3, 0.6)


def test_the_taxonomy_options_bad_settings_are_its_own_error(tmp_path):
    from pipelines.cli.common import UserError, load_config

    data = _unga_data()
    data["analysis"] = {"whole_text_weight": 3}
    path = tmp_path / "heavy.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(UserError, match=r"^--taxonomy: whole_text_weight: .*less than or equal"):
        load_config(None, taxonomy=str(path))
