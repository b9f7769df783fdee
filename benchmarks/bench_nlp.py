"""NLP core benchmark: embedding stage vs bare encode, cached re-run, segmentation speed,
precision fidelity, and the stance / tagging evaluation tables.

Ratios are against references measured in the same run, because these machines are noisy.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import ROOT, SAMPLE, format_table, peak_rss_mb, timer, write_result
from corpora.ingest import ingest_folder
from nlp.embeddings import EmbedderConfig, build_embedder, cpu_supports_bf16
from nlp.segment import SUBSTANTIVE, segment_statements, text_hash
from nlp.stance import StanceModel
from nlp.tagging import IssueTagger
from nlp.taxonomy import load_taxonomy
from pipelines.settings import PipelineConfig
from pipelines.stages.text import embed_new_segments, get_embedder, segment_new_statements
from pipelines.store.storage import lookup_embeddings, open_store


def bench_segmentation(texts: list[str]) -> dict[str, float]:
    blob_size = sum(len(t.encode()) for t in texts)
    repeat = int(1_000_000 / blob_size) + 1
    items = [(str(n), t, "en") for n, t in enumerate(texts * repeat)]
    megabytes = blob_size * repeat / 1e6
    segment_statements(items[:5])  # build the spaCy pipeline outside the timing
    with timer() as elapsed:
        segments = segment_statements(items)
    sentences = sum(s.n_sentences for s in segments)
    return {"megabytes": round(megabytes, 3), "seconds": round(elapsed(), 3),
            "seconds_per_mb": round(elapsed() / megabytes, 3),
            "sentences_per_second": round(sentences / elapsed(), 1)}


def bench_embedding(db: Path) -> dict[str, object]:
    config = PipelineConfig()
    with open_store(db) as store:
        ingest_folder(SAMPLE, store, run_id="bench")
    segment_new_statements(str(db), config)
    with open_store(db) as store:
        texts = [r[0] for r in store.con.execute(
            "SELECT text FROM segments WHERE kind = ? ORDER BY statement_id, idx",
            [SUBSTANTIVE]).fetchall()]
    embedder = get_embedder(config.embedding)
    model = embedder.model  # load before timing either side
    model.encode(texts[:8])
    with timer() as bare:
        reference = model.encode(texts, batch_size=32, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
    with timer() as stage:
        first = embed_new_segments(str(db), config)
    with timer() as rerun:
        second = embed_new_segments(str(db), config)
    with open_store(db) as store:
        stored = lookup_embeddings(store, embedder.model_key, [text_hash(t) for t in texts],
                                   embedder.dimension)
    agreement = np.array([float(stored[text_hash(t)] @ v)
                          for t, v in zip(texts, reference, strict=True)])
    return {
        "segments": len(texts), "unique_texts": first["unique_texts"],
        "precision": embedder.precision, "cpu_native_bf16": cpu_supports_bf16(),
        "bare_encode_seconds": round(bare(), 3),
        "bare_segments_per_second": round(len(texts) / bare(), 1),
        "stage_seconds": round(stage(), 3),
        "stage_segments_per_second": round(len(texts) / stage(), 1),
        "throughput_ratio_vs_bare": round(bare() / stage(), 3),
        "rerun_seconds": round(rerun(), 3), "rerun_new_embeddings": second["new_embeddings"],
        "rerun_share_of_first": round(rerun() / stage(), 4),
        "stored_vs_bare_min_cosine": round(float(agreement.min()), 6),
    }


def bench_precision(texts: list[str]) -> dict[str, object]:
    """bf16 fidelity against fp32 on a subset (speed only means something with native bf16)."""
    subset = texts[:64]
    fp32 = build_embedder(EmbedderConfig(precision="fp32"))
    bf16 = build_embedder(EmbedderConfig(precision="bf16"))
    fp32.encode(subset[:4])
    bf16.encode(subset[:4])
    with timer() as t32:
        a = fp32.encode(subset)
    with timer() as t16:
        b = bf16.encode(subset)
    cosines = np.sum(a * b, axis=1)
    return {"texts": len(subset), "bf16_mean_cosine": round(float(cosines.mean()), 7),
            "bf16_min_cosine": round(float(cosines.min()), 7),
            "bf16_speedup_vs_fp32": round(t32() / t16(), 3),
            "native_bf16": cpu_supports_bf16()}


def macro_f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    scores = []
    for label in (-1, 0, 1):
        tp = np.sum((predicted == label) & (truth == label))
        denominator = np.sum(predicted == label) + np.sum(truth == label)
        scores.append(2 * tp / denominator if denominator else 0.0)
    return float(np.mean(scores))


def bench_dev_stance(embedder, stance: StanceModel) -> dict[str, object]:
    """The old set (``nlp/data/stance_eval.yaml``), whole sentences through the stance model.

    Written by the same hands as the seeds, so it is a development check, not a measure of
    quality on other people's text: that is :func:`bench_independent`.
    """
    items = yaml.safe_load((ROOT / "nlp" / "data" / "stance_eval.yaml").read_text())["items"]
    vectors = embedder.encode([i["text"] for i in items])
    per_issue = {}
    for issue_id in stance.issue_ids_:
        rows = [n for n, i in enumerate(items) if i["issue"] == issue_id]
        truth = np.array([items[n]["stance"] for n in rows])
        predicted = stance.predict(issue_id, vectors[rows])
        per_issue[issue_id] = {"n": len(rows), "accuracy": round(float(np.mean(predicted == truth)),
                                                                 3),
                               "macro_f1": round(macro_f1(truth, predicted), 3),
                               "training_examples": stance.n_examples_[issue_id]}
    return {"stance": per_issue,
            "stance_mean_accuracy": round(float(np.mean([v["accuracy"]
                                                         for v in per_issue.values()])), 3)}


def bench_independent(db: Path) -> dict[str, object]:
    """The independent set through ``analyze-text``'s own code: accuracy, coverage, abstention.

    Accuracy counts "no side" on a positioned text as wrong; coverage is the share of positioned
    texts given a side; neutral abstention the share of side-0 texts left without one. Nothing
    is fitted or tuned on this set.
    """
    from benchmarks.bench_stance_independent import predictions_from_answers
    from benchmarks.stance_eval import load_items, score_predictions
    from pipelines.stages.textcheck import analyze_lines

    items = load_items()
    lines = [json.dumps({"text": it.text}, ensure_ascii=False) for it in items]
    config = PipelineConfig()
    list(analyze_lines(lines[:1], db=str(db), config=config, jsonl=True))  # fit, not timed
    with timer() as elapsed:
        answers = list(analyze_lines(lines, db=str(db), config=config, jsonl=True))
    metrics = score_predictions(items, predictions_from_answers(items, answers))
    by_unit_lang = {}
    for unit in ("sentence", "paragraph"):
        for lang in ("en", "es", "fr"):
            subset = [it for it in items if it.unit == unit and it.lang == lang]
            answer = predictions_from_answers(
                subset, [a for it, a in zip(items, answers, strict=True)
                         if it.unit == unit and it.lang == lang])
            by_unit_lang[f"{unit}/{lang}"] = score_predictions(subset, answer)["overall"]
    return {"items": len(items), "metrics": metrics, "by_unit_lang": by_unit_lang,
            "seconds": round(elapsed(), 2),
            "ms_per_item": round(1000 * elapsed() / len(items), 1)}


def bench_quality(db: Path) -> dict[str, object]:
    taxonomy = load_taxonomy()
    embedder = get_embedder(PipelineConfig().embedding)
    stance = StanceModel().fit(taxonomy, embedder)
    tagger = IssueTagger().fit(taxonomy, embedder)
    tag_items = yaml.safe_load((ROOT / "nlp" / "data" / "tagging_eval.yaml").read_text())["items"]
    texts = [i["text"] for i in tag_items]
    tags = tagger.tag(tagger.score(texts, embedder.encode(texts)))
    tp = fp = fn = 0
    for item, predicted in zip(tag_items, tags, strict=True):
        gold, got = set(item["issues"]), set(predicted)
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {"independent": bench_independent(db),
            "dev": bench_dev_stance(embedder, stance),
            "tagging_dev": {"items": len(tag_items), "precision": round(precision, 3),
                            "recall": round(recall, 3),
                            "f1": round(2 * precision * recall / max(1e-9, precision + recall),
                                        3)}}


def _rate(value: object) -> str:
    return "-" if value is None else f"{float(value):.3f}"


def format_independent(result: dict[str, object]) -> str:
    """Accuracy / coverage / abstention by unit, language and issue (the README's table)."""
    metrics = result["metrics"]
    rows = [("all", "all", *_cells(metrics["overall"]))]
    rows += [("unit", k, *_cells(v)) for k, v in metrics["by_unit"].items()]
    rows += [("unit/lang", k, *_cells(v)) for k, v in result["by_unit_lang"].items()]
    rows += [("issue", k, *_cells(v)) for k, v in metrics["by_issue"].items()]
    return format_table(rows, ["group", "value", "n positioned", "accuracy", "coverage",
                               "n neutral", "neutral abstention"])


def _cells(cell: dict[str, object]) -> tuple[object, ...]:
    return (cell["n_positioned"], _rate(cell["accuracy"]), _rate(cell["coverage"]),
            cell["n_neutral"], _rate(cell["neutral_abstention"]))


def main() -> dict[str, object]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE.rglob("*.txt"))]
    results: dict[str, object] = {"segmentation": bench_segmentation(texts)}
    with tempfile.TemporaryDirectory() as tmp:
        results["embedding"] = bench_embedding(Path(tmp) / "bench.duckdb")
    results["precision"] = bench_precision(texts)
    with tempfile.TemporaryDirectory() as tmp:
        results["quality"] = bench_quality(Path(tmp) / "quality.duckdb")
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    emb, seg, quality = results["embedding"], results["segmentation"], results["quality"]
    independent = quality["independent"]["metrics"]
    rows = [
        ("segmentation seconds per MB", seg["seconds_per_mb"], "< 1"),
        ("segmentation sentences/s", seg["sentences_per_second"], ""),
        ("bare encode segments/s", emb["bare_segments_per_second"], "reference"),
        ("embedding stage segments/s", emb["stage_segments_per_second"], ""),
        ("stage throughput / bare encode", emb["throughput_ratio_vs_bare"], ">= 0.9"),
        ("re-run embed time / first", emb["rerun_share_of_first"], "<= 0.05"),
        ("re-run new embeddings", emb["rerun_new_embeddings"], "0"),
        (f"precision used ({emb['precision']}), native bf16", str(emb["cpu_native_bf16"]), ""),
        ("bf16 mean cosine vs fp32", results["precision"]["bf16_mean_cosine"], ">= 0.9999"),
        ("bf16 speed-up vs fp32", results["precision"]["bf16_speedup_vs_fp32"],
         ">= 2 where native"),
        ("stance accuracy, independent sentences",
         _rate(independent["by_unit"]["sentence"]["accuracy"]), ">= 0.92"),
        ("stance accuracy, independent paragraphs",
         _rate(independent["by_unit"]["paragraph"]["accuracy"]), ">= 0.90"),
        ("stance coverage, independent positioned texts",
         _rate(independent["overall"]["coverage"]), ""),
        ("neutral abstention, independent set",
         _rate(independent["overall"]["neutral_abstention"]), ">= 0.85"),
        ("analyze-text ms per item (tag + stance)", quality["independent"]["ms_per_item"], ""),
        ("stance accuracy, dev set written with the seeds", quality["dev"]["stance_mean_accuracy"],
         "(not a measure)"),
        ("tagging micro F1, dev set", quality["tagging_dev"]["f1"], ""),
        ("peak RSS MiB", results["peak_rss_mb"], ""),
    ]
    print(format_table(rows, ["measure", "value", "target"]))
    print()
    print(format_independent(quality["independent"]))
    path = write_result("nlp", results)
    print(f"\nwrote {path}")
    return results


if __name__ == "__main__":
    main()
