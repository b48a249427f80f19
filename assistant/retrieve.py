"""Hybrid retrieval: dense + BM25, fused with RRF, ordered by principle, re-ranked.

`Retriever.retrieve()` validates the query and k and calls `_search()`; it sees the
index only as an `OpenIndex` (a `VectorStore`, BM25, the key table), never a backend.
Every number comes from `RetrievalConfig`, built from the settings by the factory.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from assistant.fusion import rrf
from assistant.language import detect_language
from assistant.principles import PrincipleScore, RankingConfig, principle_first, rank_principles
from assistant.query import check_k, clean_query
from assistant.rerank import Candidate, Reranker, intents
from assistant.types import Hit
from corpus.record import Filters, matches
from index.embedders import Embedder
from index.store import OpenIndex
from index.thesaurus import Thesaurus

Ranked = list[tuple[str, float]]
T = TypeVar("T")


@dataclass(frozen=True)
class RetrievalConfig:
    """Tunables of the record retrieval (see Settings)."""

    candidates: int  # records per side fused by RRF
    rrf_k: int
    max_k: int
    max_chars: int
    focus_kinds: tuple[str, ...]
    focus_min_boost: float
    english_lexical_weight: float
    ranking: RankingConfig | None = None  # None: no principle ranking


@dataclass
class SearchResult:
    hits: list[Hit]
    principles: list[PrincipleScore] = field(default_factory=list)


def allowed_ids(index: OpenIndex, filters: Filters | None) -> set[str] | None:
    """The ids of the records that pass the filters; None when nothing is filtered."""
    if filters is None or filters.is_empty():
        return None
    where = filters.conditions()
    return {rid for rid, meta in index.metadata.items() if matches(meta, where)}


def _timed(timings: dict[str, float], name: str, work: Callable[[], T]) -> T:
    t0 = time.perf_counter()
    out = work()
    timings[name] = (time.perf_counter() - t0) * 1000
    return out


@dataclass
class _Lists:
    """What the first searches found: the query vector and the ranked lists."""

    vec: np.ndarray | None = None
    dense: Ranked = field(default_factory=list)  # deep: the principle ranking reads it all
    lexical: Ranked = field(default_factory=list)
    rankings: list[Ranked] = field(default_factory=list)  # what the record fusion takes


class Retriever:
    """The retrieval step: query in, the k best records and the principle ranking out."""

    def __init__(self, config: RetrievalConfig, reranker: Reranker, thesaurus: Thesaurus) -> None:
        self.config = config
        self.reranker = reranker
        self.thesaurus = thesaurus

    def retrieve(
        self,
        query: str,
        index: OpenIndex,
        embedder: Embedder,
        *,
        k: int,
        filters: Filters | None = None,
        mode: str = "hybrid",
        timings: dict[str, float] | None = None,
    ) -> SearchResult:
        """The k best records and the principle ranking for a query."""
        query = clean_query(query, self.config.max_chars)
        check_k(k, self.config.max_k)
        t = timings if timings is not None else {}
        return self._search(query, index, embedder, k, filters, mode, t)

    def _search(
        self,
        query: str,
        index: OpenIndex,
        embedder: Embedder,
        k: int,
        filters: Filters | None,
        mode: str,
        t: dict[str, float],
    ) -> SearchResult:
        allowed = allowed_ids(index, filters)
        if allowed is not None and not allowed:
            return SearchResult([], [])
        keyword_query = self.thesaurus.expand(query)
        lists = self._lists(query, keyword_query, index, embedder, filters, allowed, mode, t)
        t0 = time.perf_counter()
        lexical = self._lexical_weight(query)
        weights = [1.0, lexical, 1.0, lexical][: len(lists.rankings)]
        rankings = lists.rankings
        fused = rrf(rankings, self.config.rrf_k, weights) if len(rankings) > 1 else rankings[0]
        principles: list[PrincipleScore] = []
        ranking = self.config.ranking
        if ranking is not None and index.keys is not None and lists.vec is not None:
            principles = rank_principles(
                lists.vec, keyword_query, index, lists.dense, lists.lexical, ranking, lexical
            )
            if allowed is not None:
                keep = {index.key_of.get(r, r) for r in allowed}
                principles = [p for p in principles if p.id in keep]
            statements = {p.id: p.id for p in principles if p.id in index.by_id}
            fused = principle_first(
                fused,
                principles,
                index.key_of,
                statements,
                ranking.per_principle,
                ranking.lead_principles,
            )
        hits = self._rerank(query, fused, index, allowed, k)
        t["rerank_ms"] = (time.perf_counter() - t0) * 1000
        return SearchResult(hits, principles)

    def _lexical_weight(self, query: str) -> float:
        """English questions share few terms with the Dutch corpus: trust dense more."""
        return self.config.english_lexical_weight if detect_language(query) == "en" else 1.0

    def _lists(
        self,
        query: str,
        keyword_query: str,
        index: OpenIndex,
        embedder: Embedder,
        filters: Filters | None,
        allowed: set[str] | None,
        mode: str,
        t: dict[str, float],
    ) -> _Lists:
        """Dense and BM25 candidates (deep enough for the principle ranking), and for a
        question that asks for one kind of record a search restricted to that kind."""
        size = len(index.records)
        n = min(self.config.candidates, size)
        ranking = self.config.ranking
        deep = min(max(n, ranking.record_candidates if ranking else n), size)
        out = _Lists()
        if mode in ("hybrid", "dense"):
            out.vec = _timed(t, "embed_ms", lambda: embedder.embed_query(query))
            vec = out.vec
            where = filters.conditions() if filters and not filters.is_empty() else None
            limit = min(deep, len(allowed)) if allowed is not None else deep
            out.dense = _timed(t, "dense_ms", lambda: index.vectors.query(vec, limit, where))
            out.rankings.append(out.dense[:n])
        if mode in ("hybrid", "bm25"):
            mask = index.mask(allowed)
            out.lexical = _timed(t, "bm25_ms", lambda: index.bm25.search(keyword_query, deep, mask))
            out.rankings.append(out.lexical[:n])
        if mode == "hybrid" and out.vec is not None:
            out.rankings += self._focus(query, keyword_query, out.vec, index, filters, n)
        if mode != "hybrid":
            out.vec = None  # the principle ranking needs both sides
        return out

    def _focus(
        self,
        query: str,
        keyword_query: str,
        vec: np.ndarray,
        index: OpenIndex,
        filters: Filters | None,
        n: int,
    ) -> list[Ranked]:
        """A question that asks for one kind of record (hindering factors, tips,
        definitions, phases) also gets a retrieval restricted to that kind, so such
        records are among the candidates even when its other words pull elsewhere."""
        cfg = self.config
        focus = [
            kind
            for kind, boost in intents(query).items()
            if boost >= cfg.focus_min_boost and kind in cfg.focus_kinds
        ]
        if not focus:
            return []
        narrowed = Filters(**{**(filters.model_dump() if filters else {}), "kind": focus})
        sub = allowed_ids(index, narrowed) or set()
        if not sub:
            return []
        dense = index.vectors.query(vec, min(n, len(sub)), narrowed.conditions())
        return [dense, index.bm25.search(keyword_query, n, index.mask(sub))]

    def _rerank(
        self,
        query: str,
        fused: Sequence[tuple[str, float]],
        index: OpenIndex,
        allowed: set[str] | None,
        k: int,
    ) -> list[Hit]:
        cands = [Candidate(i, s, index.by_id[i]) for i, s in fused if i in index.by_id]
        ranked = self.reranker.rerank(query, cands, index.by_id)
        if allowed is not None:
            ranked = [c for c in ranked if c.id in allowed]
        return [
            Hit(id=c.id, score=round(c.score, 6), rank=i, record=c.record)
            for i, c in enumerate(ranked[:k], 1)
        ]
