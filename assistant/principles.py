"""Principle-level ranking: score every principle by all its evidence.

A practitioner describes a situation; the framework states principles. Matching the
question against single chunks rewards the chunk that happens to share words. Here
each principle (with its equivalents in other editions) collects evidence from several
signals, each a ranked list of principle keys:

- `bank`: similarity of the question to the question bank (hand-written practitioner
  questions per unit), dense; a unit is scored by its nearest bank questions;
- `bank_bm25`: the same bank, by keywords (with the thesaurus);
- `unit`: similarity to the unit passage (statement with its working elements);
- `record`: similarity to the unit's best record (dense);
- `record_bm25`: the unit's best record by keywords.

The lists are fused by weighted reciprocal rank fusion; the weights are settings,
chosen on the dev split (`benchmarks/tune_fusion.py`). Pure functions over the index's
arrays and plain `(id, score)` lists, so every step can be tested without a model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.fusion import rrf

SIGNALS: tuple[str, ...] = ("bank", "bank_bm25", "unit", "record", "record_bm25")


@dataclass(frozen=True)
class PrincipleScore:
    id: str
    score: float
    evidence: dict[str, float] = field(default_factory=dict)


def best_per_key(
    scored: Iterable[tuple[str, float]], keys_of: Mapping[str, Sequence[str]], top: int = 1
) -> list[tuple[str, float]]:
    """Aggregate (item, score) to principle keys: the mean of each key's `top` best
    item scores (an item may count for several keys), ranked high to low."""
    per: dict[str, list[float]] = {}
    for item, score in scored:
        for key in keys_of.get(item, ()):
            per.setdefault(key, []).append(score)
    out = []
    for key, scores in per.items():
        best = sorted(scores, reverse=True)[:top]
        out.append((key, sum(best) / len(best)))
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))


def dense_scores(
    query_vec: np.ndarray, vectors: np.ndarray, rows: np.ndarray, ids: Sequence[str], n: int
) -> list[tuple[str, float]]:
    """The n most similar rows (cosine of L2-normalised vectors) as (id, score)."""
    if rows.size == 0:
        return []
    sims = vectors[rows] @ query_vec
    order = np.argsort(-sims, kind="stable")[:n]
    return [(ids[int(rows[i])], float(sims[i])) for i in order]


def fuse_principles(
    lists: Mapping[str, Sequence[tuple[str, float]]],
    weights: Mapping[str, float],
    k: int,
) -> list[PrincipleScore]:
    """Weighted RRF over the signals' principle rankings; evidence keeps each signal's
    own score of the principle."""
    names = [n for n in lists if weights.get(n, 0.0) > 0 and lists[n]]
    if not names:
        return []
    fused = rrf([lists[n] for n in names], k=k, weights=[weights[n] for n in names])
    evidence: dict[str, dict[str, float]] = {}
    for n in names:
        for key, score in lists[n]:
            evidence.setdefault(key, {})[n] = round(score, 4)
    return [PrincipleScore(key, score, evidence.get(key, {})) for key, score in fused]


def principle_first(
    records: Sequence[tuple[str, float]],
    principles: Sequence[PrincipleScore],
    key_of: Mapping[str, str],
    statement_of: Mapping[str, str],
    per_principle: int,
    lead_principles: int,
) -> list[tuple[str, float]]:
    """Order records by the principle ranking: for each of the first `lead_principles`
    principles its statement (or its own record) and its best records, at most
    `per_principle` in all; then every other record in its own order."""
    by_key: dict[str, list[tuple[str, float]]] = {}
    for rid, score in records:
        by_key.setdefault(key_of.get(rid, rid), []).append((rid, score))
    out: list[tuple[str, float]] = []
    placed: set[str] = set()
    for p in principles[:lead_principles]:
        group: list[tuple[str, float]] = []
        head = statement_of.get(p.id)
        if head:
            group.append((head, p.score))
        group += [(rid, s) for rid, s in by_key.get(p.id, []) if rid != head]
        for rid, _ in group[:per_principle]:
            if rid not in placed:
                placed.add(rid)
                out.append((rid, p.score))
    rest = [(rid, s) for rid, s in records if rid not in placed]
    return out + rest
