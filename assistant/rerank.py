"""Re-ranking after fusion: pluggable, and principle-aware by default.

No multilingual cross-encoder ships its weights on PyPI, so the default step uses what
is real: the structure of the framework. No principle fills the list on its own (at
most `per_principle` fragments of one principle (a setting) before the others get a turn). The
kind a question asks for (hindering factors, tips, definitions, phases; see `intents`)
is respected earlier, in retrieval, by a second search restricted to that kind; score
boosts after fusion were measured and lowered hit@5 (benchmarks/compare_retrieval.py),
so they are not applied. The answer step adds each hit's principle statement
(`with_principles`). A cross-encoder can implement `Reranker` later.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from corpus.record import Record
from corpus.text import fold


@dataclass(frozen=True)
class Candidate:
    id: str
    score: float
    record: Record


class Reranker(Protocol):
    def rerank(
        self, query: str, candidates: Sequence[Candidate], by_id: dict[str, Record]
    ) -> list[Candidate]: ...


class NoRerank:
    def rerank(
        self, query: str, candidates: Sequence[Candidate], by_id: dict[str, Record]
    ) -> list[Candidate]:
        return list(candidates)


# (pattern on the folded question, kinds to boost, factor): word families that name
# the kind of record a question asks for (what hinders, what helps, tips, phases,
# definitions, rankings, the study itself); general vocabulary, never one question's words
INTENTS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    (
        r"belemmer|hinder|valkuil|knelpunt|mis ?gaan|gaat (er )?mis|loopt (het )?mis|werkt niet|obstakel|barrier|obstacle|pitfall|hamper",
        ("belemmerend",),
        1.6,
    ),
    (
        r"bevorder|helpt|succesfactor|promot|facilitat|wat werkt",
        ("bevorderend", "werkzaam_element"),
        1.2,
    ),
    (r"\btips?\b|praktisch|handboek|handbook", ("tip",), 1.8),
    (r"\bfase|\bfasen\b|\bphase|samen begrijpen|doorgronden|vertalen", ("fase",), 1.5),
    (
        r"wat is een|wat is de|wat betekent|wat verstaan|wie is de|definitie|begrip|what is an?\b|who is the|defin",
        ("definitie",),
        1.8,
    ),
    (
        r"belangrijk|prioriteit|\btop\b|rangorde|score|gemiddeld|delphi|important|ranking|rank|priorit|experts? (vinden|noemen)",
        ("uitgangspunt", "resultaat"),
        1.4,
    ),
    (
        r"hoeveel (experts|deelnemers|respondenten)|respondent|methode|ronde|how many experts",
        ("methode", "resultaat"),
        1.6,
    ),
)


def intents(query: str) -> dict[str, float]:
    """Kinds the question asks for, with a boost factor each."""
    q = fold(query)
    boosts: dict[str, float] = {}
    for pattern, kinds, factor in INTENTS:
        if re.search(pattern, q):
            for kind in kinds:
                boosts[kind] = max(boosts.get(kind, 1.0), factor)
    return boosts


class PrincipleReranker:
    """Keep the fused order, but at most `per_principle` fragments per principle
    before the other principles get their turn."""

    def __init__(self, per_principle: int) -> None:
        self.per_principle = per_principle

    def rerank(
        self, query: str, candidates: Sequence[Candidate], by_id: dict[str, Record]
    ) -> list[Candidate]:
        out: list[Candidate] = []
        overflow: list[Candidate] = []
        per: dict[str, int] = {}
        for c in candidates:
            pid = c.record.principle_id or c.id
            if per.get(pid, 0) >= self.per_principle:
                overflow.append(c)
                continue
            per[pid] = per.get(pid, 0) + 1
            out.append(c)
        return out + overflow


def make_reranker(name: str, per_principle: int) -> Reranker:
    if name == "none":
        return NoRerank()
    if name == "principle":
        return PrincipleReranker(per_principle)
    raise ValueError(f"unknown reranker {name!r} (none, principle)")
