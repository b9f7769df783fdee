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
