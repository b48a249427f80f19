"""A smaller tokenizer for Dutch and English: the vocabulary's Latin-script pieces.

multilingual-e5's tokenizer (a SentencePiece Unigram model over 250,002 pieces, rebuilt
by `index.e5_tokenizer`) costs about 280 MB of memory once loaded, nearly all of it for
the pieces of scripts this corpus never uses (CJK, Cyrillic, Arabic, Devanagari, …).

A Unigram tokenizer only ever cuts a text into pieces that are substrings of the text
(after normalisation), and takes the most probable cut among them. So a text written
in Latin letters, digits, punctuation and symbols is cut by the tokenizer that keeps
only the pieces made of those characters exactly as by the full one: every piece the
full tokenizer could choose is still there, with its score. That covers Dutch and
English, typos, names and numbers included; text in another script gets a different
cut (it keeps every single character, so it is never unknown), and with it a
different vector.

The pieces keep their order, so the new token ids map back to the model's own with
one array (`rows`): the model and its embedding matrix stay as they are.
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

NAME = "latin"
SPECIAL = 4  # <s>, <pad>, </s>, <unk>: the first pieces, kept where they are
METASPACE = "\u2581"


def is_latin_char(ch: str) -> bool:
    """Latin letters, ASCII, and the characters of no script (digits, punctuation,
    symbols, spaces) — what Dutch and English text is written with."""
    if ch == METASPACE or ord(ch) < 128:
        return True
    if unicodedata.category(ch)[0] in "NPSZ":
        return True
    return unicodedata.name(ch, "").startswith("LATIN ")


def keep_piece(piece: str) -> bool:
    """A piece made of Latin-script characters, or a single character of any script
    (so that text in other scripts still tokenizes, into single characters)."""
    return all(map(is_latin_char, piece)) or len(piece.removeprefix(METASPACE)) <= 1


def kept_ids(vocab: list[list[object]]) -> list[int]:
    return [i for i, (piece, _) in enumerate(vocab) if i < SPECIAL or keep_piece(str(piece))]


def _paths(tokenizer_json: Path, cache_dir: Path) -> tuple[Path, Path]:
    """Named after the full tokenizer's size and time, so a rebuilt model gets its own."""
    st = tokenizer_json.stat()
    stem = f"{NAME}-{st.st_size}-{st.st_mtime_ns}"
    return cache_dir / "vocab" / f"{stem}.json", cache_dir / "vocab" / f"{stem}.rows.npy"


def build(tokenizer_json: Path, out_json: Path, out_rows: Path) -> int:
    """Write the Latin-script tokenizer and its id map; returns the number of pieces."""
    spec = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    model = spec["model"]
    if model.get("type") != "Unigram" or spec.get("added_tokens"):
        raise ValueError(f"{tokenizer_json}: not a plain Unigram tokenizer")
    keep = kept_ids(model["vocab"])
    if keep[:SPECIAL] != list(range(SPECIAL)) or model["unk_id"] >= SPECIAL:
        raise ValueError(f"{tokenizer_json}: special pieces are not the first {SPECIAL}")
    model["vocab"] = [model["vocab"][i] for i in keep]
    out_json.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_json.with_name(f"{out_json.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    rows_tmp = out_rows.with_name(f"{out_rows.stem}.{os.getpid()}.tmp.npy")
    np.save(rows_tmp, np.asarray(keep, dtype=np.int64))
    rows_tmp.replace(out_rows)  # rows first: the json's presence means both are there
    tmp.replace(out_json)
    return len(keep)


def ensure(tokenizer_json: Path, cache_dir: Path) -> tuple[Path, Path]:
    """The Latin-script tokenizer of `tokenizer_json` in `cache_dir`, built if missing
    (`python -m assistant models ensure` builds it before the app starts)."""
    out_json, out_rows = _paths(tokenizer_json, cache_dir)
    if not out_json.is_file() or not out_rows.is_file():
        build(tokenizer_json, out_json, out_rows)
    return out_json, out_rows


def load(tokenizer_json: Path, cache_dir: Path) -> tuple[Tokenizer, np.ndarray]:
    """(the Latin-script tokenizer, its token id -> the model's token id)."""
    from tokenizers import Tokenizer

    out_json, out_rows = ensure(tokenizer_json, cache_dir)
    return Tokenizer.from_file(str(out_json)), np.load(out_rows)
