"""The statement record that passes from ingestion to every later stage."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

FORUMS: tuple[str, ...] = (
    "OEWG",
    "GGE",
    "UNGA-C1",
    "UNGA-GD",
    "OSCE",
    "ASEAN",
    "AU",
    "OAS",
    "EU",
    "other",
)
"""Forums a statement can belong to; ``other`` for anything else."""

NATIONAL_FORUMS: frozenset[str] = frozenset({"UNGA-GD"})
"""Forums where every statement is the speaker's own state's: in the General Debate heads of state
and government speak for their country, and a group they name "on behalf of" is one they chair
or report on (Equatorial Guinea's 2019 speech recalls what it did "on behalf of the African
Union"), so no group statement is read from the text. Metadata that says otherwise still holds."""

_FORUM_LOOKUP = {f.casefold().replace("-", "").replace(" ", ""): f for f in FORUMS}
_FORUM_LOOKUP.update(
    {
        "firstcommittee": "UNGA-C1",
        "c1": "UNGA-C1",
        "generaldebate": "UNGA-GD",
        "gd": "UNGA-GD",
        "africanunion": "AU",
        "europeanunion": "EU",
    }
)

_SESSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_WS_RE = re.compile(r"\s+")


def normalise_forum(value: str) -> str:
    """Return the canonical forum code for ``value``.

    Raises:
        ValueError: when ``value`` is not a known forum; the message lists the valid ones.
    """
    key = value.strip().casefold().replace("-", "").replace(" ", "").replace("_", "")
    try:
        return _FORUM_LOOKUP[key]
    except KeyError:
        raise ValueError(
            f"forum must be one of {', '.join(FORUMS)}; got {value!r}"
        ) from None


def validate_session(value: str) -> str:
    """Check a session id such as ``OEWG-2023-5`` and return it stripped."""
    session = value.strip()
    if not _SESSION_RE.match(session):
        raise ValueError(
            "session must be 1-64 letters, digits, '.', '_' or '-' (e.g. 'OEWG-2023-5'); "
            f"got {value!r}"
        )
    return session


def normalise_text(text: str) -> str:
    """Normalise text for hashing: NFC, unified whitespace, no leading/trailing space.

    Two files that differ only in line endings, trailing spaces or Unicode composition get the
    same statement id.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [_WS_RE.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def statement_id(*, text: str, state: str, session: str, forum: str) -> str:
    """Stable id: the first 16 hex digits of SHA-256 over normalised text, state, session, forum."""
    key = "\x1f".join((normalise_text(text), state, session, forum))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement delivered by a state (possibly on behalf of a group) in one session.

    ``state`` is the speaker's ISO 3166 alpha-3 code; for a group statement it is the state that
    delivered it and ``on_behalf_of`` holds the group code. ``source`` is the path (relative to the
    ingested folder) or URL the text came from; ``document`` is a stable key for that source used to
    chain versions when its text changes.
    """

    id: str
    state: str
    forum: str
    session: str
    date: dt.date
    text: str
    source: str
    document: str
    content_hash: str
    on_behalf_of: str = ""
    aligned_with: str = ""
    language: str = ""
    title: str = ""
    agenda_item: str = ""
    url: str = ""
    encoding: str = "utf-8"
    ingested_at: dt.datetime = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0)
    )

    @classmethod
    def create(
        cls,
        *,
        text: str,
        state: str,
        forum: str,
        session: str,
        date: dt.date,
        source: str,
        document: str | None = None,
        **optional: Any,
    ) -> Statement:
        """Build a statement, computing its id and content hash from the text and keys."""
        forum = normalise_forum(forum)
        session = validate_session(session)
        clean = normalise_text(text)
        return cls(
            id=statement_id(text=clean, state=state, session=session, forum=forum),
            state=state,
            forum=forum,
            session=session,
            date=date,
            text=clean,
            source=source,
            document=document or source,
            content_hash=content_hash(clean),
            **optional,
        )
