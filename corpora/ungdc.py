"""The UN General Debate Corpus (UNGDC; Baturo, Dasandi and Mikhaylov, Harvard Dataverse).

The corpus is distributed as a tree of folders named like ``Session 72 - 2017`` holding one text
file per speaker named ``<ISO3>_<session>_<year>.txt`` (UTF-8, sometimes with a byte-order mark),
as a folder or as a ``.zip`` / ``.tar.gz`` archive. Each file becomes a statement in forum
``UNGA-GD``, session ``UNGA-<n>``, dated the first of September of the year (the day is unknown;
the General Debate opens in the second half of September), language ``en`` (the corpus holds the
English texts).

Session *n* opened in September ``1945 + n``; a file whose name (or folder) disagrees with that is
quarantined, as are malformed names, unknown codes, empty and binary files. The code ``EU`` (the
European Union delegation, which has spoken since 2011) is stored as the pseudo-actor ``EU`` (see
:data:`corpora.countries.PSEUDO_ACTORS`); codes of former states (``YUG``, ``CSK``, ``DDR``, ...)
are quarantined. Other files in the tree (the codebook, spreadsheets, ``README``, hidden files)
are counted as ``ignored``, as are files outside the ``years`` asked for.

The statement's ``document`` key is ``UNGDC/<CODE>_<session>_<year>`` whatever the layout, so the
same corpus ingested as a folder and then as an archive is *unchanged*, and a corrected text in a
new release of the corpus becomes a new version of its statement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tarfile
import zipfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pycountry

from corpora.countries import resolve_state
from corpora.errors import InputError, UnknownStateError
from corpora.ingest import folder_fingerprint
from corpora.ledger import (
    IngestReport,
    ProgressCallback,
    QuarantinedFile,
    StatementLedger,
    quarantine_reason,
)
from corpora.model import Statement
from corpora.names import printable
from corpora.readers import DEFAULT_MAX_BYTES, MIN_TEXT_CHARS, decode_bytes
from corpora.store import Store

FORUM = "UNGA-GD"
FIRST_SESSION_YEAR = 1946
"""Session 1 was held in 1946; session *n* in ``1945 + n``."""
PSEUDO_ACTORS_ALLOWED: tuple[str, ...] = ("EU",)
"""Non-state codes of the corpus that are stored as pseudo-actors."""

_NAME_RE = re.compile(r"^(?P<code>[A-Za-z]{2,4})_(?P<session>\d{1,3})_(?P<year>\d{4})\.txt$")
_FOLDER_RE = re.compile(r"^session\s+(?P<session>\d{1,3})\s*-\s*(?P<year>\d{4})$", re.I)
_YEARS_RE = re.compile(r"^(\d{4})(?:\s*-\s*(\d{4}))?$")
_IGNORED_STEMS = {"readme", "license", "licence", "notice", "changelog"}


@dataclass(frozen=True, slots=True)
class UngdcName:
    """What a corpus file name says: speaker code, session number and year."""

    code: str
    session: int
    year: int

    @property
    def document(self) -> str:
        """Stable document key, independent of where the file sits."""
        return f"UNGDC/{self.code}_{self.session}_{self.year}"


@dataclass(frozen=True, slots=True)
class _Member:
    """A file of the corpus: its name in the report, its size, and how to read it."""

    source: str
    size: int
    read: Callable[[int], bytes]


def session_year(session: int) -> int:
    """Year in which General Assembly session ``session`` opened (72 -> 2017)."""
    return FIRST_SESSION_YEAR - 1 + session


def parse_ungdc_name(name: str, *, source: str = "") -> UngdcName:
    """Parse ``USA_72_2017.txt``.

    Raises:
        InputError: when the name does not follow ``<ISO3>_<session>_<year>.txt`` or the session
            and the year disagree.
    """
    where = source or name
    match = _NAME_RE.match(name)
    if not match:
        raise InputError(f"{where}: malformed file name {name!r}; expected "
                         "<ISO3>_<session>_<year>.txt such as 'USA_72_2017.txt'",
                         source=where, field="file")
    parsed = UngdcName(code=match["code"].upper(), session=int(match["session"]),
                       year=int(match["year"]))
    if parsed.session < 1 or session_year(parsed.session) != parsed.year:
        raise InputError(f"{where}: session {parsed.session} does not match year {parsed.year} "
                         f"(session n opened in {FIRST_SESSION_YEAR - 1} + n, so session "
                         f"{parsed.session} is {session_year(parsed.session)})",
                         source=where, field="file")
    return parsed


def parse_years(spec: str) -> frozenset[int]:
    """Parse a years filter: ``2017``, ``2013-2023`` or a comma-separated list of both.

    Raises:
        InputError: naming the ``years`` field and the expected form.
    """
    years: set[int] = set()
    for part in (p.strip() for p in spec.split(",")):
        match = _YEARS_RE.match(part)
        first, last = (int(match[1]), int(match[2] or match[1])) if match else (0, -1)
        if not match or first > last or first < FIRST_SESSION_YEAR:
            raise InputError(f"years: expected YYYY or YYYY-YYYY (from {FIRST_SESSION_YEAR}), "
                             f"or a comma-separated list of them, such as '2013-2023'; got "
                             f"{spec!r}", source="years", field="years")
        years.update(range(first, last + 1))
    return frozenset(years)


def _is_ignored(parts: tuple[str, ...]) -> bool:
    if any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return True
    name = PurePosixPath(parts[-1])
    return name.suffix.lower() != ".txt" or name.stem.lower() in _IGNORED_STEMS


@contextmanager
def _open_tree(path: Path, refused: list[str] | None = None
               ) -> Iterator[tuple[list[_Member], list[str]]]:
    """The corpus files of a folder, .zip or .tar(.gz) and the ignored ones (archives stay open
    while in use); symbolic links that leave the folder (or a link inside an archive) are
    appended to ``refused`` (and never read)."""
    refused = [] if refused is None else refused
    if path.is_dir():
        root = path.resolve()
        files: list[Path] = []
        ignored: list[Path] = []
        for file in sorted(root.rglob("*")):
            parts = file.relative_to(root).parts
            if file.is_symlink():
                if _is_ignored(parts):
                    continue
                try:
                    target = file.resolve(strict=True)
                except (OSError, RuntimeError):
                    target = None
                if target is None or not target.is_relative_to(root) or not target.is_file():
                    refused.append(printable("/".join(parts)))
                    continue
            elif not file.is_file():
                continue
            (ignored if _is_ignored(parts) else files).append(file)

        def reader(file: Path) -> Callable[[int], bytes]:
            def read(limit: int) -> bytes:
                with file.open("rb") as handle:
                    return handle.read(limit)
            return read

        yield ([_Member(printable(p.relative_to(root).as_posix()), p.stat().st_size, reader(p))
                for p in files], [printable(p.relative_to(root).as_posix()) for p in ignored])
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            infos = sorted((i for i in archive.infolist() if not i.is_dir()),
                           key=lambda i: i.filename)
            kept_infos = [i for i in infos if not _is_ignored(PurePosixPath(i.filename).parts)]

            def zip_reader(info: zipfile.ZipInfo) -> Callable[[int], bytes]:
                def read(limit: int) -> bytes:
                    with archive.open(info) as handle:
                        return handle.read(limit)
                return read

            yield ([_Member(printable(f"{path.name}/{i.filename}"), i.file_size, zip_reader(i))
                    for i in kept_infos],
                   [printable(f"{path.name}/{i.filename}") for i in infos
                    if _is_ignored(PurePosixPath(i.filename).parts)])
    elif tarfile.is_tarfile(path):
        # archive order, not sorted: reading a compressed tar out of order re-decompresses it
        with tarfile.open(path) as tar:
            tar_infos = [i for i in tar.getmembers() if i.isfile()]
            kept_tar = [i for i in tar_infos if not _is_ignored(PurePosixPath(i.name).parts)]
            refused.extend(printable(f"{path.name}/{i.name}") for i in tar.getmembers()
                           if (i.issym() or i.islnk()) and not _is_ignored(
                               PurePosixPath(i.name).parts))

            def tar_reader(info: tarfile.TarInfo) -> Callable[[int], bytes]:
                def read(limit: int) -> bytes:
                    handle = tar.extractfile(info)
                    return handle.read(limit) if handle is not None else b""
                return read

            kept_names = {id(i) for i in kept_tar}
            yield ([_Member(printable(f"{path.name}/{i.name}"), i.size, tar_reader(i))
                    for i in kept_tar],
                   [printable(f"{path.name}/{i.name}") for i in tar_infos
                    if id(i) not in kept_names])
    else:
        raise InputError(f"{path}: not a folder, .zip or .tar(.gz) archive; expected the UN "
                         "General Debate Corpus as distributed", source=str(path), field="path")


def _resolve_code(code: str, source: str) -> str:
    try:
        if len(code) == 3 or code in PSEUDO_ACTORS_ALLOWED:
            return resolve_state(code, allow_pseudo=PSEUDO_ACTORS_ALLOWED)
    except UnknownStateError:
        pass
    former = pycountry.historic_countries.get(alpha_3=code) if len(code) == 3 else None
    hint = f" (a former state: {former.name})" if former is not None else ""
    raise InputError(f"{source}: unknown speaker code {code!r}{hint}; expected an ISO 3166 "
                     f"alpha-3 code of a current state or one of "
                     f"{', '.join(PSEUDO_ACTORS_ALLOWED)}", source=source, field="state")


def _folder_check(source: str, parsed: UngdcName) -> None:
    parent = PurePosixPath(source).parent.name
    match = _FOLDER_RE.match(parent)
    if match and (int(match["session"]), int(match["year"])) != (parsed.session, parsed.year):
        raise InputError(f"{source}: file name says session {parsed.session} ({parsed.year}) "
                         f"but it is in folder {parent!r}", source=source, field="session")


def ungdc_statement(member_source: str, data: bytes, parsed: UngdcName, *,
                    ingested_at: dt.datetime) -> Statement:
    """Build the statement of one corpus file from its bytes.

    Raises:
        InputError: unknown speaker code, binary or empty text.
    """
    state = _resolve_code(parsed.code, member_source)
    text, encoding = decode_bytes(data, source=member_source)
    if len("".join(text.split())) < MIN_TEXT_CHARS:
        raise InputError(f"{member_source}: empty file (fewer than {MIN_TEXT_CHARS} characters "
                         "of text)", source=member_source, field="text")
    return Statement.create(
        text=text, state=state, forum=FORUM, session=f"UNGA-{parsed.session}",
        date=dt.date(parsed.year, 9, 1), source=member_source, document=parsed.document,
        language="en", title=f"General Debate, session {parsed.session} ({parsed.year})",
        encoding=encoding, ingested_at=ingested_at)


def ingest_ungdc(
    path: str | Path,
    store: Store,
    *,
    run_id: str,
    years: frozenset[int] | set[int] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressCallback | None = None,
    now: dt.datetime | None = None,
) -> IngestReport:
    """Ingest the UN General Debate Corpus from a folder or archive, in one transaction.

    Args:
        path: the corpus folder, ``.zip`` or ``.tar.gz`` (never modified).
        store: an open, writable store.
        run_id: recorded with quarantine and duplicate entries.
        years: only files of these years (all when ``None``); the others count as ignored.
        max_bytes: files larger than this are quarantined.
        progress: called as ``progress(done, total)`` after each file.
        now: ingest time to record (defaults to the current UTC time).

    Returns:
        An :class:`IngestReport` whose counts add up (``seen`` excludes ignored files).

    Raises:
        InputError: when ``path`` does not exist or is neither a folder nor an archive.
    """
    root = Path(path).resolve()
    if not root.exists():
        raise InputError(f"{path}: no such folder or archive", source=str(path), field="path")
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    report = IngestReport(root=str(root), run_id=run_id)
    outcomes: list[tuple[str, Statement | QuarantinedFile]] = []
    refused: list[str] = []
    with _open_tree(root, refused) as (members, ignored):
        report.ignored_files.extend(ignored)
        for done, member in enumerate(members, start=1):
            outcome: Statement | QuarantinedFile | None
            try:
                outcome = _read_member(member, years, max_bytes, stamp)
            except Exception as err:  # one file's failure is that file's alone
                outcome = quarantine_reason(member.source, err)
            finally:
                if progress is not None:
                    progress(done, len(members))
            if outcome is None:
                report.ignored_files.append(member.source)
            else:
                outcomes.append((member.source, outcome))
    outcomes += [(source, QuarantinedFile(source, "file", f"{source}: symbolic link that leaves "
                                          "the corpus (or points nowhere); refused"))
                 for source in refused]
    ledger = StatementLedger(store, report)
    first_source: dict[str, str] = {}
    for source, outcome in sorted(outcomes, key=lambda pair: pair[0]):
        if isinstance(outcome, QuarantinedFile):
            report.quarantine.append(outcome)
        elif outcome.document in first_source:
            report.quarantine.append(QuarantinedFile(
                source, "file", f"{source}: the corpus already has this speech at "
                f"{first_source[outcome.document]}; only the first copy is ingested"))
        else:
            first_source[outcome.document] = source
            ledger.add(outcome)
    ledger.commit(run_id)
    return report


def read_ungdc_statements(
    path: str | Path,
    *,
    members: Collection[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    now: dt.datetime | None = None,
) -> Iterator[tuple[str, Statement]]:
    """Read the corpus without a store: the statements that :func:`ingest_ungdc` would store.

    Files that ingestion would quarantine or ignore are skipped; duplicates are not resolved.

    Args:
        path: the corpus folder, ``.zip`` or ``.tar.gz`` (never modified).
        members: only these files, named by their path inside the folder or archive (such as
            ``Session 73 - 2018/LVA_73_2018.txt``); all when ``None``. Others are not read.
        max_bytes: files larger than this are skipped.
        now: ingest time recorded on the statements (defaults to the current UTC time).

    Yields:
        ``(member, statement)`` pairs in the order of the folder or archive.

    Raises:
        InputError: when ``path`` does not exist or is neither a folder nor an archive.
    """
    root = Path(path).resolve()
    if not root.exists():
        raise InputError(f"{path}: no such folder or archive", source=str(path), field="path")
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    wanted = None if members is None else set(members)
    prefix = "" if root.is_dir() else f"{root.name}/"
    with _open_tree(root) as (found, _):
        for member in found:
            name = member.source.removeprefix(prefix)
            if wanted is not None and name not in wanted:
                continue
            try:
                statement = _read_member(member, None, max_bytes, stamp)
            except Exception:
                continue
            if statement is not None:
                yield name, statement


def _read_member(member: _Member, years: frozenset[int] | set[int] | None, max_bytes: int,
                 stamp: dt.datetime) -> Statement | None:
    """The statement of one file, ``None`` when outside ``years``; raises InputError."""
    parsed = parse_ungdc_name(PurePosixPath(member.source).name, source=member.source)
    if years is not None and parsed.year not in years:
        return None
    _folder_check(member.source, parsed)
    data = member.read(max_bytes + 1)
    if member.size > max_bytes or len(data) > max_bytes:
        raise InputError(f"{member.source}: {max(member.size, len(data)):,} bytes is over the "
                         f"size cap of {max_bytes:,} bytes (--max-bytes)",
                         source=member.source, field="file")
    return ungdc_statement(member.source, data, parsed, ingested_at=stamp)


def source_fingerprint(path: str | Path) -> str:
    """Provenance of a corpus input: :func:`folder_fingerprint` of a folder, SHA-256 of a file."""
    target = Path(path)
    if target.is_dir():
        return folder_fingerprint(target)
    with target.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
