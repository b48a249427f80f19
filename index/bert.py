"""A BERT encoder in plain torch, over the weights of a safetensors file left on disk.

The forward pass is transformers' `BertModel` (absolute positions, exact gelu, sdpa
attention, no pooler) written out as the same torch operations in the same order, so it
gives the same hidden states bit for bit (tested against `BertModel`) without importing
transformers (≈120 MB of memory and two seconds at start).

The weights are a copy-on-write memory map of the model file: nothing is read until
used, and the word-embedding matrix — two thirds of the file — only where tokens
occur. Writing a weight (merging an adapter) copies just the pages written.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class BertShape:
    hidden: int
    heads: int
    layers: int
    eps: float
    max_positions: int

    @classmethod
    def read(cls, config_json: Path) -> BertShape:
        c = json.loads(config_json.read_text(encoding="utf-8"))
        if c.get("hidden_act", "gelu") != "gelu" or c.get("is_decoder"):
            raise ValueError(f"{config_json}: not an encoder with exact gelu")
        if c.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{config_json}: positions are not absolute")
        return cls(
            c["hidden_size"],
            c["num_attention_heads"],
            c["num_hidden_layers"],
            c["layer_norm_eps"],
            c["max_position_embeddings"],
        )


def mapped_weights(path: Path) -> dict[str, torch.Tensor]:
    """Every float32 tensor of a safetensors file, as views of one private memory map."""
    import torch

    with path.open("rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(size))
    start = 8 + size
    mapped = torch.UntypedStorage.from_file(str(path), shared=False, nbytes=path.stat().st_size)
    storage = cast("torch.UntypedStorage", mapped)
    weights: dict[str, torch.Tensor] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        begin = start + meta["data_offsets"][0]
        if meta["dtype"] != "F32" or begin % 4:
            raise ValueError(f"{path}: {name} is not an aligned float32 tensor")
        shape = [int(n) for n in meta["shape"]]
        strides = [math.prod(shape[i + 1 :]) for i in range(len(shape))]
        view = torch.empty(0, dtype=torch.float32)
        weights[name] = view.set_(storage, begin // 4, shape, strides)
    return weights


class Bert:
    """`forward(ids, mask)` = `BertModel(...).last_hidden_state`, in inference."""

    def __init__(self, weights: dict[str, torch.Tensor], shape: BertShape) -> None:
        import torch

        self.w = weights
        self.shape = shape
        self.head_size = shape.hidden // shape.heads
        self._positions = torch.arange(shape.max_positions).expand((1, -1))
        self._types = torch.zeros(self._positions.size(), dtype=torch.long)

    @classmethod
    def load(cls, model_dir: Path) -> Bert:
        return cls(
            mapped_weights(model_dir / "model.safetensors"),
            BertShape.read(model_dir / "config.json"),
        )

    def _norm(self, x: torch.Tensor, prefix: str) -> torch.Tensor:
        import torch.nn.functional as F

        w = self.w
        return F.layer_norm(
            x, (self.shape.hidden,), w[f"{prefix}.weight"], w[f"{prefix}.bias"], self.shape.eps
        )

    def _linear(self, x: torch.Tensor, prefix: str) -> torch.Tensor:
        import torch.nn.functional as F

        return F.linear(x, self.w[f"{prefix}.weight"], self.w[f"{prefix}.bias"])

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Hidden states (batch, tokens, hidden) of `ids` (the model's token ids), with
        `mask` 1 for real tokens and 0 for padding."""
        import torch.nn.functional as F

        batch, length = ids.shape
        w = self.w
        positions = self._positions[:, :length]
        types = self._types.expand(positions.shape[0], -1).gather(1, positions)
        x = F.embedding(ids, w["embeddings.word_embeddings.weight"])
        x = x + F.embedding(
            types.expand(batch, length), w["embeddings.token_type_embeddings.weight"]
        )
        x = x + F.embedding(positions, w["embeddings.position_embeddings.weight"])
        x = self._norm(x, "embeddings.LayerNorm")
        # padding: keys masked out (no mask at all when there is none, as transformers)
        keys = None if bool(mask.all()) else mask[:, None, None, :].bool()
        heads = (batch, length, -1, self.head_size)
        for i in range(self.shape.layers):
            p = f"encoder.layer.{i}"
            q = self._linear(x, f"{p}.attention.self.query").view(heads).transpose(1, 2)
            k = self._linear(x, f"{p}.attention.self.key").view(heads).transpose(1, 2)
            v = self._linear(x, f"{p}.attention.self.value").view(heads).transpose(1, 2)
            a = F.scaled_dot_product_attention(
                q, k, v, attn_mask=keys, dropout_p=0.0, scale=self.head_size**-0.5, is_causal=False
            )
            a = a.transpose(1, 2).contiguous().reshape(batch, length, -1).contiguous()
            x = self._norm(
                self._linear(a, f"{p}.attention.output.dense") + x,
                f"{p}.attention.output.LayerNorm",
            )
            h = F.gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = self._norm(self._linear(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        return x
