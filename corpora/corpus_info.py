"""A corpus folder's description of itself: ``corpus.yaml`` at the folder's root.

The file is optional. It names the corpus and says whether its statements are *illustrative*
(written for demonstration, not what any government said, like the bundled sample). Ingestion
records that per document in the store, so every output made from the store can say so::

    name: likeminded sample corpus
    illustrative: true
    note: Texts written for likeminded in its own words; do not quote them as real statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from corpora.errors import InputError

CORPUS_FILE = "corpus.yaml"
"""Name of the description file at a corpus folder's root."""

_FIELDS = ("name", "illustrative", "note")


@dataclass(frozen=True, slots=True)
class CorpusInfo:
    """What a corpus says about itself (``name`` defaults to the folder's name)."""

    name: str
    illustrative: bool = False
    note: str = ""


def read_corpus_info(root: Path, *, max_bytes: int = 65_536) -> CorpusInfo:
    """The description in ``root / corpus.yaml``, or a plain (not illustrative) one named after
    the folder when there is no such file.

    Raises:
        InputError: the file is not a YAML mapping of ``name`` (text), ``illustrative``
            (true/false) and ``note`` (text), naming the file, the field and what was expected.
    """
    path = root / CORPUS_FILE
    default = CorpusInfo(name=root.name)
    if not path.is_file():
        return default
    source = CORPUS_FILE
    if path.stat().st_size > max_bytes:
        raise InputError(f"{source}: {path.stat().st_size:,} bytes, over the limit of "
                         f"{max_bytes:,}", source=source, field="file")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        raise InputError(f"{source}: not valid UTF-8 YAML ({str(err).splitlines()[0]})",
                         source=source, field="file") from err
    if document is None:
        return default
    if not isinstance(document, dict):
        raise InputError(f"{source}: expected a mapping of {', '.join(_FIELDS)}, got "
                         f"{type(document).__name__}", source=source, field="file")
    unknown = sorted(str(k) for k in document if k not in _FIELDS)
    if unknown:
        raise InputError(f"{source}: unknown field(s) {unknown}; expected some of "
                         f"{', '.join(_FIELDS)}", source=source, field=unknown[0])
    illustrative = document.get("illustrative", False)
    if not isinstance(illustrative, bool):
        raise InputError(f"{source}: field 'illustrative' must be true or false, got "
                         f"{illustrative!r}", source=source, field="illustrative")
    for key in ("name", "note"):
        if key in document and not isinstance(document[key], str):
            raise InputError(f"{source}: field {key!r} must be text, got "
                             f"{type(document[key]).__name__}", source=source, field=key)
    return CorpusInfo(name=str(document.get("name") or root.name).strip(),
                      illustrative=illustrative, note=" ".join(str(document.get("note") or "")
                                                               .split()))


__all__ = ["CORPUS_FILE", "CorpusInfo", "read_corpus_info"]
