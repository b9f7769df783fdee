"""Reading roll-call votes: both layouts, tolerant headers, skipped rows, errors, real tallies."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pandas as pd
import pytest

from corpora.errors import InputError
from corpora.votes import ROLL_CALL_COLUMNS, VOTES_COLUMNS, normalise_symbol, read_votes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "votes"
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _votes_of(data, rcid: str) -> dict[str, str]:
    rows = data.votes[data.votes["rcid"] == rcid]
    return dict(zip(rows["state"], rows["vote"], strict=True))


def _tally(data, rcid: str) -> tuple[int, int, int]:
    counts = data.votes.loc[data.votes["rcid"] == rcid, "vote"].value_counts()
    return tuple(int(counts.get(v, 0)) for v in ("yes", "no", "abstain"))


# --- unvotes layout ---------------------------------------------------------------------------


def test_unvotes_layout_reads_votes_and_resolves_states():
    data = read_votes(FIXTURES / "voeten_layout_votes.csv")
    assert data.source_format == "unvotes"
    assert list(data.votes.columns) == list(VOTES_COLUMNS)
    assert list(data.roll_calls.columns) == list(ROLL_CALL_COLUMNS)
    assert _votes_of(data, "101") == {"USA": "yes", "CAN": "yes", "FRA": "abstain",
                                      "RUS": "no", "NAM": "yes"}
    # Namibia's ISO2 code "NA" is not read as missing; Voeten's YUG in 2035 is Serbia;
    # a row with only a name resolves by name, and vote codes are case-insensitive.
    assert _votes_of(data, "102")["NAM"] == "abstain"
    assert _votes_of(data, "102")["SRB"] == "yes"
    assert _votes_of(data, "103") == {"USA": "yes", "CAN": "yes", "RUS": "abstain", "NAM": "no"}


def test_unvotes_layout_skips_bad_rows_with_line_and_reason_and_counts_add_up():
    data = read_votes(FIXTURES / "voeten_layout_votes.csv")
    lines = {line: reason for line, reason in data.skipped}
    assert sorted(lines) == [7, 16, 19]
    assert "unknown state" in lines[7] and "Atlantis" in lines[7]
    assert "unrecognised vote 'maybe'" in lines[16]
    assert "second vote by USA on roll call 103" in lines[19]
    assert data.n_rows == 18
    assert data.n_rows == len(data.votes) + data.n_not_voting + len(data.skipped)


def test_unvotes_roll_calls_from_votes_file_only():
    data = read_votes(FIXTURES / "voeten_layout_votes.csv")
    table = data.roll_calls.set_index("rcid")
    assert list(table.index) == ["101", "102", "103"]
    assert table.loc["101", "resolution"] == "A/RES/90/11"
    assert table.loc["103", "resolution"] == "A/RES/91/5A"
    assert table.loc["103", "session"] == 91
    assert table.loc["103", "year"] == 2036
    assert pd.isna(table.loc["101", "date"])
    assert table.loc["101", "title"] == ""


def test_unvotes_roll_calls_and_issues_files():
    data = read_votes(FIXTURES / "voeten_layout_votes.csv",
                      roll_calls=FIXTURES / "voeten_layout_roll_calls.csv",
                      issues=FIXTURES / "voeten_layout_issues.csv")
    table = data.roll_calls.set_index("rcid")
    assert list(table.index) == ["101", "102", "103"]  # 999 has no votes here
    assert table.loc["102", "date"] == dt.date(2035, 12, 22)
    assert table.loc["102", "title"] == "RESPONSIBLE STATE BEHAVIOUR IN CYBERSPACE"
    assert table.loc["102", "description"].startswith("Invented resolution on a programme")
    assert table.loc["102", "issues"] == ("Arms control and disarmament", "Human rights")
    assert table.loc["103", "issues"] == ()
    assert str(data.roll_calls["session"].dtype) == "Int64"


def test_gzipped_votes_file(tmp_path):
    packed = tmp_path / "votes.csv.gz"
    packed.write_bytes(gzip.compress((FIXTURES / "voeten_layout_votes.csv").read_bytes()))
    plain = read_votes(FIXTURES / "voeten_layout_votes.csv")
    assert read_votes(packed).votes.equals(plain.votes)


# --- UN Digital Library layout ------------------------------------------------------------------


def test_undl_layout_reads_votes_roll_calls_and_non_voting():
    data = read_votes(FIXTURES / "undl_votes.csv")
    assert data.source_format == "undl"
    assert _votes_of(data, "4900001") == {"USA": "no", "RUS": "yes", "CHN": "yes", "FRA": "no",
                                          "IRN": "yes", "BRA": "abstain"}
    assert "IRN" not in _votes_of(data, "4900003")  # blank vote code: not voting
    assert data.n_not_voting == 1
    assert [(line, "Atlantis" in reason) for line, reason in data.skipped] == [(20, True)]
    assert data.n_rows == 19 == len(data.votes) + data.n_not_voting + len(data.skipped)
    table = data.roll_calls.set_index("rcid")
    assert list(table["resolution"]) == ["A/RES/90/31", "A/RES/90/32", "A/RES/91/150"]
    assert table.loc["4900003", "date"] == dt.date(2036, 12, 18)
    assert table.loc["4900003", "session"] == 91
    assert table.loc["4900002", "title"].startswith("Programme of action")
    assert table.loc["4900002", "description"] == "Developments in the field of ICTs"


HEADER_VARIANTS = {
    "spaced title case": ("Member State Code,Member State,Vote,Symbol,Vote Date,Title,Session",
                          ","),
    "upper case, semicolons": ("COUNTRY_CODE;COUNTRY;VOTE;RESOLUTION;DATE;TITLE;SESSION", ";"),
    "ms_ names, tabs, BOM": ("\ufeffMS Code\tMS Name\tMS Vote\tResolution Symbol\tVoting Date\t"
                             "Resolution Title\tGA Session", "\t"),
    "name only": ("member_state_name,ms_vote,document_symbol,meeting_date,title,session_number",
                  ","),
}


@pytest.mark.parametrize("variant", sorted(HEADER_VARIANTS))
def test_undl_tolerates_header_variants(tmp_path, variant):
    header, sep = HEADER_VARIANTS[variant]
    original = pd.read_csv(FIXTURES / "undl_votes.csv", dtype=str, keep_default_na=False)
    columns = ["ms_code", "ms_name", "ms_vote", "resolution", "date", "title", "session"]
    if variant == "name only":
        columns = ["ms_name", "ms_vote", "resolution", "date", "title", "session"]
    renamed = original[columns]
    renamed.columns = header.lstrip("\ufeff").split(sep)
    path = tmp_path / "variant.csv"
    text = renamed.to_csv(sep=sep, index=False)
    path.write_text(("\ufeff" if header.startswith("\ufeff") else "") + text, encoding="utf-8")

    data = read_votes(path)
    reference = read_votes(FIXTURES / "undl_votes.csv")
    # Without an id column the normalised symbol is the roll-call id.
    symbol_of = dict(zip(reference.roll_calls["rcid"], reference.roll_calls["resolution"],
                         strict=True))
    expected = reference.votes.assign(rcid=reference.votes["rcid"].map(symbol_of))
    assert data.votes.sort_values(["rcid", "state"]).reset_index(drop=True).equals(
        expected.sort_values(["rcid", "state"]).reset_index(drop=True))
    assert list(data.roll_calls["rcid"]) == ["A/RES/90/31", "A/RES/90/32", "A/RES/91/150"]
    assert data.roll_calls["date"].iloc[0] == dt.date(2035, 12, 7)
    assert list(data.roll_calls["session"]) == [90, 90, 91]
    assert len(data.skipped) == 1 and data.n_not_voting == 1


# --- errors ---------------------------------------------------------------------------------------


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(InputError, match=r"nowhere\.csv: votes file not found"):
        read_votes(tmp_path / "nowhere.csv")
    with pytest.raises(InputError, match=r"rc\.csv: roll-calls file not found"):
        read_votes(FIXTURES / "voeten_layout_votes.csv", roll_calls=tmp_path / "rc.csv")


def test_unrecognised_header_names_file_and_expected_columns(tmp_path):
    path = tmp_path / "speeches.csv"
    path.write_text("speaker,date,text\nFrance,2035-01-01,hello\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_votes(path)
    message = str(caught.value)
    assert str(path) in message
    assert "no vote or state or roll call column" in message
    for expected in ("ms_vote", "ms_code", "iso3", "rcid", "undl_id", "resolution"):
        assert expected in message
    assert caught.value.source == str(path)
    assert isinstance(caught.value, ValueError)


def test_roll_calls_and_issues_files_need_an_id_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("session,date\n90,2035-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv: .*expected a roll-call id column \(rcid"):
        read_votes(FIXTURES / "voeten_layout_votes.csv", roll_calls=bad)
    with pytest.raises(InputError, match=r"bad\.csv: .*expected a roll-call id column"):
        read_votes(FIXTURES / "voeten_layout_votes.csv", issues=bad)


def test_empty_file_is_an_input_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.csv"):
        read_votes(path)


def test_normalise_symbol():
    assert normalise_symbol(" a/res/73/ 27 ") == "A/RES/73/27"
    assert normalise_symbol("R/73/266") == "A/RES/73/266"
    assert normalise_symbol("ESS/10/19") == "A/RES/ES-10/19"
    assert normalise_symbol("SS/12/2") == "A/RES/S-12/2"


# --- real data (../shared/data) -------------------------------------------------------------------


@pytest.fixture(scope="module")
def cyber_votes():
    votes = SHARED_DATA / "cyber_ict_votes_long.csv"
    calls = SHARED_DATA / "cyber_ict_roll_calls.csv"
    if not (votes.is_file() and calls.is_file()):
        pytest.skip(f"shared reference data not found at {SHARED_DATA} (only CI and development "
                    "machines have ../shared/data)")
    return read_votes(votes, roll_calls=calls)


def test_real_2018_cyber_tallies_match_the_data_readme(cyber_votes):
    table = cyber_votes.roll_calls.set_index("resolution")
    assert table.loc["A/RES/73/27", "rcid"] == "6073"
    assert table.loc["A/RES/73/27", "date"] == dt.date(2018, 12, 5)
    assert table.loc["A/RES/73/266", "rcid"] == "6156"
    assert _tally(cyber_votes, "6073") == (119, 46, 14)
    assert _tally(cyber_votes, "6156") == (138, 12, 16)
    assert len(cyber_votes.roll_calls) == 33
    assert cyber_votes.n_rows == 5591
    assert cyber_votes.n_rows == (len(cyber_votes.votes) + cyber_votes.n_not_voting
                                  + len(cyber_votes.skipped))
    # Only former states of the late 1980s (GDR, Czechoslovakia, SFRY, ...) are skipped.
    assert all("unknown state" in reason for _, reason in cyber_votes.skipped)
