"""Build, swap and open the search index: a Chroma collection (dense vectors, written
through LlamaIndex) and a BM25 index beside it, both over `corpus/principles.jsonl`.

A build writes a new collection and BM25 folder under a fresh name, then replaces the
pointer file `current.json` atomically (write + rename). A running app keeps the
collection it opened; a crash mid-build leaves the previous pointer, and so the
previous index, in place. The pointer records the corpus hash and embedding model; a
reader refuses an index built from another corpus or model.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.types import Record
from corpus.build import corpus_hash, read_jsonl
from index.bm25 import ANALYZER_VERSION, BM25Index
from index.embedders import Embedder

POINTER = "current.json"


class IndexError_(RuntimeError):
    """Base for index problems, with a Dutch and an English message."""

    def __init__(self, nl: str, en: str) -> None:
        super().__init__(f"{nl}\n{en}")
        self.nl, self.en = nl, en


class IndexMissingError(IndexError_):
    pass


class IndexMismatchError(IndexError_):
    pass


class IndexUnavailableError(IndexError_):
    """The Chroma server cannot be reached (or lost the collection)."""


def _unavailable(settings: Settings, exc: BaseException) -> IndexUnavailableError:
    where = settings.chroma_url or str(settings.index_dir / "chroma")
    return IndexUnavailableError(
        f"De zoekindex (Chroma op {where}) is niet bereikbaar; probeer het later opnieuw. "
        f"({type(exc).__name__})",
        f"The search index (Chroma at {where}) cannot be reached; try again later. "
        f"({type(exc).__name__})",
    )


def _is_connection_error(exc: BaseException) -> bool:
    """Network trouble or a vanished collection: what a Chroma server outage looks like."""
    import httpx

    if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    text = str(exc).lower()
    return any(w in text for w in ("connect", "does not exist", "not found", "unavailable"))


class GuardedCollection:
    """A Chroma collection whose connection failures raise `IndexUnavailableError`
    (a 503 for the API) instead of a transport exception; a restarted server is used
    again on the next call."""

    def __init__(self, collection: Any, settings: Settings) -> None:
        self._collection = collection
        self._settings = settings

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attr(*args, **kwargs)
            except IndexError_:
                raise
            except Exception as exc:
                if _is_connection_error(exc):
                    raise _unavailable(self._settings, exc) from exc
                raise

        return call


def metadata(r: Record) -> dict[str, Any]:
    """Record fields as Chroma scalars (lists flattened to strings)."""
    d = r.delphi
    return {
        "kernelement": r.kernelement,
        "deelelement": r.deelelement,
        "kind": r.kind,
        "edition": r.edition,
        "source": r.source.file,
        "phase": r.phase or "",
        "expert_added": r.expert_added,
        "principle_id": r.principle_id,
        "theme": r.theme or 0,
        "delphi_mean": (d.mean if d and d.mean is not None else 0.0),
        "delphi_top3": (d.top3_rank if d and d.top3_rank else 0),
        "delphi_top10": (d.top10_rank if d and d.top10_rank else 0),
        "references": "; ".join(r.references),
        "also_in": ",".join(r.also_in),
    }


@dataclass(frozen=True)
class Pointer:
    collection: str
    bm25_dir: str
    corpus_hash: str
    model_id: str
    n_records: int
    built_at: str
    build_seconds: float
    analyzer_version: int = 0


def _client(settings: Settings):  # type: ignore[no-untyped-def]
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        u = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(
                host=u.hostname or "127.0.0.1",
                port=u.port or 8000,
                ssl=u.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # the client pings the server on creation
            raise _unavailable(settings, exc) from exc
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(settings.index_dir / "chroma"), settings=chroma_settings
    )


def read_pointer(settings: Settings) -> Pointer | None:
    path = settings.index_dir / POINTER
    if not path.exists():
        return None
    return Pointer(**json.loads(path.read_text(encoding="utf-8")))


def status(settings: Settings, model_id: str) -> str:
    """'ok', 'missing', or a reason the index is stale."""
    p = read_pointer(settings)
    if p is None:
        return "missing"
    if p.corpus_hash != corpus_hash(settings.principles_path):
        return "corpus changed"
    if p.model_id != model_id:
        return f"built with {p.model_id}, settings ask for {model_id}"
    if p.analyzer_version != ANALYZER_VERSION:
        return "BM25 analyzer changed"
    return "ok"


def build(  # type: ignore[no-untyped-def]
    settings: Settings, embedder: Embedder, log=print, *, drop_previous: bool = True
) -> Pointer:
    """Embed every record into a new collection, build BM25, then swap the pointer.

    With `drop_previous=False` the previous collection is kept, so a running app can
    switch to the new one first and drop the old one afterwards (`drop_index`)."""
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from index.embedders import LlamaIndexEmbedding

    t0 = time.perf_counter()
    records = read_jsonl(settings.principles_path)
    digest = corpus_hash(settings.principles_path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"{settings.collection_prefix}-{digest[:10]}-{stamp}"
    client = _client(settings)
    collection = client.create_collection(
        name,
        metadata={
            "hnsw:space": "cosine",
            # a few hundred records: search (nearly) exhaustively, not with ef=10
            "hnsw:search_ef": 256,
            "hnsw:construction_ef": 256,
            "corpus_hash": digest,
            "model_id": embedder.model_id,
        },
    )
    nodes = [
        TextNode(
            id_=r.id,
            text=r.embed_text(),
            metadata=metadata(r),
            excluded_embed_metadata_keys=list(metadata(r)),
        )
        for r in records
    ]
    log(f"embedding {len(nodes)} records with {embedder.model_id} …")
    store = ChromaVectorStore(chroma_collection=collection)
    VectorStoreIndex(
        nodes,
        storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=LlamaIndexEmbedding(embedder, embed_batch_size=settings.embed_batch_size * 4),
        show_progress=sys.stderr.isatty(),
    )
    if collection.count() != len(records):
        raise RuntimeError(f"collection has {collection.count()} vectors, expected {len(records)}")
    bm25_dir = settings.index_dir / f"bm25-{name}"
    BM25Index.build([r.id for r in records], [r.embed_text() for r in records]).save(bm25_dir)
    pointer = Pointer(
        collection=name,
        bm25_dir=bm25_dir.name,
        corpus_hash=digest,
        model_id=embedder.model_id,
        n_records=len(records),
        built_at=stamp,
        build_seconds=round(time.perf_counter() - t0, 2),
        analyzer_version=ANALYZER_VERSION,
    )
    previous = read_pointer(settings)
    tmp = settings.index_dir / (POINTER + ".tmp")
    tmp.write_text(json.dumps(pointer.__dict__, indent=2), encoding="utf-8")
    tmp.replace(settings.index_dir / POINTER)  # the atomic swap
    if drop_previous and previous and previous.collection != name:
        _drop(client, settings, previous)
    log(f"index {name}: {len(records)} records in {pointer.build_seconds:.1f} s")
    return pointer


def drop_index(settings: Settings, p: Pointer) -> None:
    """Delete an index that is no longer the current one (its collection and BM25)."""
    current = read_pointer(settings)
    if current is not None and current.collection == p.collection:
        return
    _drop(_client(settings), settings, p)


def _drop(client, settings: Settings, p: Pointer) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(Exception):  # already gone: nothing to clean
        client.delete_collection(p.collection)
    shutil.rmtree(settings.index_dir / p.bm25_dir, ignore_errors=True)


@dataclass
class OpenIndex:
    """What retrieval needs: the records, the Chroma collection and BM25."""

    pointer: Pointer
    records: list[Record]
    by_id: dict[str, Record]
    row: dict[str, int]
    collection: Any
    bm25: BM25Index

    def mask(self, allowed: set[str] | None) -> np.ndarray | None:
        if allowed is None:
            return None
        m = np.zeros(len(self.bm25.ids), dtype=np.float32)
        for i, rid in enumerate(self.bm25.ids):
            if rid in allowed:
                m[i] = 1.0
        return m


def open_index(settings: Settings, model_id: str) -> OpenIndex:
    p = read_pointer(settings)
    if p is None:
        raise IndexMissingError(
            "Er is nog geen zoekindex. Bouw hem met `make run` of "
            "`python -m assistant index build`.",
            "No search index yet. Build it with `make run` or `python -m assistant index build`.",
        )
    digest = corpus_hash(settings.principles_path)
    if p.corpus_hash != digest or p.model_id != model_id or p.analyzer_version != ANALYZER_VERSION:
        raise IndexMismatchError(
            "De zoekindex hoort bij een ander corpus of embeddingmodel "
            f"(index: {p.corpus_hash[:10]}/{p.model_id}, nu: {digest[:10]}/{model_id}). "
            "Bouw hem opnieuw met `make run` of `python -m assistant index build`.",
            "The search index was built from another corpus or embedding model "
            f"(index: {p.corpus_hash[:10]}/{p.model_id}, now: {digest[:10]}/{model_id}). "
            "Rebuild it with `make run` or `python -m assistant index build`.",
        )
    records = read_jsonl(settings.principles_path)
    try:
        collection = _client(settings).get_collection(p.collection)
    except IndexError_:
        raise
    except Exception as exc:
        if _is_connection_error(exc):
            raise _unavailable(settings, exc) from exc
        raise
    collection = GuardedCollection(collection, settings)
    meta = collection.metadata or {}
    if meta.get("corpus_hash") != digest or meta.get("model_id") != model_id:
        raise IndexMismatchError(
            "De Chroma-collectie past niet bij het corpus of model.",
            "The Chroma collection does not match the corpus or model.",
        )
    bm25 = BM25Index.load(settings.index_dir / p.bm25_dir)
    by_id = {r.id: r for r in records}
    return OpenIndex(p, records, by_id, {r.id: i for i, r in enumerate(records)}, collection, bm25)
