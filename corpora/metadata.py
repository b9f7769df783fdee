"""Statement metadata: ``metadata.csv`` files and YAML front matter, validated field by field.

``state`` may also be one of the pseudo-actors of :data:`corpora.countries.PSEUDO_ACTORS`
(``EU`` for the EU delegation in its own name, ``CONSENSUS`` for an agreed outcome document).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from corpora.countries import PSEUDO_ACTORS, resolve_state
from corpora.errors import InputError, UnknownGroupError, UnknownStateError
from corpora.groups import GroupTable
from corpora.model import FORUMS, normalise_forum, validate_session
from corpora.names import from_spreadsheet_safe
from corpora.readers import ReadLimits, decode_bytes

METADATA_FILE = "metadata.csv"
FETCH_REPORT_FILE = "fetch_report.json"
"""What ``likeminded fetch manifest`` reports beside the ``metadata.csv`` it writes."""
REQUIRED_FIELDS: tuple[str, ...] = ("state", "forum", "session", "date")
OPTIONAL_FIELDS: tuple[str, ...] = (
    "on_behalf_of", "aligned_with", "language", "title", "agenda_item", "url",
)
METADATA_PSEUDO_ACTORS: tuple[str, ...] = tuple(sorted(PSEUDO_ACTORS))
"""Pseudo-actors accepted in the ``state`` field of metadata."""
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True, slots=True)
class Metadata:
    """Validated metadata of one statement file."""

    state: str
    forum: str
    session: str
    date: dt.date
    on_behalf_of: str = ""
    aligned_with: str = ""
    language: str = ""
    title: str = ""
    agenda_item: str = ""
    url: str = ""

    def optional(self) -> dict[str, str]:
        """The optional fields as keyword arguments for :meth:`Statement.create`."""
        return {name: getattr(self, name) for name in OPTIONAL_FIELDS}


@dataclass(frozen=True, slots=True)
class MetadataRow:
    """One row of a ``metadata.csv``: the file it describes and its raw fields."""

    csv_path: Path
    line: int
    file: str
    fields: dict[str, str]
    problem: str = ""
    problem_field: str = ""

    @property
    def where(self) -> str:
        return f"{self.csv_path.name} line {self.line}"


def read_metadata_csv(path: Path, *, source: str,
                      limits: ReadLimits | None = None) -> list[MetadataRow]:
    """Read a ``metadata.csv`` (any encoding :func:`decode_bytes` accepts).

    A row with a field longer than ``limits.max_field_chars`` keeps its ``file`` but carries a
    ``problem`` (the file it describes is quarantined with that reason).

    Raises:
        InputError: when the file is over ``limits.max_bytes`` or has more than
            ``limits.max_metadata_rows`` rows, or the header lacks ``file`` or a required field.
    """
    limits = limits or ReadLimits()
    with open(path, "rb") as handle:
        data = handle.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise InputError(f"{source}: more than the size cap of {limits.max_bytes:,} bytes "
                         "(ingest.max_bytes)", source=source, field="file")
    text, _ = decode_bytes(data, source=source)
    # the csv module's own per-field limit (131,072) would abort the whole file; each field is
    # checked against ingest.max_field_chars below instead, row by row
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_bytes))
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in reader.fieldnames or []]
    except csv.Error as err:
        raise InputError(f"{source}: unreadable CSV header ({err})", source=source,
                         field="file") from err
    missing = [f for f in ("file", *REQUIRED_FIELDS) if f not in header]
    if missing:
        raise InputError(f"{source}: header lacks required column(s) {', '.join(missing)}; "
                         f"expected file,{','.join(REQUIRED_FIELDS)} and optionally "
                         f"{','.join(OPTIONAL_FIELDS)}", source=source, field=missing[0])
    rows = []
    line = 1
    try:
        for line, raw in enumerate(reader, start=2):
            if line - 1 > limits.max_metadata_rows:
                raise limits.over(source, "rows", line - 1, "max_metadata_rows", field="file")
            fields = {(k or "").strip().lower(): from_spreadsheet_safe((v or "").strip())
                      for k, v in raw.items() if k is not None and not isinstance(v, list)}
            file = fields.pop("file", "")
            problem, problem_field = "", ""
            for name, value in [("file", file), *fields.items()]:
                if len(value) > limits.max_field_chars:
                    problem_field = name
                    problem = (f"{source} line {line}: field {name[:40]!r} has {len(value):,} "
                               f"characters, over the limit of {limits.max_field_chars:,} "
                               "(ingest.max_field_chars)")
                    break
            if problem_field == "file":
                file = ""
            rows.append(MetadataRow(csv_path=path, line=line, file=file, fields=fields,
                                    problem=problem, problem_field=problem_field))
    except csv.Error as err:
        raise InputError(f"{source} line {line + 1}: unreadable CSV ({err})", source=source,
                         field="file") from err
    return rows


def validate_metadata(fields: dict[str, str], *, source: str, groups: GroupTable) -> Metadata:
    """Turn raw metadata fields into a :class:`Metadata`, resolving state and group names.

    Raises:
        InputError: naming ``source``, the field and what was expected.
    """
    def fail(field: str, expected: str) -> InputError:
        value = fields.get(field, "")
        shown = repr(value) if len(value) <= 80 else f"{value[:60]!r}... ({len(value):,} chars)"
        return InputError(f"{source}: field '{field}' {expected}; got {shown}", source=source,
                          field=field)

    for name in REQUIRED_FIELDS:
        if not fields.get(name, "").strip():
            raise InputError(f"{source}: missing required field '{name}'", source=source,
                             field=name)
    try:
        state = resolve_state(fields["state"], allow_pseudo=METADATA_PSEUDO_ACTORS)
    except UnknownStateError:
        raise fail("state", "is not a known state (ISO code, English or UN name) or "
                   f"pseudo-actor ({', '.join(METADATA_PSEUDO_ACTORS)})") from None
    try:
        forum = normalise_forum(fields["forum"])
    except ValueError:
        raise fail("forum", f"must be one of {', '.join(FORUMS)}") from None
    try:
        session = validate_session(fields["session"])
    except ValueError:
        raise fail("session", "must look like 'OEWG-2023-5' (letters, digits, . _ -)") from None
    try:
        date = dt.date.fromisoformat(fields["date"].strip())
    except ValueError:
        raise fail("date", "must be a date YYYY-MM-DD") from None
    group_fields = {}
    for name in ("on_behalf_of", "aligned_with"):
        value = fields.get(name, "").strip()
        if value:
            try:
                value = groups.resolve(value)
            except UnknownGroupError:
                raise fail(name, f"must name a known group ({', '.join(sorted(groups.groups))})"
                           ) from None
        group_fields[name] = value
    language = fields.get("language", "").strip().lower()
    if language and not _LANGUAGE_RE.match(language):
        raise fail("language", "must be an ISO 639-1 code such as 'en', 'fr' or 'es'")
    return Metadata(
        state=state, forum=forum, session=session, date=date, language=language,
        title=fields.get("title", ""), agenda_item=fields.get("agenda_item", ""),
        url=fields.get("url", ""), **group_fields,
    )
