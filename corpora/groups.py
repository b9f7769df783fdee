"""Negotiating groups (EU, NAM, African Group, ...) and their membership over time.

The table lives in ``data/groups.yaml``: each group has a code, a name, a kind, aliases used in
statements (English, French, Spanish) and members with optional ``since`` / ``until`` dates.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from corpora.countries import name_key, resolve_state
from corpora.errors import InputError, UnknownGroupError, UnknownStateError

GROUP_KINDS = ("regional_group", "political", "economic", "security", "caucus")


def _safe_load(text: str) -> object:
    """``yaml.safe_load`` through libyaml where PyYAML has it (several times faster, the same
    data); a document libyaml rejects is parsed again in Python for PyYAML's usual message."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(text, Loader=loader)  # a safe loader
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


@dataclass(frozen=True, slots=True)
class Membership:
    """One state's membership of a group, ``since``/``until`` inclusive (``None``: open-ended)."""

    state: str
    since: dt.date | None = None
    until: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        """Whether the membership covers ``day``."""
        return (self.since is None or self.since <= day) and (
            self.until is None or day <= self.until
        )


@dataclass(frozen=True, slots=True)
class Group:
    """A negotiating group."""

    code: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    members: tuple[Membership, ...]

    def members_on(self, day: dt.date) -> list[str]:
        """Sorted ISO3 codes of the members on ``day``."""
        return sorted({m.state for m in self.members if m.active_on(day)})


def _as_date(value: object, *, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(
            f"{where}: expected an ISO date YYYY-MM-DD, got {value!r}", field="since/until"
        ) from None


def parse_groups(data: object, *, source: str = "groups.yaml") -> dict[str, Group]:
    """Validate the parsed YAML of a groups table and return groups by code.

    Raises:
        InputError: naming the group and field that is wrong.
    """
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise InputError(f"{source}: expected a mapping with a 'groups' list", source=source,
                         field="groups")
    groups: dict[str, Group] = {}
    for index, raw in enumerate(data["groups"]):
        where = f"{source}: groups[{index}]"
        if not isinstance(raw, dict):
            raise InputError(f"{where}: expected a mapping", source=source)
        code = str(raw.get("code", "")).strip()
        if not code or not code.replace("_", "").isalnum() or code.upper() != code:
            raise InputError(f"{where}.code: expected an upper-case code such as 'EU', got "
                             f"{raw.get('code')!r}", source=source, field="code")
        if code in groups:
            raise InputError(f"{where}.code: duplicate group code {code!r}", source=source,
                             field="code")
        kind = raw.get("kind", "political")
        if kind not in GROUP_KINDS:
            raise InputError(f"{where}.kind: expected one of {', '.join(GROUP_KINDS)}, got "
                             f"{kind!r}", source=source, field="kind")
        members = []
        for m_index, member in enumerate(raw.get("members") or []):
            m_where = f"{where}.members[{m_index}]"
            if not isinstance(member, dict) or "state" not in member:
                raise InputError(f"{m_where}: expected a mapping with 'state'", source=source,
                                 field="members")
            try:
                state = resolve_state(str(member["state"]))
            except UnknownStateError as err:
                raise InputError(f"{m_where}.state: {err}", source=source, field="state") from err
            members.append(Membership(state=state,
                                      since=_as_date(member.get("since"), where=m_where),
                                      until=_as_date(member.get("until"), where=m_where)))
        if not members:
            raise InputError(f"{where}.members: group {code} has no members", source=source,
                             field="members")
        aliases = tuple(str(a) for a in raw.get("aliases") or [])
        groups[code] = Group(code=code, name=str(raw.get("name") or code), kind=kind,
                             aliases=aliases, members=tuple(members))
    return groups


class GroupTable:
    """Groups by code, with lookup by name or alias and membership at a date."""

    def __init__(self, groups: dict[str, Group]) -> None:
        self.groups = groups
        self._by_key: dict[str, str] = {}
        for group in groups.values():
            for name in (group.code, group.name, *group.aliases):
                self._by_key.setdefault(name_key(name), group.code)

    @classmethod
    def from_yaml(cls, path: str | Path | None = None) -> GroupTable:
        """Load a groups table (the bundled one when ``path`` is ``None``)."""
        if path is None:
            text = resources.files("corpora").joinpath("data", "groups.yaml").read_text("utf-8")
            source = "corpora/data/groups.yaml"
        else:
            text = Path(path).read_text(encoding="utf-8")
            source = str(path)
        try:
            data = _safe_load(text)
        except yaml.YAMLError as err:
            raise InputError(f"{source}: not valid YAML ({err})", source=source) from err
        return cls(parse_groups(data, source=source))

    def resolve(self, value: str) -> str:
        """Group code for a code, name or alias (case/accents/punctuation-insensitive)."""
        code = self._by_key.get(name_key(value))
        if code is None:
            raise UnknownGroupError(
                f"unknown group {value!r}: expected one of {', '.join(sorted(self.groups))} "
                "or one of their names"
            )
        return code

    def members_on(self, code: str, day: dt.date) -> list[str]:
        """Members of group ``code`` on ``day``."""
        try:
            return self.groups[code].members_on(day)
        except KeyError:
            raise UnknownGroupError(f"unknown group code {code!r}") from None

    def recipients(self, statements: Iterable[Any]) -> dict[str, list[str]]:
        """Statement id -> states a group statement speaks for (members on its date).

        ``statements`` are records with ``statement_id, state, session, date, on_behalf_of,
        aligned_with`` attributes (e.g. a DataFrame's ``itertuples()``). A statement is a
        group statement when it was delivered ``on_behalf_of`` a group (from the metadata, or
        detected in its opening). States that declared they ``aligned_with`` a group in the
        same session also receive that group's statements.
        """
        rows = list(statements)
        aligned: dict[tuple[str, str], set[str]] = {}
        for row in rows:
            if row.aligned_with:
                aligned.setdefault((row.session, row.aligned_with), set()).add(row.state)
        out: dict[str, list[str]] = {}
        for row in rows:
            if not row.on_behalf_of or row.on_behalf_of not in self.groups:
                continue
            members = set(self.members_on(row.on_behalf_of, row.date))
            members |= aligned.get((row.session, row.on_behalf_of), set())
            out[row.statement_id] = sorted(members)
        return out

    def groups_of(self, state: str, day: dt.date) -> list[str]:
        """Codes of the groups ``state`` belongs to on ``day``."""
        return sorted(
            g.code for g in self.groups.values()
            if any(m.state == state and m.active_on(day) for m in g.members)
        )


@functools.cache
def default_groups() -> GroupTable:
    """The bundled groups table, loaded once."""
    return GroupTable.from_yaml()
