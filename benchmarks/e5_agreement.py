"""The plain-torch e5 embedder against sentence-transformers, on everything the app embeds.

Embeds, with both and no cache, every record and unit passage (passage prompt), every
question of the bank and the out-of-scope bank, and every dev and test question (query
prompt); reports per part the lowest and mean cosine, how many vectors are bit for bit
the same, the largest difference of a coordinate, whether every eval question keeps its
five nearest records in the same order, and the time each embedder took. Writes
benchmarks/results/e5_agreement.json.

    python -m benchmarks.e5_agreement          # about two minutes on 2 cores
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import ROOT, get_settings
from corpus.build import read_jsonl
from corpus.units import build_units, load_bank, load_out_of_scope, unit_passage
from eval.run import load_questions
from index.e5_embedder import E5Embedder
from index.embedders import SentenceTransformerEmbedder, prepare_runtime

RESULTS = ROOT / "benchmarks" / "results" / "e5_agreement.json"
THREADS = 2


def texts() -> dict[str, tuple[str, list[str]]]:
    """part -> (prompt, texts)."""
    s = get_settings()
    records = read_jsonl(s.principles_path)
    by_id = {r.id: r for r in records}
    evalq = [
        str(q["question"])
        for split in ("dev", "test")
        for q in load_questions(ROOT / "eval" / "questions" / f"{split}.yaml")
    ]
    return {
        "records": ("passage", [r.embed_text() for r in records]),
        "unit passages": ("passage", [unit_passage(u, by_id) for u in build_units(records)]),
        "bank questions": ("query", [q.text for q in load_bank(s.bank_path)]),
        "out-of-scope questions": (
            "query",
            [q.text for q in load_out_of_scope(s.out_of_scope_path)],
        ),
        "eval questions": ("query", evalq),
    }


def embed(embedder: Any, parts: dict[str, tuple[str, list[str]]]) -> tuple[dict, float]:
    t0 = time.perf_counter()
    out = {
        name: embedder.embed_passages(xs) if prompt == "passage" else embedder.embed_queries(xs)
        for name, (prompt, xs) in parts.items()
    }
    return out, round(time.perf_counter() - t0, 1)


def main() -> int:
    prepare_runtime(THREADS)
    s = get_settings()
    adapter = s.adapter_dir if s.adapter_dir and s.adapter_dir.is_dir() else None
    parts = texts()
    load = [os.getloadavg()]
    old, old_s = embed(SentenceTransformerEmbedder(s.st_model_dir, 16, THREADS, adapter), parts)
    new_embedder = E5Embedder(
        s.st_model_dir, 16, THREADS, adapter, "latin", Path(tempfile.mkdtemp(prefix="e5-vocab-"))
    )
    new, new_s = embed(new_embedder, parts)
    load.append(os.getloadavg())
    rows = []
    for name in parts:
        a, b = old[name], new[name]
        cos = np.sum(a * b, axis=1)
        rows.append(
            {
                "part": name,
                "n": len(a),
                "min_cosine": float(cos.min()),
                "mean_cosine": float(cos.mean()),
                "bit_identical": int(np.all(a == b, axis=1).sum()),
                "max_abs_difference": float(np.abs(a - b).max()),
            }
        )
    top_old = np.argsort(-(old["eval questions"] @ old["records"].T), axis=1)[:, :5]
    top_new = np.argsort(-(new["eval questions"] @ new["records"].T), axis=1)[:, :5]
    result = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "load_average_before_after": [[round(x, 2) for x in la] for la in load],
        "model_id": new_embedder.model_id,
        "parts": rows,
        "eval_questions_same_top5_in_order": int((top_old == top_new).all(axis=1).sum()),
        "eval_questions": len(top_old),
        "seconds": {"sentence-transformers": old_s, "e5": new_s},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for r in rows:
        print(
            f"{r['part']:<24} n={r['n']:<5} min cos {r['min_cosine']:.7f}  "
            f"identical {r['bit_identical']}/{r['n']}  max |diff| {r['max_abs_difference']:.2e}"
        )
    print(
        f"same top-5 for {result['eval_questions_same_top5_in_order']}/{len(top_old)} eval "
        f"questions; seconds {result['seconds']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
