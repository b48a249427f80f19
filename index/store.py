"""Build, swap and open the search index: the records' vectors in a collection of a
vector store, a BM25 index beside it, and the retrieval keys (question bank, unit
passages, out-of-scope questions) in a second collection.

A build writes new collections and BM25 folders under a fresh name, then replaces the
pointer file `current.json` atomically (write + rename); a build that fails removes
what it wrote. Every process serving the index follows the pointer (`index.live`); a
crash mid-build leaves the previous pointer, and so the previous index, in place. The
pointer records the corpus hash, the question banks' hash and the embedding model; a
reader refuses an index built from anything else.

Housekeeping (`Indexes.prune`, run after every build and when an app starts) removes
every index of the collection prefix but the current one and its predecessor: the
predecessor stays for the processes that have not switched yet, anything older (and
whatever a crashed build left) goes. Builds hold a lock file (`build.lock`), so
housekeeping never removes a build under way in another process.

Everything comes in as explicit arguments (`IndexFiles`, a `VectorCatalog`, an
`Embedder`): this layer reads no settings.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from corpus.build import corpus_hash, read_jsonl
from corpus.record import Record, record_metadata
from corpus.units import Unit, build_units, principle_keys
from index.bm25 import ANALYZER_VERSION, BM25Index
from index.embedders import Embedder
from index.errors import IndexMismatchError, IndexMissingError
from index.keys import KeyTable, key_vectors, keys_hash, load_key_table, retrieval_keys, store_keys
from index.vectors import Scalar, VectorCatalog, VectorStore

POINTER = "current.json"
BUILD_LOCK = "build.lock"
Log = Callable[[str], None]
# what identifies one version of the pointer file: inode, modification time, size
Signature = tuple[int, int, int]
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class IndexFiles:
    """Where an index is built from and kept."""

    index_dir: Path
    principles_path: Path
    bank_path: Path
    out_of_scope_path: Path
    collection_prefix: str = "liso"
    embed_batch: int = 16  # passages per call to the embedder while building


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
    # the index this one replaced: kept until the next build, for processes still on it
    previous: str = ""


@dataclass
class OpenIndex:
    """What retrieval needs: the records, their vectors and BM25, and the retrieval
    keys (question bank, unit passages, out-of-scope questions)."""

    pointer: Pointer
    records: list[Record]
    vectors: VectorStore
    bm25: BM25Index
    units: list[Unit] = field(default_factory=list)
    keys: KeyTable | None = None
    by_id: dict[str, Record] = field(init=False)
    key_of: dict[str, str] = field(init=False)  # record id -> principle key
    metadata: dict[str, dict[str, Scalar]] = field(init=False)  # what filters test

    def __post_init__(self) -> None:
        self.by_id = {r.id: r for r in self.records}
        self.key_of = principle_keys(self.records)
        self.metadata = {r.id: record_metadata(r) for r in self.records}

    def mask(self, allowed: set[str] | None) -> np.ndarray | None:
        """BM25 row weights: 1 for the allowed record ids, else 0 (None: every row)."""
        if allowed is None:
            return None
        return np.array([1.0 if rid in allowed else 0.0 for rid in self.bm25.ids], np.float32)


class Indexes:
    """The indexes in one folder and vector catalog: status, build, open, drop."""

    def __init__(self, files: IndexFiles, catalog: VectorCatalog) -> None:
        self.files = files
        self.catalog = catalog

    def current(self) -> Pointer | None:
        path = self.files.index_dir / POINTER
        if not path.exists():
            return None
        return Pointer(**json.loads(path.read_text(encoding="utf-8")))

    def signature(self) -> Signature | None:
        """What changes whenever a build swaps the pointer (one `stat`, cheap enough for
        every request); None while there is no pointer."""
        try:
            st = os.stat(self.files.index_dir / POINTER)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _keys_hash(self) -> str:
        return keys_hash(self.files.bank_path, self.files.out_of_scope_path)

    def status(self, model_id: str) -> str:
        """'ok', 'missing', or a reason the index is stale."""
        p = self.current()
        if p is None:
            return "missing"
        if p.corpus_hash != corpus_hash(self.files.principles_path):
            return "corpus changed"
        if p.model_id != model_id:
            return f"built with {p.model_id}, settings ask for {model_id}"
        if p.analyzer_version != ANALYZER_VERSION:
            return "BM25 analyzer changed"
        if p.keys_hash != self._keys_hash():
            return "question bank changed"
        return "ok"

    @contextlib.contextmanager
    def build_lock(self, *, wait: bool = True) -> Iterator[bool]:
        """The lock every build holds (a file lock, so across processes; released when its
        process dies). Yields False instead of waiting when `wait` is off and it is taken."""
        self.files.index_dir.mkdir(parents=True, exist_ok=True)
        with (self.files.index_dir / BUILD_LOCK).open("a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def building(self) -> bool:
        """Whether a build holds the lock now (in this process or another)."""
        with self.build_lock(wait=False) as free:
            return not free

    def build(
        self,
        embedder: Embedder,
        log: Log = print,
        *,
        progress: Progress | None = None,
    ) -> Pointer:
        """Embed every record and key into new collections, build BM25, swap the pointer,
        then remove the indexes older than the one it replaced (`prune`).

        The replaced index stays, so processes serving it can switch first (`index.live`).
        Builds wait for each other (`build_lock`)."""
        with self.build_lock():
            pointer = self._build(embedder, log, progress)
            self._prune(log)
        return pointer

    def _build(self, embedder: Embedder, log: Log, progress: Progress | None) -> Pointer:
        t0 = time.perf_counter()
        f = self.files
        records = read_jsonl(f.principles_path)
        digest = corpus_hash(f.principles_path)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        # unique even for two builds within a second
        name = f"{f.collection_prefix}-{digest[:10]}-{stamp}-{secrets.token_hex(3)}"
        partial = Pointer(name, f"bm25-{name}", digest, embedder.model_id, len(records), stamp, 0.0)
        partial = replace(
            partial, keys_collection=f"{name}-keys", keys_bm25_dir=f"bm25-{name}-keys"
        )
        try:
            log(f"embedding {len(records)} records with {embedder.model_id} …")
            self._build_records(name, records, digest, embedder, progress)
            BM25Index.build([r.id for r in records], [r.embed_text() for r in records]).save(
                f.index_dir / partial.bm25_dir
            )
            n_keys, keys_bm25 = self._build_keys(partial.keys_collection, records, embedder, log)
        except BaseException:
            self._drop(partial)  # what the failed build left; the pointer never moved
            raise
        previous = self.current()
        pointer = replace(
            partial,
            build_seconds=round(time.perf_counter() - t0, 2),
            analyzer_version=ANALYZER_VERSION,
            keys_bm25_dir=keys_bm25,
            keys_hash=self._keys_hash(),
            n_keys=n_keys,
            previous=previous.collection if previous is not None else "",
        )
        self._write_pointer(pointer)
        log(f"index {name}: {len(records)} records in {pointer.build_seconds:.1f} s")
        return pointer

    # --- housekeeping ----------------------------------------------------------------
    def _name_pattern(self) -> re.Pattern[str]:
        """The names a build of this prefix gives: `<prefix>-<corpus hash>-<time>-<hex>`."""
        prefix = re.escape(self.files.collection_prefix)
        return re.compile(rf"^{prefix}-[0-9a-f]{{10}}-\d{{8}}-\d{{6}}-[0-9a-f]{{6}}$")

    def stored(self) -> set[str]:
        """The indexes of this prefix that have something stored: a collection (records or
        keys) in the catalog or a BM25 folder in the index folder."""
        pattern = self._name_pattern()

        def index_name(name: str) -> str:
            return name.removeprefix("bm25-").removesuffix("-keys")

        names = [index_name(n) for n in self.catalog.names()]
        if self.files.index_dir.is_dir():
            names += [
                index_name(p.name)
                for p in self.files.index_dir.iterdir()
                if p.name.startswith("bm25-")
            ]
        return {n for n in names if pattern.match(n)}

    def prune(self, log: Log = print) -> list[str]:
        """Remove every index of this prefix but the current one and its predecessor
        (leftovers of crashed builds included); nothing while a build is under way.
        Returns the names removed."""
        with self.build_lock(wait=False) as free:
            return self._prune(log) if free else []

    def _prune(self, log: Log) -> list[str]:
        current = self.current()
        keep = {current.collection, current.previous} if current is not None else set()
        removed = sorted(self.stored() - keep)
        for name in removed:
            self._drop(self._pointer_of(name))
        if removed:
            log(f"removed {len(removed)} old or unfinished index(es): {', '.join(removed)}")
        return removed

    @staticmethod
    def _pointer_of(name: str) -> Pointer:
        """Where the index `name` keeps its parts (what `_drop` removes)."""
        return Pointer(
            name,
            f"bm25-{name}",
            "",
            "",
            0,
            "",
            0.0,
            keys_collection=f"{name}-keys",
            keys_bm25_dir=f"bm25-{name}-keys",
        )

    def _build_records(
        self,
        name: str,
        records: list[Record],
        digest: str,
        embedder: Embedder,
        progress: Progress | None,
    ) -> None:
        store = self.catalog.create(
            name,
            {
                "hnsw:space": "cosine",
                # a few hundred records: search (nearly) exhaustively, not with ef=10
                "hnsw:search_ef": 256,
                "hnsw:construction_ef": 256,
                "corpus_hash": digest,
                "model_id": embedder.model_id,
            },
        )
        step = self.files.embed_batch
        for start in range(0, len(records), step):
            chunk = records[start : start + step]
            texts = [r.embed_text() for r in chunk]
            vectors = embedder.embed_passages(texts)
            store.add([r.id for r in chunk], vectors, texts, [record_metadata(r) for r in chunk])
            if progress is not None:
                progress(start + len(chunk), len(records))
        if store.count() != len(records):
            raise RuntimeError(f"collection has {store.count()} vectors, expected {len(records)}")

    def _build_keys(
        self, name: str, records: list[Record], embedder: Embedder, log: Log
    ) -> tuple[int, str]:
        """The keys collection and the BM25 of the bank questions: (keys, BM25 folder)."""
        _, keys = retrieval_keys(records, self.files.bank_path, self.files.out_of_scope_path)
        log(f"embedding {len(keys)} retrieval keys (question bank, units, out of scope) …")
        vectors = key_vectors(embedder, keys)
        store = self.catalog.create(name, {"hnsw:space": "cosine", "model_id": embedder.model_id})
        store_keys(store, keys, vectors)
        bank = [k for k in keys if k.doc_type == "bank"]
        if not bank:
            return len(keys), ""
        folder = self.files.index_dir / f"bm25-{name}"
        BM25Index.build([k.id for k in bank], [k.text for k in bank]).save(folder)
        return len(keys), folder.name

    def _write_pointer(self, pointer: Pointer) -> None:
        tmp = self.files.index_dir / (POINTER + ".tmp")
        tmp.write_text(json.dumps(asdict(pointer), indent=2), encoding="utf-8")
        tmp.replace(self.files.index_dir / POINTER)  # the atomic swap

    def drop(self, p: Pointer) -> None:
        """Delete an index that is no longer the current one (collections and BM25)."""
        current = self.current()
        if current is not None and current.collection == p.collection:
            return
        self._drop(p)

    def _drop(self, p: Pointer) -> None:
        for name in (p.collection, p.keys_collection):
            if name:
                self.catalog.drop(name)
        for folder in (p.bm25_dir, p.keys_bm25_dir):
            if folder:
                shutil.rmtree(self.files.index_dir / folder, ignore_errors=True)

    def open(self, model_id: str) -> OpenIndex:
        """The current index, checked against the corpus, the banks and the model."""
        p = self.current()
        if p is None:
            raise IndexMissingError(
                "Er is nog geen zoekindex. Bouw hem met `make run` of "
                "`python -m assistant index build`.",
                "No search index yet. Build it with `make run` or "
                "`python -m assistant index build`.",
            )
        digest = corpus_hash(self.files.principles_path)
        self._check(p, digest, model_id)
        records = read_jsonl(self.files.principles_path)
        vectors = self.catalog.open(p.collection)
        keys = None
        if p.keys_collection:
            bm25_dir = self.files.index_dir / p.keys_bm25_dir if p.keys_bm25_dir else None
            keys = load_key_table(self.catalog.open(p.keys_collection), bm25_dir)
        meta = vectors.metadata
        if meta.get("corpus_hash") != digest or meta.get("model_id") != model_id:
            raise IndexMismatchError(
                "De vectorcollectie past niet bij het corpus of model.",
                "The vector collection does not match the corpus or model.",
            )
        bm25 = BM25Index.load(self.files.index_dir / p.bm25_dir)
        return OpenIndex(p, records, vectors, bm25, build_units(records), keys)

    def _check(self, p: Pointer, digest: str, model_id: str) -> None:
        if (
            p.corpus_hash != digest
            or p.model_id != model_id
            or p.analyzer_version != ANALYZER_VERSION
            or p.keys_hash != self._keys_hash()
        ):
            raise IndexMismatchError(
                "De zoekindex hoort bij een ander corpus of embeddingmodel "
                f"(index: {p.corpus_hash[:10]}/{p.model_id}, nu: {digest[:10]}/{model_id}). "
                "Bouw hem opnieuw met `make run` of `python -m assistant index build`.",
                "The search index was built from another corpus or embedding model "
                f"(index: {p.corpus_hash[:10]}/{p.model_id}, now: {digest[:10]}/{model_id}). "
                "Rebuild it with `make run` or `python -m assistant index build`.",
            )
