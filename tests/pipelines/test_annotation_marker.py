"""Stored tags and stances are recomputed when the way they are computed changes."""

import pipelines.stages.text as stages
from pipelines.settings import PipelineConfig


def test_the_annotation_fingerprint_follows_method_and_settings(monkeypatch):
    config = PipelineConfig()
    marker = stages.annotation_marker(config)
    assert stages.annotation_marker(config) == marker
    for field, value in (("stance_relevance", 0.9), ("off_domain_factor", 2.0),
                         ("min_domain_share", 0.3), ("stance_margin", 0.3),
                         ("clause_relevance", 0.9), ("named_clause_relevance", 0.95),
                         ("single_clause_margin", 0.2)):
        changed = config.model_copy(update={"analysis": config.analysis.model_copy(
            update={field: value})})
        assert stages.annotation_marker(changed) != marker, field
    monkeypatch.setattr(stages, "ANNOTATION_METHOD", "another-method")
    assert stages.annotation_marker(config) != marker


def test_coverage_warnings_name_languages_far_below_english():
    from pipelines.store.storage import coverage_warnings

    coverage = {"en": {"segments": 100, "tag_rate": 0.9, "stance_rate": 0.6},
                "es": {"segments": 20, "tag_rate": 0.8, "stance_rate": 0.2},
                "ru": {"segments": 3, "tag_rate": 0.0, "stance_rate": 0.0}}
    warnings = coverage_warnings(coverage)
    assert len(warnings) == 1 and warnings[0].startswith("es: 20% of 20 paragraphs given a side")
    assert coverage_warnings({"es": coverage["es"]}) == []
