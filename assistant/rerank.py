"""Re-ranking after fusion: pluggable, and principle-aware by default.

No multilingual cross-encoder ships its weights on PyPI, so the default step uses what
is real: the kind of answer the question asks for (hindering factors, tips, a Delphi
ranking, a definition, a phase) and the structure of the framework (fragments of one
principle are grouped, the principle statement travels with its best fragments, and no
principle fills the list on its own). A cross-encoder can implement `Reranker` later.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.types import Record


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


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


# (pattern on the folded question, kinds to boost, factor)
INTENTS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    (
        r"belemmer|hinder|valkuil|knelpunt|mis ?gaan|gaat mis|werkt niet|obstakel|barrier|obstacle|pitfall|hamper|dwars|tegenwerk",
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
MAX_PER_PRINCIPLE = 3


def intents(query: str) -> dict[str, float]:
    """Kinds the question asks for, with a boost factor each."""
    q = _fold(query)
    boosts: dict[str, float] = {}
    for pattern, kinds, factor in INTENTS:
        if re.search(pattern, q):
            for kind in kinds:
                boosts[kind] = max(boosts.get(kind, 1.0), factor)
    return boosts


class PrincipleReranker:
    """Boost the kinds the question asks for, then group by principle."""

    def rerank(
        self, query: str, candidates: Sequence[Candidate], by_id: dict[str, Record]
    ) -> list[Candidate]:
        boosts = intents(query)
        wants_scores = "uitgangspunt" in boosts and "resultaat" in boosts
        scored = []
        for c in candidates:
            factor = boosts.get(c.record.kind, 1.0)
            if wants_scores and c.record.kind == "uitgangspunt" and not c.record.delphi:
                factor = 1.0  # only principles that carry Delphi scores answer a ranking question
            scored.append(Candidate(c.id, c.score * factor, c.record))
        scored.sort(key=lambda c: -c.score)
        return _group(scored, by_id)


def _group(ranked: list[Candidate], by_id: dict[str, Record]) -> list[Candidate]:
    """At most MAX_PER_PRINCIPLE fragments per principle; the principle statement is
    placed right after the first fragment of its principle when it was not found."""
    out: list[Candidate] = []
    per: dict[str, int] = {}
    present = {c.id for c in ranked}
    placed: set[str] = set()
    overflow: list[Candidate] = []
    for c in ranked:
        pid = c.record.principle_id or c.id
        if c.id in placed:
            continue
        if per.get(pid, 0) >= MAX_PER_PRINCIPLE:
            overflow.append(c)
            continue
        out.append(c)
        placed.add(c.id)
        per[pid] = per.get(pid, 0) + 1
        if pid != c.id and pid in by_id and pid not in present and pid not in placed:
            out.append(Candidate(pid, c.score * 0.9, by_id[pid]))
            placed.add(pid)
            per[pid] += 1
    return out + overflow


def make_reranker(name: str) -> Reranker:
    return {"none": NoRerank, "principle": PrincipleReranker}[name]()
