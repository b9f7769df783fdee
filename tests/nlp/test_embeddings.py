import shutil

import numpy as np
import pytest

from nlp.embeddings import (
    DEFAULT_MODEL_SHA256,
    EmbedderConfig,
    SentenceTransformerEmbedder,
    build_embedder,
    default_model_path,
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
