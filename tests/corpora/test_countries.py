import csv

import pycountry
import pytest

from corpora.countries import CountryResolver, name_key, resolve_state
from corpora.errors import UnknownStateError
from tests.conftest import ROOT

UN_FORMS = {
    "Iran (Islamic Republic of)": "IRN",
    "Russian Federation": "RUS",
    "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "Venezuela (Bolivarian Republic of)": "VEN",
    "Netherlands (Kingdom of the)": "NLD",
    "Türkiye": "TUR",
    "Côte d'Ivoire": "CIV",
    "Lao People's Democratic Republic": "LAO",
    "Republic of Korea": "KOR",
    "Democratic People's Republic of Korea": "PRK",
    "State of Palestine": "PSE",
    "Holy See": "VAT",
}


def un_members() -> list[dict[str, str]]:
    with open(ROOT / "corpora" / "data" / "un_members.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_table_has_193_distinct_members():
    rows = un_members()
    assert len(rows) == 193
    assert len({r["iso3"] for r in rows}) == 193
    assert len(CountryResolver().un_members()) == 193


@pytest.mark.parametrize("row", un_members(), ids=lambda r: r["iso3"])
def test_every_member_resolves_by_un_name_codes_and_iso_name(row):
    iso3 = row["iso3"]
    assert resolve_state(row["un_name"]) == iso3
    assert resolve_state(row["un_name"].upper()) == iso3
    assert resolve_state(iso3) == iso3
    assert resolve_state(iso3.lower()) == iso3
    country = pycountry.countries.get(alpha_3=iso3)
    assert resolve_state(country.alpha_2) == iso3
    assert resolve_state(country.name) == iso3


@pytest.mark.parametrize(("name", "iso3"), sorted(UN_FORMS.items()))
def test_un_forms_from_the_issue(name, iso3):
    assert resolve_state(name) == iso3


@pytest.mark.parametrize(("name", "iso3"), [
    ("cote d'ivoire", "CIV"), ("CÔTE D’IVOIRE", "CIV"), ("turkiye", "TUR"), ("Turkey", "TUR"),
    ("the Netherlands", "NLD"), ("Korea, Republic of", "KOR"), ("Viet Nam", "VNM"),
    ("Vietnam", "VNM"), ("United States", "USA"), ("  Russia ", "RUS"), ("Fédération de Russie",
                                                                        "RUS"),
    ("Bolivia", "BOL"), ("Czech Republic", "CZE"), ("Swaziland", "SWZ"),
])
def test_common_variants_are_case_and_accent_insensitive(name, iso3):
    assert resolve_state(name) == iso3


@pytest.mark.parametrize("bad", ["Atlantis", "", "XX", "Republic of Nowhere", "EU"])
def test_unknown_states_raise_a_clear_error(bad):
    with pytest.raises(UnknownStateError) as info:
        resolve_state(bad)
    assert "state" in str(info.value)


def test_name_key_ignores_punctuation_accents_and_leading_the():
    assert name_key("The Gambia") == name_key("gambia")
    assert name_key("Côte d’Ivoire") == name_key("COTE D'IVOIRE")
