import datetime as dt

import pytest
import yaml

from corpora.countries import CountryResolver
from corpora.errors import InputError, UnknownGroupError
from corpora.groups import GroupTable, default_groups, parse_groups

REQUIRED = ["EU", "NAM", "AFRICAN_GROUP", "ARAB_GROUP", "ASEAN", "CARICOM", "GRULAC", "WEOG",
            "EEG", "APG", "NB8", "FIVE_EYES", "SCO", "BRICS", "G77"]


def test_required_groups_present():
    assert set(REQUIRED) <= set(default_groups().groups)


def test_un_regional_groups_partition_the_193_members():
    table = default_groups()
    day = dt.date(2025, 1, 1)
    seen: dict[str, str] = {}
    for code in ["AFRICAN_GROUP", "APG", "EEG", "GRULAC", "WEOG"]:
        for state in table.members_on(code, day):
            assert state not in seen, f"{state} in {seen.get(state)} and {code}"
            seen[state] = code
    assert sorted(seen) == CountryResolver().un_members()


@pytest.mark.parametrize(("group", "state", "day", "member"), [
    ("EU", "GBR", dt.date(2019, 9, 9), True),
    ("EU", "GBR", dt.date(2021, 10, 20), False),
    ("EU", "HRV", dt.date(2012, 1, 1), False),
    ("SCO", "IRN", dt.date(2023, 1, 1), False),
    ("SCO", "IRN", dt.date(2024, 7, 8), True),
    ("BRICS", "EGY", dt.date(2023, 7, 24), False),
    ("BRICS", "EGY", dt.date(2024, 7, 8), True),
    ("ASEAN", "TLS", dt.date(2025, 7, 7), False),
    ("NB8", "EST", dt.date(2019, 9, 9), True),
])
def test_membership_at_a_date(group, state, day, member):
    assert (state in default_groups().members_on(group, day)) is member


@pytest.mark.parametrize(("alias", "code"), [
    ("the Non-Aligned Movement", "NAM"), ("European Union", "EU"),
    ("Grupo Africano", "AFRICAN_GROUP"),
    ("the Group of African States", "AFRICAN_GROUP"), ("ASEAN", "ASEAN"), ("nb8", "NB8"),
])
def test_group_aliases_resolve(alias, code):
    assert default_groups().resolve(alias) == code


def test_unknown_group_lists_valid_codes():
    with pytest.raises(UnknownGroupError, match=r"expected one of .*EU"):
        default_groups().resolve("Friends of Nowhere")


def test_groups_of_a_state():
    groups = default_groups().groups_of("KEN", dt.date(2024, 7, 8))
    assert {"AFRICAN_GROUP", "NAM", "G77"} <= set(groups)


@pytest.mark.parametrize(("text", "field"), [
    ("groups: [{code: eu, members: [{state: FRA}]}]", "code"),
    ("groups: [{code: X, kind: alliance, members: [{state: FRA}]}]", "kind"),
    ("groups: [{code: X, members: [{state: Atlantis}]}]", "state"),
    ("groups: [{code: X, members: [{state: FRA, since: last year}]}]", "since/until"),
    ("groups: [{code: X, members: []}]", "members"),
    ("nothing: here", "groups"),
])
def test_validation_errors_name_the_field(text, field):
    with pytest.raises(InputError) as info:
        parse_groups(yaml.safe_load(text), source="test.yaml")
    assert info.value.field == field
    assert "test.yaml" in str(info.value)


def test_custom_table_from_file(tmp_path):
    path = tmp_path / "groups.yaml"
    path.write_text("groups:\n  - code: FOO\n    name: Friends of Openness\n    members:\n"
                    "      - {state: Chile}\n      - {state: KEN, since: 2020-01-01}\n",
                    encoding="utf-8")
    table = GroupTable.from_yaml(path)
    assert table.resolve("friends of openness") == "FOO"
    assert table.members_on("FOO", dt.date(2019, 1, 1)) == ["CHL"]
    assert table.members_on("FOO", dt.date(2021, 1, 1)) == ["CHL", "KEN"]
