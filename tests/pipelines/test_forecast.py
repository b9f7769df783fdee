"""``likeminded forecast`` on the analysed sample slice: drafts for both poles of two contested
issues, written for these tests, come out with the camps on the expected sides."""

import json
import re

import pytest
from typer.testing import CliRunner

from pipelines.cli.app import app
from pipelines.stages.forecast import forecast_document

DRAFTS = {
    ("binding_instrument", 1): (
        "The existing framework leaves dangerous legal gaps. We call for the negotiation, under "
        "United Nations auspices, of a comprehensive and legally binding international "
        "convention on international information security, so that states are bound by clear "
        "obligations rather than voluntary norms."),
    ("binding_instrument", -1): (
        "International law, including the Charter of the United Nations in its entirety, "
        "already applies to state conduct in cyberspace. There is no need for a new treaty; our "
        "task is to implement the framework we have agreed, not to reopen it through "
        "negotiations on a new legally binding instrument."),
    ("future_mechanism", 1): (
        "The future mechanism should be an action-oriented Programme of Action, focused on "
        "implementing the agreed framework and on practical capacity building, with meaningful "
        "participation of stakeholders and regular review conferences."),
    ("future_mechanism", -1): (
        "Any future mechanism must be a permanent, state-led open-ended working group under the "
        "First Committee, deciding by consensus on a single negotiating track; we cannot accept "
        "a Programme of Action imposed by a group of countries."),
}

# Camps from publicly known positions (see DESIGN.md), for a draft on the plus pole; a draft on
# the minus pole swaps them. CORE: what the sample slice must show; FULL: every listed state.
CORE = {"binding_instrument": ({"RUS", "IRN", "BLR"}, {"FRA", "JPN"}),
        "future_mechanism": ({"USA", "CAN", "FRA", "KEN"}, {"RUS", "CHN", "IRN"})}
FULL = {"binding_instrument": ({"RUS", "CHN", "IRN", "CUB", "BLR"},
                               {"USA", "GBR", "FRA", "DEU", "CAN", "AUS", "JPN"}),
        "future_mechanism": ({"USA", "GBR", "FRA", "DEU", "CAN", "AUS", "JPN", "KEN", "MEX"},
                             {"RUS", "CHN", "IRN", "CUB", "BLR"})}


@pytest.fixture(scope="module")
def forecasts(analysed):
    return {key: forecast_document(text, db=analysed["db"], config=analysed["config"],
                                   top=50) for key, text in DRAFTS.items()}


def _part(document, issue):
    return next(p for p in document["issues"] if p["issue"] == issue)


def _camps(part):
    return {camp: {e["state"] for e in part[camp]} for camp in ("support", "oppose", "swing")}


def _expected(issue, side, table):
    plus, minus = table[issue]
    return (plus, minus) if side > 0 else (minus, plus)


@pytest.mark.parametrize("key", list(DRAFTS))
def test_each_draft_is_placed_on_its_issue_and_side(forecasts, key):
    issue, side = key
    document = forecasts[key]
    assert issue in document["tags"]
    part = _part(document, issue)
    assert part["draft_side"] == side and part["tagged"]


@pytest.mark.parametrize("key", list(DRAFTS))
def test_core_camps_come_out_on_the_expected_sides(forecasts, key):
    issue, side = key
    part = _part(forecasts[key], issue)
    camps = _camps(part)
    backers, objectors = _expected(issue, side, CORE)
    assert backers <= camps["support"], camps
    assert objectors <= camps["oppose"], camps
    # no state of the full lists lands in the opposite camp
    backers, objectors = _expected(issue, side, FULL)
    assert not (backers & camps["oppose"]) and not (objectors & camps["support"]), camps


# words by which a reader sees that a statement addresses the issue
WORDS = {"binding_instrument": r"treaty|legally binding|convention",
         "future_mechanism": r"programme of action|future mechanism|permanent mechanism|"
                             r"open-ended working group|single-track"}


def _speaks_of(corpus, state, issue):
    return any(re.search(WORDS[issue], path.read_text(encoding="utf-8"), re.I)
               for path in corpus.glob(f"*/{state.lower()}.txt"))


@pytest.mark.parametrize("key", list(DRAFTS))
def test_full_camps_come_out_on_the_expected_sides(analysed, forecasts, key):
    """Every state with a publicly known position that addresses the issue in the slice.

    "Never addressed the issue" is right (not guessed) for a state whose statements in the
    slice do not mention it; any other placement off its known camp is a miss. Met since
    sentences are held to their own margin (AUS placed on the mechanism) and the taxonomy
    trains on the development set's sentences (GBR placed on the treaty); before, both were
    'unknown'. The failure message lists each misplaced state with its camp and stance or
    reason."""
    issue, side = key
    part = _part(forecasts[key], issue)
    where = {e["state"]: (camp, e.get("stance")) for camp in ("support", "oppose", "swing")
             for e in part[camp]}
    where |= {u["state"]: ("unknown", u["reason"]) for u in part["unknown"]}
    corpus = analysed["root"] / "corpus"

    def excused(state):
        return (where.get(state) == ("unknown", "never addressed the issue")
                and not _speaks_of(corpus, state, issue))

    backers, objectors = _expected(issue, side, FULL)
    wrong = {s: where.get(s, ("absent", None)) for s in sorted(backers)
             if where.get(s, ("",))[0] != "support" and not excused(s)}
    wrong |= {s: where.get(s, ("absent", None)) for s in sorted(objectors)
              if where.get(s, ("",))[0] != "oppose" and not excused(s)}
    assert not wrong, f"{issue} draft {side:+d}: misplaced {wrong}"


def test_entries_carry_interval_voice_and_closest_paragraph(forecasts):
    part = _part(forecasts[("binding_instrument", 1)], "binding_instrument")
    for entry in part["support"] + part["oppose"]:
        assert entry["lo"] <= entry["stance"] <= entry["hi"]
        assert entry["voice"] in ("own", "group", "own and group")
        closest = entry["closest"]
        assert closest["text"] and closest["voice"] in ("own", "group")
        assert closest["segment_id"] == f"{closest['statement_id']}#{closest['idx']}"
        assert -1 <= closest["similarity"] <= 1
    # supporters are ranked by how strongly they lean toward the draft
    leans = [e["lean"] for e in part["support"]]
    assert leans == sorted(leans, reverse=True) and leans[0] > 0
    unknown = {u["state"]: u["reason"] for u in part["unknown"]}
    assert unknown and all(r in ("never addressed the issue",
                                 "addressed the issue without taking a side")
                           for r in unknown.values())
    placed = {e["state"] for c in ("support", "oppose", "swing") for e in part[c]}
    assert not placed & set(unknown)


def test_cli_json_text_and_errors(analysed, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFTS[("binding_instrument", 1)], encoding="utf-8")
    result = CliRunner().invoke(app, ["forecast", "--text", str(draft), "--db", analysed["db"],
                                      "--issue", "binding_instrument", "--top", "2", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    part = document["issues"][0]
    assert [p["issue"] for p in document["issues"]] == ["binding_instrument"]
    assert len(part["support"]) <= 2 and part["counts"]["support"] >= len(part["support"])
    text = CliRunner().invoke(app, ["forecast", "--text", DRAFTS[("future_mechanism", -1)],
                                    "--db", analysed["db"], "--top", "3"]).stdout
    assert "Likely to support" in text and "future_mechanism" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    for args, message in [
        (["--issue", "capacity_building"], "'capacity_building' is a consensual issue"),
        (["--issue", "treaty"], "unknown issue 'treaty'"),
    ]:
        result = CliRunner().invoke(app, ["forecast", "--text", "A draft.", "--db",
                                          analysed["db"], *args])
        assert result.exit_code == 1 and message in result.output, result.output
    result = CliRunner().invoke(app, ["forecast", "--text", "x", "--db",
                                      str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1 and "store does not exist" in result.output


def test_report_with_a_draft_opens_with_the_forecast(analysed, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFTS[("future_mechanism", 1)], encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["report", "--db", analysed["db"], "--focus", "KEN",
                                      "--draft", str(draft), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.index('id="draft"') < html.index('id="summary"')
    assert "Likely to support" in html and "action-oriented Programme of Action" in html
    assert 'id="taxonomy"' in html
    result = CliRunner().invoke(app, ["report", "--db", analysed["db"], "--draft",
                                      str(tmp_path / "none.txt"), "--out", str(out)])
    assert result.exit_code == 1 and "--draft:" in result.output


@pytest.mark.parametrize("args", [["partners", "KEN", "--top", "4"],
                                  ["partners", "RUS", "--issue", "binding_instrument"],
                                  ["coalitions"], ["convergence"]])
def test_tables_fit_80_columns_unless_wide(analysed, args):
    text = CliRunner().invoke(app, [*args, "--db", analysed["db"]]).stdout
    assert max(len(line) for line in text.splitlines()) <= 80, text
    wide = CliRunner().invoke(app, [*args, "--db", analysed["db"], "--wide"]).stdout
    if args[0] == "partners":
        assert max(len(line) for line in wide.splitlines()) > 80 and "…" not in wide.replace(
            " …\"", "")
