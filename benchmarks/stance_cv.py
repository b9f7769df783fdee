"""Cross-validated stance on the development set: what training on its labelled texts is worth.

The development set (``benchmarks/data/stance_dev.yaml``) is written in the voices real statements
use (negation, hedging, reported views, questions, Spanish, French), which the taxonomy's seeds
lack. This harness measures, out of sample, what it is worth to train on such text: the set is
cut into ``k`` folds (stratified by issue, side, unit and language, with a fixed seed), and each
fold is scored by models fitted on the taxonomy's seeds plus the *other* folds' labelled texts,
through the same reading path ``likeminded analyze-text`` uses (:func:`nlp.annotate.annotate_texts`
with the default configuration's settings). The pooled out-of-fold predictions are scored with
:mod:`benchmarks.stance_eval`.

The ``baseline`` variant adds no dev text: every fold gets the same models (the seeds alone), so
its pooled score is what ``bench_stance_independent.py --set dev`` gives with a taxonomy that
does not train on the set (a check of the harness). The packaged taxonomy trains on the set's
sentences (``examples_files``), so its plain dev number is in-sample; ``taxonomy_sentences`` is
the out-of-sample number to report for it.

Variants (:data:`VARIANTS`) say which dev texts become training examples and where they enter:

- ``stance``: as labelled ``examples`` of the stance model only (the tagger keeps its seeds);
- ``taxonomy``: as the taxonomy's ``examples`` of their issue, which train the stance model *and*
  join the issue's seeds in the tagger (similarity, thresholds, closest issue);
- ``off_topic``: texts on no contested issue also join the taxonomy's off-topic sentences (the
  "none of them" class of the tagger's closest-issue classifier).

Texts enter whole: a paragraph is one example (``*_all``) or is left out (``*_sentences``).
Measured besides (the commit "Stance CV: the grid measured") and not kept: the clauses the
reading scores as examples instead of (or besides) whole texts, and examples weighing 2 or 4
seeds; the best of those grids gained about 0.01 over ``taxonomy_all`` across fold seeds, paying
for it in neutral abstention.

A taxonomy may train on labelled files of its own (``examples_files``); the harness starts from
the taxonomy without them (:func:`seeds_only_taxonomy_data`) and adds only the training folds'
texts, so the estimate stays out of sample whatever the package ships.

Never run this on the independent set: it fits on what it scores (out of fold).

``PYTHONPATH=$PWD python benchmarks/stance_cv.py [--folds 5] [--seed 0] [--variant NAME ...]``
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.stance_eval import DEV_PATH, EvalItem, load_items, score_predictions

DEFAULT_FOLDS = 5
DEFAULT_SEED = 0


@dataclass(frozen=True, slots=True)
class Variant:
    """Which dev texts train what (see the module docstring)."""

    name: str
    stance: bool = False
    tagger: bool = False
    off_topic: bool = False
    paragraphs: bool = False


VARIANTS: dict[str, Variant] = {v.name: v for v in (
    Variant("baseline"),
    Variant("stance_sentences", stance=True),
    Variant("stance_all", stance=True, paragraphs=True),
    Variant("taxonomy_sentences", stance=True, tagger=True),
    Variant("taxonomy_all", stance=True, tagger=True, paragraphs=True),
    Variant("taxonomy_all_off_topic", stance=True, tagger=True, paragraphs=True, off_topic=True),
    Variant("stance_all_off_topic", stance=True, paragraphs=True, off_topic=True),
)}


def seeds_only_taxonomy_data(name: str = "cyber") -> dict[str, Any]:
    """A built-in taxonomy's parsed YAML without its ``examples_files`` (its seeds, its own
    inline ``examples``), the starting point of every fold."""
    from importlib import resources

    import yaml

    from nlp.taxonomy import BUILTIN_TAXONOMIES

    text = resources.files("nlp").joinpath(BUILTIN_TAXONOMIES[name]).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {k: v for k, v in data.items() if k != "examples_files"}


def strata_key(item: EvalItem) -> tuple[str, int, str, str]:
    """What folds are stratified by: issue, side, unit, language."""
    return (item.issue or "", item.side, item.unit, item.lang)


def assign_folds(items: Sequence[EvalItem], k: int = DEFAULT_FOLDS,
                 seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Item id -> fold in ``range(k)``, stratified by :func:`strata_key`, deterministic.

    Each stratum is shuffled with ``seed`` and dealt round robin, the dealing continuing from
    one stratum to the next, so strata smaller than ``k`` still spread over the folds and fold
    sizes differ by at most one.

    Raises:
        ValueError: ``k`` below 2 or above the number of items, or repeated ids.
    """
    if not 2 <= k <= len(items):
        raise ValueError(f"k must be between 2 and the number of items ({len(items)}); got {k}")
    if len({it.id for it in items}) != len(items):
        raise ValueError("item ids must be unique")
    strata: dict[tuple[str, int, str, str], list[str]] = defaultdict(list)
    for item in items:
        strata[strata_key(item)].append(item.id)
    rng = random.Random(seed)
    folds: dict[str, int] = {}
    dealt = 0
    for key in sorted(strata):
        ids = sorted(strata[key])
        rng.shuffle(ids)
        for item_id in ids:
            folds[item_id] = dealt % k
            dealt += 1
    return folds


def training_examples(items: Iterable[EvalItem], *, paragraphs: bool
                      ) -> tuple[dict[str, list[tuple[str, int]]], list[str]]:
    """Labelled dev texts as training data: ``({issue: [(text, side)]}, off-topic texts)``.

    A text on a contested issue is an example of that issue with its side (0: mentions the issue
    without taking a side); a text on no contested issue is an off-topic text. Paragraphs count
    only with ``paragraphs``.
    """
    by_issue: dict[str, list[tuple[str, int]]] = defaultdict(list)
    off: list[str] = []
    for item in items:
        if item.unit == "paragraph" and not paragraphs:
            continue
        if item.issue is None:
            off.append(item.text)
        else:
            by_issue[item.issue].append((item.text, item.side))
    return dict(by_issue), off


def taxonomy_data_with(data: Mapping[str, Any], examples: Mapping[str, Sequence[tuple[str, int]]],
                       off_topic: Sequence[str] = ()) -> dict[str, Any]:
    """A copy of parsed taxonomy YAML with labelled examples and off-topic sentences added."""
    out = copy.deepcopy(dict(data))
    known = {issue["id"] for issue in out["issues"]}
    unknown = sorted(set(examples) - known)
    if unknown:
        raise ValueError(f"examples for issues the taxonomy lacks: {unknown}")
    for issue in out["issues"]:
        extra = [{"text": t, "stance": s} for t, s in examples.get(issue["id"], ())]
        if extra:
            issue["examples"] = [*(issue.get("examples") or []), *extra]
    if off_topic:
        domain = out.setdefault("domain", {})
        domain["off_topic"] = [*(domain.get("off_topic") or []), *off_topic]
    return out


class MemoryCachedEmbedder:
    """Encode each distinct text once per process (folds re-encode the same seeds and clauses)."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self.cache: dict[str, np.ndarray] = {}

    @property
    def dimension(self) -> int:
        return int(self.embedder.dimension)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            for text, vector in zip(missing, self.embedder.encode(missing), strict=True):
                self.cache[text] = vector
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])


def _sign(value: float | None) -> int:
    if value is None or value == 0 or np.isnan(value):
        return 0
    return 1 if value > 0 else -1


def predict_fold(items: Sequence[EvalItem], models: tuple[Any, Any], embedder: Any,
                 venue: bool, analysis: Any) -> dict[str, int]:
    """Each item's predicted side, read as ``analyze-text`` reads a batch of texts.

    ``venue``: whether the whole set counts as a venue of the taxonomy's field, as it does when
    ``analyze-text`` reads it in one batch (a fold alone might not).
    """
    from nlp.annotate import annotate_texts
    from nlp.language import detect_language

    tagger, stance_model = models
    texts = [it.text for it in items]
    notes = annotate_texts(texts, embedder.encode(texts), tagger=tagger,
                           stance_model=stance_model, embedder=embedder,
                           languages=[detect_language(t) for t in texts],
                           venue=[venue] * len(texts),
                           stance_relevance=analysis.stance_relevance,
                           clause_relevance=analysis.clause_relevance,
                           named_relevance=analysis.named_clause_relevance,
                           focus_floor=analysis.issue_focus_floor,
                           off_topic_gate=analysis.off_topic_gate)
    out = {}
    for item, note in zip(items, notes, strict=True):
        sides = {i: _sign(r.stance) for i, r in note.stances.items()}
        out[item.id] = (sides.get(item.issue, 0) if item.issue is not None
                        else int(any(sides.values())))
    return out


def fit_models(taxonomy_data: Mapping[str, Any], variant: Variant,
               train: Sequence[EvalItem], embedder: Any, analysis: Any) -> tuple[Any, Any]:
    """Tagger and stance model for one fold, fitted as ``likeminded`` fits them, plus ``train``."""
    from nlp.stance import StanceModel
    from nlp.tagging import IssueTagger
    from nlp.taxonomy import parse_taxonomy

    examples, off = training_examples(train, paragraphs=variant.paragraphs)
    off = off if variant.off_topic else []
    plain = parse_taxonomy(taxonomy_data)
    extended = parse_taxonomy(taxonomy_data_with(taxonomy_data, examples, off))
    for_tagger = (extended if variant.tagger else
                  parse_taxonomy(taxonomy_data_with(taxonomy_data, {}, off)) if off else plain)
    for_stance = extended if variant.stance else plain
    tagger = IssueTagger(keyword_weight=analysis.keyword_weight,
                         off_domain_factor=analysis.off_domain_factor).fit(for_tagger, embedder)
    stance = StanceModel(margin=analysis.stance_margin, single_margin=analysis.single_clause_margin,
                         random_state=analysis.random_state).fit(for_stance, embedder)
    return tagger, stance


def cross_validate(items: Sequence[EvalItem], variant: Variant, *, taxonomy_data: Mapping[str, Any],
                   embedder: Any, analysis: Any, k: int = DEFAULT_FOLDS, seed: int = DEFAULT_SEED,
                   on_fold: Callable[[int, float], None] | None = None) -> dict[str, int]:
    """Pooled out-of-fold predicted side per item id."""
    from nlp.tagging import keyword_pattern

    folds = assign_folds(items, k, seed)
    domain = taxonomy_data.get("domain") or {}
    pattern = keyword_pattern([str(w).lower() for w in domain.get("keywords") or []])
    share = np.mean([bool(pattern.search(it.text)) for it in items])
    venue = bool(share >= analysis.min_domain_share)
    out: dict[str, int] = {}
    fixed = None if variant != VARIANTS["baseline"] else fit_models(
        taxonomy_data, variant, [], embedder, analysis)
    for fold in range(k):
        start = time.perf_counter()
        held = [it for it in items if folds[it.id] == fold]
        train = [it for it in items if folds[it.id] != fold]
        models = fixed or fit_models(taxonomy_data, variant, train, embedder, analysis)
        out.update(predict_fold(held, models, embedder, venue, analysis))
        if on_fold is not None:
            on_fold(fold, time.perf_counter() - start)
    return out


def summary(items: Sequence[EvalItem], predictions: Mapping[str, int]) -> dict[str, Any]:
    """Overall, per unit and per unit/language: accuracy, coverage, neutral abstention."""
    metrics = score_predictions(items, predictions)
    cells = {"all": metrics["overall"], **{u: metrics["by_unit"][u] for u in metrics["by_unit"]}}
    for unit in ("sentence", "paragraph"):
        for lang in ("en", "es", "fr"):
            sub = [it for it in items if it.unit == unit and it.lang == lang]
            if sub:
                cells[f"{unit}/{lang}"] = score_predictions(
                    sub, {it.id: predictions[it.id] for it in sub})["overall"]
    return cells


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    from benchmarks.common import format_table, write_result
    from pipelines.resources import get_embedder
    from pipelines.settings import PipelineConfig

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=DEFAULT_FOLDS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeats", type=int, default=1,
                        help="also run seeds seed+1 .. seed+repeats-1 and report the spread")
    parser.add_argument("--variant", action="append", choices=sorted(VARIANTS))
    args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:])
    config = PipelineConfig()
    items = load_items(DEV_PATH)
    data = seeds_only_taxonomy_data()
    embedder = MemoryCachedEmbedder(get_embedder(config.embedding))
    results: dict[str, Any] = {}
    for name in args.variant or list(VARIANTS):
        start = time.perf_counter()
        predictions = cross_validate(items, VARIANTS[name], taxonomy_data=data, embedder=embedder,
                                     analysis=config.analysis, k=args.folds, seed=args.seed)
        cells = summary(items, predictions)
        results[name] = {"cells": cells, "seconds": round(time.perf_counter() - start, 1),
                         "predictions": predictions}
        if args.repeats > 1:
            runs = [cells] + [summary(items, cross_validate(
                items, VARIANTS[name], taxonomy_data=data, embedder=embedder,
                analysis=config.analysis, k=args.folds, seed=args.seed + r))
                for r in range(1, args.repeats)]
            results[name]["repeats"] = {
                f"{cell}.{measure}": [round(float(run[cell][measure]), 4) for run in runs]
                for cell in ("all", "sentence", "paragraph")
                for measure in ("accuracy", "coverage", "neutral_abstention")}
            print("  ".join(f"{key} {np.mean(v):.3f}±{np.std(v):.3f}"
                            for key, v in results[name]["repeats"].items()
                            if key.startswith("all") or key.endswith("accuracy")))
        print(f"\n== {name} ({results[name]['seconds']} s)")
        print(format_table([(key, c["n_positioned"], c["accuracy"] or 0.0, c["coverage"] or 0.0,
                             c["accuracy_covered"] or 0.0, c["n_neutral"],
                             c["neutral_abstention"] or 0.0) for key, c in cells.items()],
                           ["cell", "n_pos", "accuracy", "coverage", "acc_covered", "n_neutral",
                            "abstention"]), flush=True)
    path = write_result("stance_dev_cv", {"folds": args.folds, "seed": args.seed,
                                          "variants": results})
    print(f"\nwrote {path}")
    return results


if __name__ == "__main__":
    main()
