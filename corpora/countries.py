"""Resolve state names and codes to ISO 3166 alpha-3.

Sources, in order of precedence: the UN's own forms of the 193 member states
(``data/un_members.csv``), this project's alias table (``data/state_aliases.csv``: observers,
short forms, former names, French and Spanish forms) and pycountry's names, official names and
common names. Matching ignores case, accents, punctuation and a leading "the"; ISO alpha-2 and
alpha-3 codes are accepted as they are.

Pseudo-actors (:data:`PSEUDO_ACTORS`) are speakers that are not states but whose texts are worth
comparing with the states': the EU delegation speaking in its own name (it has spoken in the UN
General Debate since 2011) and the agreed text of a consensus outcome document (``CONSENSUS``: a
GGE or OEWG report, an annual progress report, a regional declaration). They are never accepted by
default: a caller that can handle them names the codes it allows, as in
``resolve_state("EU", allow_pseudo=("EU",))``. A pseudo-actor's statements keep the forum they
belong to, so the actor is really the pair (forum, code): ``CONSENSUS`` in forum ``OEWG`` is "the
OEWG's agreed text" (see :func:`actor_label`).
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources

import pycountry

from corpora.errors import UnknownStateError

OBSERVER_STATES: frozenset[str] = frozenset({"PSE", "VAT"})
"""Non-member observer states of the UN General Assembly."""

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class PseudoActor:
    """A speaker that is not a state but may stand in the ``state`` field where allowed.

    Attributes:
        code: the value stored as the statement's ``state`` (upper case, not an ISO 3166 code).
        name: display name.
        description: what texts this actor stands for.
        aliases: other names accepted for it (matched like state names).
    """

    code: str
    name: str
    description: str
    aliases: tuple[str, ...] = ()


PSEUDO_ACTORS: dict[str, PseudoActor] = {
    actor.code: actor for actor in (
        PseudoActor("EU", "European Union",
                    "the EU delegation speaking in its own name (not a member state delivering "
                    "an EU statement: that keeps the member state and on_behalf_of EU)",
                    ("European Union", "European Union delegation")),
        PseudoActor("CONSENSUS", "Agreed outcome text",
                    "a consensus outcome document of the statement's forum: GGE and OEWG "
                    "reports, annual progress reports, regional declarations",
                    ("consensus", "agreed text", "outcome document")),
    )
}
"""Pseudo-actors by code. Accepted by :func:`resolve_state` only when the caller allows them."""


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

    def resolve(self, value: str, *, allow_pseudo: Collection[str] = ()) -> str:
        """Return the ISO alpha-3 code for a code or name.

        Args:
            value: an ISO 3166 alpha-2/alpha-3 code or a name.
            allow_pseudo: codes of :data:`PSEUDO_ACTORS` accepted as well (by code or name);
                states are always tried first.

        Raises:
            UnknownStateError: when nothing matches; the message repeats the value.
            ValueError: when ``allow_pseudo`` names an unknown pseudo-actor.
        """
        unknown = set(allow_pseudo) - set(PSEUDO_ACTORS)
        if unknown:
            raise ValueError(f"allow_pseudo: unknown pseudo-actor(s) {sorted(unknown)}; "
                             f"expected some of {sorted(PSEUDO_ACTORS)}")
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
        if iso3 is not None:
            return iso3
        pseudo = _match_pseudo(raw, allow_pseudo)
        if pseudo is not None:
            return pseudo
        also = (f", or one of the pseudo-actors {', '.join(sorted(allow_pseudo))}"
                if allow_pseudo else "")
        raise UnknownStateError(
            f"unknown state {value!r}: expected an ISO 3166 alpha-2/alpha-3 code, an English "
            f"name or the UN's form of the name (e.g. 'Iran (Islamic Republic of)'){also}"
        )

    def country(self, iso3: str) -> Country:
        """Return the record for an alpha-3 code (raises :class:`UnknownStateError`)."""
        try:
            return self._countries[iso3]
        except KeyError:
            raise UnknownStateError(f"unknown ISO alpha-3 code {iso3!r}") from None

    def name(self, iso3: str) -> str:
        """Display name (the UN form for members, or a pseudo-actor's name) or the code itself."""
        found = self._countries.get(iso3)
        if found:
            return found.name
        pseudo = PSEUDO_ACTORS.get(iso3)
        return pseudo.name if pseudo else iso3

    def un_members(self) -> list[str]:
        """The 193 UN member states' alpha-3 codes, sorted."""
        return sorted(c.iso3 for c in self._countries.values() if c.un_member)


def _match_pseudo(raw: str, allowed: Collection[str]) -> str | None:
    key = name_key(raw)
    for code in sorted(allowed):
        actor = PSEUDO_ACTORS[code]
        if key in {name_key(n) for n in (actor.code, actor.name, *actor.aliases)}:
            return code
    return None


def is_pseudo_actor(code: str) -> bool:
    """Whether a stored ``state`` value is a pseudo-actor code rather than an ISO 3166 code."""
    return code in PSEUDO_ACTORS


def actor_label(state: str, forum: str) -> str:
    """Readable name of a speaker: the state's name, or e.g. "OEWG consensus" for a pseudo-actor.

    Example:
        >>> actor_label("CONSENSUS", "OEWG")
        'OEWG consensus'
    """
    if state == "CONSENSUS":
        return f"{forum} consensus"
    return country_name(state)


@functools.cache
def default_resolver() -> CountryResolver:
    """The shared resolver (built once; building it reads three small tables)."""
    return CountryResolver()


def resolve_state(value: str, *, allow_pseudo: Collection[str] = ()) -> str:
    """Resolve a state name or code with the default resolver (see :meth:`CountryResolver.resolve`).

    ``allow_pseudo`` lists the :data:`PSEUDO_ACTORS` codes this caller accepts (none by default).
    """
    return default_resolver().resolve(value, allow_pseudo=allow_pseudo)


def country_name(iso3: str) -> str:
    """Display name of a state code with the default resolver."""
    return default_resolver().name(iso3)
