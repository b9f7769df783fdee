"""Substantive paragraphs of real UN General Debate speeches, exactly as the pipeline sees them.

Shared by the tagging sample (``sample_ungdc_paragraphs.py``), its benchmark
(``bench_tagging_real.py``) and the test of the hand labels: the archive is read with the project's
own reader (:func:`corpora.ungdc.read_ungdc_statements`) and segmented with the pipeline's
segmenter and settings, so a paragraph here is a substantive segment of the store, numbered as the
pipeline numbers it. The speeches are read in place from ``../shared/data/`` and never copied.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from corpora.ungdc import read_ungdc_statements
from nlp.segment import SUBSTANTIVE, segment_statements, text_hash
from pipelines.settings import PipelineConfig

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = ROOT.parent / "shared" / "data" / "ungdc_2013-2024_no2017.tar.gz"
LABELS = ROOT / "benchmarks" / "data" / "ungdc_tagging_labels.csv"
LABEL_COLUMNS = ("stratum", "member", "segment", "sha16", "issues", "sides", "note")
STRATA = ("random", "enriched", "enriched_holdout")
"""The strata a labels file may hold (see ``sample_ungdc_paragraphs.py`` for how each was drawn)."""
HELD_OUT = frozenset({"enriched_holdout"})
"""Strata kept out of routine measurement: scored only on request, once, after a tagger change."""


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A substantive segment of one speech.

    Attributes:
        member: the speech's path inside the archive (``Session 73 - 2018/LVA_73_2018.txt``).
        segment: the segment's index within the statement, as the pipeline numbers it.
        text: the segment text.
    """

    member: str
    segment: int
    text: str

    @property
    def sha16(self) -> str:
        """First 16 hex digits of the SHA-256 of the text (the pipeline's text hash)."""
        return text_hash(self.text)[:16]


@dataclass(frozen=True, slots=True)
class Label:
    """A hand label: which issues a paragraph is about and, for contested ones, its side."""

    stratum: str
    member: str
    segment: int
    sha16: str
    issues: frozenset[str]
    sides: dict[str, int]
    note: str


def substantive_paragraphs(archive: Path = ARCHIVE, *, members: Collection[str] | None = None,
                           config: PipelineConfig | None = None) -> list[Paragraph]:
    """The substantive segments of the speeches in ``archive`` (only ``members`` when given).

    Returns:
        Paragraphs ordered by member, then segment index.
    """
    settings = config or PipelineConfig()
    statements = sorted(read_ungdc_statements(archive, members=members))
    # the segment stage passes the statement's language (UNGDC: "en"), as here
    items = [(member, st.text, st.language or "en") for member, st in statements]
    segments = segment_statements(items, max_chars=settings.segment.max_chars)
    return [Paragraph(s.statement_id, s.index, s.text) for s in segments
            if s.kind == SUBSTANTIVE]


def read_labels(path: Path = LABELS) -> list[Label]:
    """Parse the labels file.

    Raises:
        ValueError: naming the file, the line and the field that is malformed.
    """
    labels = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != LABEL_COLUMNS:
            raise ValueError(f"{path}: columns {reader.fieldnames}; expected {list(LABEL_COLUMNS)}")
        for row in reader:
            where = f"{path}:{reader.line_num}"
            if row["stratum"] not in STRATA:
                raise ValueError(f"{where}: stratum {row['stratum']!r}; expected one of {STRATA}")
            if not row["segment"].isdigit():
                raise ValueError(f"{where}: segment {row['segment']!r}; expected an integer >= 0")
            if len(row["sha16"]) != 16 or any(c not in "0123456789abcdef" for c in row["sha16"]):
                raise ValueError(f"{where}: sha16 {row['sha16']!r}; expected 16 lowercase hex")
            issues = frozenset(i.strip() for i in row["issues"].split(";") if i.strip())
            sides: dict[str, int] = {}
            for part in (p.strip() for p in row["sides"].split(";") if p.strip()):
                issue, _, value = part.partition(":")
                if value not in ("-1", "0", "1", "+1") or issue not in issues:
                    raise ValueError(f"{where}: side {part!r}; expected ISSUE:-1|0|+1 for an "
                                     f"issue listed in issues ({sorted(issues)})")
                sides[issue] = int(value)
            labels.append(Label(row["stratum"], row["member"], int(row["segment"]),
                                row["sha16"], issues, sides, row["note"]))
    return labels
