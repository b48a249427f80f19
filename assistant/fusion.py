"""Reciprocal rank fusion: a pure function over ranked (id, score) lists."""

from __future__ import annotations

from collections.abc import Sequence


def rrf(
    rankings: Sequence[Sequence[tuple[str, float]]],
    k: int = 60,
    weights: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """Fuse ranked lists: score(id) = Σ w_i / (k + rank_i(id)), rank from 1.

    Ties are broken by first appearance, so the result is deterministic.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    order: dict[str, int] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, (rid, _) in enumerate(ranking, start=1):
            scores[rid] = scores.get(rid, 0.0) + w / (k + rank)
            order.setdefault(rid, len(order))
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))
