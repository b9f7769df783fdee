"""NLP core benchmark: embedding stage vs bare encode, cached re-run, segmentation speed,
precision fidelity, and the stance / tagging evaluation tables.

Ratios are against references measured in the same run, because these machines are noisy.
"""

from __future__ import annotations

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
from pipelines.stages import embed_new_segments, get_embedder, segment_new_statements
from pipelines.storage import lookup_embeddings, open_store


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


def bench_quality() -> dict[str, object]:
    taxonomy = load_taxonomy()
    embedder = get_embedder(PipelineConfig().embedding)
    stance = StanceModel().fit(taxonomy, embedder)
    tagger = IssueTagger().fit(taxonomy, embedder)
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
    tag_items = yaml.safe_load((ROOT / "nlp" / "data" / "tagging_eval.yaml").read_text())["items"]
    texts = [i["text"] for i in tag_items]
    tags = tagger.tag(tagger.score(texts, embedder.encode(texts)))
    tp = fp = fn = 0
    for item, predicted in zip(tag_items, tags, strict=True):
        gold, got = set(item["issues"]), set(predicted)
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {"stance": per_issue,
            "stance_mean_accuracy": round(float(np.mean([v["accuracy"]
                                                         for v in per_issue.values()])), 3),
            "stance_mean_macro_f1": round(float(np.mean([v["macro_f1"]
                                                         for v in per_issue.values()])), 3),
            "tagging": {"items": len(tag_items), "precision": round(precision, 3),
                        "recall": round(recall, 3),
                        "f1": round(2 * precision * recall / max(1e-9, precision + recall), 3)}}


def main() -> dict[str, object]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE.rglob("*.txt"))]
    results: dict[str, object] = {"segmentation": bench_segmentation(texts)}
    with tempfile.TemporaryDirectory() as tmp:
        results["embedding"] = bench_embedding(Path(tmp) / "bench.duckdb")
    results["precision"] = bench_precision(texts)
    results["quality"] = bench_quality()
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    emb, seg, quality = results["embedding"], results["segmentation"], results["quality"]
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
        ("stance mean accuracy (held out)", quality["stance_mean_accuracy"], "> 0.9"),
        ("stance mean macro-F1 (held out)", quality["stance_mean_macro_f1"], ""),
        ("tagging micro F1 (held out)", quality["tagging"]["f1"], ""),
        ("peak RSS MiB", results["peak_rss_mb"], ""),
    ]
    print(format_table(rows, ["measure", "value", "target"]))
    print()
    print(format_table([(k, v["n"], v["accuracy"], v["macro_f1"], v["training_examples"])
                        for k, v in quality["stance"].items()],
                       ["stance issue", "n", "accuracy", "macro-F1", "train"]))
    path = write_result("nlp", results)
    print(f"\nwrote {path}")
    return results


if __name__ == "__main__":
    main()
