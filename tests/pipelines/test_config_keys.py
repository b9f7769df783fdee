"""Constants that shape results are configuration keys (issue 15, item 5): validated, with the
old values as defaults, part of the configuration hash, and used by the analysis and queries."""

import pytest
from pydantic import ValidationError

from pipelines.settings import COHESION_GROUPS, AnalysisConfig, PipelineConfig
from pipelines.store.queries import coalitions_document
from pipelines.store.storage import open_store


def test_defaults_are_the_former_constants():
    analysis = AnalysisConfig()
    assert analysis.cohesion_groups == COHESION_GROUPS and "EU" in COHESION_GROUPS
    assert analysis.coalition_k_range() == range(2, 9)
    assert analysis.coalition_min_coverage == 0.5
    assert analysis.coalition_min_silhouette == 0.25
    assert (analysis.components, analysis.dispersion_n_boot) == (32, 200)


@pytest.mark.parametrize(("update", "message"), [
    ({"cohesion_groups": ["EU", "NOPE"]}, "unknown group 'NOPE'"),
    ({"cohesion_groups": ["EU", "EU"]}, "listed twice"),
    ({"coalition_k_min": 5, "coalition_k_max": 3}, "coalition_k_max (3) is below"),
    ({"coalition_k_min": 1}, "greater than or equal to 2"),
    ({"coalition_min_coverage": 1.5}, "less than or equal to 1"),
    ({"coalition_min_silhouette": 1.5}, "less than or equal to 1"),
    ({"coalition_min_silhouette": -2}, "greater than or equal to -1"),
    ({"components": 1}, "greater than or equal to 2"),
    ({"dispersion_n_boot": 5}, "greater than or equal to 10"),
])
def test_invalid_values_are_named(update, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AnalysisConfig.model_validate(update)


@pytest.mark.parametrize("update", [{"cohesion_groups": ["EU"]}, {"coalition_k_max": 4},
                                    {"coalition_min_coverage": 0.8}, {"components": 16},
                                    {"coalition_min_silhouette": 0.1},
                                    {"dispersion_n_boot": 50}])
def test_each_key_enters_the_configuration_hash(update):
    changed = PipelineConfig(analysis=AnalysisConfig.model_validate(update))
    assert changed.config_hash() != PipelineConfig().config_hash()


def test_coalition_queries_follow_the_keys(analysed):
    base = analysed["config"]
    config = base.model_copy(update={"analysis": base.analysis.model_copy(update={
        "coalition_k_max": 2, "cohesion_groups": ("EU",)})})
    with open_store(analysed["db"], read_only=True) as store:
        default = coalitions_document(store, config=base)
        narrowed = coalitions_document(store, config=config)
    assert set(narrowed["k_scores"]) == {"2"} and narrowed["k"] == 2
    assert len(default["k_scores"]) > 1
    assert {g["group"] for g in narrowed["groups"]} <= {"EU"}
    assert len({g["group"] for g in default["groups"]}) > 1


def test_coalition_membership_follows_its_floor(analysed):
    base = analysed["config"]

    def document(floor):
        config = base.model_copy(update={"analysis": base.analysis.model_copy(update={
            "coalition_min_silhouette": floor})})
        with open_store(analysed["db"], read_only=True) as store:
            return coalitions_document(store, config=config)

    partition, everyone_out = document(-1.0), document(1.0)
    assert partition["unattached"] == [] and partition["min_silhouette"] == -1.0
    clustered = sorted(s for c in partition["coalitions"] for s in c["states"])
    assert everyone_out["coalitions"] == []
    assert sorted(u["state"] for u in everyone_out["unattached"]) == clustered
    for row in everyone_out["unattached"]:
        assert row["why"].startswith(f"silhouette {row['silhouette']:+.2f} below 1.00")


def test_components_reach_the_position_estimator():
    from pipelines.stages.analysis import position_config

    assert position_config(AnalysisConfig(components=16)).components == 16
    assert position_config(AnalysisConfig()).components == 32


def test_default_focus_is_what_the_help_says(analysed):
    """The report's default focus: aligned states with the most statements in their own name
    (statements on behalf of a group do not count), ties broken by issues placed, then by
    code."""
    from typer.testing import CliRunner

    from pipelines.cli.app import app
    from pipelines.store.report_data import default_focus_states

    help_text = " ".join(CliRunner().invoke(app, ["report", "--help"]).output.split())
    assert "most statements in their own name" in help_text
    with open_store(analysed["db"], read_only=True) as store:
        statements = store.con.execute("SELECT state, on_behalf_of FROM statements "
                                       "WHERE superseded_by IS NULL").df()
        aligned = {s for row in store.con.execute(
            "SELECT state_a, state_b FROM alignment").fetchall() for s in row}
        placed = store.con.execute("SELECT state, count(*) FROM positions WHERE session = '*' "
                                   "AND NOT thin GROUP BY state").fetchall()
        chosen = default_focus_states(store)
    national = statements[statements["on_behalf_of"] == ""]["state"].value_counts()
    issues = dict(placed)
    expected = sorted((s for s in national.index if s in aligned),
                      key=lambda s: (-national[s], -issues.get(s, 0), s))[:3]
    assert chosen == expected and len(chosen) == 3


def test_precision_default_comes_from_the_environment(monkeypatch):
    """``LIKEMINDED_PRECISION`` sets the default precision (the suite pins fp32 with it); a
    configuration file still wins, and a bad value is a one-line error naming the variable."""
    from typer.testing import CliRunner

    from pipelines.cli.app import app

    monkeypatch.setenv("LIKEMINDED_PRECISION", "bf16")
    assert PipelineConfig().embedding.precision == "bf16"
    assert PipelineConfig.model_validate(
        {"embedding": {"precision": "fp32"}}).embedding.precision == "fp32"
    monkeypatch.setenv("LIKEMINDED_PRECISION", "fast")
    with pytest.raises(ValidationError):
        PipelineConfig()
    result = CliRunner().invoke(app, ["run", "--corpus", "corpora/sample", "--db", "x.duckdb"])
    assert result.exit_code == 1
    assert "LIKEMINDED_PRECISION" in result.output and "fp32" in result.output
