"""Principle-level ranking as pure functions: aggregation, fusion, record ordering."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.principles import (
    PrincipleScore,
    best_per_key,
    dense_scores,
    fuse_principles,
    principle_first,
)


def test_best_per_key_aggregates_items_to_principles() -> None:
    scored = [("b1", 0.9), ("b2", 0.8), ("b3", 0.7), ("b4", 0.95)]
    keys = {"b1": ("p1",), "b2": ("p1",), "b3": ("p2", "p3"), "b4": ()}
    assert best_per_key(scored, keys) == [("p1", 0.9), ("p2", 0.7), ("p3", 0.7)]
    top2 = best_per_key(scored, keys, top=2)
    assert top2[0] == ("p1", pytest.approx(0.85))


def test_dense_scores_are_exhaustive_and_ordered() -> None:
    vectors = np.eye(3, dtype=np.float32)
    q = np.array([0.2, 0.9, 0.4], dtype=np.float32)
    got = dense_scores(q, vectors, np.array([0, 2]), ["a", "b", "c"], 5)
    assert [i for i, _ in got] == ["c", "a"]
    assert dense_scores(q, vectors, np.array([], dtype=int), ["a"], 5) == []


def test_fuse_principles_weights_and_evidence() -> None:
    lists = {"bank": [("p1", 0.9), ("p2", 0.5)], "record": [("p2", 0.7), ("p1", 0.6)]}
    both = fuse_principles(lists, {"bank": 1.0, "record": 1.0}, k=10)
    assert {p.id for p in both} == {"p1", "p2"}
    assert both[0].evidence == {"bank": 0.9, "record": 0.6}
    bank_heavy = fuse_principles(lists, {"bank": 2.0, "record": 1.0}, k=10)
    assert bank_heavy[0].id == "p1"
    record_only = fuse_principles(lists, {"bank": 0.0, "record": 1.0}, k=10)
    assert [p.id for p in record_only] == ["p2", "p1"]
    assert fuse_principles(lists, {}, k=10) == []


def test_principle_first_orders_records_by_principle() -> None:
    records = [("p2-we01", 0.9), ("p1-we03", 0.8), ("p1-we01", 0.7), ("def-x", 0.6)]
    key_of = {"p2-we01": "p2", "p1-we03": "p1", "p1-we01": "p1", "p1": "p1", "p2": "p2"}
    principles = [PrincipleScore("p1", 1.0), PrincipleScore("p2", 0.5)]
    out = principle_first(records, principles, key_of, {"p1": "p1", "p2": "p2"}, 2, 2)
    assert [r for r, _ in out] == ["p1", "p1-we03", "p2", "p2-we01", "p1-we01", "def-x"]
    # without statements the principle's own best records lead
    out = principle_first(records, principles, key_of, {}, 2, 1)
    assert [r for r, _ in out][:2] == ["p1-we03", "p1-we01"]
