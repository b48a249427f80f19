"""Hybrid retrieval: dense (Chroma) + BM25, fused with RRF, then re-ranked.

`search()` validates the query and filters and calls `_search()`; callers never see
Chroma or BM25.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.errors import InputError
from assistant.fusion import rrf
from assistant.language import detect_language
from assistant.principles import (
    PrincipleScore,
    best_per_key,
    dense_scores,
    fuse_principles,
    principle_first,
)
from assistant.rerank import Candidate, Reranker, intents
from assistant.types import Hit
from corpus.record import Filters, Record
from index.embedders import Embedder
from index.store import OpenIndex
from index.thesaurus import Thesaurus

MAX_K = 50
FOCUS_KINDS = ("belemmerend", "tip", "definitie", "fase")


def clean_query(text: str, max_chars: int) -> str:
    """Strip control characters and white space; reject empty and over-long input."""
    if not isinstance(text, str):
        raise InputError(
            "invalid_question", "De vraag moet tekst zijn.", "The question must be text."
        )
    text = "".join(c if unicodedata.category(c)[0] != "C" or c in "\n\t" else " " for c in text)
    text = " ".join(text.split())
    if not text:
        raise InputError(
            "empty_question",
            "Stel een vraag: de vraag is leeg.",
            "Please ask a question: it is empty.",
        )
    if len(text) > max_chars:
        raise InputError(
            "question_too_long",
            f"De vraag is te lang ({len(text)} tekens; maximaal {max_chars}).",
            f"The question is too long ({len(text)} characters; at most {max_chars}).",
        )
    return text


def where_clause(filters: Filters | None) -> dict[str, Any] | None:
    if filters is None or filters.is_empty():
        return None
    parts: list[dict[str, Any]] = []
    for name in ("kernelement", "kind", "edition", "source", "phase"):
        values = getattr(filters, name)
        if values:
            parts.append({name: {"$in": list(values)}})
    if filters.expert_added is not None:
        parts.append({"expert_added": filters.expert_added})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def allowed_ids(records: list[Record], filters: Filters | None) -> set[str] | None:
    if filters is None or filters.is_empty():
        return None
    out = set()
    for r in records:
        if filters.kernelement and r.kernelement not in filters.kernelement:
            continue
        if filters.kind and r.kind not in filters.kind:
            continue
        if filters.edition and r.edition not in filters.edition:
            continue
        if filters.source and r.source.file not in filters.source:
            continue
        if filters.phase and r.phase not in filters.phase:
            continue
        if filters.expert_added is not None and r.expert_added != filters.expert_added:
            continue
        out.add(r.id)
    return out


@dataclass(frozen=True)
class RankingConfig:
    """Tunables of the principle ranking (chosen on the dev split; see Settings)."""

    weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "bank": 1.0,
            "bank_bm25": 0.5,
            "unit": 0.5,
            "record": 1.0,
            "record_bm25": 1.0,
        }
    )
    rrf_k: int = 10
    bank_top: int = 2  # a unit's bank score: mean of its best `bank_top` questions
    bank_candidates: int = 100
    record_candidates: int = 60  # records per side that vote for their principle
    lead_principles: int = 3  # principles whose records lead the record ranking
    per_principle: int = 2


@dataclass
class SearchResult:
    hits: list[Hit]
    principles: list[PrincipleScore]


def search(
    query: str,
    index: OpenIndex,
    embedder: Embedder,
    reranker: Reranker,
    *,
    k: int = 8,
    filters: Filters | None = None,
    candidates: int = 40,
    rrf_k: int = 60,
    max_chars: int = 2000,
    mode: str = "hybrid",
    timings: dict[str, float] | None = None,
    ranking: RankingConfig | None = None,
    thesaurus: Thesaurus | None = None,
) -> list[Hit]:
    """The k best records for a query, after fusion and re-ranking."""
    return retrieve(
        query,
        index,
        embedder,
        reranker,
        k=k,
        filters=filters,
        candidates=candidates,
        rrf_k=rrf_k,
        max_chars=max_chars,
        mode=mode,
        timings=timings,
        ranking=ranking,
        thesaurus=thesaurus,
    ).hits


def retrieve(
    query: str,
    index: OpenIndex,
    embedder: Embedder,
    reranker: Reranker,
    *,
    k: int = 8,
    filters: Filters | None = None,
    candidates: int = 40,
    rrf_k: int = 60,
    max_chars: int = 2000,
    mode: str = "hybrid",
    timings: dict[str, float] | None = None,
    ranking: RankingConfig | None = None,
    thesaurus: Thesaurus | None = None,
) -> SearchResult:
    """The k best records and the principle ranking for a query."""
    query = clean_query(query, max_chars)
    if not 1 <= k <= MAX_K:
        raise InputError(
            "invalid_k", f"k moet tussen 1 en {MAX_K} liggen.", f"k must be between 1 and {MAX_K}."
        )
    return _search(
        query,
        index,
        embedder,
        reranker,
        k,
        filters,
        candidates,
        rrf_k,
        mode,
        timings if timings is not None else {},
        ranking,
        thesaurus or Thesaurus({}),
    )


def _search(
    query: str,
    index: OpenIndex,
    embedder: Embedder,
    reranker: Reranker,
    k: int,
    filters: Filters | None,
    candidates: int,
    rrf_k: int,
    mode: str,
    t: dict[str, float],
    ranking: RankingConfig | None,
    thesaurus: Thesaurus,
) -> SearchResult:
    allowed = allowed_ids(index.records, filters)
    if allowed is not None and not allowed:
        return SearchResult([], [])
    n = min(candidates, len(index.records))
    # the principle ranking reads deeper into each record list than the record fusion
    deep = min(max(n, ranking.record_candidates if ranking else n), len(index.records))
    keyword_query = thesaurus.expand(query)
    rankings: list[list[tuple[str, float]]] = []
    deep_lists: list[list[tuple[str, float]]] = []
    vec = None
    if mode in ("hybrid", "dense"):
        t0 = time.perf_counter()
        vec = embedder.embed_query(query)
        t["embed_ms"] = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        res = index.collection.query(
            query_embeddings=[vec.tolist()],
            n_results=min(deep, len(allowed) if allowed is not None else deep),
            where=where_clause(filters),
            include=["distances"],
        )
        deep_lists.append(
            [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]
        )
        rankings.append(deep_lists[-1][:n])
        t["dense_ms"] = (time.perf_counter() - t0) * 1000
    if mode in ("hybrid", "bm25"):
        t0 = time.perf_counter()
        deep_lists.append(index.bm25.search(keyword_query, deep, index.mask(allowed)))
        rankings.append(deep_lists[-1][:n])
        t["bm25_ms"] = (time.perf_counter() - t0) * 1000
    # a question that asks for one kind of record (hindering factors, tips, definitions,
    # phases) also gets a retrieval restricted to that kind, so such records are among
    # the candidates even when the question's other words pull elsewhere
    focus = [k for k, f in intents(query).items() if f >= 1.5 and k in FOCUS_KINDS]
    if focus and mode == "hybrid" and vec is not None:
        narrowed = Filters(**{**(filters.model_dump() if filters else {}), "kind": focus})
        sub = allowed_ids(index.records, narrowed) or set()
        if sub:
            res = index.collection.query(
                query_embeddings=[vec.tolist()],
                n_results=min(n, len(sub)),
                where=where_clause(narrowed),
                include=["distances"],
            )
            rankings.append(list(zip(res["ids"][0], res["distances"][0], strict=True)))
            rankings.append(index.bm25.search(keyword_query, n, index.mask(sub)))
    t0 = time.perf_counter()
    # English questions share few terms with the Dutch corpus: trust the dense side more
    lexical = 0.3 if detect_language(query) == "en" else 1.0
    weights = [1.0, lexical, 1.0, lexical][: len(rankings)]
    fused = rrf(rankings, k=rrf_k, weights=weights) if len(rankings) > 1 else rankings[0]
    principles: list[PrincipleScore] = []
    if ranking is not None and index.keys is not None and mode == "hybrid" and vec is not None:
        dense = deep_lists[0]
        lexical_list = deep_lists[1] if len(deep_lists) > 1 else []
        principles = rank_principles(
            vec, keyword_query, index, dense, lexical_list, ranking, lexical
        )
        if allowed is not None:
            keep = {index.key_of.get(r, r) for r in allowed}
            principles = [p for p in principles if p.id in keep]
        fused = principle_first(
            fused,
            principles,
            index.key_of,
            {p.id: p.id for p in principles if p.id in index.by_id},
            ranking.per_principle,
            ranking.lead_principles,
        )
    cands = [Candidate(i, s, index.by_id[i]) for i, s in fused if i in index.by_id]
    ranked = reranker.rerank(query, cands, index.by_id)
    if allowed is not None:
        ranked = [c for c in ranked if c.id in allowed]
    t["rerank_ms"] = (time.perf_counter() - t0) * 1000
    hits = [
        Hit(id=c.id, score=round(c.score, 6), rank=i, record=c.record)
        for i, c in enumerate(ranked[:k], 1)
    ]
    return SearchResult(hits, principles)


def rank_principles(
    vec: np.ndarray,
    keyword_query: str,
    index: OpenIndex,
    record_dense: Sequence[tuple[str, float]],
    record_lexical: Sequence[tuple[str, float]],
    cfg: RankingConfig,
    lexical_weight: float = 1.0,
) -> list[PrincipleScore]:
    """Every principle scored by all its evidence (see `assistant.principles`)."""
    keys = index.keys
    assert keys is not None
    unit_keys = {u.id: u.keys for u in index.units}
    item_keys: dict[str, tuple[str, ...]] = {}
    bank_rows = keys.rows("bank")
    unit_rows = keys.rows("unit")
    for rows in (bank_rows, unit_rows):
        for i in rows:
            item_keys[keys.ids[i]] = unit_keys.get(str(keys.target[i]), ())
    record_keys = {rid: (key,) for rid, key in index.key_of.items()}
    bank = dense_scores(vec, keys.vectors, bank_rows, keys.ids, cfg.bank_candidates)
    lists: dict[str, list[tuple[str, float]]] = {
        "bank": best_per_key(bank, item_keys, cfg.bank_top),
        "unit": best_per_key(
            dense_scores(vec, keys.vectors, unit_rows, keys.ids, len(unit_rows)), item_keys
        ),
        "record": best_per_key(record_dense, record_keys),
        "record_bm25": best_per_key(record_lexical, record_keys),
    }
    if keys.bm25 is not None:
        lists["bank_bm25"] = best_per_key(
            keys.bm25.search(keyword_query, cfg.bank_candidates), item_keys, cfg.bank_top
        )
    weights = dict(cfg.weights)
    for name in ("bank_bm25", "record_bm25"):
        weights[name] = weights.get(name, 0.0) * lexical_weight
    return fuse_principles(lists, weights, cfg.rrf_k)


def with_principles(hits: list[Hit], by_id: dict[str, Record]) -> list[Hit]:
    """The hits followed by the principle statements they belong to (grouping by
    principle), and for a principle of the 2021 text or the website its Delphi (2023)
    version, so an answer sees each principle with its best fragments and scores."""
    present = {h.id for h in hits}
    extra: list[Hit] = []

    def add(rid: str, score: float) -> None:
        if rid and rid not in present and rid in by_id:
            present.add(rid)
            extra.append(
                Hit(id=rid, score=score, rank=len(hits) + len(extra) + 1, record=by_id[rid])
            )

    for h in hits:
        pid = h.record.principle_id or (h.id if h.record.kind == "uitgangspunt" else "")
        add(pid, h.score)
        principle = by_id.get(pid)
        for other in principle.also_in if principle else ():
            target = by_id.get(other)
            if other.startswith("d23-") and target is not None and target.kind == "uitgangspunt":
                add(other, h.score)
    return [*hits, *extra]


def best_of_principle(
    query: str,
    index: OpenIndex,
    embedder: Embedder,
    principle_id: str,
    n: int = 3,
    exclude: set[str] | None = None,
) -> list[Hit]:
    """The principle's own records (working elements, factors, explanations) that fit
    the query best: a retrieval restricted to that principle, dense + BM25 fused."""
    members = {
        r.id for r in index.records if r.principle_id == principle_id and r.id != principle_id
    }
    members -= exclude or set()
    if not members:
        return []
    vec = embedder.embed_query(query)
    res = index.collection.query(
        query_embeddings=[vec.tolist()],
        n_results=min(len(members), 20),
        where={"principle_id": principle_id},
        include=["distances"],
    )
    dense = [
        (i, 1.0 - d)
        for i, d in zip(res["ids"][0], res["distances"][0], strict=True)
        if i in members
    ]
    lexical = index.bm25.search(query, 20, index.mask(members))
    fused = rrf([dense, lexical], k=10)[:n]
    return [Hit(id=i, score=s, rank=k, record=index.by_id[i]) for k, (i, s) in enumerate(fused, 1)]
