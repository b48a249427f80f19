"""Choose the scope margin on the dev split (never on test).

For every dev question: strip instructions, rewrite follow-ups, then measure the mean
similarity of the k nearest in-scope bank questions and of the k nearest out-of-scope
questions. A question is refused when outside - inside > margin. Prints refusal
precision and recall for each k and margin, and the best (highest F1, then the margin
closest to zero) as settings; writes benchmarks/results/scope_dev.json.

    python -m benchmarks.tune_scope
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
KS = (1, 3, 5)
MARGINS = tuple(round(m, 3) for m in np.arange(-0.06, 0.0601, 0.005))


def main() -> None:
    from assistant.config import get_settings
    from assistant.factory import build_assistant
    from assistant.language import standalone_question
    from assistant.scope import OFF_TASK, neighbourhood, strip_instructions
    from assistant.types import Turn
    from eval.run import SPLITS, load_questions, select

    settings = get_settings()
    assistant = build_assistant(settings)
    keys = assistant.index.keys
    items = select(load_questions(SPLITS["dev"]))
    rows = []
    for item in items:
        history = [Turn(**t) for t in item.get("history") or []] or None
        stripped = strip_instructions(item["question"])
        query = standalone_question(stripped, history) if stripped else ""
        entry = {"id": item["id"], "refuse": bool(item.get("refuse")), "empty": not query}
        entry["task"] = bool(query and OFF_TASK.search(query))
        if query:
            vec = assistant.embedder.embed_query(query)
            for k in KS:
                n = neighbourhood(
                    vec, keys.vectors, keys.rows("bank"), keys.rows("oos"), keys.target, k
                )
                entry[f"margin@{k}"] = n.margin
        rows.append(entry)
    results = []
    for k in KS:
        for m in MARGINS:
            refused = [r["empty"] or r["task"] or r.get(f"margin@{k}", 1.0) > m for r in rows]
            tp = sum(r["refuse"] and x for r, x in zip(rows, refused, strict=True))
            prec = tp / max(1, sum(refused))
            rec = tp / max(1, sum(r["refuse"] for r in rows))
            f1 = 2 * prec * rec / max(1e-9, prec + rec)
            results.append({"k": k, "margin": m, "precision": prec, "recall": rec, "f1": f1})
    best = max(results, key=lambda r: (r["f1"], -abs(r["margin"])))
    for r in results:
        if r["k"] == best["k"]:
            print(
                f"k={r['k']} margin {r['margin']:+.3f}: precision {r['precision']:.3f} "
                f"recall {r['recall']:.3f} f1 {r['f1']:.3f}"
            )
    print(f"best: {best}")
    out = ROOT / "benchmarks" / "results" / "scope_dev.json"
    out.write_text(json.dumps({"best": best, "grid": results}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
