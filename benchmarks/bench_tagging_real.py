"""Issue tagging on real UN General Debate paragraphs, against labels made by hand.

The paragraphs and their labels are in ``benchmarks/data/ungdc_tagging_labels.csv`` (ids and hashes
only; the speeches are read in place from ``../shared/data/``; see
``sample_ungdc_paragraphs.py`` for how they were drawn). Two strata, reported separately:

- ``random``: a uniform sample of substantive paragraphs. Almost none of them is about a taxonomy
  issue, so this stratum gives the unbiased off-topic rate: how often the tagger tags a paragraph
  that is about none of the issues, as it would across a whole General Debate.
- ``enriched``: paragraphs that use cyber / digital vocabulary, drawn only so that recall can be
  measured on enough paragraphs that are about the issues. Its precision is not that of a typical
  speech.
- ``enriched_holdout``: 150 more paragraphs drawn the same way (another seed, none already
  labelled), held out: the tagger change of 2026-12-02 was made looking at the errors on the
  first two strata, and this one is looked at once, by the lead, after it. It is scored only with
  ``--holdout`` (``make bench`` leaves it out and says so); its result goes to
  ``results/tagging_real_holdout.json``, never to ``tagging_real.json``.

Every stratum scored gets its own row (``STRATA`` in ``ungdc_paragraphs.py`` lists those a labels
file may hold, in report order).

Precision, recall and F1 are micro-averaged over (paragraph, issue) labels: every taxonomy issue
is a cyber issue. Any tagger can be measured: :func:`evaluate_tagging` takes a callable
``texts -> list[set[issue_id]]``; :func:`pipeline_tag_fn` is the tagger the pipeline runs.
Without ``../shared/data`` the benchmark says so and skips.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import format_table, timer, write_result
from benchmarks.ungdc_paragraphs import (
    ARCHIVE,
    HELD_OUT,
    LABELS,
    STRATA,
    Label,
    Paragraph,
    read_labels,
    substantive_paragraphs,
)

TagFn = Callable[[Sequence[str]], Sequence[set[str] | frozenset[str]]]
"""A tagger under test: one set of issue ids per text."""


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = (2 * precision * recall / (precision + recall)
          if tp and precision + recall else (0.0 if tp + fp and tp + fn else float("nan")))
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 3),
            "recall": round(recall, 3), "f1": round(f1, 3)}


def match_labels(labels: Sequence[Label], paragraphs: Sequence[Paragraph],
                 ) -> tuple[list[tuple[Label, Paragraph]], list[dict[str, Any]]]:
    """Pair each label with the paragraph at its member and segment, checking the text hash.

    Returns:
        The matched pairs, and one record per label that could not be used (the segment is
        missing, or its text no longer has the labelled hash).
    """
    by_key = {(p.member, p.segment): p for p in paragraphs}
    matched, mismatches = [], []
    for label in labels:
        paragraph = by_key.get((label.member, label.segment))
        if paragraph is None:
            mismatches.append({"member": label.member, "segment": label.segment,
                               "problem": "no substantive segment with this index"})
        elif paragraph.sha16 != label.sha16:
            mismatches.append({"member": label.member, "segment": label.segment,
                               "problem": f"text hash {paragraph.sha16}, labelled {label.sha16}"})
        else:
            matched.append((label, paragraph))
    return matched, mismatches


def evaluate_tagging(tag_fn: TagFn, pairs: Sequence[tuple[Label, Paragraph]], *,
                     n_worst: int = 10) -> dict[str, Any]:
    """Score a tagger against the hand labels, per stratum present in ``pairs``.

    Args:
        tag_fn: ``texts -> list of sets of issue ids``, called once with every paragraph text.
        pairs: labels with their paragraphs (see :func:`match_labels`).
        n_worst: how many of the worst false positives to list per stratum.

    Returns:
        Per stratum (in :data:`STRATA` order, then any other in order of appearance):
        paragraph counts, micro precision / recall / F1 over (paragraph, issue)
        labels, the off-topic rates (among paragraphs about no issue, the share tagged; among
        tagged paragraphs, the share about no issue), per-issue counts, and the paragraphs with
        the most false tags (member, segment, predicted and labelled issues; never text).
    """
    predicted = [set(tags) for tags in tag_fn([p.text for _, p in pairs])]
    if len(predicted) != len(pairs):
        raise ValueError(f"tag_fn returned {len(predicted)} tag sets for {len(pairs)} texts")
    order = sorted(dict.fromkeys(label.stratum for label, _ in pairs),
                   key=lambda s: STRATA.index(s) if s in STRATA else len(STRATA))
    result: dict[str, Any] = {}
    for stratum in order:
        rows = [(label, got) for (label, _), got in zip(pairs, predicted, strict=True)
                if label.stratum == stratum]
        tp = sum(len(label.issues & got) for label, got in rows)
        fp = sum(len(got - label.issues) for label, got in rows)
        fn = sum(len(label.issues - got) for label, got in rows)
        off_topic = [got for label, got in rows if not label.issues]
        tagged = [label for label, got in rows if got]
        per_issue: dict[str, dict[str, int]] = {}
        for label, got in rows:
            for issue in label.issues | got:
                counts = per_issue.setdefault(issue, {"tp": 0, "fp": 0, "fn": 0})
                key = "tp" if issue in label.issues and issue in got else (
                    "fp" if issue in got else "fn")
                counts[key] += 1
        worst = sorted(((label, got) for label, got in rows if got - label.issues),
                       key=lambda r: (-len(r[1] - r[0].issues), r[0].member, r[0].segment))
        result[stratum] = {
            "paragraphs": len(rows),
            "labelled_with_issue": sum(1 for label, _ in rows if label.issues),
            "tagged": len(tagged),
            "labels": tp + fn, "tags": tp + fp,
            **_prf(tp, fp, fn),
            "off_topic_paragraphs": len(off_topic),
            "off_topic_tagged": sum(1 for got in off_topic if got),
            "off_topic_tag_rate": round(sum(1 for got in off_topic if got)
                                        / max(1, len(off_topic)), 3),
            "tagged_off_topic_share": round(sum(1 for label in tagged if not label.issues)
                                            / max(1, len(tagged)), 3),
            "per_issue": {k: _prf(**v) for k, v in sorted(per_issue.items())},
            "worst_false_positives": [
                {"member": label.member, "segment": label.segment,
                 "predicted": sorted(got), "labelled": sorted(label.issues),
                 "false": sorted(got - label.issues)} for label, got in worst[:n_worst]],
        }
    return result


def pipeline_tag_fn(config: Any = None,
                    paragraphs: Sequence[Paragraph] | None = None) -> TagFn:
    """The tagger as the pipeline fits and applies it (settings from ``PipelineConfig``).

    The tagger is fitted through the pipeline's own :func:`pipelines.stages.text.fitted_models`
    (seed vectors cached in a temporary store, thrown away afterwards); paragraphs are embedded
    with the configured embedder, as the embedding stage does, and annotated by
    :func:`nlp.annotate.annotate_texts` as the annotation stage does. ``paragraphs`` (every
    substantive paragraph of the speeches read) gives each text its session context, as the
    store does: whether the session is a venue of the taxonomy's field.
    """
    from nlp.annotate import annotate_texts
    from nlp.tagging import domain_venues
    from pipelines.settings import PipelineConfig
    from pipelines.stages.text import fitted_models, get_embedder

    settings = config or PipelineConfig()
    with tempfile.TemporaryDirectory() as tmp:
        tagger, stance_model = fitted_models(settings, str(Path(tmp) / "seeds.duckdb"))
    embedder = get_embedder(settings.embedding)
    session_of: dict[str, str] = {}
    venues: dict[Any, bool] = {}
    if paragraphs:
        sessions = [p.member.split("/")[0] for p in paragraphs]
        venues = domain_venues(tagger.has_domain_cue([p.text for p in paragraphs]), sessions,
                               min_share=settings.analysis.min_domain_share)
        session_of = {p.text: s for p, s in zip(paragraphs, sessions, strict=True)}

    def tag(texts: Sequence[str]) -> list[set[str]]:
        vectors = embedder.encode(list(texts))
        notes = annotate_texts(
            list(texts), vectors, tagger=tagger, stance_model=stance_model, embedder=embedder,
            venue=[venues.get(session_of.get(t), False) for t in texts] if paragraphs else None,
            stance_relevance=settings.analysis.stance_relevance,
            clause_relevance=settings.analysis.clause_relevance,
            named_relevance=settings.analysis.named_clause_relevance,
            focus_floor=settings.analysis.issue_focus_floor,
            off_topic_gate=settings.analysis.off_topic_gate)
        return [set(note.tags) for note in notes]

    return tag


def _print(results: dict[str, Any]) -> None:
    header = ["stratum", "paragraphs", "about an issue", "tagged", "precision", "recall", "F1",
              "off-topic tagged", "tagged but off-topic"]
    print(format_table([(s, r["paragraphs"], r["labelled_with_issue"], r["tagged"],
                         r["precision"], r["recall"], r["f1"],
                         f"{r['off_topic_tagged']}/{r['off_topic_paragraphs']} "
                         f"({r['off_topic_tag_rate']:.3f})", f"{r['tagged_off_topic_share']:.3f}")
                        for s, r in results["strata"].items()], header))
    issues = sorted({i for r in results["strata"].values() for i in r["per_issue"]})
    print()
    print(format_table([(i, *(f"{r['per_issue'].get(i, {}).get('tp', 0)}/"
                              f"{r['per_issue'].get(i, {}).get('fp', 0)}/"
                              f"{r['per_issue'].get(i, {}).get('fn', 0)}"
                              for r in results["strata"].values())) for i in issues],
                       ["issue (tp/fp/fn)", *results["strata"]]))
    for stratum, r in results["strata"].items():
        print(f"\nworst false positives, {stratum} stratum:")
        for w in r["worst_false_positives"]:
            print(f"  {w['member']} #{w['segment']}: tagged {', '.join(w['predicted'])}"
                  f"; labelled {', '.join(w['labelled']) or 'none'}")
    if results["mismatches"]:
        print(f"\n{len(results['mismatches'])} labels not matched to the archive:")
        for m in results["mismatches"]:
            print(f"  {m['member']} #{m['segment']}: {m['problem']}")


def scored_labels(labels: Sequence[Label], *, holdout: bool = False,
                  ) -> tuple[list[Label], dict[str, int]]:
    """The labels to score, and how many rows of each held-out stratum are left out.

    Args:
        holdout: score the held-out strata (:data:`HELD_OUT`) too.
    """
    if holdout:
        return list(labels), {}
    withheld: dict[str, int] = {}
    for label in labels:
        if label.stratum in HELD_OUT:
            withheld[label.stratum] = withheld.get(label.stratum, 0) + 1
    return [label for label in labels if label.stratum not in HELD_OUT], withheld


def main(archive: Path = ARCHIVE, *, holdout: bool = False) -> dict[str, Any] | None:
    """Score the pipeline's tagger on the hand labels.

    Args:
        holdout: also score the held-out strata (:data:`HELD_OUT`); the result then goes to
            ``results/tagging_real_holdout.json``. Without it they are left out, unscored.
    """
    if not archive.exists():
        print(f"skipped: the General Debate archive is not at {archive} (only development "
              "machines and CI have ../shared/data)")
        return None
    labels, not_scored = scored_labels(read_labels(LABELS), holdout=holdout)
    with timer() as elapsed:
        paragraphs = substantive_paragraphs(archive, members={label.member for label in labels})
    pairs, mismatches = match_labels(labels, paragraphs)
    with timer() as tagging:
        strata = evaluate_tagging(pipeline_tag_fn(paragraphs=paragraphs), pairs)
    results = {"labels": str(LABELS.relative_to(LABELS.parents[2])), "archive": archive.name,
               "matched": len(pairs), "mismatches": mismatches, "strata": strata,
               "held_out_not_scored": not_scored,
               "segment_seconds": round(elapsed(), 2), "tag_seconds": round(tagging(), 2)}
    _print(results)
    for stratum, n in not_scored.items():
        print(f"\n{stratum}: {n} labelled paragraphs held out, not scored (--holdout scores "
              "them; look once, after the tagger change)")
    path = write_result("tagging_real_holdout" if holdout else "tagging_real", results)
    print(f"\nwrote {path}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holdout", action="store_true",
                        help=f"also score the held-out strata {sorted(HELD_OUT)}")
    main(holdout=parser.parse_args().holdout)
