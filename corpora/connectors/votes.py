"""The UN Digital Library's "General Assembly voting data" (one CSV, all recorded votes).

The dataset is published as a record page of the UN Digital Library with the CSV attached under a
dated name (``2025_9_19_ga_voting.csv``); a new release gets a new name. :func:`fetch_votes`
reads the page, picks the newest CSV it links to and downloads it resumably (the file is a few
hundred MB) into the destination with its sidecar record (url, sha256, bytes, fetched_at, etag,
last_modified). A URL that already ends in ``.csv`` is downloaded directly. Re-running downloads
nothing when the newest file is already there.

The default is :data:`VOTES_URL`; set ``LIKEMINDED_VOTES_URL`` or pass ``url`` to use another
(a mirror, or the CSV's own address). The site sometimes answers programs with a browser check;
then download the CSV in a browser and register it with :func:`import_votes_file`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urljoin, urlsplit

from corpora.connectors.cache import FetchResult, record_download, sha256_file
from corpora.connectors.http import Fetcher
from corpora.errors import FetchError, InputError, OfflineError

VOTES_URL = "https://digitallibrary.un.org/record/4060887"
"""UN Digital Library record "General Assembly voting data" (Dag Hammarskjöld Library).

This address may change; override it with ``LIKEMINDED_VOTES_URL`` or ``--url``.
"""
ENV_VOTES_URL = "LIKEMINDED_VOTES_URL"
VOTES_MAX_BYTES = 2 * 1024 ** 3
"""Size cap of the votes CSV (the 2025 release is about 360 MB)."""
EXPECTED_COLUMNS: tuple[str, ...] = ("ms_code", "ms_vote", "resolution", "date")
"""Columns of the UN file used downstream (member-state code, Y/N/A vote, symbol, date)."""

_DATED = re.compile(r"(\d{4})_(\d{1,2})_(\d{1,2})")


@dataclass(frozen=True, slots=True)
class VotesDownload:
    """The fetched (or imported) votes CSV, the page it was found on, and its header."""

    page: str
    result: FetchResult
    columns: tuple[str, ...]

    @property
    def warning(self) -> str:
        missing = [c for c in EXPECTED_COLUMNS if c not in self.columns]
        if not missing:
            return ""
        return (f"{self.result.path.name}: no column(s) {', '.join(missing)}; the dataset's "
                "format may have changed")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the ``--json`` output of ``likeminded fetch votes``)."""
        return {"page": self.page, **self.result.to_dict(), "columns": list(self.columns),
                "warning": self.warning}


def votes_url(url: str | None = None) -> str:
    """The URL to use: ``url``, else ``$LIKEMINDED_VOTES_URL``, else :data:`VOTES_URL`."""
    return url or os.environ.get(ENV_VOTES_URL) or VOTES_URL


def find_csv_links(html: str, base_url: str) -> list[str]:
    """Absolute URLs of the CSV files a page links to, newest (by dated name) first.

    Files whose name mentions ``ga`` and ``voting`` come before other CSVs.
    """
    from bs4 import BeautifulSoup

    links: list[str] = []
    for anchor in BeautifulSoup(html, "html.parser").find_all("a", href=True):
        absolute = urljoin(base_url, str(anchor["href"]))
        if PurePosixPath(urlsplit(absolute).path).suffix.lower() == ".csv" and \
                absolute not in links:
            links.append(absolute)

    def rank(link: str) -> tuple[int, tuple[int, ...]]:
        name = PurePosixPath(urlsplit(link).path).name.lower()
        dated = _DATED.search(name)
        return (int("voting" in name and "ga" in name),
                tuple(int(g) for g in dated.groups()) if dated else (0, 0, 0))

    return sorted(links, key=rank, reverse=True)


def _manual_hint(page: str, dest: Path) -> str:
    return (f"download the 'General Assembly voting data' CSV from {page} in a browser, then "
            f"run: likeminded fetch votes --from-file FILE --dest {dest}")


def _columns(path: Path) -> tuple[str, ...]:
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    return tuple(c.strip() for c in next(csv.reader(io.StringIO(first[0])), [])) if first else ()


def fetch_votes(dest: str | Path, *, fetcher: Fetcher, url: str | None = None,
                refresh: bool = False, max_bytes: int = VOTES_MAX_BYTES) -> VotesDownload:
    """Download the newest General Assembly voting CSV into ``dest``.

    Args:
        dest: the destination folder (created if missing).
        fetcher: the fetcher (timeouts, retries, rate limit).
        url: the record page or the CSV's URL (see :func:`votes_url`).
        refresh: ask the server whether a cached CSV changed.
        max_bytes: size cap of the CSV.

    Raises:
        OfflineError: the site cannot be reached; the message says how to provide the file.
        FetchError: no CSV on the page, HTTP error, wrong type, ...; with the same advice.
    """
    page = votes_url(url)
    folder = Path(dest)
    try:
        if PurePosixPath(urlsplit(page).path).suffix.lower() == ".csv":
            csv_url = page
        else:
            html, final = fetcher.get_text(page)
            links = find_csv_links(html, final)
            if not links:
                raise FetchError(f"{page}: no CSV file is linked from this page (the site may "
                                 "be asking for a browser check)", url=page)
            csv_url = links[0]
        stem = PurePosixPath(urlsplit(csv_url).path).stem or "ga_voting"
        result = fetcher.fetch(csv_url, folder, stem=stem, allowed=(".csv",), refresh=refresh,
                               max_bytes=max_bytes)
    except OfflineError as err:
        raise OfflineError(f"{err}. To provide the file by hand, "
                           f"{_manual_hint(page, folder)}", url=err.url) from err
    except FetchError as err:
        raise FetchError(f"{err}. To provide the file by hand, {_manual_hint(page, folder)}",
                         url=err.url) from err
    return VotesDownload(page=page, result=result, columns=_columns(result.path))


def import_votes_file(path: str | Path, dest: str | Path) -> VotesDownload:
    """Register a votes CSV downloaded by hand: copy it into ``dest`` and record its sidecar.

    Raises:
        InputError: when ``path`` is not a readable ``.csv`` file.
    """
    source = Path(path)
    if not source.is_file() or source.suffix.lower() != ".csv":
        raise InputError(f"{path}: expected the downloaded voting data .csv file",
                         source=str(path), field="from-file")
    folder = Path(dest)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    if source.resolve() != target.resolve():
        shutil.copyfile(source, target)
    result = FetchResult(
        url=source.resolve().as_uri(), path=target, sha256=sha256_file(target),
        bytes=target.stat().st_size, content_type="text/csv",
        fetched_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat())
    record_download(result, folder)
    return VotesDownload(page=result.url, result=result, columns=_columns(target))
