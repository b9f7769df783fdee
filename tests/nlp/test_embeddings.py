import shutil

import numpy as np
import pytest

from nlp.embeddings import (
    DEFAULT_MODEL_SHA256,
    EmbedderConfig,
    SentenceTransformerEmbedder,
    build_embedder,
    default_model_path,
    length_order,
    resolve_precision,
)
from nlp.errors import ModelLoadError, WeightsMismatchError


def test_default_model_is_verified_and_normalised(embedder):
    inner = embedder.embedder
    assert inner.weights_sha256 == DEFAULT_MODEL_SHA256
    assert inner.model_key.startswith("all-MiniLM-L6-v2@53aa51172d142c89/")
    vectors = inner.encode(["Capacity building matters.", "Ransomware hits hospitals."])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert inner.encode([]).shape == (0, 384)


def test_similar_sentences_are_closer(embedder):
    a, b, c = embedder.encode([
        "A new legally binding treaty on cyberspace is needed.",
        "We call for negotiating a binding international convention on ICT security.",
        "Gender-sensitive capacity building programmes for women diplomats."])
    assert a @ b > a @ c + 0.2


@pytest.fixture(scope="module")
def model_copy(tmp_path_factory):
    target = tmp_path_factory.mktemp("model")
    shutil.copytree(default_model_path(), target, dirs_exist_ok=True)
    return target


def test_tampered_weights_are_refused(model_copy, tmp_path):
    tampered = tmp_path / "tampered"
    shutil.copytree(model_copy, tampered)
    weights = tampered / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(WeightsMismatchError, match="expected 53aa5117"):
        SentenceTransformerEmbedder(EmbedderConfig(model=str(tampered),
                                                   expected_sha256=DEFAULT_MODEL_SHA256))


def test_a_model_folder_can_be_configured(model_copy):
    embedder = build_embedder(EmbedderConfig(model=str(model_copy), precision="fp32"))
    assert embedder.weights_sha256 == DEFAULT_MODEL_SHA256
    assert embedder.model_key.endswith("/fp32") and embedder.dimension == 384


def test_unknown_model_offline_says_how_to_provide_it():
    with pytest.raises(ModelLoadError, match="give the path of a folder"):
        build_embedder(EmbedderConfig(model="no-such-org/no-such-model"))


def test_folder_without_weights(tmp_path):
    with pytest.raises(ModelLoadError, match=r"no model\.safetensors"):
        build_embedder(EmbedderConfig(model=str(tmp_path)))


def test_parameters_are_validated():
    with pytest.raises(ValueError, match="precision must be one of auto, fp32, bf16"):
        resolve_precision("fp16")
    assert resolve_precision("fp32") == "fp32"
    assert resolve_precision("auto") in {"fp32", "bf16"}
    with pytest.raises(ValueError, match="backend must be one of"):
        build_embedder(EmbedderConfig(backend="nope"))
    with pytest.raises(ValueError, match="batch_size"):
        build_embedder(EmbedderConfig(batch_size=0))


TEXTS = [
    "Thank you, Chair.",
    "Existing international law, including the UN Charter, applies in cyberspace.",
    "We call for a new convention on international information security.",
    "Capacity building should be demand-driven and respect national ownership.",
    "The points of contact directory is a practical confidence-building measure that we "
    "support and that our national CERT has already joined, with a focal point designated.",
    "Ransomware attacks on hospitals endanger lives.",
    "Humanitarian law limits military operations in cyberspace during armed conflict, and "
    "its principles of distinction, proportionality and precaution apply in full. " * 3,
    "Gender.",
]


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_a_vector_does_not_depend_on_its_batch(precision):
    """Chunks, order and neighbours change nothing, bit for bit (bf16 is emulated, and slow,
    on CPUs without native bfloat16, so the texts are few)."""
    embedder = build_embedder(EmbedderConfig(precision=precision, batch_size=4))
    assert embedder.model_key.endswith("/bf16w-b4" if precision == "bf16" else "/fp32")
    together = embedder.encode(TEXTS)
    alone = np.vstack([embedder.encode([t]) for t in TEXTS[:3]])
    reversed_half = embedder.encode(TEXTS[::-2])[::-1]
    assert np.array_equal(together[:3], alone)
    assert np.array_equal(together[1::2], reversed_half)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_fixed_shapes_match_the_plain_encode(embedder):
    """Padding to buckets is invisible to the model: same vectors as sentence-transformers'
    own encode (fp32; masked padding only changes the summation order)."""
    inner = build_embedder(EmbedderConfig(precision="fp32"))
    plain = inner.model.encode(TEXTS, batch_size=32, normalize_embeddings=True,
                               convert_to_numpy=True)
    assert np.min(np.sum(inner.encode(TEXTS) * plain, axis=1)) > 0.99999


def test_bucket_lengths():
    from nlp.embeddings import bucket_length

    assert [bucket_length(n, 256) for n in (1, 16, 17, 128, 129, 250, 256)] == \
        [16, 16, 32, 128, 160, 256, 256]
    assert bucket_length(300, 256) == 256 and bucket_length(20, 24) == 24


def test_length_order_puts_short_texts_first_and_keeps_ties_in_order(embedder):
    inner = embedder.embedder
    texts = [TEXTS[3], "Gender.", TEXTS[0], "Cyber.", TEXTS[1]]
    lengths = inner.token_lengths(texts)
    assert lengths[1] == lengths[3] == 4  # [CLS] word . [SEP]
    assert lengths[3] < lengths[0] and lengths[2] < lengths[4]
    order = length_order(inner, texts)
    assert sorted(order) == list(range(len(texts)))
    assert [lengths[i] for i in order] == sorted(lengths)
    assert order[:2] == [1, 3]  # equal lengths: input order
    assert inner.token_lengths([]) == [] and length_order(inner, []) == []
    # an embedder without a tokenizer is ordered by characters
    assert length_order(embedder, ["ccc", "a", "bb", "d"]) == [1, 3, 2, 0]
