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
arrays and plain `(id, score)` lists, so every step can be tested without a model;
`rank_principles` gathers the lists from an open index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.fusion import rrf
from index.store import OpenIndex

SIGNALS: tuple[str, ...] = ("bank", "bank_bm25", "unit", "record", "record_bm25")


@dataclass(frozen=True)
class RankingConfig:
    """Tunables of the principle ranking (see Settings; chosen on the dev split)."""

    weights: Mapping[str, float]
    rrf_k: int
    bank_top: int  # a unit's bank score: mean of its best `bank_top` questions
    bank_candidates: int
    record_candidates: int  # records per side that vote for their principle
    lead_principles: int  # principles whose records lead the record ranking
    per_principle: int


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


def rank_principles(
    vec: np.ndarray,
    keyword_query: str,
    index: OpenIndex,
    record_dense: Sequence[tuple[str, float]],
    record_lexical: Sequence[tuple[str, float]],
    cfg: RankingConfig,
    lexical_weight: float = 1.0,
) -> list[PrincipleScore]:
    """Every principle scored by all its evidence: the signals' lists, fused."""
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
