"""Caches of vectors: passages on disk (a rebuild embeds only new texts), the last
queries in memory (a question is embedded for retrieval and again for scope)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.embedders import Embedder


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


class CachedEmbedder:
    """Passage vectors kept on disk, so a rebuild only embeds texts it has not seen.

    One SQLite file per model id in `cache_dir`, rows keyed by sha256(text). SQLite makes
    concurrent use by several processes safe and every write atomic (one transaction
    per call). Batches of queries (question banks) are cached under their own key;
    single user queries are not.
    """

    def __init__(self, inner: Embedder, cache_dir: Path) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.stats = CacheStats()
        cache_dir = Path(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / f"{_slug(self.model_id)}.sqlite3"
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")
            db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('model_id', ?), ('dim', ?)",
                (self.model_id, str(self.dim)),
            )
            stored = dict(db.execute("SELECT key, value FROM meta"))
        if stored.get("model_id") != self.model_id or stored.get("dim") != str(self.dim):
            raise ValueError(f"{self.path} holds vectors of {stored}, not {self.model_id}")

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A connection holding one transaction: committed on success, else rolled back."""
        db = sqlite3.connect(self.path, timeout=60.0)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            with db:
                yield db
        finally:
            db.close()

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _lookup(self, db: sqlite3.Connection, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk)
            for key, blob in rows:
                vector = np.frombuffer(blob, dtype="<f4")
                if vector.size == self.dim:
                    found[key] = vector
        return found

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached(list(texts), "", self.inner.embed_passages)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._cached(list(texts), "query: ", self.inner.embed_queries)

    def _cached(
        self, texts: list[str], role: str, embed: Callable[[Sequence[str]], np.ndarray]
    ) -> np.ndarray:
        keys = [self.key(role + t) for t in texts]
        unique = list(dict.fromkeys(keys))
        with self._db() as db:
            found = self._lookup(db, unique)
        missing = [k for k in unique if k not in found]
        self.stats.hits += len(unique) - len(missing)
        self.stats.misses += len(missing)
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            fresh = np.asarray(embed([text_of[k] for k in missing]), dtype=np.float32)
            rows = [(k, v.astype("<f4").tobytes()) for k, v in zip(missing, fresh, strict=True)]
            with self._db() as db:  # one transaction: all rows or none
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            found.update(zip(missing, fresh, strict=True))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def __len__(self) -> int:
        with self._db() as db:
            return int(db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])


def _slug(model_id: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id).strip("_")[:80]
    return f"{readable}-{hashlib.sha256(model_id.encode()).hexdigest()[:8]}"


class QueryCache:
    """An embedder with its last `size` query vectors kept in memory."""

    def __init__(self, inner: Embedder, size: int = 512) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.size = size
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            hit = self._cache.get(text)
        if hit is not None:
            return hit
        vec = self.inner.embed_query(text)
        with self._lock:
            if len(self._cache) >= self.size:
                self._cache.pop(next(iter(self._cache)))
            self._cache[text] = vec
        return vec
