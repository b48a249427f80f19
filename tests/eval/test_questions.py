"""The evaluation questions: schema, gold ids that exist, the test split's make-up and lock."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from assistant.config import ROOT
from eval.commands import append_questions, feedback_stubs, is_thumbs_down
from eval.metrics import gold_principles, load_corpus_view
from eval.overlap import question_overlap, record_texts
from eval.run import SPLITS, TEST_CHECKSUM_PATH, file_sha256, load_questions, question_row, select


class HistoryTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(min_length=1)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[qdt]\d{3,}$")
    question: str = Field(min_length=3)
    type: str
    subtype: Literal["near-miss", "far", "instruction", "injection"] | None = None
    kernelement: str | None = None
    phase: Literal["formeren", "onderhoud", "institutionaliseren"] | None = None
    gold: list[str]
    principles: list[str] | None = None
    also_relevant: list[str] | None = None
    polarity: Literal["hinders", "promotes"] | None = None
    expected: list[str | list[str]] | None = None
    refuse: bool = False
    not_covered: str | None = None
    history: list[HistoryTurn] | None = None
    language: Literal["nl", "en"] = "nl"
    rationale: str | None = None
    fast: bool = False
    needs_review: bool = False
    feedback: dict | None = None


# the make-up the evaluation issue asks of the test split
TEST_MINIMUMS = {
    "scenario": 40,
    "multi": 12,
    "phase": 8,
    "figures": 8,
    "factors": 8,
    "aggregation": 6,
    "english": 6,
    "partial": 6,
    "dialogue": 10,
}


@pytest.fixture(scope="module", params=sorted(SPLITS))
def split(request) -> tuple[str, list[dict]]:
    return request.param, load_questions(SPLITS[request.param])


@pytest.fixture(scope="module")
def corpus() -> dict[str, dict]:
    path = ROOT / "corpus" / "principles.jsonl"
    return {
        (r := json.loads(line))["id"]: r for line in path.open(encoding="utf-8") if line.strip()
    }


def test_schema_and_unique_ids(split) -> None:
    _, raw = split
    questions = [Question.model_validate(q) for q in raw]
    assert [i for i, n in Counter(q.id for q in questions).items() if n > 1] == []


def test_gold_ids_exist(split, corpus) -> None:
    _, raw = split
    missing = {
        (q["id"], g)
        for q in raw
        for g in [*(q.get("gold") or []), *(q.get("principles") or [])]
        if g not in corpus
    }
    assert missing == set()


def test_gold_present_unless_refusal(split) -> None:
    _, raw = split
    for q in select(raw):
        if q.get("refuse"):
            assert q["gold"] == [], q["id"]
        else:
            assert q["gold"] and len(set(q["gold"])) == len(q["gold"]), q["id"]


def test_polarity_matches_gold_kinds(split, corpus) -> None:
    _, raw = split
    for q in raw:
        wrong = {"hinders": "bevorderend", "promotes": "belemmerend"}.get(q.get("polarity", ""))
        if wrong:
            assert all(corpus[g]["kind"] != wrong for g in q["gold"]), q["id"]


def test_dialogues_have_history(split) -> None:
    _, raw = split
    for q in raw:
        if q["type"] in ("dialogue", "followup"):
            assert q.get("history") and q["history"][0]["role"] == "user", q["id"]


def test_test_split_is_locked() -> None:
    """The test split changes only together with its checksum (and a closing note)."""
    recorded = TEST_CHECKSUM_PATH.read_text(encoding="utf-8").split()[0]
    assert file_sha256(SPLITS["test"]) == recorded


def test_test_split_make_up() -> None:
    raw = load_questions(SPLITS["test"])
    counts = Counter(q["type"] for q in raw)
    assert len(raw) >= 100
    for qtype, minimum in TEST_MINIMUMS.items():
        assert counts[qtype] >= minimum, (qtype, counts[qtype])
    subtypes = Counter(q.get("subtype") for q in raw)
    assert subtypes["near-miss"] >= 6 and subtypes["injection"] >= 4
    assert sum(1 for q in raw if q.get("refuse")) + subtypes["injection"] >= 12
    assert all(q.get("not_covered") for q in raw if q["type"] == "partial")
    assert all(q.get("language") == "en" for q in raw if q["type"] == "english")
    assert all(q.get("rationale") for q in raw)


def test_test_scenarios_are_in_practitioners_words() -> None:
    texts = record_texts(ROOT / "corpus" / "principles.jsonl")
    for q in load_questions(SPLITS["test"]):
        if q["type"] == "scenario":
            assert 30 <= len(q["question"].split()) <= 60, q["id"]
            assert question_overlap(q, texts) < 0.30, q["id"]


def test_multi_principle_questions_have_two_principles() -> None:
    view = load_corpus_view(ROOT / "corpus" / "principles.jsonl")
    for q in load_questions(SPLITS["test"]):
        if q["type"] == "multi":
            assert len(gold_principles(question_row(q), view)) >= 2, q["id"]


def test_dev_fast_subset_covers_every_type() -> None:
    raw = load_questions(SPLITS["dev"])
    fast = select(raw, "fast")
    assert 40 <= len(fast) <= 70
    assert {q["type"] for q in fast} == {q["type"] for q in raw}


def test_thumbs_down_ratings() -> None:
    assert is_thumbs_down("down") and is_thumbs_down(-1) and is_thumbs_down(False)
    assert not is_thumbs_down("up") and not is_thumbs_down(1) and not is_thumbs_down(True)


def test_add_from_feedback_appends_stubs(tmp_path: Path) -> None:
    path = tmp_path / "dev.yaml"
    shutil.copy(SPLITS["dev"], path)
    raw = load_questions(path)
    header = SPLITS["dev"].read_text(encoding="utf-8").splitlines()[0]
    feedback = [
        {
            "question": "Hoe betrek ik wethouders?",
            "answer": "…",
            "citations": [{"id": "x"}],
            "rating": "down",
            "comment": "mist politiek",
            "timestamp": "2026-01-01T00:00:00",
        },
        {"question": "Goed antwoord", "rating": "up", "comment": "top"},
        {"question": "Zonder commentaar", "rating": "down", "comment": ""},
        {"question": raw[0]["question"], "rating": "down", "comment": "al bekend"},
    ]
    stubs = feedback_stubs(feedback, raw)
    assert len(stubs) == 1
    append_questions(path, stubs)
    after = load_questions(path)
    assert len(after) == len(raw) + 1
    assert path.read_text(encoding="utf-8").splitlines()[0] == header
    stub = Question.model_validate(after[-1])
    assert stub.needs_review and stub.gold == [] and stub.question == "Hoe betrek ik wethouders?"
    assert select(after, "all") == select(raw, "all")
