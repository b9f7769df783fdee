"""Membership of states in groupings, from a ``country_blocks_membership.csv``-style table.

The table has one row per (grouping, member) with at least the columns ``block`` (the grouping's
id, e.g. ``UN_WEOG``) and ``iso3``. The five UN regional groups are the blocks whose id starts
with ``UN_`` (``UN_African_Group``, ``UN_Asia_Pacific_Group``, ``UN_Eastern_European_Group``,
``UN_GRULAC``, ``UN_WEOG``); each UN member belongs to exactly one of them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from corpora.errors import InputError
from corpora.readers import decode_bytes

REGIONAL_PREFIX = "UN_"
"""Block ids of the UN regional groups start with this."""


def read_block_membership(path: str | Path) -> dict[str, frozenset[str]]:
    """Block id -> ISO3 codes of its members.

    Raises:
        InputError: the file is missing, unreadable, or lacks a ``block`` or ``iso3`` column.
    """
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise InputError(f"{source}: cannot read the groups file ({err.strerror})",
                         source=source) from err
    text, _ = decode_bytes(data, source=source)
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower(): f for f in reader.fieldnames or []}
    missing = [c for c in ("block", "iso3") if c not in fields]
    if missing:
        raise InputError(f"{source}: groups file lacks column(s) {', '.join(missing)}; expected "
                         "a header with 'block' and 'iso3' (as country_blocks_membership.csv)",
                         source=source, field=missing[0])
    members: dict[str, set[str]] = {}
    for row in reader:
        block = (row.get(fields["block"]) or "").strip()
        code = (row.get(fields["iso3"]) or "").strip().upper()
        if block and len(code) == 3:
            members.setdefault(block, set()).add(code)
    return {block: frozenset(codes) for block, codes in sorted(members.items())}


def regional_groups(path: str | Path) -> dict[str, str]:
    """ISO3 -> UN regional group (block id), from a membership table (see the module docstring).

    Raises:
        InputError: as :func:`read_block_membership`, or no ``UN_`` block in the file.
    """
    blocks = {b: m for b, m in read_block_membership(path).items()
              if b.startswith(REGIONAL_PREFIX)}
    if not blocks:
        raise InputError(f"{path}: no UN regional group (block ids starting with "
                         f"{REGIONAL_PREFIX!r}) in the groups file", source=str(path),
                         field="block")
    out: dict[str, str] = {}
    for block, codes in blocks.items():
        for code in sorted(codes):
            out.setdefault(code, block)
    return out
