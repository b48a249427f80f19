"""Choose the principle-ranking fusion on the dev split (never on test).

For every in-scope dev question the signals of `assistant.principles` are computed once
(embedding, bank, unit passages, records, BM25); then a grid of signal weights, RRF k
and bank aggregation is scored by principle P@1 (ties: hit@3) without touching the
model again. Prints the best settings and the ablation (each signal alone, each left
out) and writes benchmarks/results/fusion_dev.json.

    python -m benchmarks.tune_fusion [--split dev]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.principles import SIGNALS, best_per_key, dense_scores, fuse_principles

ROOT = Path(__file__).resolve().parent.parent
# RRF is unchanged by scaling all weights, so the record signal is the unit (1.0) and
# the others are searched relative to it
GRID_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0)
GRID_K = (5, 10, 30)
GRID_BANK_TOP = (1, 2)


def signal_lists(assistant: Any, query: str, bank_top: int) -> dict[str, list[tuple[str, float]]]:
    """The principle ranking of each signal for one query."""
    from assistant.language import detect_language

    index = assistant.index
    keys = index.keys
    vec = assistant.embedder.embed_query(query)
    keyword_query = assistant.retriever.thesaurus.expand(query)
    unit_keys = {u.id: u.keys for u in index.units}
    item_keys = {
        keys.ids[i]: unit_keys.get(str(keys.target[i]), ())
        for i in range(len(keys.ids))
        if keys.doc_type[i] in ("bank", "unit")
    }
    record_keys = {rid: (k,) for rid, k in index.key_of.items()}
    record_dense = index.vectors.query(vec, 60)
    bank_rows, unit_rows = keys.rows("bank"), keys.rows("unit")
    bank = dense_scores(vec, keys.vectors, bank_rows, keys.ids, 100)
    lists = {
        "bank": best_per_key(bank, item_keys, bank_top),
        "unit": best_per_key(
            dense_scores(vec, keys.vectors, unit_rows, keys.ids, len(unit_rows)), item_keys
        ),
        "record": best_per_key(record_dense, record_keys),
        "record_bm25": best_per_key(index.bm25.search(keyword_query, 60), record_keys),
        "bank_bm25": best_per_key(keys.bm25.search(keyword_query, 100), item_keys, bank_top)
        if keys.bm25
        else [],
    }
    lists["_english"] = [("en", 1.0)] if detect_language(query) == "en" else []
    return lists


def score(
    cases: list[tuple[dict[str, list], set[str]]], weights: dict[str, float], k: int
) -> tuple[float, float]:
    p1 = h3 = 0
    for lists, golds in cases:
        lexical = 0.3 if lists.get("_english") else 1.0
        w = {n: weights[n] * (lexical if n.endswith("bm25") else 1.0) for n in SIGNALS}
        ranked = [p.id for p in fuse_principles({n: lists[n] for n in SIGNALS}, w, k)]
        p1 += bool(ranked) and ranked[0] in golds
        h3 += any(p in golds for p in ranked[:3])
    n = max(len(cases), 1)
    return p1 / n, h3 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="dev", choices=["dev"])  # test is for reporting
    args = parser.parse_args()
    from assistant.config import get_settings
    from assistant.factory import build_assistant
    from assistant.language import standalone_question
    from assistant.scope import strip_instructions
    from assistant.types import Turn
    from eval.metrics import gold_principles, load_corpus_view
    from eval.run import SPLITS, load_questions, question_row, select

    settings = get_settings()
    assistant = build_assistant(settings)
    view = load_corpus_view(settings.principles_path)
    items = [
        q
        for q in select(load_questions(SPLITS[args.split]))
        if q.get("gold") and not q.get("refuse")
    ]
    t0 = time.perf_counter()
    cases: dict[int, list[tuple[dict[str, list], set[str]]]] = defaultdict(list)
    types: list[str] = []
    for item in items:
        history = [Turn(**t) for t in item.get("history") or []] or None
        query = standalone_question(
            strip_instructions(item["question"]) or item["question"], history
        )
        golds = gold_principles(question_row(item), view)
        for top in GRID_BANK_TOP:
            cases[top].append((signal_lists(assistant, query, top), golds))
        types.append(item.get("type", ""))
    print(f"signals for {len(items)} questions in {time.perf_counter() - t0:.1f} s")
    best: tuple[tuple[float, float], dict[str, Any]] | None = None
    others = [n for n in SIGNALS if n != "record"]
    grid = itertools.product(GRID_WEIGHTS, repeat=len(others))
    for top, k, combo in itertools.product(GRID_BANK_TOP, GRID_K, list(grid)):
        weights = {"record": 1.0, **dict(zip(others, combo, strict=True))}
        result = score(cases[top], weights, k)
        if best is None or result > best[0]:
            best = (result, {"bank_top": top, "rrf_k": k, "weights": weights})
    assert best is not None
    (p1, h3), cfg = best
    print(f"best on {args.split}: P@1 {p1:.3f}, hit@3 {h3:.3f} with {cfg}")
    ablation = {}
    for name in SIGNALS:
        alone = {n: float(n == name) for n in SIGNALS}
        without = {**cfg["weights"], name: 0.0}
        ablation[name] = {
            "alone": score(cases[cfg["bank_top"]], alone, cfg["rrf_k"]),
            "without": score(cases[cfg["bank_top"]], without, cfg["rrf_k"]),
        }
        print(
            f"  {name:<12} alone P@1/hit@3 {ablation[name]['alone']}  without {ablation[name]['without']}"
        )
    by_type: dict[str, list] = defaultdict(list)
    for case, t in zip(cases[cfg["bank_top"]], types, strict=True):
        by_type[t].append(case)
    per_type = {t: score(c, cfg["weights"], cfg["rrf_k"]) for t, c in sorted(by_type.items())}
    for t, (a, b) in per_type.items():
        print(f"  {t:<12} n={len(by_type[t]):<3} P@1 {a:.3f} hit@3 {b:.3f}")
    out = ROOT / "benchmarks" / "results" / "fusion_dev.json"
    out.write_text(
        json.dumps(
            {"best": cfg, "p_at_1": p1, "hit_at_3": h3, "ablation": ablation, "by_type": per_type},
            indent=1,
        ),
        encoding="utf-8",
    )
    print(f"→ {out}")


if __name__ == "__main__":
    main()
