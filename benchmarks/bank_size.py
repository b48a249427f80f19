"""Does the question bank's size matter? Principle P@1 on dev with the bank cut short.

The bank keys of each unit are limited to its first m questions (dense and BM25 alike)
while everything else stays as shipped (fusion weights, adapter, thesaurus), and the
principle ranking of every in-scope dev question is scored for each m. Dev only: this
chooses nothing, it tells whether writing more questions is worth it.

    python -m benchmarks.bank_size [--sizes 5 10 15]
"""

from __future__ import annotations

import argparse
import re
from typing import Any

import numpy as np

from benchmarks.tune_fusion import score, signal_lists


def limit_bank(keys: Any, size: int) -> None:
    """Hide every bank question after the `size`-th of its unit from `keys` (in place)."""
    rows, search = type(keys).rows, type(keys.bm25).search
    ordinal = {
        i: int(m.group(1))
        for i, kid in enumerate(keys.ids)
        if keys.doc_type[i] == "bank" and (m := re.search(r"-(\d+)$", str(kid)))
    }
    kept = {i for i, o in ordinal.items() if o <= size}
    kept_ids = {str(keys.ids[i]) for i in kept}

    def limited_rows(doc_type: str) -> np.ndarray:
        got = rows(keys, doc_type)
        return got if doc_type != "bank" else np.array([r for r in got if r in kept])

    def limited_search(query: str, k: int, mask: np.ndarray | None = None) -> list:
        return [h for h in search(keys.bm25, query, len(ordinal)) if h[0] in kept_ids][:k]

    object.__setattr__(keys, "rows", limited_rows)
    object.__setattr__(keys.bm25, "search", limited_search)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 8, 10, 12, 15])
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
        q for q in select(load_questions(SPLITS["dev"])) if q.get("gold") and not q.get("refuse")
    ]
    weights, k = dict(settings.fusion_weights), settings.principle_rrf_k
    for size in sorted(args.sizes, reverse=True):  # each cut hides more of the same keys
        limit_bank(assistant.index.keys, size)
        cases = []
        for item in items:
            history = [Turn(**t) for t in item.get("history") or []] or None
            question = strip_instructions(item["question"]) or item["question"]
            lists = signal_lists(
                assistant, standalone_question(question, history), settings.bank_top
            )
            cases.append((lists, gold_principles(question_row(item), view), item.get("type", "")))
        p1, h3 = score([(c, g) for c, g, _ in cases], weights, k)
        scenarios = [(c, g) for c, g, t in cases if t == "scenario"]
        sp1, sh3 = score(scenarios, weights, k)
        print(
            f"{size:>3} per unit: dev P@1 {p1:.3f} hit@3 {h3:.3f} | "
            f"scenarios (n={len(scenarios)}) P@1 {sp1:.3f} hit@3 {sh3:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
