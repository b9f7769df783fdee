"""Validate what the user typed against what exists: issues, sessions, states, taxonomies.

Every command checks its ``--issue``, ``--session`` and state arguments here, so an unknown
value fails the same way everywhere: exit status 1 and one line that names the option, the
value, and the valid values (all of them when few, else the closest few by spelling).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from corpora.store import Store
from nlp.taxonomy import Taxonomy
from pipelines.cli.common import UserError

MAX_LISTED = 12
"""Up to this many valid values are all listed; beyond it, only the closest ones."""

BUNDLED = "default"
"""``--taxonomy`` name of the bundled taxonomy (``nlp/taxonomy.yaml``)."""


def closest(value: str, valid: Sequence[str], n: int = 3) -> list[str]:
    """The ``n`` valid values closest to ``value`` in spelling (case-insensitive)."""
    lowered = {v.lower(): v for v in valid}
    found = difflib.get_close_matches(value.lower(), list(lowered), n=n, cutoff=0.5)
    return [lowered[f] for f in found]


def unknown_message(what: str, value: str, valid: Sequence[str], *, hint: str = "") -> str:
    """``unknown issue 'ihk'; valid: a, b, c`` or ``...; closest: ...`` (one line)."""
    valid = list(valid)
    if not valid:
        listing = "there are none yet" + (f" ({hint})" if hint else "")
    elif len(valid) <= MAX_LISTED:
        listing = "valid: " + ", ".join(valid)
    else:
        near = closest(value, valid)
        if near:
            listing = f"closest: {', '.join(near)} (of {len(valid)}"
        elif len(valid) <= 3 * MAX_LISTED:
            listing = f"valid: {', '.join(valid)} ({len(valid)}"
        else:
            listing = f"e.g. {', '.join(valid[:5])} (of {len(valid)}"
        listing += f"; {hint})" if hint else ")"
    return f"unknown {what} {value!r}; {listing}"


def check_choice(what: str, value: str, valid: Sequence[str], *, hint: str = "") -> str:
    """``value`` when it is one of ``valid`` (exactly, then ignoring case).

    Raises:
        UserError: naming the value and the valid (or closest) values.
    """
    if value in valid:
        return value
    by_case = {v.lower(): v for v in valid}
    if value.lower() in by_case:
        return by_case[value.lower()]
    raise UserError(unknown_message(what, value, valid, hint=hint))


def check_issue(value: str | None, taxonomy: Taxonomy) -> str | None:
    """An issue id of ``taxonomy`` (``None`` passes: all issues)."""
    if value is None:
        return None
    return check_choice("issue", value, taxonomy.ids, hint="'likeminded issues' lists them")


def store_sessions(store: Store) -> list[str]:
    """Session ids of the current statements, in time order."""
    return store.session_order()


def check_session(value: str | None, store: Store) -> str | None:
    """A session id stored in ``store`` (``None`` passes: all sessions pooled)."""
    if value is None:
        return None
    return check_choice("session", value, store_sessions(store),
                        hint="'likeminded status' lists them")


def store_states(store: Store) -> list[str]:
    """ISO3 codes of the states with current statements."""
    return store.current_states()


def check_state(value: str, store: Store | None = None, *, option: str = "") -> str:
    """The ISO3 code of a state name or code, which must have statements in ``store`` if given.

    Raises:
        UserError: the name resolves to no state (with the closest stored codes), or the state
            has no statements in the store.
    """
    from corpora.countries import resolve_state
    from corpora.errors import UnknownStateError

    prefix = f"{option}: " if option else ""
    stored = store_states(store) if store is not None else []
    try:
        code = resolve_state(value)
    except UnknownStateError as err:
        near = closest(value, stored)
        extra = f"; closest stored: {', '.join(near)}" if near else ""
        raise UserError(f"{prefix}{err}{extra}") from err
    if store is not None and code not in stored:
        near = closest(code, stored) or stored[:MAX_LISTED]
        spoken_for = store.con.execute("SELECT count(*) FROM positions WHERE state = ?",
                                       [code]).fetchall()[0][0]
        if spoken_for:
            raise UserError(f"{prefix}{code} has no statements of its own in the store: only "
                            "group statements speak for it, and positions resting on those "
                            "alone are not scored (set analysis.group_only_positions: true to "
                            "score them)")
        raise UserError(f"{prefix}{code} has no statements in the store, so no alignment "
                        f"scores; states in the store include {', '.join(near)} "
                        f"({len(stored)} in all; 'likeminded status' shows the store)")
    return code


def taxonomy_names() -> list[str]:
    """Names ``--taxonomy`` accepts besides a file: ``default`` and the bundled extra ones."""
    root = resources.files("nlp")
    from nlp.taxonomy import BUILTIN_TAXONOMIES

    names = [BUNDLED, *sorted(BUILTIN_TAXONOMIES)]
    for folder in (root, root.joinpath("taxonomies"), root.joinpath("data")):
        if not folder.is_dir():
            continue
        for item in sorted(folder.iterdir(), key=lambda p: p.name):
            name = item.name
            if name.endswith((".yaml", ".yml")) and name != "taxonomy.yaml" and (
                    name.startswith("taxonomy") or folder.name == "taxonomies"):
                stem = name.rsplit(".", 1)[0].removeprefix("taxonomy_").removeprefix("taxonomy-")
                names.append(stem)
    return list(dict.fromkeys(names))


def resolve_taxonomy(value: str | None, configured: str = "") -> str:
    """The taxonomy path for ``--taxonomy NAME|FILE`` (``""`` means the bundled one).

    ``value`` is a YAML file, ``default`` or the name of a bundled taxonomy; ``None`` keeps the
    configured one (``analysis.taxonomy``).
    """
    if value is None:
        return configured
    if value == BUNDLED:
        return ""
    from nlp.taxonomy import BUILTIN_TAXONOMIES

    if value in BUILTIN_TAXONOMIES:  # the registry's names (cyber, unga) load by name
        return value
    if Path(value).is_file():
        return value
    root = resources.files("nlp")
    for candidate in (f"taxonomy_{value}.yaml", f"taxonomy-{value}.yaml",
                      f"taxonomies/{value}.yaml", f"data/taxonomy_{value}.yaml"):
        item = root.joinpath(candidate)
        if item.is_file():
            return str(item)
    if Path(value).suffix in (".yaml", ".yml", ".json") or "/" in value:
        raise UserError(f"--taxonomy: {value}: no such file")
    raise UserError("--taxonomy: " + unknown_message("taxonomy", value, taxonomy_names(),
                                                     hint="or give a YAML file"))
