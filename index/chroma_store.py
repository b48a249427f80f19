"""Chroma as the vector store: written through LlamaIndex, read directly.

The only module that talks to Chroma and parses its results. Rows are added as
LlamaIndex `TextNode`s through its `ChromaVectorStore` (with the vectors we computed);
queries ask Chroma for distances only and turn them into cosine similarities (LlamaIndex's
own query would fetch every document and report exp(-distance)). Every call that reaches
Chroma raises `IndexUnavailableError` on connection trouble, so the API answers 503 and
a restarted server is used again on the next call.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import numpy as np

from corpus.record import Conditions
from index.errors import IndexError_, unavailable
from index.vectors import Metadata, Rows, Scalar

T = TypeVar("T")


def _is_connection_error(exc: BaseException) -> bool:
    """Network trouble or a vanished collection: what a Chroma server outage looks like."""
    import httpx

    if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    text = str(exc).lower()
    return any(w in text for w in ("connect", "does not exist", "not found", "unavailable"))


def _guarded(where: str, call: Callable[[], T]) -> T:
    try:
        return call()
    except IndexError_:
        raise
    except Exception as exc:
        if _is_connection_error(exc):
            raise unavailable(where, exc) from exc
        raise


def where_clause(conditions: Conditions | None) -> dict[str, Any] | None:
    """Conditions as a Chroma `where`: one value is equality, several are `$in`."""
    parts: list[dict[str, Any]] = [
        {name: values[0]} if len(values) == 1 else {name: {"$in": list(values)}}
        for name, values in (conditions or {}).items()
    ]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


class ChromaStore:
    """One Chroma collection."""

    def __init__(self, collection: Any, where: str) -> None:
        self._collection = collection
        self._where = where

    @property
    def name(self) -> str:
        return str(self._collection.name)

    @property
    def metadata(self) -> Metadata:
        return dict(self._collection.metadata or {})

    def add(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        texts: Sequence[str],
        metadata: Sequence[Metadata],
    ) -> None:
        from llama_index.core.schema import BaseNode, TextNode
        from llama_index.vector_stores.chroma import ChromaVectorStore

        nodes: list[BaseNode] = [
            TextNode(
                id_=rid,
                text=text,
                embedding=[float(x) for x in vector],
                metadata=dict(meta),
                excluded_embed_metadata_keys=list(meta),
            )
            for rid, vector, text, meta in zip(ids, vectors, texts, metadata, strict=True)
        ]
        store = ChromaVectorStore(chroma_collection=self._collection)
        _guarded(self._where, lambda: store.add(nodes))

    def query(
        self, vector: np.ndarray, n: int, where: Conditions | None = None
    ) -> list[tuple[str, float]]:
        if n <= 0:
            return []
        res = _guarded(
            self._where,
            lambda: self._collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
                n_results=n,
                where=where_clause(where),
                include=["distances"],
            ),
        )
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def get(self, ids: Sequence[str] | None = None) -> Rows:
        got = _guarded(
            self._where,
            lambda: self._collection.get(
                ids=list(ids) if ids is not None else None, include=["embeddings", "metadatas"]
            ),
        )
        found = list(got["ids"])
        vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(found), -1)
        metadata: list[dict[str, Scalar]] = [dict(m or {}) for m in got["metadatas"]]
        if ids is not None:  # in the order asked for
            order = {rid: i for i, rid in enumerate(found)}
            picked = [order[i] for i in ids if i in order]
            return Rows([found[i] for i in picked], vectors[picked], [metadata[i] for i in picked])
        return Rows(found, vectors, metadata)

    def delete(self, ids: Sequence[str]) -> None:
        _guarded(self._where, lambda: self._collection.delete(ids=list(ids)))

    def count(self) -> int:
        return int(_guarded(self._where, self._collection.count))


class ChromaCatalog:
    """Collections of an embedded Chroma in `index_dir/chroma`, or of a Chroma server."""

    def __init__(self, index_dir: Path, url: str = "") -> None:
        self.index_dir = Path(index_dir)
        self.url = url
        self.where = url or str(self.index_dir / "chroma")

    def _client(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.url:
            u = urlparse(self.url)
            try:
                return chromadb.HttpClient(
                    host=u.hostname or "127.0.0.1",
                    port=u.port or 8000,
                    ssl=u.scheme == "https",
                    settings=chroma_settings,
                )
            except Exception as exc:  # the client pings the server on creation
                raise unavailable(self.where, exc) from exc
        self.index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=self.where, settings=chroma_settings)

    def create(self, name: str, metadata: Metadata) -> ChromaStore:
        client = self._client()
        collection = _guarded(
            self.where, lambda: client.create_collection(name, metadata=dict(metadata))
        )
        return ChromaStore(collection, self.where)

    def open(self, name: str) -> ChromaStore:
        client = self._client()
        return ChromaStore(_guarded(self.where, lambda: client.get_collection(name)), self.where)

    def drop(self, name: str) -> None:
        client = self._client()
        with contextlib.suppress(Exception):  # already gone: nothing to clean
            client.delete_collection(name)

    def names(self) -> list[str]:
        client = self._client()
        found = _guarded(self.where, client.list_collections)
        return [c if isinstance(c, str) else str(c.name) for c in found]
