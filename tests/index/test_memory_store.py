"""The vector store protocol on numpy, the Chroma `where` translation, and the indexes
(build, open, status, swap, drop) over an in-memory catalog: no model, no Chroma."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.factory import make_indexes
from index.chroma_store import where_clause
from index.errors import IndexMismatchError, IndexMissingError, IndexUnavailableError
from index.memory_store import MemoryCatalog, MemoryStore
from tests.conftest import memory_settings
from tests.fakes import P1, RECORDS, WordEmbedder


def _store() -> MemoryStore:
    store = MemoryStore("c", {"model_id": "m"})
    vectors = np.eye(3, dtype=np.float32)
    metadata = [{"kind": "tip"}, {"kind": "definitie"}, {"kind": "tip", "phase": "onderhoud"}]
    store.add(["a", "b", "c"], vectors, ["A", "B", "C"], metadata)
    return store


def test_query_is_exact_cosine_with_conditions() -> None:
    store = _store()
    q = np.array([0.1, 0.8, 0.6], dtype=np.float32)
    assert [i for i, _ in store.query(q, 3)] == ["b", "c", "a"]
    assert store.query(q, 3)[0][1] == pytest.approx(0.8)
    assert [i for i, _ in store.query(q, 3, {"kind": ["tip"]})] == ["c", "a"]
    assert store.query(q, 3, {"kind": ["tip"], "phase": ["onderhoud"]}) == [
        ("c", pytest.approx(0.6))
    ]
    assert store.query(q, 0) == [] and store.query(q, 2, {"kind": ["fase"]}) == []


def test_add_get_delete_count() -> None:
    store = _store()
    store.add(["a"], np.array([[0, 0, 1]], dtype=np.float32), ["A2"], [{"kind": "fase"}])
    assert store.count() == 3  # an id added again replaces its row
    rows = store.get(["a", "b"])
    assert rows.ids == ["a", "b"] and rows.metadata[0] == {"kind": "fase"}
    np.testing.assert_array_equal(rows.vectors[0], [0, 0, 1])
    store.delete(["b", "x"])
    assert store.count() == 2 and store.get().ids == ["c", "a"]


def test_catalog_keeps_collections_on_disk(tmp_path: Path) -> None:
    catalog = MemoryCatalog(tmp_path)
    store = catalog.create("c1", {"model_id": "m"})
    store.add(["a"], np.ones((1, 4), dtype=np.float32) / 2, ["A"], [{"kind": "tip"}])
    again = MemoryCatalog(tmp_path).open("c1")  # another process, say
    assert again.get().ids == ["a"] and again.metadata["model_id"] == "m"
    with pytest.raises(ValueError, match="exists"):
        catalog.create("c1", {})
    catalog.drop("c1")
    with pytest.raises(IndexUnavailableError):
        MemoryCatalog(tmp_path).open("c1")


def test_conditions_as_a_chroma_where_clause() -> None:
    assert where_clause(None) is None and where_clause({}) is None
    assert where_clause({"principle_id": ["p"]}) == {"principle_id": "p"}
    assert where_clause({"kind": ["tip", "fase"], "expert_added": [True]}) == {
        "$and": [{"kind": {"$in": ["tip", "fase"]}}, {"expert_added": True}]
    }


def test_build_open_status_and_drop(tmp_path: Path) -> None:
    settings = memory_settings(tmp_path)
    indexes = make_indexes(settings)
    embedder = WordEmbedder()
    with pytest.raises(IndexMissingError):
        indexes.open(embedder.model_id)
    assert indexes.status(embedder.model_id) == "missing"
    first = indexes.build(embedder, log=lambda _: None)
    assert indexes.status(embedder.model_id) == "ok"
    assert indexes.status("other") == f"built with {embedder.model_id}, settings ask for other"
    index = indexes.open(embedder.model_id)
    assert index.vectors.count() == len(RECORDS) == first.n_records
    assert (
        index.keys is not None
        and index.keys.rows("bank").size
        == first.n_keys - len(index.units) - index.keys.rows("oos").size
    )
    assert index.key_of["fw21-p18"] == P1  # the 2021 version counts for its Delphi successor
    with pytest.raises(IndexMismatchError):
        indexes.open("other")
    second = indexes.build(embedder, log=lambda _: None)
    assert indexes.current() == second and second.previous == first.collection
    assert indexes.stored() == {first.collection, second.collection}  # the predecessor stays
    indexes.drop(first)  # the old one, after the switch
    assert not (settings.index_dir / first.bm25_dir).exists()
    indexes.drop(second)  # the current one is never dropped
    assert indexes.open(embedder.model_id).pointer == second


def test_housekeeping_keeps_the_current_index_and_its_predecessor(tmp_path: Path) -> None:
    settings = memory_settings(tmp_path)
    indexes = make_indexes(settings)
    embedder = WordEmbedder()
    first = indexes.build(embedder, log=lambda _: None)
    second = indexes.build(embedder, log=lambda _: None)
    # what a build killed halfway leaves: a collection and a BM25 folder, no pointer
    crashed = f"{settings.collection_prefix}-{'0' * 10}-20200101-000000-abcdef"
    indexes.catalog.create(crashed, {"model_id": embedder.model_id})
    (settings.index_dir / f"bm25-{crashed}").mkdir()
    foreign = "someone-else"  # not a name this prefix's builds give: never touched
    indexes.catalog.create(foreign, {})
    assert indexes.stored() == {first.collection, second.collection, crashed}
    with indexes.build_lock():  # a build under way (here or in another process)
        assert indexes.building() and indexes.prune(log=lambda _: None) == []
    assert indexes.prune(log=lambda _: None) == [crashed]
    assert indexes.stored() == {first.collection, second.collection}
    assert not (settings.index_dir / f"bm25-{crashed}").exists()
    third = indexes.build(embedder, log=lambda _: None)  # each build prunes too
    assert indexes.stored() == {second.collection, third.collection}
    left = {p.name for p in settings.index_dir.iterdir() if p.name.startswith("bm25-")}
    assert left == {
        second.bm25_dir,
        second.keys_bm25_dir,
        third.bm25_dir,
        third.keys_bm25_dir,
    }
    assert foreign in indexes.catalog.names()


def test_a_crash_mid_build_keeps_the_previous_index(tmp_path: Path) -> None:
    settings = memory_settings(tmp_path)
    indexes = make_indexes(settings)
    before = indexes.build(WordEmbedder(), log=lambda _: None)

    class Failing(WordEmbedder):
        def embed_passages(self, texts):  # type: ignore[no-untyped-def]
            raise RuntimeError("crashed halfway")

    with pytest.raises(RuntimeError, match="halfway"):
        indexes.build(Failing(), log=lambda _: None)
    assert indexes.current() == before
    # and what the failed build wrote is gone: only the index in use is left
    left = sorted(p.name for p in settings.index_dir.iterdir() if p.name.startswith("bm25-"))
    assert left == sorted([before.bm25_dir, before.keys_bm25_dir])
    vectors = {p.stem for p in (settings.index_dir / "vectors").glob("*.npz")}
    assert vectors == {f"vectors-{before.collection}", f"vectors-{before.keys_collection}"}
