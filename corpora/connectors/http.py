"""Polite, resumable, verifiable downloads over HTTP (httpx).

A :class:`Fetcher` downloads one URL at a time into a destination folder:

- **politely**: a minimum interval between two requests to the same host, a ``User-Agent`` that
  names the project, a timeout on every request;
- **robustly**: retries with exponential backoff on connection errors, timeouts, HTTP 429 and 5xx
  (``Retry-After`` honoured, capped); a download that breaks off resumes with an HTTP ``Range``
  request into ``.fetch/<key>.part`` instead of starting again;
- **safely**: a size cap (checked on ``Content-Length`` and while streaming), the content type
  checked against the file's extension, PDF and DOCX files checked for their magic bytes;
- **once**: each download is recorded in a sidecar (see :mod:`corpora.connectors.cache`); a URL
  whose file and sidecar are intact is not requested again, unless ``refresh=True`` asks the
  server, with ``If-None-Match`` / ``If-Modified-Since``, whether it changed.

A host that cannot be reached at all raises :class:`~corpora.errors.OfflineError`.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from corpora.connectors.cache import (
    CONTENT_TYPES,
    FETCH_DIR,
    FetchResult,
    cached_result,
    check_magic,
    choose_extension,
    read_json,
    record_download,
    sha256_file,
    url_key,
    write_json,
)
from corpora.connectors.redirects import host_port, is_private_host
from corpora.errors import FetchError, OfflineError

USER_AGENT = "likeminded/0.1 (UN cyber-negotiation text analysis; polite research fetcher)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""HTTP statuses worth another attempt."""
_DNS_MARKERS = ("name or service not known", "temporary failure in name resolution",
                "nodename nor servname", "getaddrinfo failed", "no address associated")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How to download. Times are in seconds, sizes in bytes.

    Attributes:
        timeout: connect and read timeout of each request.
        retries: further attempts after the first one fails transiently.
        backoff: the first retry waits this long, then twice as long each time.
        max_backoff: cap on one wait (also caps ``Retry-After``).
        min_interval: least time between two requests to the same host (the rate limit).
        max_bytes: size cap of one file.
        user_agent: the ``User-Agent`` header.
        trust_env: use proxy settings from the environment (``HTTPS_PROXY``, ``NO_PROXY``).
        deadline: the longest one download may take in all, retries included (a server that
            drips a byte at a time never reaches the read timeout).
        max_redirects: redirects followed for one request.
        allow_other_hosts: follow redirects to a host or port that no fetched URL named.
        allow_private: follow redirects to private, loopback or link-local addresses that no
            fetched URL named (server-side request forgery otherwise).
    """

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    max_backoff: float = 60.0
    min_interval: float = 1.0
    max_bytes: int = 50 * 1024 * 1024
    user_agent: str = USER_AGENT
    trust_env: bool = True
    deadline: float = 300.0
    max_redirects: int = 10
    allow_other_hosts: bool = False
    allow_private: bool = False

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise ValueError(f"timeout: expected a positive number of seconds, got "
                             f"{self.timeout!r}")
        for name in ("backoff", "max_backoff", "min_interval"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}: expected 0 or more seconds, got "
                                 f"{getattr(self, name)!r}")
        if self.retries < 0:
            raise ValueError(f"retries: expected 0 or more, got {self.retries!r}")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes: expected a positive size, got {self.max_bytes!r}")
        if not self.deadline > 0:
            raise ValueError(f"deadline: expected a positive number of seconds, got "
                             f"{self.deadline!r}")
        if self.max_redirects < 0:
            raise ValueError(f"max_redirects: expected 0 or more, got {self.max_redirects!r}")


class _Retry(Exception):
    """A transient failure; ``wait`` overrides the backoff (Retry-After)."""

    def __init__(self, message: str, *, wait: float | None = None,
                 offline: bool = False) -> None:
        super().__init__(message)
        self.wait = wait
        self.offline = offline


def is_dns_failure(err: BaseException) -> bool:
    """Whether a connection error (or anything in its cause chain) is a failed name lookup."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return True
        if any(marker in str(current).lower() for marker in _DNS_MARKERS):
            return True
        current = current.__cause__ or current.__context__
    return False


def _check_status(url: str, response: httpx.Response) -> None:
    """Raise :class:`_Retry` on a transient status, :class:`FetchError` on another error."""
    status = response.status_code
    if status in RETRY_STATUSES:
        retry_after = response.headers.get("retry-after", "").strip()
        raise _Retry(f"HTTP {status} {response.reason_phrase}",
                     wait=float(retry_after) if retry_after.isdigit() else None)
    if status >= 400:
        raise FetchError(f"{url}: HTTP {status} {response.reason_phrase}", url=url)


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


class Fetcher:
    """Downloads URLs under a :class:`FetchPolicy`; use as a context manager or call close().

    Args:
        policy: timeouts, retries, rate limit, size cap.
        transport: an httpx transport (tests may pass a mock one); the network by default.
        sleep: the function used to wait.

    Attributes:
        requests: how many HTTP requests this fetcher has sent.
    """

    def __init__(self, policy: FetchPolicy | None = None, *,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.policy = policy or FetchPolicy()
        self.requests = 0
        self._sleep = sleep
        self._last_request: dict[str, float] = {}
        self.named_hosts: set[tuple[str, int]] = set()
        """(host, port) pairs that fetched URLs named: redirects may always go there."""
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.policy.timeout), follow_redirects=False,
            headers={"User-Agent": self.policy.user_agent}, trust_env=self.policy.trust_env,
            transport=transport)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests with the policy ---------------------------------------------------------------
    def _polite_wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None:
            wait = self.policy.min_interval - (time.monotonic() - last)
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = time.monotonic()
        self.requests += 1

    def _with_retries(self, url: str, attempt: Callable[[], T]) -> T:
        policy = self.policy
        last: _Retry | None = None
        for number in range(policy.retries + 1):
            if last is not None:
                wait = last.wait if last.wait is not None else policy.backoff * 2 ** (number - 1)
                self._sleep(min(policy.max_backoff, wait))
            self._polite_wait(url)
            try:
                return attempt()
            except _Retry as err:
                last = err
            except httpx.TimeoutException as err:
                last = _Retry(f"timed out after {policy.timeout:g} s ({type(err).__name__})")
            except httpx.ConnectError as err:
                host = urlsplit(url).netloc
                if is_dns_failure(err):
                    raise OfflineError(f"{url}: cannot resolve host {host}: you appear to be "
                                       "offline (DNS lookup failed)", url=url) from err
                last = _Retry(f"cannot connect to {host} ({err})", offline=True)
            except (httpx.DecodingError, httpx.TooManyRedirects, httpx.InvalidURL,
                    httpx.UnsupportedProtocol) as err:  # retrying cannot help
                raise FetchError(f"{url}: {type(err).__name__}: {str(err)[:160]}",
                                 url=url) from err
            except httpx.TransportError as err:
                last = _Retry(f"connection broke off ({type(err).__name__}: {err})")
        assert last is not None
        attempts = policy.retries + 1
        if last.offline:
            raise OfflineError(f"{url}: {last} after {attempts} attempt(s): you appear to be "
                               "offline, or the host is down", url=url)
        raise FetchError(f"{url}: {last} after {attempts} attempt(s)", url=url)

    # -- public ---------------------------------------------------------------------------------
    def get_text(self, url: str, *, max_bytes: int = 5 * 1024 * 1024) -> tuple[str, str]:
        """GET a small text resource (a web page listing files), under the retry policy.

        Returns:
            The decoded text and the final URL (after redirects).

        Raises:
            OfflineError, FetchError: as :meth:`fetch`.
        """
        def attempt() -> tuple[str, str]:
            with self._client.stream("GET", url, follow_redirects=True) as response:
                _check_status(url, response)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise FetchError(f"{url}: more than {max_bytes:,} bytes", url=url)
                text = bytes(body).decode(response.encoding or "utf-8", errors="replace")
                return text, str(response.url)
        return self._with_retries(url, attempt)

    def fetch(self, url: str, folder: str | Path, *, stem: str,
              allowed: Iterable[str] = tuple(CONTENT_TYPES), refresh: bool = False,
              max_bytes: int | None = None) -> FetchResult:
        """Download ``url`` into ``folder`` as ``stem`` + the extension its type calls for.

        Args:
            url: an http(s) URL.
            folder: the destination (created if missing).
            stem: the file name without extension.
            allowed: extensions accepted (see :data:`~corpora.connectors.cache.CONTENT_TYPES`).
            refresh: ask the server whether a cached download changed (conditional GET)
                instead of trusting the cache.
            max_bytes: size cap for this file (the policy's by default).

        Raises:
            OfflineError: the host cannot be reached.
            FetchError: HTTP error, wrong type, over the cap, or retries exhausted.
        """
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise FetchError(f"{url!r}: expected an http(s) URL", url=url)
        try:
            self.named_hosts.add(host_port(url))
        except ValueError as err:
            raise FetchError(f"{url!r}: malformed URL ({err})", url=url) from err
        target = Path(folder)
        cached = cached_result(url, target)
        if cached is not None and not refresh:
            return cached
        (target / FETCH_DIR).mkdir(parents=True, exist_ok=True)
        download = _Download(self, url, target, stem=stem, allowed=tuple(allowed),
                             cap=max_bytes or self.policy.max_bytes, cached=cached,
                             deadline=time.monotonic() + self.policy.deadline)
        result = self._with_retries(url, download.attempt)
        record_download(result, target)
        return result

    @contextmanager
    def stream(self, url: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
        """An httpx streaming GET that follows only the redirects the policy allows."""
        current = url
        for _ in range(self.policy.max_redirects + 1):
            with self._client.stream("GET", current, headers=headers) as response:
                location = response.headers.get("location", "")
                if not (response.is_redirect and location):
                    yield response
                    return
                target = str(response.url.join(location))
            self.check_redirect(url, target)
            current = target
        raise FetchError(f"{url}: more than {self.policy.max_redirects} redirects", url=url)

    def check_redirect(self, url: str, target: str) -> None:
        """Refuse a redirect the policy does not allow (other host or port; private address).

        Raises:
            FetchError: naming the target and the flag that would allow it.
        """
        try:
            where = host_port(target)
        except ValueError as err:
            raise FetchError(f"{url}: redirect to a malformed URL {target!r}", url=url) from err
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            raise FetchError(f"{url}: redirect to {target!r} refused (not http or https)",
                             url=url)
        if where in self.named_hosts:
            return
        if not self.policy.allow_other_hosts:
            raise FetchError(f"{url}: redirect to another host or port ({where[0]}:{where[1]})"
                             " refused; allow it with --allow-redirects", url=url)
        if not self.policy.allow_private and is_private_host(where[0]):
            raise FetchError(f"{url}: redirect to a private or loopback address "
                             f"({where[0]}) refused; allow it with --allow-private", url=url)


class _Download:
    """One download across attempts: the .part file and the validators a resume needs."""

    def __init__(self, fetcher: Fetcher, url: str, folder: Path, *, stem: str,
                 allowed: tuple[str, ...], cap: int, cached: FetchResult | None,
                 deadline: float = float("inf")) -> None:
        self.fetcher, self.url, self.folder = fetcher, url, folder
        self.stem, self.allowed, self.cap, self.cached = stem, allowed, cap, cached
        key = url_key(url)
        self.part = folder / FETCH_DIR / f"{key}.part"
        self.part_meta = folder / FETCH_DIR / f"{key}.part.json"
        self.resumed = False
        self.deadline = deadline

    def _headers(self) -> dict[str, str]:
        # identity: a Range must count bytes of the file itself, not of a compressed encoding
        headers = {"Accept-Encoding": "identity"}
        meta = read_json(self.part_meta) or {}
        offset = self.part.stat().st_size if self.part.exists() else 0
        if offset and meta.get("url") == self.url:
            headers["Range"] = f"bytes={offset}-"
            validator = meta.get("etag") or meta.get("last_modified")
            if validator:
                headers["If-Range"] = validator
        elif self.part.exists():
            self.part.unlink()
        if self.cached is not None:
            if self.cached.etag:
                headers["If-None-Match"] = self.cached.etag
            if self.cached.last_modified:
                headers["If-Modified-Since"] = self.cached.last_modified
        return headers

    def attempt(self) -> FetchResult:
        url = self.url
        if time.monotonic() > self.deadline:
            raise FetchError(f"{url}: not finished within the deadline of "
                             f"{self.fetcher.policy.deadline:g} s (--deadline)", url=url)
        with self.fetcher.stream(url, self._headers()) as response:
            if response.status_code == 304 and self.cached is not None:
                return replace(self.cached, cached=True)
            if response.status_code == 416:  # the .part is no prefix of the file any more
                self.part.unlink(missing_ok=True)
                raise _Retry("HTTP 416 on resume; starting again", wait=0)
            _check_status(url, response)
            content_type = _media_type(response)
            extension = choose_extension(url, content_type, self.allowed)
            offset = self._offset(response)
            length = response.headers.get("content-length", "")
            if length.isdigit() and offset + int(length) > self.cap:
                self._discard()
                raise FetchError(f"{url}: {offset + int(length):,} bytes is over the size cap "
                                 f"of {self.cap:,} bytes", url=url)
            etag = response.headers.get("etag", "")
            modified = response.headers.get("last-modified", "")
            write_json(self.part_meta, {"url": url, "etag": etag, "last_modified": modified})
            written = offset
            with self.part.open("ab" if offset else "wb") as handle:
                for chunk in response.iter_bytes():
                    written += len(chunk)
                    if written > self.cap:
                        break
                    handle.write(chunk)
                    if time.monotonic() > self.deadline:
                        self._discard()
                        raise FetchError(f"{url}: not finished within the deadline of "
                                         f"{self.fetcher.policy.deadline:g} s (--deadline)",
                                         url=url)
            if written > self.cap:
                self._discard()
                raise FetchError(f"{url}: more than the size cap of {self.cap:,} bytes", url=url)
        try:
            check_magic(self.part, extension, url=url)
        except FetchError:
            self._discard()
            raise
        return self._finish(extension, content_type, etag, modified)

    def _discard(self) -> None:
        self.part.unlink(missing_ok=True)
        self.part_meta.unlink(missing_ok=True)

    def _offset(self, response: httpx.Response) -> int:
        """Bytes of the .part file that this response continues (0: it starts again)."""
        if response.status_code != 206 or not self.part.exists():
            return 0
        content_range = response.headers.get("content-range", "")
        start = content_range.removeprefix("bytes ").split("-")[0].strip()
        offset = self.part.stat().st_size
        if not start.isdigit() or int(start) != offset:
            self._discard()
            raise _Retry(f"server resumed at {content_range!r}, expected byte {offset}", wait=0)
        self.resumed = True
        return offset

    def _finish(self, extension: str, content_type: str, etag: str,
                modified: str) -> FetchResult:
        path = self.folder / f"{self.stem}{extension}"
        os.replace(self.part, path)
        self.part_meta.unlink(missing_ok=True)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        return FetchResult(url=self.url, path=path, sha256=sha256_file(path),
                           bytes=path.stat().st_size, content_type=content_type,
                           fetched_at=now, etag=etag, last_modified=modified,
                           resumed=self.resumed)
