"""An exact vector store in numpy: for the fast tests and for small corpora.

`MemoryStore` keeps one collection's vectors in a matrix and answers a query with one
dot product (exact cosine similarity of L2-normalised vectors); conditions are checked
on the rows' metadata with `corpus.record.matches`, the same rule a Chroma `where`
clause applies. `MemoryCatalog` holds the collections; given a folder, it also writes
each collection to `<folder>/vectors-<name>.npz` (+ `.json`), so a built index can be
opened again by another process.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from corpus.record import Conditions, matches
from index.errors import IndexUnavailableError
from index.vectors import Metadata, Rows, Scalar


class MemoryStore:
    def __init__(self, name: str, metadata: Metadata, dim: int = 0) -> None:
        self._name = name
        self._metadata = dict(metadata)
        self.ids: list[str] = []
        self.vectors = np.zeros((0, dim), dtype=np.float32)
        self.texts: list[str] = []
        self.rows: list[dict[str, Scalar]] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def metadata(self) -> Metadata:
        return self._metadata

    def add(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        texts: Sequence[str],
        metadata: Sequence[Metadata],
    ) -> None:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)
        if self.ids and vectors.shape[1] != self.vectors.shape[1]:
            raise ValueError(f"vectors of size {vectors.shape[1]}, not {self.vectors.shape[1]}")
        self.delete(ids)  # an id added again replaces its row
        self.ids += list(ids)
        self.vectors = np.vstack([self.vectors.reshape(-1, vectors.shape[1]), vectors])
        self.texts += list(texts)
        self.rows += [dict(m) for m in metadata]

    def query(
        self, vector: np.ndarray, n: int, where: Conditions | None = None
    ) -> list[tuple[str, float]]:
        rows = [i for i, m in enumerate(self.rows) if not where or matches(m, where)]
        if not rows or n <= 0:
            return []
        sims = self.vectors[rows] @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-sims, kind="stable")[:n]
        return [(self.ids[rows[int(i)]], float(sims[int(i)])) for i in order]

    def get(self, ids: Sequence[str] | None = None) -> Rows:
        position = {rid: i for i, rid in enumerate(self.ids)}
        picked = list(range(len(self.ids))) if ids is None else [position[i] for i in ids]
        return Rows(
            [self.ids[i] for i in picked],
            self.vectors[picked] if picked else self.vectors[:0],
            [dict(self.rows[i]) for i in picked],
        )

    def delete(self, ids: Sequence[str]) -> None:
        gone = set(ids)
        keep = [i for i, rid in enumerate(self.ids) if rid not in gone]
        if len(keep) == len(self.ids):
            return
        self.ids = [self.ids[i] for i in keep]
        self.vectors = self.vectors[keep]
        self.texts = [self.texts[i] for i in keep]
        self.rows = [self.rows[i] for i in keep]

    def count(self) -> int:
        return len(self.ids)


class MemoryCatalog:
    """Collections by name; with a folder, each one is also kept on disk."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.where = str(folder) if folder is not None else "memory"
        self._stores: dict[str, MemoryStore] = {}

    def create(self, name: str, metadata: Metadata) -> MemoryStore:
        if name in self._stores or (self.folder and self._path(name).exists()):
            raise ValueError(f"collection {name} exists")
        store = _SavedStore(name, metadata, self) if self.folder else MemoryStore(name, metadata)
        self._stores[name] = store
        if isinstance(store, _SavedStore):
            store.save()
        return store

    def open(self, name: str) -> MemoryStore:
        if name not in self._stores and self.folder and self._path(name).exists():
            self._stores[name] = self._load(name)
        if name not in self._stores:
            raise IndexUnavailableError(
                f"De collectie {name} bestaat niet (meer).",
                f"The collection {name} does not exist (any more).",
            )
        return self._stores[name]

    def drop(self, name: str) -> None:
        self._stores.pop(name, None)
        if self.folder:
            for suffix in (".npz", ".json"):
                self._path(name).with_suffix(suffix).unlink(missing_ok=True)

    def names(self) -> list[str]:
        names = set(self._stores)
        if self.folder and self.folder.is_dir():
            names |= {p.stem.removeprefix("vectors-") for p in self.folder.glob("vectors-*.npz")}
        return sorted(names)

    def _path(self, name: str) -> Path:
        assert self.folder is not None
        return self.folder / f"vectors-{name}.npz"

    def _load(self, name: str) -> MemoryStore:
        meta = json.loads(self._path(name).with_suffix(".json").read_text(encoding="utf-8"))
        store = _SavedStore(name, meta["metadata"], self)
        with np.load(self._path(name)) as data:
            store.vectors = np.asarray(data["vectors"], dtype=np.float32)
        store.ids, store.texts, store.rows = meta["ids"], meta["texts"], meta["rows"]
        return store


class _SavedStore(MemoryStore):
    """A memory collection written to its catalog's folder after every change."""

    def __init__(self, name: str, metadata: Metadata, catalog: MemoryCatalog) -> None:
        super().__init__(name, metadata)
        self._catalog = catalog

    def save(self) -> None:
        path = self._catalog._path(self.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, vectors=self.vectors)
        meta = {"metadata": dict(self.metadata), "ids": self.ids, "texts": self.texts}
        path.with_suffix(".json").write_text(
            json.dumps({**meta, "rows": self.rows}, ensure_ascii=False), encoding="utf-8"
        )

    def add(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        texts: Sequence[str],
        metadata: Sequence[Metadata],
    ) -> None:
        super().add(ids, vectors, texts, metadata)
        self.save()

    def delete(self, ids: Sequence[str]) -> None:
        super().delete(ids)
        self.save()
