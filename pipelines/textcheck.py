"""``likeminded analyze-text``: tag and score the user's own sentences with the taxonomy."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from typing import Any

from nlp.language import detect_language
from pipelines.settings import PipelineConfig
from pipelines.stages import fitted_models, get_embedder, get_taxonomy


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


def analyze_lines(lines: Sequence[str], *, db: str, config: PipelineConfig,
                  jsonl: bool = False) -> Iterator[dict[str, Any]]:
    """One result per input text: issue scores, tags, stance per contested issue, language."""
    texts = parse_inputs(lines, jsonl=jsonl)
    if not texts:
        return
    tagger, stance_model = fitted_models(config, db)
    taxonomy = get_taxonomy(config.analysis.taxonomy)
    vectors = get_embedder(config.embedding).encode(texts)
    scores = tagger.score(texts, vectors)
    tags = tagger.tag(scores)
    stances = {issue.id: stance_model.stance(issue.id, vectors) for issue in taxonomy.contested}
    for n, text in enumerate(texts):
        yield {
            "text": text,
            "issues": {issue_id: round(float(scores[n, j]), 4)
                       for j, issue_id in enumerate(tagger.issue_ids_)},
            "tags": tags[n],
            # stance is only meaningful where the text addresses the issue
            "stance": {issue_id: None if issue_id not in tags[n] or math.isnan(values[n])
                       else round(float(values[n]), 4) for issue_id, values in stances.items()},
            "language": detect_language(text),
        }
