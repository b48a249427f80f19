"""The composition root: settings become the parts' explicit configuration."""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings
from assistant.factory import build_assistant, make_catalog, make_indexes, make_retriever
from assistant.rerank import NoRerank
from index.chroma_store import ChromaCatalog
from index.memory_store import MemoryCatalog
from index.vector_cache import QueryCache
from tests.fakes import WordEmbedder


def test_settings_flow_into_the_steps(tmp_path: Path) -> None:
    s = Settings(
        index_dir=tmp_path,
        candidates=7,
        rrf_k=3,
        max_k=9,
        reranker="none",
        principle_ranking=False,
        focus_kinds=["tip"],
        answer_works_first=1,
        follow_ratio=0.5,
        answer_hits=5,
        stream_chunk_chars=10,
    )
    retriever = make_retriever(s)
    assert (retriever.config.candidates, retriever.config.rrf_k, retriever.config.max_k) == (
        7,
        3,
        9,
    )
    assert retriever.config.ranking is None and retriever.config.focus_kinds == ("tip",)
    assert isinstance(retriever.reranker, NoRerank)
    a = build_assistant(s, embedder=WordEmbedder())
    assert (a.shape.works_first, a.shape.follow_ratio) == (1, 0.5)
    assert (a.limits.answer_hits, a.limits.stream_chunk_chars) == (5, 10)
    assert isinstance(a.embedder, QueryCache) and a.generator is None
    assert a.generator_name == "extractive"


def test_the_vector_store_is_a_setting(tmp_path: Path) -> None:
    assert isinstance(make_catalog(Settings(index_dir=tmp_path)), ChromaCatalog)
    memory = make_catalog(Settings(index_dir=tmp_path, vector_store="memory"))
    assert isinstance(memory, MemoryCatalog) and memory.folder == tmp_path / "vectors"
    indexes = make_indexes(Settings(index_dir=tmp_path, collection_prefix="x"))
    assert indexes.files.collection_prefix == "x" and indexes.files.index_dir == tmp_path


def test_query_vectors_are_cached() -> None:
    inner = WordEmbedder()
    cache = QueryCache(inner, size=2)
    for q in ("a b c", "a b c", "d e f", "g h i", "a b c"):
        cache.embed_query(q)
    assert inner.calls == 4  # the second "a b c" came from memory; the last was pushed out
