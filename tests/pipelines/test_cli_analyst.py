"""``likeminded issues`` and the validation of --issue, --session and states (no pipeline run)."""

import json

import pytest
from typer.testing import CliRunner

from pipelines.cli.app import app
from pipelines.cli.choices import check_choice, closest, unknown_message
from pipelines.cli.common import UserError

TAXONOMY = """
issues:
  - id: tea
    label: Tea or coffee
    kind: contested
    keywords: [tea]
    seeds: ["We discussed tea.", "Tea was on the agenda.", "Delegations mentioned tea."]
    poles:
      minus: {label: Coffee, seeds: ["Coffee please.", "We prefer coffee.", "Coffee is best."]}
      plus: {label: Tea, seeds: ["Tea please.", "We prefer tea.", "Tea is best."]}
      neutral: {seeds: ["Some drink tea.", "Tea exists."]}
  - id: water
    label: Water
    keywords: [water]
    seeds: ["Water matters.", "We discussed water.", "Water was raised."]
"""


def invoke(*args):
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("command", [
    ["issues"], ["forecast"], ["correct"], ["correct", "stance"], ["correct", "quote"],
    ["correct", "chair"], ["correct", "list"], ["correct", "undo"], ["correct", "export"],
    ["correct", "import"]])
def test_help_has_an_example(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0 and f"Example: likeminded {' '.join(command)}" in result.output


def test_issues_json_lists_every_issue_with_its_poles():
    result = invoke("issues", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    ids = [i["id"] for i in document["issues"]]
    assert ids[0] == "binding_instrument" and "capacity_building" in ids and len(ids) >= 12
    binding = document["issues"][0]
    assert binding["contested"] and binding["minus"] == "Existing international law suffices"
    assert binding["plus"] == "A new legally binding convention is needed"
    capacity = next(i for i in document["issues"] if i["id"] == "capacity_building")
    assert not capacity["contested"] and capacity["minus"] is None


def test_issues_text_fits_80_columns_unless_wide():
    text = invoke("issues").stdout
    assert "binding_instrument" in text and "    +1 A new legally binding" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    wide = invoke("issues", "--wide").stdout
    assert "Action-oriented Programme of Action focused on implementation" in wide


def test_issues_of_another_taxonomy_file(tmp_path):
    path = tmp_path / "drinks.yaml"
    path.write_text(TAXONOMY, encoding="utf-8")
    document = json.loads(invoke("issues", "--taxonomy", str(path), "--json").stdout)
    assert [(i["id"], i["contested"], i["minus"], i["plus"]) for i in document["issues"]] == [
        ("tea", True, "Coffee", "Tea"), ("water", False, None, None)]
    default = json.loads(invoke("issues", "--taxonomy", "default", "--json").stdout)
    assert default["issues"][0]["id"] == "binding_instrument"


@pytest.mark.parametrize(("value", "message"), [
    ("nope", "unknown taxonomy 'nope'; valid: default, cyber, unga"),
    ("missing.yaml", "missing.yaml: no such file"),
])
def test_unknown_taxonomy_is_a_one_line_error(value, message):
    result = invoke("issues", "--taxonomy", value)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"error: --taxonomy: {message}"]


def test_check_choice_lists_few_values_and_the_closest_of_many():
    assert check_choice("issue", "IHL", ["ihl", "attribution"]) == "ihl"
    with pytest.raises(UserError, match=r"^unknown issue 'ihk'; valid: ihl, attribution$"):
        check_choice("issue", "ihk", ["ihl", "attribution"])
    many = [f"OEWG-{y}-{n}" for y in range(2019, 2026) for n in range(1, 4)]
    message = unknown_message("session", "OEWG-2024-9", many, hint="see status")
    assert message.startswith("unknown session 'OEWG-2024-9'; closest: OEWG-2024-")
    assert message.endswith(f"(of {len(many)}; see status)")
    assert closest("binding_instrumnt", ["ihl", "binding_instrument"]) == ["binding_instrument"]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, sample_dir):
    """A store holding a two-session slice of the sample corpus (ingested only: the values
    are checked before any analysis is read)."""
    from corpora.ingest import ingest_folder
    from pipelines.store.storage import open_store
    from tests.pipelines.corpus_slices import slice_corpus

    root = tmp_path_factory.mktemp("ingested")
    corpus = slice_corpus(sample_dir, root / "corpus")
    db = root / "lm.duckdb"
    with open_store(db) as store:
        ingest_folder(corpus, store, run_id="test")
    return str(db)


@pytest.mark.parametrize(("args", "message"), [
    (["partners", "KEN", "--issue", "ihk"],
     "unknown issue 'ihk'; closest: ihl (of 17; 'likeminded issues' lists them)"),
    (["partners", "KEN", "--session", "OEWG-2024-9"],
     "unknown session 'OEWG-2024-9'; valid: OEWG-2023-5, OEWG-2024-8"),
    (["partners", "Atlantis"], "unknown state 'Atlantis'"),
    (["partners", "NOR"], "NOR has no statements in the store, so no alignment scores"),
    (["coalitions", "--issue", "binding"], "unknown issue 'binding'; closest: binding_instrument"),
    (["coalitions", "--session", "2024"], "unknown session '2024'; valid: OEWG-2023-5"),
    (["convergence", "--issue", "zzz"], "unknown issue 'zzz'; valid: binding_instrument, ihl,"),
    (["export", "--what", "positions", "--out", "x.csv", "--issue", "ihk"],
     "unknown issue 'ihk'"),
    (["export", "--what", "positions", "--out", "x.csv", "--session", "S1"],
     "unknown session 'S1'"),
    (["report", "--issue", "nope", "--out", "r"], "unknown issue 'nope'"),
    (["report", "--session", "OEWG-1999", "--out", "r"], "unknown session 'OEWG-1999'; valid:"),
])
def test_unknown_values_are_one_line_errors_listing_valid_ones(ingested, args, message):
    result = invoke(*args, "--db", ingested)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines


def test_a_state_heard_only_through_its_group_is_told_why_it_has_no_scores(ingested, tmp_path):
    import shutil

    import duckdb

    db = tmp_path / "copy.duckdb"
    shutil.copy(ingested, db)
    with duckdb.connect(str(db)) as con:  # a member the EU's statements speak for
        con.execute("INSERT INTO positions VALUES ('PRT', 'ihl', '*', 0, 3, 1.5, NULL, NULL, "
                    "NULL, 0, true, [0.1, 0.2])")
    result = invoke("partners", "PRT", "--db", str(db))
    assert result.exit_code == 1, result.output
    assert "only group statements speak for it" in result.output
    assert "analysis.group_only_positions" in result.output


def test_clip_and_wrap_cut_at_words_with_an_ellipsis():
    from pipelines.cli.formatting import clip, wrap

    assert clip("short", 10) == "short"
    assert clip("the quick brown fox jumps", 15) == "the quick…"
    assert clip("    -1 a long pole label here", 16) == "    -1 a long…"
    assert clip("the quick brown fox", 5, wide=True) == "the quick brown fox"
    lines = wrap("word " * 60, indent="  ", lines=2)
    assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
    assert lines[1].endswith("…") and lines[0].startswith("  word")
    assert wrap("a  b", indent="", wide=True) == ["a b"]


def test_status_fits_80_columns_and_counts_corrections(ingested):
    document = json.loads(invoke("status", "--db", ingested, "--json").stdout)
    assert document["corrections"] == 0
    text = invoke("status", "--db", ingested).stdout
    assert text.startswith(f"{ingested}:\n40 statements")
    assert max(len(line) for line in text.splitlines()[1:]) <= 80
