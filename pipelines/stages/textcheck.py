"""``likeminded analyze-text``: tag and score the user's own sentences with the taxonomy."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator, Sequence
from typing import Any

from nlp.annotate import annotate_texts
from nlp.embeddings import Embedder
from nlp.language import detect_language
from pipelines.settings import PipelineConfig
from pipelines.stages.text import fitted_models, get_embedder, get_taxonomy
from pipelines.store.embedding_cache import StoreCachedEmbedder
from pipelines.store.storage import open_store


def parse_inputs(lines: Sequence[str], *, jsonl: bool) -> list[str]:
    """Texts from stdin lines: plain lines (blank ones skipped) or JSONL with a ``text`` field.

    Raises:
        ValueError: naming the line that is not valid JSONL.
    """
    texts = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if not jsonl:
            texts.append(line.strip())
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"stdin line {number}: not valid JSON ({err.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValueError(f"stdin line {number}: expected an object with a string 'text' field")
        texts.append(item["text"])
    return texts


def analyze_lines(lines: Sequence[str], *, db: str | None, config: PipelineConfig,
                  jsonl: bool = False, explain: bool = False) -> Iterator[dict[str, Any]]:
    """One result per input text: issue scores, tags, stance per contested issue, language.

    The texts are read as the pipeline reads one session's paragraphs: together they form one
    context for the off-topic gate (:func:`nlp.tagging.domain_context`), each is split into
    sentences for stance. With ``explain``, ``explain`` maps each contested issue with a side to
    the sentence that decided it and what that sentence does (``own``, ``rejects_previous``,
    ...).

    ``db``: the store caching seed and sentence embeddings; ``None`` writes nothing anywhere.
    """
    texts = parse_inputs(lines, jsonl=jsonl)
    if not texts:
        return
    tagger, stance_model = fitted_models(config, db)
    taxonomy = get_taxonomy(config.analysis.taxonomy)
    embedder = get_embedder(config.embedding)
    languages = [detect_language(text) for text in texts]
    with contextlib.ExitStack() as stack:
        cached: Embedder | StoreCachedEmbedder = embedder
        if db is not None:
            cached = StoreCachedEmbedder(embedder, stack.enter_context(open_store(db)))
        notes = annotate_texts(texts, cached.encode(texts), tagger=tagger,
                               stance_model=stance_model, embedder=cached, languages=languages,
                               min_domain_share=config.analysis.min_domain_share,
                               stance_relevance=config.analysis.stance_relevance,
                               clause_relevance=config.analysis.clause_relevance,
                               named_relevance=config.analysis.named_clause_relevance,
                               focus_floor=config.analysis.issue_focus_floor,
                               off_topic_gate=config.analysis.off_topic_gate)
    for text, language, note in zip(texts, languages, notes, strict=True):
        stance: dict[str, float | None] = {}
        why: dict[str, dict[str, str]] = {}
        for issue in taxonomy.contested:
            reading = note.stances.get(issue.id)
            # stance is only meaningful where the text addresses the issue
            value = None if reading is None or reading.stance is None else reading.stance
            stance[issue.id] = None if value is None or math.isnan(value) else round(value, 4)
            if stance[issue.id] is not None and reading is not None:
                why[issue.id] = {"sentence": reading.sentence, "role": reading.role}
        document = {
            "text": text,
            "issues": {issue_id: round(note.scores[j], 4)
                       for j, issue_id in enumerate(tagger.issue_ids_)},
            "tags": list(note.tags),
            "stance": stance,
            "language": language,
        }
        if explain:
            document["explain"] = why
        yield document
