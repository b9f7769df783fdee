"""The four places that hash whole files (download cache, UNGDC source, model weights, votes
file) all use ``hashlib.file_digest`` and agree with a plain SHA-256 of the bytes."""

import hashlib

import pytest

from corpora.connectors.cache import sha256_file
from corpora.ungdc import source_fingerprint
from nlp.embeddings import _sha256_cached
from pipelines.stages.analysis import _file_digest


@pytest.mark.parametrize("size", [0, 1, (1 << 20) + 7])
def test_every_file_digest_is_the_sha256_of_the_bytes(tmp_path, size):
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    stat = path.stat()
    assert sha256_file(path) == expected
    assert source_fingerprint(path) == expected
    assert _sha256_cached(str(path), stat.st_size, stat.st_mtime_ns) == expected
    assert _file_digest(str(path)) == expected


def test_an_unreadable_votes_file_is_named_not_hashed(tmp_path):
    missing = tmp_path / "votes.csv"
    assert _file_digest(str(missing)) == f"unreadable:{missing}"
    assert _file_digest("") == ""
