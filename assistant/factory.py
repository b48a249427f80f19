"""The composition root: the one place that reads `Settings` and builds the parts.

Every lower layer takes plain values (paths, model names, numbers); this module turns
the settings into them: the embedder, the vector catalog and the indexes, the
retrieval step, the evidence and answer configuration, the generator, and the
`Assistant` made of them. Parts can be injected instead (an embedder already loaded,
indexes over an in-memory catalog, a fake generator), which is how tests and the
admin reindex reuse what is loaded.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from assistant.answer import AnswerShape
from assistant.config import Settings, get_settings
from assistant.evidence import EvidenceConfig
from assistant.generators.base import Generator, GeneratorError
from assistant.principles import RankingConfig
from assistant.rerank import make_reranker
from assistant.retrieve import RetrievalConfig, Retriever
from assistant.service import Assistant, Lazy, Limits
from index.embedders import Embedder, load_embedder
from index.store import Indexes, IndexFiles
from index.thesaurus import Thesaurus
from index.vector_cache import QueryCache
from index.vectors import VectorCatalog


def make_embedder(s: Settings) -> Embedder:
    """The configured embedder, passage vectors cached on disk (no query cache)."""
    return load_embedder(
        s.embedder,
        s.st_model_dir,
        s.adapter_dir,
        s.vector_cache_dir,
        batch_size=s.embed_batch_size,
        threads=s.omp_num_threads,
        vocabulary=s.embedder_vocabulary,
    )


def make_catalog(s: Settings) -> VectorCatalog:
    if s.vector_store == "memory":
        from index.memory_store import MemoryCatalog

        return MemoryCatalog(s.index_dir / "vectors")
    from index.chroma_store import ChromaCatalog

    return ChromaCatalog(s.index_dir, s.chroma_url)


def make_indexes(s: Settings, catalog: VectorCatalog | None = None) -> Indexes:
    files = IndexFiles(
        index_dir=s.index_dir,
        principles_path=s.principles_path,
        bank_path=s.bank_path,
        out_of_scope_path=s.out_of_scope_path,
        collection_prefix=s.collection_prefix,
        embed_batch=s.embed_batch_size,
    )
    return Indexes(files, catalog if catalog is not None else make_catalog(s))


def ranking_config(s: Settings) -> RankingConfig | None:
    if not s.principle_ranking:
        return None
    return RankingConfig(
        weights=dict(s.fusion_weights),
        rrf_k=s.principle_rrf_k,
        bank_top=s.bank_top,
        bank_candidates=s.bank_candidates,
        record_candidates=s.record_candidates,
        lead_principles=s.lead_principles,
        per_principle=s.per_principle,
    )


def make_retriever(s: Settings) -> Retriever:
    config = RetrievalConfig(
        candidates=s.candidates,
        rrf_k=s.rrf_k,
        max_k=s.max_k,
        max_chars=s.max_question_chars,
        focus_kinds=tuple(s.focus_kinds),
        focus_min_boost=s.focus_min_boost,
        english_lexical_weight=s.english_lexical_weight,
        ranking=ranking_config(s),
    )
    reranker = make_reranker(s.reranker, s.rerank_per_principle)
    return Retriever(config, reranker, Thesaurus.load(s.thesaurus_path))


def make_generator(s: Settings) -> Generator | None:
    """The configured LLM backend, or None for "extractive" (the assistant's own path).

    Backends import their optional dependencies lazily; a missing package or model
    file raises `GeneratorError` (Dutch + English, with install instructions)."""
    if s.generator == "extractive":
        return None
    if s.generator == "openai":
        from assistant.generators.openai_backend import OpenAIGenerator

        return OpenAIGenerator(
            base_url=s.openai_base_url,
            model=s.openai_model,
            api_key=s.openai_api_key,
            timeout_s=s.llm_timeout_s,
            max_tokens=s.llm_max_tokens,
        )
    if s.generator == "llamacpp":
        from assistant.generators.llamacpp_backend import LlamaCppGenerator

        return LlamaCppGenerator(
            model_path=s.llamacpp_model_path,
            threads=s.omp_num_threads,
            max_tokens=s.llm_max_tokens,
            timeout_s=s.llm_timeout_s,
        )
    raise GeneratorError(
        f"Onbekende generator / unknown generator: {s.generator!r} (extractive, openai, llamacpp)"
    )


def limits(s: Settings) -> Limits:
    return Limits(
        max_question_chars=s.max_question_chars,
        max_history_turns=s.max_history_turns,
        search_k=s.search_k,
        answer_hits=s.answer_hits,
        generator_evidence=s.generator_evidence,
        stream_chunk_chars=s.stream_chunk_chars,
        scope_k=s.scope_k,
        scope_margin=s.scope_margin,
        concurrent_answers=s.concurrent_answers,
    )


def answer_shape(s: Settings) -> AnswerShape:
    return AnswerShape(
        max_blocks=s.answer_blocks,
        follow_ratio=s.follow_ratio,
        works_first=s.answer_works_first,
        works_other=s.answer_works_other,
        factors=s.answer_factors,
    )


def build_assistant(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    indexes: Indexes | None = None,
    generator: Generator | None = None,
) -> Assistant:
    """The assistant of `settings` (default: the environment's); the embedder, the
    indexes and the generator can be injected, else they are built from the settings
    (the embedder and the generator on first use)."""
    s = settings or get_settings()
    if embedder is None:
        lazy_embedder: Lazy[Embedder] = Lazy(
            lambda: QueryCache(make_embedder(s), s.query_cache_size)
        )
    else:
        cached = (
            embedder
            if isinstance(embedder, QueryCache)
            else QueryCache(embedder, s.query_cache_size)
        )
        lazy_embedder = Lazy[Embedder].of(cached)
    return Assistant(
        embedder=lazy_embedder,
        indexes=indexes if indexes is not None else make_indexes(s),
        retriever=make_retriever(s),
        evidence=EvidenceConfig(s.principle_members, s.member_candidates, s.rrf_k),
        shape=answer_shape(s),
        generator=Lazy.of(generator) if generator is not None else Lazy(lambda: make_generator(s)),
        generator_name=generator.name if generator is not None else s.generator,
        limits=limits(s),
        index_check_seconds=s.index_check_seconds,
    )


_build_once = threading.Lock()


@lru_cache(maxsize=1)
def _process_assistant() -> Assistant:
    return build_assistant(get_settings())


def get_assistant() -> Assistant:
    """The process's assistant, built once from the environment's settings (also when
    the warm-up thread and the first requests ask for it at the same moment)."""
    with _build_once:
        return _process_assistant()
