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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.config import Settings
from corpus.build import corpus_hash, read_jsonl
from corpus.record import Record
from corpus.units import (
    Unit,
    build_units,
    load_bank,
    load_out_of_scope,
    principle_keys,
    unit_passage,
)
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
    # the retrieval keys beside the records: bank questions, unit passages, out-of-scope
    keys_collection: str = ""
    keys_bm25_dir: str = ""
    keys_hash: str = ""
    n_keys: int = 0


def keys_hash(settings: Settings) -> str:
    """sha256 of what the keys collection is built from (besides the records)."""
    import hashlib

    digest = hashlib.sha256()
    for path in (settings.bank_path, settings.out_of_scope_path):
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


@dataclass(frozen=True)
class Key:
    """A retrieval key: a bank question (points at its unit), a unit passage, or an
    out-of-scope question (points at its category)."""

    id: str
    doc_type: str  # bank | unit | oos
    target: str  # unit id, or the out-of-scope category
    text: str


def retrieval_keys(settings: Settings, records: list[Record]) -> tuple[list[Unit], list[Key]]:
    units = build_units(records)
    known = {u.id for u in units}
    by_id = {r.id: r for r in records}
    bank = load_bank(settings.bank_path) if settings.bank_path.exists() else []
    unknown = sorted({q.unit for q in bank} - known)
    if unknown:
        raise ValueError(f"{settings.bank_path}: unknown unit ids {unknown[:5]}")
    keys = [Key(q.id, "bank", q.unit, q.text) for q in bank]
    keys += [Key(f"unit-{u.id}", "unit", u.id, unit_passage(u, by_id)) for u in units]
    if settings.out_of_scope_path.exists():
        keys += [
            Key(q.id, "oos", q.unit, q.text) for q in load_out_of_scope(settings.out_of_scope_path)
        ]
    return units, keys


def _key_vectors(embedder: Embedder, keys: list[Key]) -> np.ndarray:
    """Questions get the query prompt, unit passages the passage prompt."""
    out = np.zeros((len(keys), embedder.dim), dtype=np.float32)
    questions = [i for i, k in enumerate(keys) if k.doc_type != "unit"]
    passages = [i for i, k in enumerate(keys) if k.doc_type == "unit"]
    if questions:
        out[questions] = embedder.embed_queries([keys[i].text for i in questions])
    if passages:
        out[passages] = embedder.embed_passages([keys[i].text for i in passages])
    return out


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
    if p.keys_hash != keys_hash(settings):
        return "question bank changed"
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
    _, keys = retrieval_keys(settings, records)
    log(f"embedding {len(keys)} retrieval keys (question bank, units, out of scope) …")
    vectors = _key_vectors(embedder, keys)
    keys_name = f"{name}-keys"
    keys_collection = client.create_collection(
        keys_name, metadata={"hnsw:space": "cosine", "model_id": embedder.model_id}
    )
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        keys_collection.add(
            ids=[k.id for k in chunk],
            embeddings=vectors[start : start + len(chunk)].tolist(),
            documents=[k.text for k in chunk],
            metadatas=[{"doc_type": k.doc_type, "target": k.target} for k in chunk],
        )
    bank = [k for k in keys if k.doc_type == "bank"]
    keys_bm25_dir = settings.index_dir / f"bm25-{keys_name}"
    if bank:
        BM25Index.build([k.id for k in bank], [k.text for k in bank]).save(keys_bm25_dir)
    pointer = Pointer(
        collection=name,
        bm25_dir=bm25_dir.name,
        corpus_hash=digest,
        model_id=embedder.model_id,
        n_records=len(records),
        built_at=stamp,
        build_seconds=round(time.perf_counter() - t0, 2),
        analyzer_version=ANALYZER_VERSION,
        keys_collection=keys_name,
        keys_bm25_dir=keys_bm25_dir.name if bank else "",
        keys_hash=keys_hash(settings),
        n_keys=len(keys),
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
    for name in (p.collection, p.keys_collection):
        if name:
            with contextlib.suppress(Exception):  # already gone: nothing to clean
                client.delete_collection(name)
    for folder in (p.bm25_dir, p.keys_bm25_dir):
        if folder:
            shutil.rmtree(settings.index_dir / folder, ignore_errors=True)


@dataclass
class KeyTable:
    """The retrieval keys with their vectors in memory (a few thousand rows: exhaustive
    dot products are exact and take well under a millisecond)."""

    ids: list[str]
    doc_type: np.ndarray  # str per row
    target: np.ndarray  # str per row
    vectors: np.ndarray  # (n, dim) float32, L2-normalised
    bm25: BM25Index | None  # over the bank questions

    def rows(self, doc_type: str) -> np.ndarray:
        return np.flatnonzero(self.doc_type == doc_type)


@dataclass
class OpenIndex:
    """What retrieval needs: the records, the Chroma collection and BM25, and the
    retrieval keys (question bank, unit passages, out-of-scope questions)."""

    pointer: Pointer
    records: list[Record]
    by_id: dict[str, Record]
    row: dict[str, int]
    collection: Any
    bm25: BM25Index
    units: list[Unit] = field(default_factory=list)
    keys: KeyTable | None = None
    key_of: dict[str, str] = field(default_factory=dict)  # record id -> principle key

    def mask(self, allowed: set[str] | None) -> np.ndarray | None:
        if allowed is None:
            return None
        m = np.zeros(len(self.bm25.ids), dtype=np.float32)
        for i, rid in enumerate(self.bm25.ids):
            if rid in allowed:
                m[i] = 1.0
        return m


def _load_keys(client: Any, settings: Settings, p: Pointer) -> KeyTable | None:
    if not p.keys_collection:
        return None
    got = client.get_collection(p.keys_collection).get(include=["embeddings", "metadatas"])
    ids = list(got["ids"])
    meta = got["metadatas"]
    bm25 = BM25Index.load(settings.index_dir / p.keys_bm25_dir) if p.keys_bm25_dir else None
    return KeyTable(
        ids=ids,
        doc_type=np.array([m["doc_type"] for m in meta]),
        target=np.array([m["target"] for m in meta]),
        vectors=np.asarray(got["embeddings"], dtype=np.float32).reshape(len(ids), -1),
        bm25=bm25,
    )


def open_index(settings: Settings, model_id: str) -> OpenIndex:
    p = read_pointer(settings)
    if p is None:
        raise IndexMissingError(
            "Er is nog geen zoekindex. Bouw hem met `make run` of "
            "`python -m assistant index build`.",
            "No search index yet. Build it with `make run` or `python -m assistant index build`.",
        )
    digest = corpus_hash(settings.principles_path)
    stale = p.keys_hash != keys_hash(settings)
    if (
        p.corpus_hash != digest
        or p.model_id != model_id
        or p.analyzer_version != ANALYZER_VERSION
        or stale
    ):
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
        client = _client(settings)
        collection = client.get_collection(p.collection)
        keys = _load_keys(client, settings, p)
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
    rows = {r.id: i for i, r in enumerate(records)}
    units = build_units(records)
    return OpenIndex(
        p, records, by_id, rows, collection, bm25, units, keys, principle_keys(records)
    )
