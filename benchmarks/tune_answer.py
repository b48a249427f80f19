"""Choose how many principles an answer shows, on the dev split (never on test).

An answer shows the first principle of the ranking and the next ones while their score
is at least `follow_ratio` of the first. Showing more principles cites a gold principle
more often but cites more records that are not gold; this runs the dev questions for a
grid of ratios and prints gold principle cited, citation precision and their harmonic
mean (the choice), and writes benchmarks/results/answer_dev.json.

    python -m benchmarks.tune_answer
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATIOS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01)


def main() -> None:
    from assistant.config import get_settings
    from assistant.factory import build_assistant
    from eval.metrics import load_corpus_view, summarize
    from eval.run import SPLITS, load_questions, run_eval

    settings = get_settings()
    assistant = build_assistant(settings)
    view = load_corpus_view(settings.principles_path)
    questions = [q for q in load_questions(SPLITS["dev"]) if not q.get("refuse")]
    results = []
    for ratio in RATIOS:
        assistant.shape = dataclasses.replace(assistant.shape, follow_ratio=ratio)
        overall = summarize(run_eval(assistant, questions), view)["overall"]
        cited, precision = overall["gold_principle_cited"], overall["citation_precision"]
        f1 = 2 * cited * precision / max(1e-9, cited + precision)
        row = {
            "follow_ratio": ratio,
            "gold_principle_cited": cited,
            "citation_precision": precision,
            "citation_recall": overall["citation_recall"],
            "lead_correct": overall["lead_correct"],
            "f1": f1,
        }
        results.append(row)
        print(
            f"ratio {ratio:.2f}: cited {cited:.3f} precision {precision:.3f} "
            f"recall {row['citation_recall']:.3f} lead {row['lead_correct']:.3f} f1 {f1:.3f}",
            flush=True,
        )
    best = max(results, key=lambda r: r["f1"])
    print(f"best: {best}")
    out = ROOT / "benchmarks" / "results" / "answer_dev.json"
    out.write_text(json.dumps({"best": best, "grid": results}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
