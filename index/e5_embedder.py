"""multilingual-e5 in plain torch: the app's embedder.

It gives the vectors `SentenceTransformerEmbedder` gives for the same folder and
adapter — bit for bit, tested on every corpus passage and evaluation question — with
about half the memory:

- no sentence-transformers, transformers and peft, nor the scikit-learn, pandas and
  SciPy they import: the tokenizer is called directly, the encoder is `index.bert` (the
  same operations as transformers' BertModel), the pooling and normalisation are the
  same few tensor operations, and the LoRA adapter is merged as peft merges it
  (W += (B @ A) * alpha / r, in float32);
- the weights stay memory-mapped from the model file, so the word-embedding matrix
  (250,037 × 384 floats, two thirds of the weights) is read only where tokens are used;
- with `vocabulary="latin"` (the app's default) the tokenizer keeps only the pieces of
  Latin-script text (`index.vocab`): the same tokens for Dutch and English, 180 MB less;
- one forward at a time per process: concurrent requests queue for the model instead of
  sharing the cores between several forwards, each with its own buffers.

Batches are cut as sentence-transformers cuts them (longest texts first), because the
padding of a batch changes the last bits of its vectors.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from index import vocab as latin
from index.bert import Bert
from index.embedders import (
    PASSAGE_PROMPT,
    QUERY_PROMPT,
    EmbedderNotBuiltError,
    _not_built_message,
    _pooling_dim,
    prepare_runtime,
    weights_id,
)

if TYPE_CHECKING:
    from tokenizers import Tokenizer

Vocabulary = Literal["full", "latin"]


class E5Embedder:
    def __init__(
        self,
        model_dir: Path,
        batch_size: int = 16,
        threads: int = 2,
        adapter_dir: Path | None = None,
        vocabulary: Vocabulary = "latin",
        cache_dir: Path | None = None,
    ) -> None:
        """`cache_dir` keeps the Latin-script tokenizer (needed for that vocabulary)."""
        model_dir = Path(model_dir)
        if not (model_dir / "config.json").is_file():
            raise EmbedderNotBuiltError(_not_built_message(model_dir))
        self.model_dir = model_dir
        self.batch_size = batch_size
        self.threads = threads
        self.adapter_dir = Path(adapter_dir) if adapter_dir else None
        self.vocabulary = vocabulary
        if vocabulary == "latin" and cache_dir is None:
            raise ValueError("the Latin-script vocabulary needs a cache folder")
        self.cache_dir = Path(cache_dir) if cache_dir else model_dir
        # the same id as the sentence-transformers embedder: the same vectors; the Latin
        # tokenizer differs for other scripts, so it has its own
        self.model_id = weights_id(model_dir, self.adapter_dir)
        if vocabulary == "latin":
            self.model_id += f"+vocab:{latin.NAME}"
        self.dim = _pooling_dim(model_dir) or 384
        self.prompts = _prompts(model_dir)
        self.max_length = _max_length(model_dir)
        self._model: Bert | None = None
        self._tokenizer: Tokenizer | None = None
        self._rows: Any = None  # torch tensor: this tokenizer's ids -> the model's
        self._lock = threading.Lock()

    def load(self) -> Bert:
        with self._lock:
            if self._model is None:
                self._load()
            assert self._model is not None
            return self._model

    def _load(self) -> None:
        prepare_runtime(self.threads)
        import torch
        from tokenizers import Tokenizer

        torch.set_num_threads(self.threads)
        model = Bert.load(self.model_dir)
        if self.adapter_dir is not None:
            merge_lora(model.w, self.adapter_dir)
        full = self.model_dir / "tokenizer.json"
        if self.vocabulary == "latin":
            tokenizer, rows = latin.load(full, self.cache_dir)
            self._rows = torch.from_numpy(rows)
        else:
            tokenizer = Tokenizer.from_file(str(full))
        tokenizer.enable_truncation(self.max_length)
        tokenizer.enable_padding(pad_id=_pad_id(self.model_dir), pad_token="<pad>")
        self._tokenizer, self._model = tokenizer, model

    def _forward(self, texts: list[str]) -> np.ndarray:
        """One batch (the prompt already in the texts): mean pooling over the tokens,
        normalised twice, as the sentence-transformers folder and its `encode` do."""
        import torch
        import torch.nn.functional as F

        assert self._tokenizer is not None and self._model is not None
        encodings = self._tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.int64)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.int64)
        if self._rows is not None:
            ids = self._rows[ids]
        with torch.inference_mode():
            tokens = self._model.forward(ids, mask)
            weights = mask.unsqueeze(-1).to(tokens.dtype)
            summed = (tokens * weights).sum(dim=1, dtype=torch.float32)
            counts = torch.clamp(weights.sum(dim=1, dtype=torch.float32), min=1e-9)
            vectors = F.normalize(F.normalize(summed / counts, p=2, dim=1), p=2, dim=1)
        return np.asarray(vectors.numpy(), dtype=np.float32)

    def _encode(self, texts: Sequence[str], prompt_name: str) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        prompt = self.prompts.get(prompt_name, "")
        order = np.argsort([-len(t) for t in texts])  # as sentence-transformers sorts
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._lock:
            for start in range(0, len(texts), self.batch_size):
                picked = order[start : start + self.batch_size]
                out[picked] = self._forward([prompt + texts[i] for i in picked])
        return out

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, PASSAGE_PROMPT)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], QUERY_PROMPT)[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, QUERY_PROMPT)


def merge_lora(weights: dict[str, Any], adapter_dir: Path) -> None:
    """Merge a peft LoRA adapter (plain LoRA on linear layers) into the weights as peft's
    `merge_and_unload` does: W += (B @ A) * alpha / r, computed in float32."""
    import torch
    from safetensors import safe_open

    config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    if config.get("use_dora") or config.get("fan_in_fan_out") or config.get("modules_to_save"):
        raise ValueError(f"{adapter_dir}: only plain LoRA adapters can be merged here")
    rank = config["r"]
    scaling = config["lora_alpha"] / (rank**0.5 if config.get("use_rslora") else rank)
    prefix = "base_model.model."
    with safe_open(str(adapter_dir / "adapter_model.safetensors"), framework="pt") as f:
        modules = sorted({k.removeprefix(prefix).rsplit(".lora_", 1)[0] for k in f.keys()})  # noqa: SIM118
        with torch.no_grad():
            for module in modules:
                a = f.get_tensor(f"{prefix}{module}.lora_A.weight").float()
                b = f.get_tensor(f"{prefix}{module}.lora_B.weight").float()
                weights[f"{module}.weight"] += (b @ a) * scaling


def _prompts(model_dir: Path) -> dict[str, str]:
    """The e5 prompts the folder declares ("query: ", "passage: "), else none."""
    path = model_dir / "config_sentence_transformers.json"
    if not path.is_file():
        return {}
    prompts = json.loads(path.read_text(encoding="utf-8")).get("prompts") or {}
    if not (prompts.get(QUERY_PROMPT) and prompts.get(PASSAGE_PROMPT)):
        return {}
    return {str(k): str(v) for k, v in prompts.items()}


def _pad_id(model_dir: Path) -> int:
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    return int(config.get("pad_token_id", 1))


def _max_length(model_dir: Path) -> int:
    path = model_dir / "sentence_bert_config.json"
    if path.is_file():
        return int(json.loads(path.read_text(encoding="utf-8")).get("max_seq_length", 512))
    return 512
