"""Read UN General Assembly roll-call votes into two tidy tables.

Two layouts are recognised from the header (after normalising each column name: case-folded,
a leading byte-order mark removed, runs of spaces, hyphens or other punctuation turned into one
``_``):

* ``unvotes`` — the Voeten data as packaged in the ``unvotes`` R package: a votes file
  ``rcid, session, year, unres, country, country_code, iso3, vote`` (vote in yes/no/abstain,
  absences not listed), optionally with a roll-calls file
  ``rcid, session, importantvote, date, unres, amend, para, short, descr, year`` and an issues file
  ``rcid, short_name, issue``. The derived ``cyber_ict_votes_long.csv`` and
  ``cyber_ict_roll_calls.csv`` (extra ``category`` and count columns) read the same way. A header
  with an ``rcid`` column is taken to be this layout.
* ``undl`` — the UN Digital Library "General Assembly voting data" CSV: one row per member state and
  resolution with a member-state code, a name, a Y/N/A vote code (blank = not voting), the
  resolution symbol, date and title. Any other header that has the required columns.

Accepted column names (normalised as above; the first one present wins, in this order):

==================  ========================================================================
field               accepted names
==================  ========================================================================
roll-call id        ``rcid``, ``undl_id``, ``record_id``, ``roll_call_id``
resolution symbol   ``resolution``, ``symbol``, ``resolution_symbol``, ``document_symbol``,
                    ``unres``
state code          ``ms_code``, ``member_state_code``, ``iso3``, ``iso_3``, ``state_code``,
                    ``country_code``, ``iso2``, ``iso_2`` (every one present is tried, in order)
state name          ``ms_name``, ``member_state``, ``member_state_name``, ``country``,
                    ``country_name``, ``state``, ``state_name`` (tried after the codes)
vote                ``ms_vote``, ``vote``, ``member_state_vote``, ``vote_code``
date                ``date``, ``vote_date``, ``voting_date``, ``meeting_date``
session             ``session``, ``session_number``, ``ga_session``
title               ``title``, ``resolution_title``, ``short``
description         ``description``, ``descr``, ``agenda_title``
year                ``year``
issue (issues file) ``issue``, ``issue_name``, ``short_name``, ``issue_code``
==================  ========================================================================

A votes file needs a vote column, a state code or name column, and a roll-call id or a resolution
symbol (the symbol is the id when there is no id column). A roll-calls or issues file needs a
roll-call id. Delimiters ``,``, ``;`` and tab are detected; ``.gz`` files are decompressed.

Vote codes (case-insensitive): ``yes``/``y``, ``no``/``n``, ``abstain``/``abstention``/``a``;
blank, ``x``, ``non-voting``, ``not voting`` and ``absent`` mean the state did not vote (counted in
:attr:`VoteData.n_not_voting`, not kept). Symbols are normalised to the ``A/RES/...`` form:
Voeten's ``R/73/27`` becomes ``A/RES/73/27``, ``ESS/10/1`` ``A/RES/ES-10/1`` and ``SS/9/1``
``A/RES/S-9/1``. Rows that cannot be used (unknown state, unknown vote code, empty id, a second vote
by the same state on the same roll call) are listed in :attr:`VoteData.skipped`, never fatal.
Former states that :func:`corpora.countries.resolve_state` does not know (Czechoslovakia, the
SFRY, the German Democratic Republic, the two Yemens before 1990, ...) are skipped that way too,
with one exception: ``YUG``/``SCG`` (or the names Yugoslavia, Serbia and Montenegro) from the 55th
session (2000) on are Serbia (``SRB``), its continuing UN member; the unvotes data, following the
Correlates of War coding, keep Serbia under Yugoslavia's code until 2020.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from corpora.countries import resolve_state
from corpora.errors import InputError, UnknownStateError
from corpora.readers import decode_bytes

VOTES_COLUMNS: tuple[str, ...] = ("rcid", "state", "vote")
"""Columns of :attr:`VoteData.votes`."""
ROLL_CALL_COLUMNS: tuple[str, ...] = (
    "rcid", "session", "date", "year", "resolution", "title", "description", "issues",
)
"""Columns of :attr:`VoteData.roll_calls`."""

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "rcid": ("rcid", "undl_id", "record_id", "roll_call_id"),
    "resolution": ("resolution", "symbol", "resolution_symbol", "document_symbol", "unres"),
    "code": ("ms_code", "member_state_code", "iso3", "iso_3", "state_code", "country_code",
             "iso2", "iso_2"),
    "name": ("ms_name", "member_state", "member_state_name", "country", "country_name", "state",
             "state_name"),
    "vote": ("ms_vote", "vote", "member_state_vote", "vote_code"),
    "date": ("date", "vote_date", "voting_date", "meeting_date"),
    "session": ("session", "session_number", "ga_session"),
    "title": ("title", "resolution_title", "short"),
    "description": ("description", "descr", "agenda_title"),
    "year": ("year",),
    "issue": ("issue", "issue_name", "short_name", "issue_code"),
}
_VOTE_CODES = {"yes": "yes", "y": "yes", "no": "no", "n": "no", "abstain": "abstain",
               "abstention": "abstain", "a": "abstain"}
_NOT_VOTING = frozenset({"", "x", "non-voting", "non voting", "not voting", "absent"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_VOETEN_SYMBOL = re.compile(r"^(R|ESS|SS)/(\d+)/(.+)$")
_SESSION_IN_SYMBOL = re.compile(r"^A/RES/(?:ES-|S-)?(\d+)/")
_SERBIA_FORMER_NAMES = frozenset({"yug", "scg", "yu", "cs", "yugoslavia", "serbia and montenegro",
                                   "federal republic of yugoslavia"})
_FRY_ADMISSION_SESSION = 55
_FIRST_INT = re.compile(r"\d+")
_EXPECTED_VOTES = (
    "a vote column (ms_vote|vote|member_state_vote|vote_code), a state column "
    "(ms_code|member_state_code|iso3|country_code|... or ms_name|member_state|country|...) and a "
    "roll-call column (rcid|undl_id|record_id|roll_call_id or "
    "resolution|symbol|resolution_symbol|unres): the unvotes layout 'rcid, session, year, unres, "
    "country, country_code, iso3, vote' or the UN Digital Library layout 'undl_id, ms_code, "
    "ms_name, ms_vote, date, session, resolution, title, ...'"
)


DEFAULT_MAX_VOTES_BYTES = 1024 * 1024 * 1024
"""Largest votes file accepted, after decompression (``votes.max_bytes``)."""


@dataclass(frozen=True)
class VoteData:
    """Roll-call votes read from one file, with what was left out and why.

    Attributes:
        votes: one row per state and roll call, columns ``rcid`` (str), ``state`` (ISO 3166
            alpha-3) and ``vote`` (``"yes"``, ``"no"`` or ``"abstain"``); non-voting rows dropped.
        roll_calls: one row per roll call in ``votes``' file, columns ``rcid`` (str), ``session``
            (Int64, NA when unknown), ``date`` (:class:`datetime.date` or ``NaT``), ``year``
            (Int64), ``resolution`` (normalised symbol, ``""`` when unknown), ``title``,
            ``description`` (``""`` when unknown) and ``issues`` (tuple of issue names); sorted by
            date then id.
        skipped: ``(line, reason)`` for each unusable votes row; ``line`` is the line in the file,
            the header being line 1 (one record per line).
        source: the votes file.
        source_format: ``"unvotes"`` or ``"undl"``.
        n_rows: data rows in the votes file; ``n_rows == len(votes) + n_not_voting +
            len(skipped)``.
        n_not_voting: rows of states present but not voting (blank or non-voting codes).
    """

    votes: pd.DataFrame
    roll_calls: pd.DataFrame
    skipped: tuple[tuple[int, str], ...]
    source: str
    source_format: str
    n_rows: int
    n_not_voting: int


def normalise_symbol(symbol: str) -> str:
    """Normalise a resolution symbol: upper case, no spaces, Voeten's short forms expanded.

    Example:
        >>> normalise_symbol("R/73/27"), normalise_symbol("a/res/73/ 266")
        ('A/RES/73/27', 'A/RES/73/266')
    """
    compact = re.sub(r"\s+", "", str(symbol)).upper()
    match = _VOETEN_SYMBOL.match(compact)
    if match:
        kind, session, rest = match.groups()
        prefix = {"R": "", "ESS": "ES-", "SS": "S-"}[kind]
        return f"A/RES/{prefix}{session}/{rest}"
    return compact


def read_votes(
    path: str | Path,
    *,
    roll_calls: str | Path | None = None,
    issues: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_VOTES_BYTES,
) -> VoteData:
    """Read a roll-call votes file (unvotes or UN Digital Library layout, detected from the header).

    Args:
        path: the votes file (``.csv`` or ``.csv.gz``).
        roll_calls: optional roll-calls file (unvotes layout); its date, symbol, session, title
            (``short``) and description (``descr``) take precedence over the votes file's.
            Roll calls absent from the votes file are ignored.
        issues: optional issues file (``rcid, short_name, issue``) filling ``roll_calls.issues``.
        max_bytes: each file's size cap, after decompression (a ``.gz`` stops inflating there).

    Returns:
        The votes, the roll calls and the skipped rows.

    Raises:
        InputError: a file is missing, unreadable, or its header lacks the required columns; the
            message names the file and the columns expected.
    """
    source = str(path)
    frame, columns = _read_table(Path(path), "votes", max_bytes)
    missing = [need for need in ("vote",) if need not in columns]
    if "code" not in columns and "name" not in columns:
        missing.append("state")
    if "rcid" not in columns and "resolution" not in columns:
        missing.append("roll call")
    if missing:
        raise InputError(
            f"{source}: unrecognised votes header {list(frame.columns)} (no {' or '.join(missing)}"
            f" column); expected {_EXPECTED_VOTES}", source=source, field=missing[0])
    source_format = "unvotes" if "rcid" in {_norm(c) for c in frame.columns} else "undl"
    fields = _field_frame(frame, columns)
    votes, skipped, n_not_voting = _parse_votes(frame, fields, columns)
    table = _roll_calls_from(fields)
    if roll_calls is not None:
        extra, extra_columns = _read_table(Path(roll_calls), "roll-calls", max_bytes)
        _require_rcid(extra, extra_columns, Path(roll_calls))
        table = _field_frame(extra, extra_columns).pipe(_roll_calls_from).combine_first(table)
        table = table.reindex(fields["rcid"][fields["rcid"] != ""].unique())
    issue_map: dict[str, tuple[str, ...]] = {}
    if issues is not None:
        issue_map = _read_issues(Path(issues))
    return VoteData(
        votes=votes,
        roll_calls=_finish_roll_calls(table, issue_map),
        skipped=tuple(skipped),
        source=source,
        source_format=source_format,
        n_rows=len(frame),
        n_not_voting=n_not_voting,
    )


def _read_capped(path: Path, what: str, max_bytes: int) -> bytes:
    """The file's bytes, decompressed when gzipped, refused past ``max_bytes`` (no bomb can
    inflate beyond it: the stream is read in blocks and stops at the cap)."""
    source = str(path)
    over = InputError(f"{source}: {what} file is over the limit of {max_bytes:,} bytes "
                      "(decompressed; votes.max_bytes)", source=source)
    with path.open("rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
        handle.seek(0)
        if not gzipped:
            data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise over
            return data
        chunks, total = [], 0
        try:
            with gzip.GzipFile(fileobj=handle) as stream:
                while block := stream.read(1 << 20):
                    total += len(block)
                    if total > max_bytes:
                        raise over
                    chunks.append(block)
        except (OSError, EOFError, zlib.error) as err:
            raise InputError(f"{source}: {what} file is a damaged gzip archive ({err})",
                             source=source) from err
    return b"".join(chunks)


def _read_table(path: Path, what: str,
                max_bytes: int = DEFAULT_MAX_VOTES_BYTES) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a CSV as strings (``NA`` stays Namibia's code) and map fields to its column names."""
    source = str(path)
    if not path.is_file():
        raise InputError(f"{source}: {what} file not found", source=source)
    data = _read_capped(path, what, max_bytes)
    text, _ = decode_bytes(data, source=source)
    header = text.split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=header.count)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputError(f"{source}: {what} file is not a readable CSV ({err})",
                         source=source) from err
    frame.columns = [str(c) for c in frame.columns]
    normalised = {_norm(c): c for c in reversed(frame.columns)}
    columns: dict[str, str] = {}
    for name, synonyms in _SYNONYMS.items():
        found = [normalised[s] for s in synonyms if s in normalised]
        if found:
            columns[name] = found[0]
    codes = [normalised[s] for s in _SYNONYMS["code"] if s in normalised]
    columns.update({f"code{i}": c for i, c in enumerate(codes)})
    names = [normalised[s] for s in _SYNONYMS["name"] if s in normalised]
    columns.update({f"name{i}": c for i, c in enumerate(names)})
    return frame, columns


def _norm(column: str) -> str:
    return _NON_ALNUM.sub("_", column.lstrip("\ufeff").casefold()).strip("_")


def _require_rcid(frame: pd.DataFrame, columns: dict[str, str], path: Path) -> None:
    if "rcid" not in columns:
        raise InputError(
            f"{path}: unrecognised header {list(frame.columns)}; expected a roll-call id column "
            f"({'|'.join(_SYNONYMS['rcid'])})", source=str(path), field="rcid")


def _clean_id(values: pd.Series) -> pd.Series:
    """Strip ids; ``6073.0`` (a float-formatted integer) becomes ``6073``."""
    stripped = values.astype(str).str.strip()
    return stripped.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)


def _field_frame(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The roll-call fields of a table under their canonical names (missing ones are ``""``)."""
    out = pd.DataFrame(index=frame.index)
    for name in ("resolution", "date", "session", "title", "description", "year"):
        out[name] = frame[columns[name]].str.strip() if name in columns else ""
    if "rcid" in columns:
        out["rcid"] = _clean_id(frame[columns["rcid"]])
    else:
        out["rcid"] = out["resolution"].map(normalise_symbol)
    return out


def _parse_votes(
    frame: pd.DataFrame, fields: pd.DataFrame, columns: dict[str, str]
) -> tuple[pd.DataFrame, list[tuple[int, str]], int]:
    """Votes, skipped rows and the number of non-voting rows; state lookups are cached by key."""
    raw_vote = frame[columns["vote"]].str.strip()
    lowered = raw_vote.str.casefold()
    not_voting = lowered.isin(_NOT_VOTING)
    vote = lowered.map(_VOTE_CODES)
    state_columns = [columns[k] for k in sorted(columns) if re.fullmatch(r"code\d+", k)]
    state_columns += [columns[k] for k in sorted(columns) if re.fullmatch(r"name\d+", k)]
    key = frame[state_columns[0]].str.strip()
    for column in state_columns[1:]:
        key = key + "\x1f" + frame[column].str.strip()
    lookup = {k: _resolve(k.split("\x1f")) for k in key.unique()}
    state = key.map({k: iso3 for k, (iso3, _) in lookup.items()})
    state[_serbia_rows(key, fields)] = "SRB"
    reasons = pd.Series("", index=frame.index)
    empty_id = fields["rcid"] == ""
    reasons[empty_id] = "empty roll-call id"
    bad_vote = ~empty_id & ~not_voting & vote.isna()
    reasons[bad_vote] = ("unrecognised vote " + raw_vote[bad_vote].map(repr)
                         + " (expected Y/N/A, yes/no/abstain, or blank for not voting)")
    bad_state = ~empty_id & ~not_voting & vote.notna() & state.isna()
    reasons[bad_state] = key[bad_state].map(lambda k: lookup[k][1])
    usable = (reasons == "") & ~not_voting
    duplicate = pd.Series(False, index=frame.index)
    duplicate[usable] = pd.DataFrame({"r": fields["rcid"], "s": state})[usable].duplicated()
    reasons[duplicate] = ("second vote by " + state[duplicate] + " on roll call "
                          + fields["rcid"][duplicate] + " (the first one is kept)")
    usable &= ~duplicate
    n_not_voting = int((not_voting & ~empty_id).sum())
    skipped = [(int(i) + 2, r) for i, r in reasons[reasons != ""].items()]
    votes = pd.DataFrame({"rcid": fields["rcid"][usable], "state": state[usable],
                          "vote": vote[usable]}).reset_index(drop=True)
    return votes, skipped, n_not_voting


def _serbia_rows(key: pd.Series, fields: pd.DataFrame) -> pd.Series:
    """Rows where Yugoslavia's or Serbia and Montenegro's code or name stands for Serbia.

    The unvotes data (Correlates of War coding) keep Serbia under ``YUG``/"Yugoslavia" until
    2020, and the Federal Republic of Yugoslavia (admitted in 2000, the 55th session) and Serbia
    and Montenegro were continued by Serbia in the UN. Earlier ``YUG`` rows are the SFRY.
    """
    former = {k: any(part.casefold() in _SERBIA_FORMER_NAMES for part in k.split("\x1f"))
              for k in key.unique()}
    named = key.map(former).astype(bool)
    if not named.any():
        return named
    rows = fields.loc[named]
    session = pd.to_numeric(rows["session"].str.extract(r"(\d+)", expand=False), errors="coerce")
    from_symbol = rows["resolution"].map(normalise_symbol).str.extract(
        _SESSION_IN_SYMBOL.pattern, expand=False)
    session = session.fillna(pd.to_numeric(from_symbol, errors="coerce"))
    named[named] = session >= _FRY_ADMISSION_SESSION
    return named


def _resolve(values: Sequence[str]) -> tuple[str | None, str]:
    """First state code or name that resolves, or ``None`` and the reason."""
    for value in values:
        if value:
            try:
                return resolve_state(value), ""
            except UnknownStateError:
                continue
    given = ", ".join(repr(v) for v in values if v)
    if not given:
        return None, "no state code or name"
    return None, f"unknown state ({given}): not an ISO 3166 code, English or UN name"


def _roll_calls_from(fields: pd.DataFrame) -> pd.DataFrame:
    """One row per rcid (first non-empty value of each field), indexed by rcid."""
    usable = fields[fields["rcid"] != ""]
    columns = ["resolution", "date", "session", "title", "description", "year"]
    return usable[columns].replace("", pd.NA).groupby(usable["rcid"], sort=False).first()


def _read_issues(path: Path) -> dict[str, tuple[str, ...]]:
    frame, columns = _read_table(path, "issues")
    _require_rcid(frame, columns, path)
    if "issue" not in columns:
        raise InputError(
            f"{path}: unrecognised issues header {list(frame.columns)}; expected an issue column "
            f"({'|'.join(_SYNONYMS['issue'])})", source=str(path), field="issue")
    pairs = pd.DataFrame({"rcid": _clean_id(frame[columns["rcid"]]),
                          "issue": frame[columns["issue"]].str.strip()})
    pairs = pairs[(pairs["rcid"] != "") & (pairs["issue"] != "")].drop_duplicates()
    return {rcid: tuple(sorted(group)) for rcid, group in pairs.groupby("rcid")["issue"]}


def _to_int(value: object) -> object:
    match = _FIRST_INT.search(str(value)) if isinstance(value, str) else None
    return int(match.group()) if match else pd.NA


def _finish_roll_calls(table: pd.DataFrame, issues: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Typed roll-calls table in :data:`ROLL_CALL_COLUMNS` order, sorted by date then id."""
    table = table.rename_axis("rcid").reset_index()
    resolution = table["resolution"].map(lambda s: normalise_symbol(s) if isinstance(s, str)
                                         else "")
    session = table["session"].map(_to_int)
    from_symbol = resolution.map(
        lambda s: int(m.group(1)) if (m := _SESSION_IN_SYMBOL.match(s)) else pd.NA)
    session = session.where(session.notna(), from_symbol).astype("Int64")
    stamps = pd.to_datetime(table["date"], errors="coerce", format="mixed")
    date = pd.Series([ts.date() if pd.notna(ts) else pd.NaT for ts in stamps], index=table.index,
                     dtype=object)
    year = table["year"].map(_to_int).astype("Int64")
    year = year.where(year.notna(), pd.Series(stamps.dt.year, dtype="Int64"))
    out = pd.DataFrame({
        "rcid": table["rcid"].astype(str),
        "session": session,
        "date": date,
        "year": year,
        "resolution": resolution,
        "title": table["title"].fillna("").astype(str),
        "description": table["description"].fillna("").astype(str),
        "issues": [issues.get(r, ()) for r in table["rcid"]],
    })
    numeric = pd.to_numeric(out["rcid"], errors="coerce")
    keys = pd.DataFrame({"date": stamps, "number": numeric, "rcid": out["rcid"]})
    order = keys.sort_values(["date", "number", "rcid"], na_position="last", kind="stable").index
    return out.loc[order].reset_index(drop=True)
