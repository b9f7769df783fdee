"""Find "on behalf of <group>" and "aligns itself with <group>" in a statement's opening.

The group names come from the caller (the pipelines layer passes the groups table's aliases), so
this module knows no table of its own. Matching uses a spaCy ``PhraseMatcher`` on lower-cased
tokens, and a cue phrase must precede the group name in the same sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from spacy.matcher import PhraseMatcher

from nlp.segment import pipeline_for, split_paragraphs

_ON_BEHALF = re.compile(
    r"\b(?:on\s+behalf\s+of|in\s+the\s+name\s+of|au\s+nom\s+d[ue]s?|en\s+nombre\s+de(?:l)?|"
    r"en\s+representaci[oó]n\s+de(?:l)?)\b", re.I)
_ALIGNED = re.compile(
    r"\b(?:align(?:s|ed)?\s+(?:itself|ourselves|myself|themselves)?\s*(?:fully\s+)?with|"
    r"associates?\s+(?:itself|ourselves)\s+with|subscribes?\s+to|"
    r"s['’]aligne\s+sur|s['’]associe\s+[àa]|se\s+(?:suma|adhiere)\s+a|hace\s+suya)\b", re.I)

# "the statement delivered on behalf of X" refers to someone else's statement: alignment
_OTHER_STATEMENT = re.compile(
    r"\b(?:the|that|la|el)\s+(?:statement|declaration|déclaration|declaración|intervenci[oó]n)"
    r"\s+(?:\w+\s+){0,2}"
    r"(?:on\s+behalf\s+of|by|au\s+nom\s+d[ue]s?|par|en\s+nombre\s+de(?:l)?|por)\b", re.I)

_NATIONAL = re.compile(r"\bnational\s+capacity|à\s+titre\s+national|capacidad\s+nacional", re.I)


@dataclass(frozen=True, slots=True)
class GroupReference:
    """Groups named in a statement's opening: the one it speaks for, the one it aligns with."""

    on_behalf_of: str = ""
    aligned_with: str = ""


def _is_code(alias: str) -> bool:
    """A bare group code such as ``EU``, ``G77`` or ``NAM`` (upper case, no space)."""
    return alias.isupper() and " " not in alias and len(alias) <= 6


DETECTOR_VERSION = 2
"""Bumped when detection changes, so that stored statements are read again (version 2: bare
codes match only as written; "Viet Nam" had been read as the Non-Aligned Movement)."""

_OPENING_CHARS = 20_000
"""Characters of each opening paragraph searched for group references."""


class GroupDetector:
    """Detect group references with a phrase matcher built from ``aliases``.

    Args:
        aliases: name or alias -> group code, e.g. ``{"Non-Aligned Movement": "NAM"}``.
        opening_paragraphs: how many paragraphs of the opening to read.
    """

    def __init__(self, aliases: Mapping[str, str], *, opening_paragraphs: int = 3) -> None:
        self.aliases = dict(aliases)
        self.opening_paragraphs = opening_paragraphs
        self._nlp = pipeline_for("xx")
        # names match in any case; bare codes ("EU", "AU", "NAM") only as written: in lower or
        # title case they are other words ("Viet Nam" is not the Non-Aligned Movement)
        self._matchers = (PhraseMatcher(self._nlp.vocab, attr="LOWER"),
                          PhraseMatcher(self._nlp.vocab, attr="ORTH"))
        by_code: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})
        for alias, code in self.aliases.items():
            if _is_code(alias):
                by_code[1].setdefault(code, []).append(alias)
            elif len(alias) > 3:
                by_code[0].setdefault(code, []).append(alias)
        for matcher, names_of in zip(self._matchers, by_code, strict=True):
            for code, names in sorted(names_of.items()):
                matcher.add(code, [self._nlp.make_doc(name) for name in names])

    def detect(self, text: str) -> GroupReference:
        """Return the first group spoken for and the first group aligned with, if any."""
        on_behalf = aligned = ""
        # group references open a statement: the head of each paragraph is enough, and it keeps
        # a paragraph of any length within spaCy's max_length
        opening = [p[:_OPENING_CHARS] for p in split_paragraphs(text)[: self.opening_paragraphs]]
        for doc in self._nlp.pipe(opening):
            for sent in doc.sents:
                words = sent.as_doc()
                matches = sorted((m for matcher in self._matchers for m in matcher(words)),
                                 key=lambda m: m[1])
                for match_id, start, _ in matches:
                    code = self._nlp.vocab.strings[match_id]
                    before = words[max(0, start - 12):start].text
                    national = _NATIONAL.search(sent.text) is not None
                    if national or _ALIGNED.search(before) or _OTHER_STATEMENT.search(before):
                        aligned = aligned or code
                    elif _ON_BEHALF.search(before):
                        on_behalf = on_behalf or code
        return GroupReference(on_behalf_of=on_behalf, aligned_with=aligned)
