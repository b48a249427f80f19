"""Metrics on hand-made rows with exact numbers, the runner with a fake assistant, the report."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from eval.metrics import (
    Row,
    aggregate,
    check_thresholds,
    citation_precision,
    citation_recall,
    contains_expected,
    hit_at_k,
    ndcg_at_k,
    percentile,
    reciprocal_rank,
    row_scores,
    summarize,
    worst_rows,
)
from eval.report import render_report, write_report
from eval.run import new_run_dir, previous_run, read_results, run_eval, write_results

PM = {"p1-we01": "p1", "p1-we02": "p1", "p2-we01": "p2", "sr-x": "p1"}
LOG3 = 1 / math.log2(3)


def row(**kw) -> Row:
    base = {"id": "q1", "question": "?", "type": "howto", "language": "nl"}
    return Row.model_validate(base | kw)


PERFECT = row(
    id="perfect",
    kernelement="Synergie",
    gold=["p1", "p2"],
    retrieved=["p1", "p2", "z"],
    cited=["p1", "p2"],
    answer="ok",
    answer_language="nl",
    latency_ms=100,
)
EMPTY = row(
    id="empty",
    kernelement="Synergie",
    gold=["p1"],
    retrieved=[],
    cited=[],
    answer="",
    answer_language="nl",
    latency_ms=200,
)
PARTIAL = row(
    id="partial",
    type="review",
    kernelement="Organisatie",
    gold=["p1-we01"],
    retrieved=["z", "p1-we02", "p1"],
    cited=["p1", "x"],
    answer="ok",
    answer_language="en",
    latency_ms=300,
)


def test_perfect_row() -> None:
    s = row_scores(PERFECT, PM)
    assert s["hit@1"] == s["hit@3"] == s["hit@5"] == 1.0
    assert s["mrr"] == 1.0
    assert s["ndcg@10"] == pytest.approx(1.0)
    assert s["citation_precision"] == 1.0 and s["citation_recall"] == 1.0
    assert s["language_correct"] == 1.0 and s["expected_accuracy"] is None


def test_empty_row() -> None:
    s = row_scores(EMPTY, PM)
    assert s["hit@1"] == s["hit@5"] == s["mrr"] == s["ndcg@10"] == 0.0
    assert s["citation_precision"] is None  # nothing cited
    assert s["citation_recall"] == 0.0


def test_partial_row_uses_principle_rule() -> None:
    s = row_scores(PARTIAL, PM)
    # p1-we02 is relevant through its principle p1 (the principle of gold p1-we01)
    assert s["hit@1"] == 0.0 and s["hit@3"] == 1.0
    assert s["mrr"] == 0.5
    # p1 at rank 3 covers the same gold unit again: no extra gain
    assert s["ndcg@10"] == pytest.approx(LOG3)
    assert s["citation_precision"] == 0.5 and s["citation_recall"] == 1.0
    assert s["language_correct"] == 0.0


def test_ndcg_two_gold_units() -> None:
    got = ndcg_at_k(["x", "p2-we01", "y", "p1"], ["p1", "p2"], 10, PM)
    expected = (LOG3 + 1 / math.log2(5)) / (1 + LOG3)
    assert got == pytest.approx(expected)
    assert got == pytest.approx(0.650921, abs=1e-6)


def test_rank_metrics_without_principle_map() -> None:
    assert hit_at_k(["a", "b"], ["b"], 1, {}) == 0.0
    assert hit_at_k(["a", "b"], ["b"], 3, {}) == 1.0
    assert reciprocal_rank(["a", "b", "c"], ["c"], {}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["p1-we01"], ["p1"], {}) == 0.0  # no map: exact ids only
    assert reciprocal_rank(["p1-we01"], ["p1"], PM) == 1.0
    assert reciprocal_rank(["sr-x"], ["p1-we02"], PM) == 1.0  # sibling via shared principle


def test_citation_metrics() -> None:
    assert citation_precision(["p1-we01", "p2", "q"], ["p1", "p2"], PM) == pytest.approx(2 / 3)
    assert citation_recall(["p1-we01"], ["p1", "p2"], PM) == 0.5
    assert citation_recall(["z"], [], PM) is None


def test_aggregate_three_rows() -> None:
    agg = aggregate([PERFECT, EMPTY, PARTIAL], PM)
    assert agg["n"] == 3
    assert agg["hit@1"] == pytest.approx(1 / 3)
    assert agg["hit@3"] == pytest.approx(2 / 3)
    assert agg["mrr"] == pytest.approx(0.5)
    assert agg["ndcg@10"] == pytest.approx((1 + 0 + LOG3) / 3)
    assert agg["citation_precision"] == pytest.approx(0.75)  # mean of 1.0 and 0.5
    assert agg["citation_recall"] == pytest.approx(2 / 3)
    assert agg["language_correct"] == pytest.approx(2 / 3)
    assert agg["latency_p50_ms"] == 200 and agg["latency_p95_ms"] == pytest.approx(290)
    assert agg["expected_accuracy"] is None


def test_aggregate_accepts_dicts() -> None:
    assert aggregate([PERFECT.model_dump()], PM)["mrr"] == 1.0


def test_empty_aggregate() -> None:
    agg = aggregate([], PM)
    assert agg["n"] == 0 and agg["mrr"] is None and agg["latency_p95_ms"] is None


def test_expected_values() -> None:
    assert contains_expected("De gemiddelde score is 4,6.", ["4.6"])
    assert contains_expected("mean 4.6 out of 5", ["4,6", "4.6"])
    assert not contains_expected("score 4,65", ["4,6"])
    assert not contains_expected("46 experts", ["4,6"])
    assert contains_expected("Er deden 46 experts mee.", ["46"])
    assert not contains_expected("146 experts", ["46"])
    assert contains_expected("Ruwweg een Derde", ["een derde"])
    assert not contains_expected("", ["46"])


def test_expected_accuracy_in_aggregate() -> None:
    good = row(id="a", type="factual", gold=["p1"], expected=["4,6", "4.6"], answer="Het is 4,6.")
    bad = row(id="b", type="factual", gold=["p1"], expected=["46"], answer="Ongeveer 40.")
    assert aggregate([good, bad], PM)["expected_accuracy"] == 0.5


def test_refusal_precision_recall() -> None:
    rows = [
        row(id="a", type="refuse", refuse=True, refused=True),
        row(id="b", type="refuse", refuse=True, refused=False),
        row(id="c", gold=["p1"], refused=True),
        row(id="d", gold=["p1"], refused=False),
    ]
    agg = aggregate(rows, PM)
    assert agg["refusal_precision"] == 0.5 and agg["refusal_recall"] == 0.5
    # refusal rows have no gold: they stay out of the retrieval means
    assert row_scores(rows[0], PM)["mrr"] is None


def test_percentile() -> None:
    assert percentile([100, 200, 300, 400], 50) == 250
    assert percentile([100, 200, 300, 400], 95) == pytest.approx(385)
    assert percentile([7], 95) == 7 and percentile([], 50) == 0.0


def test_summarize_groups() -> None:
    summary = summarize([PERFECT, EMPTY, PARTIAL], PM)
    assert set(summary["by_type"]) == {"howto", "review"}
    assert set(summary["by_kernelement"]) == {"Synergie", "Organisatie"}
    assert summary["by_type"]["howto"]["mrr"] == 0.5
    assert summary["by_kernelement"]["Organisatie"]["mrr"] == 0.5


def test_thresholds() -> None:
    overall = {"hit@5": 0.9, "mrr": 0.4, "latency_p95_ms": 5000.0, "refusal_recall": None}
    fails = check_thresholds(
        overall, {"hit@5": 0.8, "mrr": 0.5, "latency_p95_ms_max": 4000, "refusal_recall": 0.8}
    )
    assert len(fails) == 3 and fails[0].startswith("mrr")


def test_worst_rows_order() -> None:
    worst = worst_rows([PERFECT, EMPTY, PARTIAL], PM, n=2)
    assert [r.id for r, _ in worst] == ["empty", "partial"]


# ----------------------------------------------------------------- runner with a fake


class FakeAssistant:
    def __init__(self) -> None:
        self.searched: list[str] = []

    def search(self, query: str, k: int = 8, filters=None):
        self.searched.append(query)
        return [SimpleNamespace(id="p1", score=1.0, rank=1)][:k]

    def ask(self, question: str, history=None, filters=None):
        if "boom" in question:
            raise RuntimeError("kapot")
        cite = SimpleNamespace(n=1, id="p1-we01", text="tekst", source="bron")
        return SimpleNamespace(
            answer="Antwoord 4,6",
            refused=False,
            citations=[cite],
            timings_ms={"total": 12.5},
            language="nl",
            standalone_question=f"standalone: {question}" if history else question,
        )


QUESTIONS = [
    {
        "id": "q001",
        "question": "Hoe?",
        "type": "howto",
        "gold": ["p1"],
        "language": "nl",
        "fast": True,
    },
    {
        "id": "q002",
        "question": "En dan?",
        "type": "followup",
        "gold": ["p1"],
        "language": "nl",
        "history": [{"role": "user", "content": "Hoe?"}, {"role": "assistant", "content": "Zo."}],
    },
    {
        "id": "q003",
        "question": "boom",
        "type": "factual",
        "gold": ["p1"],
        "expected": ["4,6"],
        "language": "nl",
    },
    {
        "id": "q004",
        "question": "stub",
        "type": "howto",
        "gold": [],
        "language": "nl",
        "needs_review": True,
    },
]


def test_run_eval_with_fake_assistant() -> None:
    fake = FakeAssistant()
    rows = run_eval(fake, QUESTIONS)
    assert [r.id for r in rows] == ["q001", "q002", "q003"]  # stub skipped
    assert fake.searched == ["Hoe?", "standalone: En dan?"]
    assert rows[0].retrieved == ["p1"] and rows[0].cited == ["p1-we01"]
    assert rows[0].latency_ms == 12.5 and rows[0].answer_language == "nl"
    assert rows[2].error.startswith("RuntimeError") and rows[2].answer == ""
    assert [r.id for r in run_eval(fake, QUESTIONS, subset="fast")] == ["q001"]


def test_write_results_and_previous_run(tmp_path: Path) -> None:
    rows = run_eval(FakeAssistant(), QUESTIONS)
    first = tmp_path / "20260101-000000"
    second = tmp_path / "20260102-000000"
    write_results(rows, first, PM)
    metrics = write_results(rows, second, PM)
    assert previous_run(second) == first and previous_run(first) is None
    loaded_rows, loaded = read_results(second)
    assert [r.id for r in loaded_rows] == ["q001", "q002", "q003"]
    assert loaded == json.loads(json.dumps(metrics))
    assert loaded["overall"]["n"] == 3 and loaded["overall"]["errors"] == 1
    assert new_run_dir(tmp_path).parent == tmp_path


# ----------------------------------------------------------------- report


def test_report_renders_plots(tmp_path: Path) -> None:
    rows = [PERFECT, EMPTY, PARTIAL]
    metrics = summarize(rows, PM)
    previous = json.loads(json.dumps(summarize([PERFECT], PM)))
    path = write_report(tmp_path, rows, metrics, previous, PM)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>")
    assert text.count('<img alt="') == 3
    assert text.count('src="data:image/png;base64,') == 3
    assert "<style>" in text and "partial" in text and "Organisatie" in text
    assert "vorige / previous" in text


def test_report_without_previous_run() -> None:
    html = render_report([PERFECT], summarize([PERFECT], PM))
    assert "no previous run" in html and "data:image/png;base64," in html
