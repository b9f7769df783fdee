"""A multilingual model chosen with ``embedding.model`` works end to end (issue 11, item 4).

No download: the test builds a tiny sentence-transformers model (random BERT weights, one layer,
a WordPiece vocabulary covering English, Spanish and French words) in a temporary folder. Its
vectors mean nothing; the test checks that every stage runs on it, records it, and reports
coverage per language.
"""

import json

import pytest
from typer.testing import CliRunner

from pipelines.cli.app import app
from pipelines.flows.pipeline import update_flow
from pipelines.settings import PipelineConfig

WORDS = [
    "the", "a", "of", "and", "to", "in", "we", "our", "for", "on", "is", "are", "not", "no",
    "new", "law", "international", "cyber", "security", "states", "treaty", "convention",
    "binding", "instrument", "support", "oppose", "need", "existing", "el", "la", "de", "y", "en",
    "los", "las", "un", "una", "no", "apoya", "derecho", "internacional", "instrumento",
    "jurídicamente", "vinculante", "tratado", "seguridad", "le", "les", "des", "et", "nous",
    "pas", "droit", "traité", "sécurité", "soutient", "chair", "thank", "you", "statement",
    "information", "ict", "icts", "digital",
]


def build_tiny_model(folder) -> str:
    """Save a one-layer random BERT as a sentence-transformers model in ``folder``."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    letters = sorted({c for w in WORDS for c in w} | set("abcdefghijklmnopqrstuvwxyz0123456789"))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *".,;:?!'-()", *letters,
             *(f"##{c}" for c in letters), *sorted(set(WORDS) - set(letters))]
    base = folder / "bert"
    base.mkdir(parents=True)
    (base / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(base / "vocab.txt"), do_lower_case=True).save_pretrained(
        base)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512)
    BertModel(config).save_pretrained(base)
    transformer = models.Transformer(str(base), max_seq_length=128)
    pooling = models.Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    target = folder / "tiny-multilingual"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(target))
    return str(target)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> str:
    return build_tiny_model(tmp_path_factory.mktemp("model"))


def test_a_configured_multilingual_model_runs_every_stage(tiny_model, tmp_path,
                                                          prefect_harness):
    corpus = tmp_path / "corpus" / "s1"
    corpus.mkdir(parents=True)
    texts = {"est.txt": ("EST", "en", "We see no need for a new treaty on cyber security. "
                         "Existing international law applies."),
             "cub.txt": ("CUB", "es", "Cuba apoya un instrumento jurídicamente vinculante sobre "
                         "la seguridad de las TIC."),
             "fra.txt": ("FRA", "fr", "Nous soutenons le droit international existant dans le "
                         "cyberespace et le numérique.")}
    rows = ["file,state,forum,session,date,on_behalf_of,language,title,agenda_item,url"]
    for name, (state, lang, text) in texts.items():
        (corpus / name).write_text(text + "\n", encoding="utf-8")
        rows.append(f"{name},{state},OEWG,S1,2024-07-08,,{lang},,,")
    (corpus / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    db = str(tmp_path / "tiny.duckdb")
    config = PipelineConfig().model_copy(update={
        "embedding": PipelineConfig().embedding.model_copy(update={"model": tiny_model})})
    result = update_flow([str(tmp_path / "corpus")], db, config)
    assert result["embed"]["model_key"].startswith(tiny_model)
    assert result["annotate"]["statements"] == 3
    assert set(result["annotate"]["by_language"]) == {"en", "es", "fr"}
    runner = CliRunner()
    status = runner.invoke(app, ["status", "--db", db, "--json"])
    document = json.loads(status.stdout)
    assert set(document["annotation_by_language"]) == {"en", "es", "fr"}
    assert all(v["segments"] == 1 for v in document["annotation_by_language"].values())
    analysed = runner.invoke(app, ["analyze-text", "--db", db, "--model", tiny_model,
                                   "--explain"], input="Nous soutenons un traité.\n")
    assert analysed.exit_code == 0, analysed.output
    answer = json.loads(analysed.stdout)
    assert answer["language"] == "fr" and set(answer["stance"]) >= {"binding_instrument"}
