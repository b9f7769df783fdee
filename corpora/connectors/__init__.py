"""Connectors to real sources: polite downloads, document manifests, UN voting data.

The UN General Debate Corpus, which is read from files rather than downloaded, is in
:mod:`corpora.ungdc`.
"""

from corpora.connectors.cache import (
    CONTENT_TYPES,
    FETCH_DIR,
    FetchResult,
    cached_result,
    url_key,
)
from corpora.connectors.http import Fetcher, FetchPolicy, is_dns_failure
from corpora.connectors.manifest import (
    DOCUMENT_SUFFIXES,
    METADATA_COLUMNS,
    ManifestReport,
    RowOutcome,
    fetch_manifest,
    read_manifest,
)
from corpora.connectors.votes import (
    ENV_VOTES_URL,
    VOTES_URL,
    VotesDownload,
    fetch_votes,
    find_csv_links,
    import_votes_file,
    votes_url,
)

__all__ = [
    "CONTENT_TYPES",
    "DOCUMENT_SUFFIXES",
    "ENV_VOTES_URL",
    "FETCH_DIR",
    "METADATA_COLUMNS",
    "VOTES_URL",
    "FetchPolicy",
    "FetchResult",
    "Fetcher",
    "ManifestReport",
    "RowOutcome",
    "VotesDownload",
    "cached_result",
    "fetch_manifest",
    "fetch_votes",
    "find_csv_links",
    "import_votes_file",
    "is_dns_failure",
    "read_manifest",
    "url_key",
    "votes_url",
]
