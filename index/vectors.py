"""The vector store protocol: collections of vectors with scalar metadata.

A `VectorStore` is one collection: add vectors, query with conditions (the metadata
values a hit may have) for `(id, cosine similarity)` pairs, get rows back, delete,
count. A `VectorCatalog` is where collections live: a build creates a new collection
under a fresh name, the pointer file swaps to it (`index.store`), and the old one is
dropped. Two implementations: Chroma through LlamaIndex (`index.chroma_store`, the
only module that reads Chroma's results) and numpy in memory (`index.memory_store`,
exact, for tests and small corpora).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from corpus.record import Conditions

Scalar = str | int | float | bool
Metadata = Mapping[str, Scalar]


@dataclass(frozen=True)
class Rows:
    """Stored rows: ids, their vectors (n, dim) and metadata, in the same order."""

    ids: list[str]
    vectors: np.ndarray
    metadata: list[dict[str, Scalar]] = field(default_factory=list)


class VectorStore(Protocol):
    """One collection of L2-normalised vectors."""

    @property
    def name(self) -> str: ...

    @property
    def metadata(self) -> Metadata:
        """Collection-level metadata (corpus hash, model id)."""
        ...

    def add(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        texts: Sequence[str],
        metadata: Sequence[Metadata],
    ) -> None: ...

    def query(
        self, vector: np.ndarray, n: int, where: Conditions | None = None
    ) -> list[tuple[str, float]]:
        """The n most similar rows meeting `where`, as (id, cosine similarity), best first."""
        ...

    def get(self, ids: Sequence[str] | None = None) -> Rows:
        """The rows with these ids (all rows when None), with vectors and metadata."""
        ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def count(self) -> int: ...


class VectorCatalog(Protocol):
    """Where collections live; a new index is a new collection, swapped in by name."""

    where: str  # for messages: a folder or a server address

    def create(self, name: str, metadata: Metadata) -> VectorStore: ...

    def open(self, name: str) -> VectorStore: ...

    def drop(self, name: str) -> None: ...

    def names(self) -> list[str]:
        """The names of every collection in the catalog (housekeeping lists them)."""
        ...
