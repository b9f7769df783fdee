"""Statement language detection with lingua, restricted to a few languages so it is fast.

The six UN official languages plus German and Portuguese. Detection reads the first
``max_chars`` characters; a result below ``min_confidence`` is reported as unknown (``""``).
"""

from __future__ import annotations

import functools

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

SUPPORTED: tuple[Language, ...] = (
    Language.ENGLISH, Language.FRENCH, Language.SPANISH, Language.RUSSIAN, Language.CHINESE,
    Language.ARABIC, Language.PORTUGUESE, Language.GERMAN,
)


@functools.cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*SUPPORTED).build()


def detect_language(text: str, *, max_chars: int = 1200, min_confidence: float = 0.5) -> str:
    """ISO 639-1 code of the text's language, or ``""`` when unsure.

    Args:
        text: any text; only its first ``max_chars`` characters are read.
        max_chars: how much text to look at.
        min_confidence: lingua confidence (0-1) below which the answer is ``""``.
    """
    sample = text[:max_chars]
    if not sample.strip():
        return ""
    values = _detector().compute_language_confidence_values(sample)
    if not values or values[0].value < min_confidence:
        return ""
    return values[0].language.iso_code_639_1.name.lower()
