"""Resolve state names and codes to ISO 3166 alpha-3.

Sources, in order of precedence: the UN's own forms of the 193 member states
(``data/un_members.csv``), this project's alias table (``data/state_aliases.csv``: observers,
short forms, former names, French and Spanish forms) and pycountry's names, official names and
common names. Matching ignores case, accents, punctuation and a leading "the"; ISO alpha-2 and
alpha-3 codes are accepted as they are.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

import pycountry

from corpora.errors import UnknownStateError

OBSERVER_STATES: frozenset[str] = frozenset({"PSE", "VAT"})
"""Non-member observer states of the UN General Assembly."""

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def name_key(name: str) -> str:
    """Matching key for a name: no accents, case-folded, punctuation to single spaces, no 'the'."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    key = _NON_ALNUM.sub(" ", ascii_only.casefold().replace("&", " and ")).strip()
    return key.removeprefix("the ").strip()


@dataclass(frozen=True, slots=True)
class Country:
    """A state known to the resolver."""

    iso3: str
    iso2: str
    name: str
    un_member: bool


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("corpora").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _inverted(name: str) -> str | None:
    """'Korea, Republic of' -> 'Republic of Korea' (pycountry's comma forms)."""
    head, sep, tail = name.partition(", ")
    return f"{tail} {head}" if sep else None


class CountryResolver:
    """Look up states by code or by any of their known names.

    Example:
        >>> resolver = CountryResolver()
        >>> resolver.resolve("Iran (Islamic Republic of)")
        'IRN'
    """

    def __init__(self) -> None:
        self._by_key: dict[str, str] = {}
        self._countries: dict[str, Country] = {}
        un_rows = _read_csv("un_members.csv")
        un_names = {row["iso3"]: row["un_name"] for row in un_rows}
        for country in pycountry.countries:
            iso3 = country.alpha_3
            name = un_names.get(iso3) or getattr(country, "common_name", None) or country.name
            self._countries[iso3] = Country(
                iso3=iso3, iso2=country.alpha_2, name=name, un_member=iso3 in un_names
            )
            names = [country.name, getattr(country, "official_name", None),
                     getattr(country, "common_name", None)]
            for candidate in names:
                if candidate:
                    self._add(candidate, iso3, overwrite=False)
                    inverted = _inverted(candidate)
                    if inverted:
                        self._add(inverted, iso3, overwrite=False)
        for row in _read_csv("state_aliases.csv"):
            self._add(row["alias"], row["iso3"], overwrite=True)
        for iso3, un_name in un_names.items():
            self._add(un_name, iso3, overwrite=True)

    def _add(self, name: str, iso3: str, *, overwrite: bool) -> None:
        key = name_key(name)
        if key and (overwrite or key not in self._by_key):
            self._by_key[key] = iso3

    def resolve(self, value: str) -> str:
        """Return the ISO alpha-3 code for a code or name.

        Raises:
            UnknownStateError: when nothing matches; the message repeats the value.
        """
        raw = value.strip()
        if not raw:
            raise UnknownStateError("state is empty; expected an ISO code or a country name")
        upper = raw.upper()
        if len(raw) == 3 and upper in self._countries and raw.isalpha():
            return upper
        if len(raw) == 2 and raw.isalpha():
            found = pycountry.countries.get(alpha_2=upper)
            if found is not None:
                return found.alpha_3
        iso3 = self._by_key.get(name_key(raw))
        if iso3 is None:
            raise UnknownStateError(
                f"unknown state {value!r}: expected an ISO 3166 alpha-2/alpha-3 code, an English "
                "name or the UN's form of the name (e.g. 'Iran (Islamic Republic of)')"
            )
        return iso3

    def country(self, iso3: str) -> Country:
        """Return the record for an alpha-3 code (raises :class:`UnknownStateError`)."""
        try:
            return self._countries[iso3]
        except KeyError:
            raise UnknownStateError(f"unknown ISO alpha-3 code {iso3!r}") from None

    def name(self, iso3: str) -> str:
        """Display name (the UN form for members) of an alpha-3 code, or the code itself."""
        found = self._countries.get(iso3)
        return found.name if found else iso3

    def un_members(self) -> list[str]:
        """The 193 UN member states' alpha-3 codes, sorted."""
        return sorted(c.iso3 for c in self._countries.values() if c.un_member)


@functools.cache
def default_resolver() -> CountryResolver:
    """The shared resolver (built once; building it reads three small tables)."""
    return CountryResolver()


def resolve_state(value: str) -> str:
    """Resolve a state name or code with the default resolver (see :class:`CountryResolver`)."""
    return default_resolver().resolve(value)


def country_name(iso3: str) -> str:
    """Display name of a state code with the default resolver."""
    return default_resolver().name(iso3)
