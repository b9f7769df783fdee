"""Split statements into paragraphs and sentences, and mark procedural boilerplate.

Uses spaCy blank pipelines with the rule-based sentencizer (nothing to download): ``spacy.blank``
for English, French, Spanish, Russian, Chinese and Arabic, and the multilingual ``xx`` pipeline for
anything else. A paragraph longer than ``max_chars`` is cut at sentence boundaries (or, without
punctuation, at word boundaries) so that a segment fits the embedding model's window.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import spacy
from spacy.language import Language

SUBSTANTIVE = "substantive"
PROCEDURAL = "procedural"
SEGMENT_KINDS = (SUBSTANTIVE, PROCEDURAL)

_SPACY_LANGUAGES = {"en"}  # others use the multilingual "xx" (spacy.blank("fr") takes 4 s)
_BULLET = re.compile(r"^\s*(?:[-*•▪◦–]|\(?[a-z0-9]{1,3}[.)])\s+", re.I)

# Sentences that only perform courtesy or procedure: thanks, congratulations, closing formulas,
# notes about circulation. English, French and Spanish forms.
_PROCEDURAL_PATTERNS = [
    r"^(?:mr\.?|madam|madame|monsieur|señor|señora)?\s*(?:chair(?:man|person|woman)?|president"
    r"|presidente?|co-?chairs?)\W*$",
    r"^(?:i|we)\s+thank\s+you\b",
    r"^thank\s+you(?:\s+(?:very\s+much|so\s+much))?(?:,?\s*(?:mr\.?|madam)?\s*"
    r"(?:chair\w*|president|co-?chairs?|colleagues))?\W*$",
    r"\b(?:i|we)\s+(?:would\s+like\s+to\s+|wish\s+to\s+)?(?:congratulate|thank)\b.{0,160}"
    r"\b(?:chair\w*|president|secretariat|bureau|election|leadership|presidency|facilitator)",
    r"\bthe\s+full\s+(?:version\s+of\s+(?:the|this|our)\s+|text\s+of\s+(?:the|this|our)\s+)?"
    r"statement\s+(?:will\s+be|has\s+been|is)\s+(?:circulated|made\s+available|posted|"
    r"submitted|uploaded)",
    r"^(?:allow|let)\s+me\s+(?:at\s+the\s+outset\s+)?to\s+(?:congratulate|thank|express)",
    r"\b(?:gratitude|appreciation)\b.{0,80}\b(?:leadership|chair\w*|presidency|stewardship)\b",
    r"\b(?:assure|assures)\s+you\s+of\s+(?:our|its)\s+(?:full\s+)?(?:support|cooperation)\b",
    r"\bhonou?r\s+(?:to|of)\s+(?:deliver|speak|take\s+the\s+floor|make|present)\b",
    r"\ba\s+l['’]honneur\s+de\b|\btengo\s+el\s+honor\s+de\b",
    r"\baligns?\s+(?:itself|ourselves|myself)\s+(?:fully\s+)?with\s+the\s+statement",
    r"^(?:in\s+addition\s+to|having\s+(?:spoken|delivered)).{0,120}\bnational\s+capacity\b",
    r"\bwould\s+like\s+to\s+add\s+(?:the\s+following|a\s+few)\b.{0,60}national\s+capacity",
    r"^merci(?:\s+beaucoup)?,?\s*(?:monsieur|madame)\s+(?:le|la)\s+président",
    r"^je\s+vous\s+remercie\W*$",
    r"^(?:muchas\s+)?gracias,?\s*(?:señor|señora)\s+president[ea]",
    r"^(?:muchas\s+)?gracias\W*$",
    r"\b(?:félicite|felicita|felicitar|féliciter)\b",
]
_PROCEDURAL_RE = re.compile("|".join(f"(?:{p})" for p in _PROCEDURAL_PATTERNS), re.I)
_PROCEDURAL_MAX_WORDS = 45


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a statement: a paragraph, or part of a long paragraph.

    Attributes:
        statement_id: the statement it belongs to.
        index: position within the statement (0-based, over all kinds).
        paragraph: index of the source paragraph.
        kind: ``substantive`` or ``procedural`` (courtesy and procedure, kept but not analysed).
        text: the segment's text.
        n_sentences: number of sentences.
        text_hash: SHA-256 (hex) of the text, the embedding cache key.
    """

    statement_id: str
    index: int
    paragraph: int
    kind: str
    text: str
    n_sentences: int
    text_hash: str


def text_hash(text: str) -> str:
    """SHA-256 (hex) of a segment text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# a courtesy formula followed by a proposal is substance ("We thank the Chair and propose ...")
_SUBSTANCE_RE = re.compile(
    r"\b(?:propose|proposes|call\s+(?:on|for)|believe|urge|should|must|need|recommend|insist|"
    r"reject|oppose|doit|debe|deben|proponemos|proposons)\b", re.I)


# every procedural formula contains one of these; checking them first skips the regex for
# almost all substantive sentences
_PROCEDURAL_CUES = ("chair", "presid", "thank", "congratul", "honour", "honor", "align",
                    "statement", "gratitude", "appreciation", "assure", "merci", "remerci",
                    "gracias", "félicit", "felicit", "honneur", "national capacity")


def is_procedural(sentence: str) -> bool:
    """Whether a sentence is courtesy or procedure only (short, a known formula, no proposal)."""
    text = sentence.strip()
    if text.count(" ") >= _PROCEDURAL_MAX_WORDS:
        return False
    lowered = text.lower()
    if not any(cue in lowered for cue in _PROCEDURAL_CUES):
        return False
    return bool(_PROCEDURAL_RE.search(text)) and not _SUBSTANCE_RE.search(text)


@functools.cache
def pipeline_for(language: str) -> Language:
    """A blank spaCy pipeline with a sentencizer for ``language`` (``xx`` when unsupported)."""
    code = language if language in _SPACY_LANGUAGES else "xx"
    try:
        nlp = spacy.blank(code)
    except (ImportError, KeyError):  # a language whose tokenizer needs extra packages
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def split_paragraphs(text: str) -> list[str]:
    """Split on blank lines; each bullet-list item becomes its own paragraph."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        current: list[str] = []
        for line in lines:
            if _BULLET.match(line) and current:
                paragraphs.append(" ".join(current))
                current = []
            current.append(line)
        paragraphs.append(" ".join(current))
    return paragraphs


_PIECE_CHARS = 100_000
"""Longest text handed to spaCy at once (its ``max_length`` is 1,000,000: error E088)."""


def _pieces(paragraph: str) -> list[str]:
    """Cut an over-long paragraph at whitespace into pieces spaCy accepts (any length works)."""
    if len(paragraph) <= _PIECE_CHARS:
        return [paragraph]
    pieces, start = [], 0
    while start < len(paragraph):
        end = min(start + _PIECE_CHARS, len(paragraph))
        if end < len(paragraph):
            cut = paragraph.rfind(" ", start + _PIECE_CHARS // 2, end)
            end = cut + 1 if cut > start else end
        pieces.append(paragraph[start:end])
        start = end
    return pieces


def _chunk_words(sentence: str, max_chars: int) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    words = (w[i:i + max_chars] for w in sentence.split() for i in range(0, len(w), max_chars))
    for word in words:
        if current and size + len(word) + 1 > max_chars:
            chunks.append(" ".join(current))
            current, size = [], 0
        current.append(word)
        size += len(word) + 1
    if current:
        chunks.append(" ".join(current))
    return chunks


def _pack(sentences: Sequence[str], max_chars: int) -> list[tuple[str, int]]:
    """Pack consecutive sentences into chunks of at most ``max_chars``: (text, n_sentences)."""
    out: list[tuple[str, int]] = []
    current: list[str] = []
    for sentence in sentences:
        pieces = _chunk_words(sentence, max_chars) if len(sentence) > max_chars else [sentence]
        for piece in pieces:
            if current and sum(len(s) + 1 for s in current) + len(piece) > max_chars:
                out.append((" ".join(current), len(current)))
                current = []
            current.append(piece)
    if current:
        out.append((" ".join(current), len(current)))
    return out


def segment_statement(statement_id: str, text: str, *, language: str = "en",
                      max_chars: int = 1000) -> list[Segment]:
    """Segment one statement (see :func:`segment_statements`)."""
    return segment_statements([(statement_id, text, language)], max_chars=max_chars)


def segment_statements(items: Iterable[tuple[str, str, str]], *,
                       max_chars: int = 1000) -> list[Segment]:
    """Segment statements into paragraphs and mark procedural runs of sentences.

    Within a paragraph, leading and trailing procedural sentences ("Thank you, Chair.") become a
    separate procedural segment, so the substantive remainder is analysed on its own.

    Args:
        items: ``(statement_id, text, language)`` triples; language is an ISO 639-1 code.
        max_chars: longest substantive segment; longer paragraphs are cut at sentence boundaries.

    Returns:
        Segments in input order, indexed from 0 within each statement.
    """
    if max_chars < 100:
        raise ValueError(f"max_chars must be at least 100; got {max_chars}")
    items = list(items)
    paragraphs = [split_paragraphs(text) for _, text, _ in items]
    # one nlp.pipe call per language over every paragraph: per-call overhead dominates otherwise
    sentences: dict[tuple[int, int], list[str]] = {}
    by_language: dict[str, list[tuple[int, int]]] = {}
    for n, (_, _, language) in enumerate(items):
        code = "en" if (language or "en") in _SPACY_LANGUAGES else "xx"
        by_language.setdefault(code, []).extend((n, p) for p in range(len(paragraphs[n])))
    for language, keys in by_language.items():
        queued = [(key, piece) for key in keys for piece in _pieces(paragraphs[key[0]][key[1]])]
        docs = pipeline_for(language).pipe((piece for _, piece in queued), batch_size=256)
        for (key, _), doc in zip(queued, docs, strict=True):
            sentences.setdefault(key, []).extend(
                t for t in (s.text.strip() for s in doc.sents) if t)
    segments: list[Segment] = []
    for n, (statement_id, _, _) in enumerate(items):
        index = 0
        for p_index in range(len(paragraphs[n])):
            for kind, run in _runs(sentences[(n, p_index)]):
                pieces = [(" ".join(run), len(run))] if kind == PROCEDURAL else _pack(
                    run, max_chars)
                for piece, n_sentences in pieces:
                    segments.append(Segment(statement_id, index, p_index, kind, piece,
                                            n_sentences, text_hash(piece)))
                    index += 1
    return segments


def _runs(sentences: list[str]) -> list[tuple[str, list[str]]]:
    """Group a paragraph's sentences: procedural head, substantive body, procedural tail.

    Procedural sentences in the middle of substantive text stay with it (they are usually
    transitions such as "I thank the facilitators for their paper, which..."), so only the
    head and the tail are tested.
    """
    if not sentences:
        return []
    start = 0
    while start < len(sentences) and is_procedural(sentences[start]):
        start += 1
    if start == len(sentences):
        return [(PROCEDURAL, sentences)]
    end = len(sentences)
    while end > start and is_procedural(sentences[end - 1]):
        end -= 1
    runs = []
    if start:
        runs.append((PROCEDURAL, sentences[:start]))
    runs.append((SUBSTANTIVE, sentences[start:end]))
    if end < len(sentences):
        runs.append((PROCEDURAL, sentences[end:]))
    return runs
