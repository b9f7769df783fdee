"""Exceptions raised by the corpora package.

They subclass :class:`ValueError` where a caller passed bad data, so code that already catches
``ValueError`` keeps working, and each message names the file, the field and what was expected.
"""

from __future__ import annotations


class CorporaError(Exception):
    """Base class for every error raised by :mod:`corpora`."""


class InputError(CorporaError, ValueError):
    """An input file or field is unusable; the message says which and why.

    Attributes:
        source: the file (or URL) the problem was found in.
        field: the metadata field concerned, or ``None`` for the file as a whole.
    """

    def __init__(self, message: str, *, source: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.field = field


class UnknownStateError(CorporaError, ValueError):
    """A state name or code could not be resolved to an ISO 3166 alpha-3 code."""


class UnknownGroupError(CorporaError, ValueError):
    """A group code or name is not in the groups table."""


class StoreError(CorporaError):
    """The store cannot be opened, migrated or written."""


class StoreLockedError(StoreError):
    """Another process holds the store's write lock."""


class FetchError(CorporaError):
    """A download failed (HTTP error, wrong content type, over the size cap, retries exhausted).

    Attributes:
        url: the URL that could not be fetched.
    """

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class OfflineError(FetchError):
    """The host cannot be reached at all (no network, DNS failure, connection refused)."""
