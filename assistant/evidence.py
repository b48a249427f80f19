"""What an answer may use and cite: the hits, their principle statements (and the
Delphi 2023 version of each), and the best records of the main principle.

`gather()` is the step; the helpers that find a record's principle and its current
version are shared with the answer step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.fusion import rrf
from assistant.types import Hit
from corpus.record import Record
from index.embedders import Embedder
from index.store import OpenIndex

# kinds whose records belong to a principle (and so can lead to it)
PRINCIPLE_KINDS = ("uitgangspunt", "werkzaam_element", "toelichting", "bevorderend", "belemmerend")


@dataclass(frozen=True)
class EvidenceConfig:
    members: int  # best records of the main principle added to the evidence
    member_candidates: int  # records per side searched within that principle
    rrf_k: int


def principle_of(r: Record, by_id: Mapping[str, Record]) -> Record | None:
    """The record's principle statement (itself when it is one), if retrieved/known."""
    if r.kind == "uitgangspunt":
        return r
    return by_id.get(r.principle_id)


def current(p: Record | None, retrieved: Mapping[str, Record]) -> Record | None:
    """The Delphi (2023) version of a principle when it was retrieved alongside."""
    if p is None or p.edition == "delphi-2023":
        return p
    return next((retrieved[i] for i in p.also_in if i.startswith("d23-") and i in retrieved), p)


def main_principle(hits: Sequence[Hit], retrieved: Mapping[str, Record]) -> Record | None:
    """The (current version of the) principle of the best hit, if it has one."""
    if not hits:
        return None
    top = hits[0].record
    if top.kind not in PRINCIPLE_KINDS:
        return None
    return current(principle_of(top, retrieved), retrieved)


def with_principles(hits: list[Hit], by_id: Mapping[str, Record]) -> list[Hit]:
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


def gather(
    question: str, hits: list[Hit], index: OpenIndex, embedder: Embedder, cfg: EvidenceConfig
) -> list[Hit]:
    """The hits, their principles, and the best records of the main principle."""
    evidence = with_principles(hits, index.by_id)
    main = main_principle(hits, {h.id: h.record for h in evidence})
    if main is None:
        return evidence
    present = {h.id for h in evidence}
    extra = best_of_principle(question, index, embedder, main.id, cfg, present)
    start = len(evidence)
    return [
        *evidence,
        *(h.model_copy(update={"rank": start + i}) for i, h in enumerate(extra, 1)),
    ]
