"""Hybrid retrieval: dense (Chroma) + BM25, fused with RRF, then re-ranked.

`search()` validates the query and filters and calls `_search()`; callers never see
Chroma or BM25.
"""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from assistant.errors import InputError
from assistant.fusion import rrf
from assistant.language import detect_language
from assistant.rerank import Candidate, Reranker, intents
from assistant.types import Filters, Hit, Record
from index.embedders import Embedder
from index.store import OpenIndex

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
    for field in ("kernelement", "kind", "edition", "source", "phase"):
        values = getattr(filters, field)
        if values:
            parts.append({field: {"$in": list(values)}})
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
) -> list[Hit]:
    """The k best records for a query, after fusion and re-ranking."""
    query = clean_query(query, max_chars)
    if not 1 <= k <= MAX_K:
        raise InputError(
            "invalid_k", f"k moet tussen 1 en {MAX_K} liggen.", f"k must be between 1 and {MAX_K}."
        )
    return _search(query, index, embedder, reranker, k, filters, candidates, rrf_k, mode, timings)


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
    timings: dict[str, float] | None,
) -> list[Hit]:
    t = timings if timings is not None else {}
    allowed = allowed_ids(index.records, filters)
    if allowed is not None and not allowed:
        return []
    n = min(candidates, len(index.records))
    rankings: list[list[tuple[str, float]]] = []
    if mode in ("hybrid", "dense"):
        t0 = time.perf_counter()
        vec = embedder.embed_query(query)
        t["embed_ms"] = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        res = index.collection.query(
            query_embeddings=[vec.tolist()],
            n_results=min(n, len(allowed) if allowed is not None else n),
            where=where_clause(filters),
            include=["distances"],
        )
        rankings.append(
            [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]
        )
        t["dense_ms"] = (time.perf_counter() - t0) * 1000
    if mode in ("hybrid", "bm25"):
        t0 = time.perf_counter()
        rankings.append(index.bm25.search(query, n, index.mask(allowed)))
        t["bm25_ms"] = (time.perf_counter() - t0) * 1000
    # a question that asks for one kind of record (hindering factors, tips, definitions,
    # phases) also gets a retrieval restricted to that kind, so such records are among
    # the candidates even when the question's other words pull elsewhere
    focus = [k for k, f in intents(query).items() if f >= 1.5 and k in FOCUS_KINDS]
    if focus and mode == "hybrid":
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
            rankings.append(index.bm25.search(query, n, index.mask(sub)))
    t0 = time.perf_counter()
    # English questions share few terms with the Dutch corpus: trust the dense side more
    lexical = 0.3 if detect_language(query) == "en" else 1.0
    weights = [1.0, lexical, 1.0, lexical][: len(rankings)]
    fused = rrf(rankings, k=rrf_k, weights=weights) if len(rankings) > 1 else rankings[0]
    cands = [Candidate(i, s, index.by_id[i]) for i, s in fused if i in index.by_id]
    ranked = reranker.rerank(query, cands, index.by_id)
    if allowed is not None:
        ranked = [c for c in ranked if c.id in allowed]
    t["rerank_ms"] = (time.perf_counter() - t0) * 1000
    return [
        Hit(id=c.id, score=round(c.score, 6), rank=i, record=c.record)
        for i, c in enumerate(ranked[:k], 1)
    ]


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
