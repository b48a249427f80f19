"""Latency and memory of search and answers, and index (re)build time (a benchmark).

    .venv/bin/python -m benchmarks.bench_search            # warm search + answers
    .venv/bin/python -m benchmarks.bench_search --rebuild  # also time an index rebuild
                                                           # with unchanged texts

Search: 200 queries (the dev questions, repeated), warm, one at a time; p50/p95.
Answers: the same for `ask` with the extractive backend. Peak resident memory of this
process at the end. Writes benchmarks/results/search.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from assistant.config import ROOT, get_settings
from assistant.factory import build_assistant, make_indexes
from eval.run import SPLITS, load_questions


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    settings = get_settings()
    a = build_assistant(settings)
    questions = [q["question"] for q in load_questions(SPLITS["dev"]) if not q.get("refuse")]
    queries = [questions[i % len(questions)] for i in range(args.n)]
    t0 = time.perf_counter()
    a.warm_up()
    load_s = time.perf_counter() - t0
    search_ms, ask_ms = [], []
    for q in queries:
        a.embedder.clear()  # every query embedded afresh, as for a new question
        t = time.perf_counter()
        a.search(q, k=10)
        search_ms.append((time.perf_counter() - t) * 1000)
    for q in queries:
        a.embedder.clear()
        t = time.perf_counter()
        a.ask(q)
        ask_ms.append((time.perf_counter() - t) * 1000)
    result: dict[str, object] = {
        "queries": len(queries),
        "embedder": a.embedder.model_id,
        "cold_load_s": round(load_s, 2),
        "search_p50_ms": round(statistics.median(search_ms), 1),
        "search_p95_ms": round(_pct(search_ms, 0.95), 1),
        "answer_p50_ms": round(statistics.median(ask_ms), 1),
        "answer_p95_ms": round(_pct(ask_ms, 0.95), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.rebuild:
        with tempfile.TemporaryDirectory() as tmp:
            s2 = settings.model_copy(update={"index_dir": Path(tmp)})
            t = time.perf_counter()
            make_indexes(s2).build(a.embedder, log=lambda m: None)
            result["rebuild_unchanged_texts_s"] = round(time.perf_counter() - t, 2)
    out = ROOT / "benchmarks" / "results" / "search.json"
    out.write_text(json.dumps(result, indent=2))
    for k, v in result.items():
        print(f"{k:<28} {v}")


if __name__ == "__main__":
    main()
