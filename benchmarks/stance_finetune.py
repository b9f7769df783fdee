"""SetFit-style contrastive fine-tuning of the encoder for stance, measured out of fold.

What: issue 11 lists contrastive fine-tuning of the sentence encoder on the taxonomy as an option
for stance. This measures it on the development set (``benchmarks/data/stance_dev.yaml``) with
the harness of :mod:`benchmarks.stance_cv` (variant ``taxonomy_sentences``, the shipped one):
in each fold the packaged MiniLM is fine-tuned on the taxonomy's seeds plus the *training* folds'
dev sentences only, then the usual models (tagger, per-issue logistic regression) are fitted and
the held-out fold is read through :func:`nlp.annotate.annotate_texts`, as ``analyze-text`` reads.

How the encoder is trained (:func:`fine_tune`): every training text gets a label, ``(issue,
side)`` for the contested issues' pole, neutral seeds and examples, the issue for a consensual
issue's seeds, ``off_topic`` for the taxonomy's off-topic sentences. SetFit pairs
(:func:`setfit_pairs`): per text, positives (same label, target cosine 1) and negatives (target
0), half of the negatives from the same contested issue's other sides (the hard ones: a stance
model must separate the poles of one issue), half from any other label. Loss: the mean squared
error between the pair's cosine and its target (sentence-transformers' ``CosineSimilarityLoss``,
written out), AdamW, linear warm-up and decay, fp32, one process, fixed seeds and data order;
an explicit torch loop over the SentenceTransformer module, so neither ``datasets`` nor
``accelerate`` (which ``SentenceTransformerTrainer`` needs) is required. The fine-tuned model then
encodes exactly as the shipped embedder does (same buckets, same precision).

Variants (:data:`VARIANTS`):

- ``frozen``: the base encoder everywhere; the reference, the same numbers as
  ``stance_cv.py --variant taxonomy_sentences``;
- ``stance``: the fine-tuned encoder for the stance model and the clause reading's stance
  scores, the tagger (tags, clause relevance, closest issue) on the base vectors;
- ``all``: the fine-tuned encoder for everything, the tagger too.

Variant ``stance`` gives the annotate path the two encoders side by side
(:class:`PairEmbedder`, the base vector then the tuned one), and the tagger and stance model
each read their half (:class:`TaggerOn`, :class:`StanceOn`), so nothing in :mod:`nlp` changes.

Never run this on the independent set.

``PYTHONPATH=$PWD python benchmarks/stance_finetune.py [--seed 0] [--variant stance ...]
[--pairs-per-text 2] [--epochs 1]``; writes ``benchmarks/results/stance_finetune.json``.

Measured (2026-12-02, fold seed 0, 5 folds; 1 epoch, 1 positive and 1 negative pair per
training text, about 2,640 pairs a fold, batch 16, lr 2e-5, max_seq_length 128; the dev set scored
twice, a 2-fold smoke test with 32 pairs and this run; the independent set never):

| encoder | accuracy | sentences | paragraphs | coverage | right side when given | abstention |
|---|---|---|---|---|---|---|
| frozen (shipped, fold seed 0) | 0.819 | 0.798 | 0.853 | 0.900 | 0.910 | 0.918 |
| fine-tuned, stance only | 0.816 | 0.788 | 0.862 | 0.887 | 0.920 | 0.918 |
| fine-tuned, everything | 0.809 | 0.777 | 0.862 | 0.883 | 0.916 | 0.906 |

(The shipped 0.829 is the mean over fold seeds 0-4; fold seed 0 alone is 0.819, and the
``frozen`` row is ``stance_cv.py --variant taxonomy_sentences --seed 0`` cell for cell.)

No gain: with the encoder tuned for stance only, 16 of 394 items change, net one more wrong;
the tuned stance model abstains more on sentences (coverage 0.876 -> 0.855) and is right a little
more often when it does pick a side (0.911 -> 0.921). Spanish sentences lose (0.737 -> 0.632, 19
items), Spanish paragraphs gain (0.917 -> 1.0, 12 items). Tuning the tagger's vectors too costs a
further 0.007 and 0.012 of neutral abstention. Far from the +0.02 that would justify more fold
seeds, so seeds 1 and 2 were not run. Training took 265-355 s a fold on two shared, nice'd cores
(540 s for the first, under more load), about 16 pairs a second unloaded; the whole run 33 min.
"""

from __future__ import annotations

import argparse
import copy
import math
import random
import sys
import time
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.stance_cv import (
    VARIANTS as CV_VARIANTS,
)
from benchmarks.stance_cv import (
    MemoryCachedEmbedder,
    assign_folds,
    fit_models,
    predict_fold,
    seeds_only_taxonomy_data,
    summary,
    taxonomy_data_with,
    training_examples,
)
from benchmarks.stance_eval import DEV_PATH, EvalItem, load_items

VARIANTS = ("frozen", "stance", "all")
CV_VARIANT = CV_VARIANTS["taxonomy_sentences"]
OFF_TOPIC = "off_topic"


def contrastive_labels(taxonomy: Any) -> list[tuple[str, Hashable]]:
    """``(text, label)`` for every training text of a parsed taxonomy (see the module docstring).

    A text listed under several labels keeps the first (the contested issues come first).
    """
    out: dict[str, Hashable] = {}
    for issue in taxonomy.contested:
        for text, side in issue.stance_examples():
            out.setdefault(text, (issue.id, int(side)))
    for issue in taxonomy.issues:
        if not issue.contested:
            for text in issue.topic_seeds():
                out.setdefault(text, (issue.id, None))
    for text in taxonomy.off_topic:
        out.setdefault(text, OFF_TOPIC)
    return list(out.items())


def setfit_pairs(labelled: Sequence[tuple[str, Hashable]], *, per_text: int = 1,
                 seed: int = 0) -> list[tuple[str, str, float]]:
    """SetFit pairs ``(a, b, target)``: per text ``per_text`` positives and as many negatives.

    Half the negatives (rounded up) come from the other sides of the same contested issue where
    it has any, the rest from any other label. Deterministic for a seed.
    """
    rng = random.Random(seed)
    by_label: dict[Hashable, list[str]] = defaultdict(list)
    for text, label in labelled:
        by_label[label].append(text)
    labels = list(by_label)
    siblings = {label: [other for other in labels if other != label and isinstance(other, tuple)
                        and isinstance(label, tuple) and other[0] == label[0]
                        and label[1] is not None]
                for label in labels}
    pairs: list[tuple[str, str, float]] = []
    for text, label in labelled:
        same = [t for t in by_label[label] if t != text]
        for _ in range(per_text if same else 0):
            pairs.append((text, rng.choice(same), 1.0))
        for k in range(per_text):
            pool = siblings[label] if k % 2 == 0 and siblings[label] else [
                other for other in labels if other != label]
            pairs.append((text, rng.choice(by_label[rng.choice(pool)]), 0.0))
    rng.shuffle(pairs)
    return pairs


def fine_tune(base_model: Any, pairs: Sequence[tuple[str, str, float]], *, epochs: int = 1,
              batch_size: int = 16, lr: float = 2e-5, warmup: float = 0.1,
              max_seq_length: int = 128, seed: int = 0) -> Any:
    """A fine-tuned fp32 copy of a SentenceTransformer (``base_model`` is left as it is)."""
    import torch

    torch.manual_seed(seed)
    model = copy.deepcopy(base_model).float()
    model.max_seq_length = max_seq_length
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(pairs) / batch_size)
    warm = max(1, int(warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    order = list(range(len(pairs)))
    rng = random.Random(seed)

    def embed(texts: list[str]) -> Any:
        features = model.tokenize(texts)
        return model(features)["sentence_embedding"]

    for _ in range(epochs):
        rng.shuffle(order)
        for start in range(0, len(order), batch_size):
            batch = [pairs[i] for i in order[start:start + batch_size]]
            u = embed([a for a, _, _ in batch])
            v = embed([b for _, b, _ in batch])
            target = torch.tensor([t for _, _, t in batch], dtype=torch.float32)
            loss = torch.nn.functional.mse_loss(torch.cosine_similarity(u, v), target)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
    model.eval()
    return model


def tuned_embedder(base: Any, model: Any, key: str) -> Any:
    """An embedder like ``base`` (a SentenceTransformerEmbedder) encoding with ``model``."""
    import torch

    from nlp.embeddings import SentenceTransformerEmbedder

    out = SentenceTransformerEmbedder(base.config)
    model = copy.deepcopy(model)
    model.max_seq_length = base.model.max_seq_length
    out._model = model.to(torch.bfloat16) if out.precision == "bf16" else model
    out.model_key = f"{base.model_key}+{key}"
    return out


class PairEmbedder:
    """Encodes with two embedders side by side: ``[first | second]`` per row."""

    def __init__(self, first: Any, second: Any) -> None:
        self.first, self.second = first, second
        self.split = int(first.dimension)
        self.model_key = "|".join(str(getattr(e, "model_key", "?")) for e in (first, second))

    @property
    def dimension(self) -> int:
        return self.split + int(self.second.dimension)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.hstack([self.first.encode(texts), self.second.encode(texts)])


class _Columns:
    """Delegates to ``inner``, the methods taking vectors reading only ``columns`` of them."""

    def __init__(self, inner: Any, columns: slice) -> None:
        self.inner, self.columns = inner, columns

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class TaggerOn(_Columns):
    """A fitted tagger reading its half of :class:`PairEmbedder` vectors."""

    def score(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        return self.inner.score(texts, vectors[:, self.columns])

    def closest_issue(self, vectors: np.ndarray) -> np.ndarray:
        return self.inner.closest_issue(vectors[:, self.columns])


class StanceOn(_Columns):
    """A fitted stance model reading its half of :class:`PairEmbedder` vectors."""

    def predict_proba(self, issue_id: str, vectors: np.ndarray) -> np.ndarray:
        return self.inner.predict_proba(issue_id, vectors[:, self.columns])

    def stance(self, issue_id: str, vectors: np.ndarray) -> np.ndarray:
        return self.inner.stance(issue_id, vectors[:, self.columns])


def run_fold(variants: Sequence[str], data: Mapping[str, Any], train: Sequence[EvalItem],
             held: Sequence[EvalItem], *, base: Any, cached_base: Any, venue: bool,
             fp32_model: Any, analysis: Any, per_text: int, epochs: int, seed: int,
             fold_key: str, max_pairs: int = 0
             ) -> tuple[dict[str, dict[str, int]], dict[str, float]]:
    """Per variant, the predicted side per held-out item; and the fold's timings. The encoder
    is fine-tuned once per fold, on the seeds and ``train`` only, and serves every variant."""
    from nlp.taxonomy import parse_taxonomy

    timing: dict[str, float] = {}
    out: dict[str, dict[str, int]] = {}
    if "frozen" in variants:
        models = fit_models(data, CV_VARIANT, train, cached_base, analysis)
        out["frozen"] = predict_fold(held, models, cached_base, venue, analysis)
    if not set(variants) - {"frozen"}:
        return out, timing
    examples, _ = training_examples(train, paragraphs=CV_VARIANT.paragraphs)
    taxonomy = parse_taxonomy(taxonomy_data_with(data, examples))
    pairs = setfit_pairs(contrastive_labels(taxonomy), per_text=per_text, seed=seed)
    pairs = pairs[:max_pairs] if max_pairs else pairs
    start = time.perf_counter()
    model = fine_tune(fp32_model, pairs, epochs=epochs, seed=seed)
    timing["train_s"] = round(time.perf_counter() - start, 1)
    timing["pairs"] = len(pairs)
    tuned = MemoryCachedEmbedder(tuned_embedder(base, model, fold_key))
    if "all" in variants:
        models = fit_models(data, CV_VARIANT, train, tuned, analysis)
        out["all"] = predict_fold(held, models, tuned, venue, analysis)
    if "stance" in variants:
        tagger, _ = fit_models(data, CV_VARIANT, train, cached_base, analysis)
        _, stance = fit_models(data, CV_VARIANT, train, tuned, analysis)
        split = int(cached_base.dimension)
        pair = PairEmbedder(cached_base, tuned)
        models = (TaggerOn(tagger, slice(0, split)), StanceOn(stance, slice(split, None)))
        out["stance"] = predict_fold(held, models, pair, venue, analysis)
    return out, timing


def cross_validate(items: Sequence[EvalItem], variants: Sequence[str], *,
                   data: Mapping[str, Any], base: Any, cached_base: Any, fp32_model: Any,
                   analysis: Any, k: int = 5, seed: int = 0, per_text: int = 1, epochs: int = 1,
                   max_pairs: int = 0) -> tuple[dict[str, dict[str, int]], list[dict[str, float]]]:
    """Per variant, the pooled out-of-fold predicted side per item id; per-fold timings."""
    from nlp.tagging import keyword_pattern

    folds = assign_folds(items, k, seed)
    domain = data.get("domain") or {}
    pattern = keyword_pattern([str(w).lower() for w in domain.get("keywords") or []])
    venue = bool(np.mean([bool(pattern.search(it.text)) for it in items])
                 >= analysis.min_domain_share)
    out: dict[str, dict[str, int]] = {v: {} for v in variants}
    timings = []
    for fold in range(k):
        start = time.perf_counter()
        held = [it for it in items if folds[it.id] == fold]
        train = [it for it in items if folds[it.id] != fold]
        predictions, timing = run_fold(
            variants, data, train, held, base=base, cached_base=cached_base, venue=venue,
            fp32_model=fp32_model, analysis=analysis, per_text=per_text, epochs=epochs,
            seed=seed, fold_key=f"ft-s{seed}-f{fold}-p{per_text}-e{epochs}", max_pairs=max_pairs)
        for variant, sides in predictions.items():
            out[variant].update(sides)
        timing["fold_s"] = round(time.perf_counter() - start, 1)
        timings.append(timing)
        print(f"  seed {seed} fold {fold}: {timing}", flush=True)
    return out, timings


def precision_cells(items: Sequence[EvalItem], predictions: Mapping[str, int]
                    ) -> dict[str, dict[str, Any]]:
    """Per cell, the accuracy, coverage, right side when a side is given, and abstention."""
    keep = ("n_positioned", "accuracy", "coverage", "accuracy_covered", "n_neutral",
            "neutral_abstention")
    return {cell: {m: (round(float(v), 4) if isinstance(v, float) else v)
                   for m, v in values.items() if m in keep}
            for cell, values in summary(items, predictions).items()}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    import json

    from benchmarks.common import RESULTS, format_table
    from pipelines.resources import get_embedder
    from pipelines.settings import PipelineConfig

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, action="append",
                        help="fold seed (repeatable; default 0)")
    parser.add_argument("--variant", action="append", choices=VARIANTS)
    parser.add_argument("--pairs-per-text", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-pairs", type=int, default=0,
                        help="train on the first N pairs of each fold only (a smoke test)")
    parser.add_argument("--out", default="stance_finetune")
    args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:])
    config = PipelineConfig()
    items = load_items(DEV_PATH)
    data = seeds_only_taxonomy_data()
    base = get_embedder(config.embedding)
    cached_base = MemoryCachedEmbedder(base)
    fp32_model = base._load(base._source)  # the packaged weights as stored (base may be bf16)
    path = RESULTS / f"{args.out}.json"
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    runs = results.setdefault("runs", {})
    variants = args.variant or list(VARIANTS)
    for seed in args.seed or [0]:
        start = time.perf_counter()
        predictions, timings = cross_validate(
            items, variants, data=data, base=base, cached_base=cached_base,
            fp32_model=fp32_model, analysis=config.analysis, k=args.folds, seed=seed,
            per_text=args.pairs_per_text, epochs=args.epochs, max_pairs=args.max_pairs)
        for variant in variants:
            cells = precision_cells(items, predictions[variant])
            key = (f"{variant}/seed{seed}" if variant == "frozen" else
                   f"{variant}/seed{seed}/p{args.pairs_per_text}/e{args.epochs}")
            runs[key] = {"cells": cells, "predictions": predictions[variant],
                         **({} if variant == "frozen" else {"folds": timings})}
            print(f"\n== {key}")
            print(format_table([(c, v["n_positioned"], v["accuracy"] or 0.0,
                                 v["coverage"] or 0.0, v["accuracy_covered"] or 0.0,
                                 v["n_neutral"], v["neutral_abstention"] or 0.0)
                                for c, v in cells.items()],
                               ["cell", "n_pos", "accuracy", "coverage", "precision",
                                "n_neutral", "abstention"]), flush=True)
        runs[f"seconds/seed{seed}/p{args.pairs_per_text}/e{args.epochs}"] = round(
            time.perf_counter() - start, 1)
        RESULTS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"\nwrote {path}")
    return results


if __name__ == "__main__":
    main()
