"""Metrics on hand-made rows with exact numbers, the runner with a fake assistant, the report."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from eval.answer_metrics import (
    answer_sentences,
    contains_fact,
    detect_answer_language,
    facts_score,
    is_fragment,
)
from eval.metrics import (
    Row,
    aggregate,
    corpus_view,
    failing,
    percentile,
    principle_ranking,
    regressions,
    relevance_distribution,
    relevant_records,
    row_scores,
    summarize,
)
from eval.report import render_report, write_report
from eval.run import append_history, read_history, read_rows, run_eval, write_results

# a small corpus: principle p1 (2023) = f1 (2021); p2; factors of p1 of both polarities;
# a definition without principle
RECORDS = [
    {
        "id": "p1",
        "kind": "uitgangspunt",
        "principle_id": "p1",
        "also_in": ["f1"],
        "edition": "delphi-2023",
    },
    {
        "id": "f1",
        "kind": "uitgangspunt",
        "principle_id": "f1",
        "also_in": ["p1"],
        "edition": "framework-2021",
    },
    {"id": "p1-we01", "kind": "werkzaam_element", "principle_id": "p1"},
    {"id": "p1-we02", "kind": "werkzaam_element", "principle_id": "p1"},
    {"id": "f1-we01", "kind": "werkzaam_element", "principle_id": "f1"},
    {"id": "sr-bev", "kind": "bevorderend", "principle_id": "p1"},
    {"id": "sr-bel", "kind": "belemmerend", "principle_id": "p1"},
    {"id": "p2", "kind": "uitgangspunt", "principle_id": "p2"},
    {"id": "p2-we01", "kind": "werkzaam_element", "principle_id": "p2"},
    {"id": "def-x", "kind": "definitie", "principle_id": ""},
]
VIEW = corpus_view(RECORDS)
LOG3 = 1 / math.log2(3)


def row(**kw) -> Row:
    base = {"id": "q1", "question": "?", "type": "howto", "language": "nl"}
    return Row.model_validate(base | kw)


def test_equivalent_principles_share_the_delphi_key() -> None:
    assert VIEW.principle_key("f1") == "p1" and VIEW.principle_key("f1-we01") == "p1"
    assert VIEW.principle_key("def-x") == "def-x"
    assert VIEW.statements("p1") == {"p1", "f1"}


def test_strict_relevance_excludes_unlisted_siblings() -> None:
    r = row(gold=["p1-we01"])
    assert relevant_records(r, VIEW) == {"p1-we01", "p1", "f1"}
    r = row(gold=["p1-we01"], also_relevant=["p1-we02"])
    assert "p1-we02" in relevant_records(r, VIEW)


def test_polarity() -> None:
    hinders = row(gold=["sr-bel", "sr-bev"], polarity="hinders")
    assert relevant_records(hinders, VIEW) == {"sr-bel", "p1", "f1"}
    s = row_scores(hinders.model_copy(update={"cited": ["sr-bev", "sr-bel"]}), VIEW)
    assert s["citation_precision"] == 0.5  # the promoting factor is a wrong citation


def test_record_level_scores() -> None:
    r = row(gold=["p1-we01"], retrieved=["p2", "p1-we02", "f1", "p1-we01"])
    s = row_scores(r, VIEW)
    assert s["hit_at_1"] == 0.0 and s["hit_at_5"] == 1.0
    assert s["mrr"] == pytest.approx(1 / 3)
    # relevant set {p1-we01, p1, f1}: gains at ranks 3 and 4, ideal three
    ideal = 1 + LOG3 + 0.5
    assert s["ndcg_at_10"] == pytest.approx((0.5 + 1 / math.log2(5)) / ideal)


def test_principle_level_scores() -> None:
    r = row(gold=["p1-we01"], retrieved=["p2", "p2-we01", "def-x", "f1-we01"])
    assert principle_ranking(r, VIEW) == ["p2", "def-x", "p1"]
    s = row_scores(r, VIEW)
    assert s["p_at_1"] == 0.0 and s["principle_hit_at_3"] == 1.0
    own = r.model_copy(update={"retrieved_principles": ["f1", "p2"]})
    assert row_scores(own, VIEW)["p_at_1"] == 1.0  # the assistant's own principle ranking


def test_answer_level_scores() -> None:
    r = row(gold=["p1-we01"], principles=["p1"], cited=["p2-we01", "f1-we01", "p1"])
    s = row_scores(r, VIEW)
    assert s["lead_correct"] == 0.0  # first citation belongs to p2
    assert s["gold_principle_cited"] == 1.0
    assert s["citation_precision"] == pytest.approx(2 / 3) and s["citation_recall"] == 1.0
    led = r.model_copy(update={"lead_principle": "f1"})
    assert row_scores(led, VIEW)["lead_correct"] == 1.0


def test_refusals_score_citation_precision() -> None:
    good = row(type="refuse", refuse=True, refused=True)
    answered = row(type="refuse", refuse=True, refused=False, cited=["p1"])
    lost = row(gold=["p1"], refused=True)
    assert row_scores(good, VIEW)["citation_precision"] == 1.0
    assert row_scores(answered, VIEW)["citation_precision"] == 0.0
    s = row_scores(lost, VIEW)
    assert s["citation_precision"] == 0.0 and s["lead_correct"] == 0.0
    agg = aggregate([good, answered, lost, row(gold=["p1"], cited=["p1"])], VIEW)
    assert agg["refusal_precision"] == 0.5 and agg["refusal_recall"] == 0.5


def test_facts_are_whole_tokens() -> None:
    assert contains_fact("De gemiddelde score is 4,5.", "4.5")
    assert contains_fact("mean 4.5 out of 5", "4,5")
    assert not contains_fact("score 20 en 2,5", "2")
    assert contains_fact("nr. 2 van de tien", "2")
    assert not contains_fact("146 experts", "46")
    assert contains_fact("Ruwweg een Derde", "een derde")
    assert contains_fact("37 procent", ["37%", "37 procent"])
    assert facts_score("Synergie scoort 4,6", ["4,6", "Synergie", "145"]) == pytest.approx(2 / 3)
    assert facts_score("x", []) is None


def test_language_is_detected_from_the_answer_text() -> None:
    assert detect_answer_language("Zorg dat de deelnemers elkaar goed leren kennen. [1]") == "nl"
    assert detect_answer_language("Make sure the members get to know each other well.") == "en"
    english_question_dutch_answer = row(
        language="en", gold=["p1"], answer="Zorg dat de leden tevreden zijn over het netwerk. [1]"
    )
    assert row_scores(english_question_dutch_answer, VIEW)["language"] == 0.0


def test_fragments() -> None:
    answer = (
        "Gedeeld leiderschap helpt. [1]\n\n**Wat werkt**\n"
        "- Onderbouwing: er is een trekker. [2]\n"
        "- Als er een communicatieplan wordt opgesteld, [3]\n"
        "- incl. gedegen analyse van de doelgroep [4]\n"
        "- Ledenbetrokkenheid wordt groter wanneer er contact is. [5]\n\nBronnen:\n[1] x,"
    )
    sentences = answer_sentences(answer)
    assert len(sentences) == 5  # heading and sources left out
    assert [is_fragment(s) for s in sentences] == [False, True, True, True, False]
    assert aggregate([row(gold=["p1"], answer=answer)], VIEW)["fragment_rate"] == 0.6


def test_relevance_distribution() -> None:
    rows = [row(gold=["p1-we01"]), row(gold=["def-x"]), row(type="refuse", refuse=True)]
    d = relevance_distribution(rows, VIEW)
    assert d["n"] == 2 and d["max"] == 3 and d["histogram"] == {1: 1, 3: 1}


def test_regressions_against_baseline() -> None:
    base = {"p_at_1": 0.80, "fragment_rate": 0.10, "latency_p95_ms": 50.0, "mrr": 0.5}
    now = {"p_at_1": 0.79, "fragment_rate": 0.13, "latency_p95_ms": 500.0, "mrr": 0.45}
    fails = regressions(now, base)
    assert [f.split(":")[0] for f in fails] == ["mrr", "fragment_rate"]


def test_failing_rows() -> None:
    assert failing(row(type="refuse", refuse=True, refused=False), VIEW)
    assert not failing(row(type="refuse", refuse=True, refused=True), VIEW)
    ok = row(gold=["p1"], cited=["p1"], answer="Ja. [1]")
    assert not failing(ok, VIEW)
    assert failing(ok.model_copy(update={"expected": ["4,6"]}), VIEW)


def test_percentile() -> None:
    assert percentile([100, 200, 300, 400], 50) == 250
    assert percentile([100, 200, 300, 400], 95) == pytest.approx(385)
    assert percentile([7], 95) == 7 and percentile([], 50) == 0.0


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
            answer="Het gemiddelde is 4,6. [1]",
            refused=False,
            citations=[cite],
            timings_ms={"total_ms": 12.5},
            language="nl",
            standalone_question=f"standalone: {question}" if history else question,
        )


QUESTIONS = [
    {"id": "q001", "question": "Hoe?", "type": "howto", "gold": ["p1"], "fast": True},
    {
        "id": "q002",
        "question": "En dan?",
        "type": "followup",
        "gold": ["p1"],
        "history": [{"role": "user", "content": "Hoe?"}, {"role": "assistant", "content": "Zo."}],
    },
    {"id": "q003", "question": "boom", "type": "factual", "gold": ["p1"], "expected": ["4,6"]},
    {"id": "q004", "question": "stub", "type": "howto", "gold": [], "needs_review": True},
]


def test_run_eval_with_fake_assistant() -> None:
    fake = FakeAssistant()
    rows = run_eval(fake, QUESTIONS)
    assert [r.id for r in rows] == ["q001", "q002", "q003"]  # stub skipped
    assert fake.searched == ["Hoe?", "standalone: En dan?"]
    assert rows[0].retrieved == ["p1"] and rows[0].cited == ["p1-we01"]
    assert rows[0].latency_ms == 12.5  # the service's total_ms, not the wall clock
    assert rows[2].error.startswith("RuntimeError") and rows[2].answer == ""
    assert [r.id for r in run_eval(fake, QUESTIONS, subset="fast")] == ["q001"]


def test_write_results_history_and_report(tmp_path: Path) -> None:
    rows = run_eval(FakeAssistant(), QUESTIONS)
    metrics = write_results(rows, tmp_path, VIEW, "dev")
    assert [r.id for r in read_rows(tmp_path / "dev-rows.json")] == ["q001", "q002", "q003"]
    loaded = json.loads((tmp_path / "dev-metrics.json").read_text("utf-8"))
    assert loaded["overall"]["n"] == 3 and loaded["overall"]["errors"] == 1
    history = tmp_path / "history.jsonl"
    append_history("dev", "all", metrics["overall"], history)
    append_history("test", "all", metrics["overall"], history)
    assert [h["split"] for h in read_history(history)] == ["dev", "test"]
    both = {"dev": metrics, "test": summarize(rows, VIEW)}
    path = write_report(tmp_path, both, {"dev": rows, "test": rows}, VIEW, read_history(history))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and "data:image/png;base64," in text
    assert "<th>dev</th><th>test</th>" in text
    assert "boom" in text  # the failing test question is shown


def test_report_marks_missed_goals() -> None:
    bad = row(gold=["p1"], cited=["p2"], answer="Iets anders. [1]", latency_ms=10)
    html = render_report({"test": summarize([bad], VIEW)}, {"test": [bad]}, VIEW)
    assert "class='miss'>0.000</td>" in html
