"""Retrieval keys beside the records: bank questions, unit passages, out-of-scope questions.

Each key is embedded into a second collection at build time and loaded into memory
(`KeyTable`) when the index opens: a few thousand rows, so exhaustive dot products
are exact and take well under a millisecond.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.record import Record
from corpus.units import Unit, build_units, load_bank, load_out_of_scope, unit_passage
from index.bm25 import BM25Index
from index.embedders import Embedder
from index.vectors import VectorStore


@dataclass(frozen=True)
class Key:
    """A retrieval key: a bank question (points at its unit), a unit passage, or an
    out-of-scope question (points at its category)."""

    id: str
    doc_type: str  # bank | unit | oos
    target: str  # unit id, or the out-of-scope category
    text: str


def keys_hash(bank_path: Path, out_of_scope_path: Path) -> str:
    """sha256 of what the keys collection is built from (besides the records)."""
    digest = hashlib.sha256()
    for path in (bank_path, out_of_scope_path):
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


def retrieval_keys(
    records: list[Record], bank_path: Path, out_of_scope_path: Path
) -> tuple[list[Unit], list[Key]]:
    units = build_units(records)
    known = {u.id for u in units}
    by_id = {r.id: r for r in records}
    bank = load_bank(bank_path) if bank_path.exists() else []
    unknown = sorted({q.unit for q in bank} - known)
    if unknown:
        raise ValueError(f"{bank_path}: unknown unit ids {unknown[:5]}")
    keys = [Key(q.id, "bank", q.unit, q.text) for q in bank]
    keys += [Key(f"unit-{u.id}", "unit", u.id, unit_passage(u, by_id)) for u in units]
    if out_of_scope_path.exists():
        keys += [Key(q.id, "oos", q.unit, q.text) for q in load_out_of_scope(out_of_scope_path)]
    return units, keys


def key_vectors(embedder: Embedder, keys: list[Key]) -> np.ndarray:
    """Questions get the query prompt, unit passages the passage prompt."""
    out = np.zeros((len(keys), embedder.dim), dtype=np.float32)
    questions = [i for i, k in enumerate(keys) if k.doc_type != "unit"]
    passages = [i for i, k in enumerate(keys) if k.doc_type == "unit"]
    if questions:
        out[questions] = embedder.embed_queries([keys[i].text for i in questions])
    if passages:
        out[passages] = embedder.embed_passages([keys[i].text for i in passages])
    return out


def store_keys(store: VectorStore, keys: list[Key], vectors: np.ndarray) -> None:
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        store.add(
            [k.id for k in chunk],
            vectors[start : start + len(chunk)],
            [k.text for k in chunk],
            [{"doc_type": k.doc_type, "target": k.target} for k in chunk],
        )


@dataclass
class KeyTable:
    """The retrieval keys with their vectors in memory."""

    ids: list[str]
    doc_type: np.ndarray  # str per row
    target: np.ndarray  # str per row
    vectors: np.ndarray  # (n, dim) float32, L2-normalised
    bm25: BM25Index | None  # over the bank questions

    def rows(self, doc_type: str) -> np.ndarray:
        return np.flatnonzero(self.doc_type == doc_type)


def load_key_table(store: VectorStore, bm25_dir: Path | None) -> KeyTable:
    got = store.get()
    return KeyTable(
        ids=got.ids,
        doc_type=np.array([m["doc_type"] for m in got.metadata]),
        target=np.array([m["target"] for m in got.metadata]),
        vectors=got.vectors,
        bm25=BM25Index.load(bm25_dir) if bm25_dir is not None else None,
    )
