"""The best records of a principle for a question: a search restricted to that
principle (dense and BM25, fused), from which an answer takes the working elements and
factors it shows of each principle."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.fusion import rrf
from assistant.types import Hit
from index.embedders import Embedder
from index.store import OpenIndex


@dataclass(frozen=True)
class EvidenceConfig:
    members: int  # best records of the main principle added to the evidence
    member_candidates: int  # records per side searched within that principle
    rrf_k: int


def best_of_principle(
    query: str,
    index: OpenIndex,
    embedder: Embedder,
    principle_id: str,
    cfg: EvidenceConfig,
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
    limit = min(len(members), cfg.member_candidates)
    found = index.vectors.query(vec, limit, {"principle_id": [principle_id]})
    dense = [(i, s) for i, s in found if i in members]
    lexical = index.bm25.search(query, cfg.member_candidates, index.mask(members))
    fused = rrf([dense, lexical], k=cfg.rrf_k)[: cfg.members]
    return [Hit(id=i, score=s, rank=k, record=index.by_id[i]) for k, (i, s) in enumerate(fused, 1)]
