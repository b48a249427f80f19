"""The curated evaluation questions: schema, coverage and gold ids that exist."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from assistant.config import ROOT
from assistant.types import KERNELEMENTEN, PHASES
from eval.commands import append_questions, feedback_stubs, is_thumbs_down
from eval.run import QUESTIONS_PATH, load_questions, select

QuestionType = Literal[
    "howto", "factual", "review", "handbook", "definition", "english", "refuse", "followup"
]
MINIMUMS: dict[str, int] = {
    "howto": 30,
    "factual": 10,
    "review": 10,
    "handbook": 5,
    "definition": 5,
    "english": 15,
    "refuse": 15,
    "followup": 10,
}


class HistoryTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(min_length=1)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^q\d{3,}$")
    question: str = Field(min_length=3)
    type: QuestionType
    kernelement: str | None = None
    phase: Literal["formeren", "onderhoud", "institutionaliseren"] | None = None
    gold: list[str]
    expected: list[str] | None = None
    refuse: bool = False
    history: list[HistoryTurn] | None = None
    language: Literal["nl", "en"]
    fast: bool = False
    needs_review: bool = False
    feedback: dict | None = None


@pytest.fixture(scope="module")
def raw() -> list[dict]:
    return load_questions(QUESTIONS_PATH)


@pytest.fixture(scope="module")
def questions(raw: list[dict]) -> list[Question]:
    return [Question.model_validate(q) for q in raw]


@pytest.fixture(scope="module")
def corpus_ids() -> set[str]:
    path = ROOT / "corpus" / "principles.jsonl"
    return {json.loads(line)["id"] for line in path.open(encoding="utf-8") if line.strip()}


def curated(questions: list[Question]) -> list[Question]:
    return [q for q in questions if not q.needs_review]


def test_at_least_120_questions(questions: list[Question]) -> None:
    assert len(curated(questions)) >= 120


def test_ids_unique(questions: list[Question]) -> None:
    counts = Counter(q.id for q in questions)
    assert [i for i, n in counts.items() if n > 1] == []


def test_questions_unique(questions: list[Question]) -> None:
    counts = Counter((q.question.strip().lower(), bool(q.history)) for q in questions)
    assert [k for k, n in counts.items() if n > 1] == []


@pytest.mark.parametrize(("qtype", "minimum"), sorted(MINIMUMS.items()))
def test_counts_per_type(questions: list[Question], qtype: str, minimum: int) -> None:
    assert sum(q.type == qtype for q in curated(questions)) >= minimum


def test_gold_ids_exist(questions: list[Question], corpus_ids: set[str]) -> None:
    missing = {(q.id, g) for q in questions for g in q.gold if g not in corpus_ids}
    assert missing == set()


def test_gold_present_unless_refusal(questions: list[Question]) -> None:
    for q in curated(questions):
        if q.refuse:
            assert q.type == "refuse" and q.gold == [], q.id
        else:
            assert q.gold, q.id
            assert len(set(q.gold)) == len(q.gold), q.id


def test_refusals_marked(questions: list[Question]) -> None:
    assert all(q.refuse for q in questions if q.type == "refuse")
    injections = [
        q for q in questions if q.refuse and re.search(r"negeer|ignore", q.question, re.I)
    ]
    assert len(injections) >= 2


def test_factual_have_expected_values(questions: list[Question]) -> None:
    for q in questions:
        if q.type == "factual":
            assert q.expected and all(e.strip() for e in q.expected), q.id
            decimals = {e.replace(",", ".") for e in q.expected if re.fullmatch(r"\d+[.,]\d+", e)}
            for value in decimals:  # both the Dutch and the English decimal mark are accepted
                assert value in q.expected and value.replace(".", ",") in q.expected, q.id
        else:
            assert q.expected is None, q.id


def test_followups_have_history(questions: list[Question]) -> None:
    for q in questions:
        if q.type == "followup":
            assert q.history and len(q.history) >= 2, q.id
            assert q.history[0].role == "user" and q.history[-1].role == "assistant", q.id
        else:
            assert q.history is None, q.id


def test_languages(questions: list[Question]) -> None:
    assert all(q.language == "en" for q in questions if q.type == "english")
    assert sum(q.language == "en" for q in questions) >= 15


def test_every_core_element_covered(questions: list[Question]) -> None:
    covered = {q.kernelement for q in questions if q.kernelement}
    assert covered <= set(KERNELEMENTEN)
    assert covered == set(KERNELEMENTEN)
    per_element = Counter(q.kernelement for q in questions if q.type == "howto")
    assert all(per_element[k] >= 3 for k in KERNELEMENTEN), per_element


def test_every_phase_covered(questions: list[Question]) -> None:
    assert {q.phase for q in questions if q.phase} == set(PHASES)


def test_definitions_cover_roles(questions: list[Question]) -> None:
    text = " ".join(q.question.lower() for q in questions if q.type == "definition")
    for term in ("initiator", "trekker", "tweede schil", "coördinator", "consortiumpartners"):
        assert term in text, term


def test_fast_subset(raw: list[dict], questions: list[Question]) -> None:
    fast = select(raw, "fast")
    assert 25 <= len(fast) <= 35
    assert {q["type"] for q in fast} == set(MINIMUMS)
    assert all(q["id"] in {x.id for x in questions} for q in fast)


def test_select_by_ids(raw: list[dict]) -> None:
    assert [q["id"] for q in select(raw, ["q001", "q002"])] == ["q001", "q002"]
    assert len(select(raw, "all")) == len([q for q in raw if not q.get("needs_review")])


def test_thumbs_down_ratings() -> None:
    assert is_thumbs_down("down") and is_thumbs_down(-1) and is_thumbs_down(False)
    assert not is_thumbs_down("up") and not is_thumbs_down(1) and not is_thumbs_down(True)


def test_add_from_feedback_appends_stubs(tmp_path: Path, raw: list[dict]) -> None:
    path = tmp_path / "questions.yaml"
    shutil.copy(QUESTIONS_PATH, path)
    header = QUESTIONS_PATH.read_text(encoding="utf-8").splitlines()[0]
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
    stubs = feedback_stubs(feedback, load_questions(path))
    assert len(stubs) == 1
    append_questions(path, stubs)
    after = load_questions(path)
    assert len(after) == len(raw) + 1
    assert path.read_text(encoding="utf-8").splitlines()[0] == header
    stub = Question.model_validate(after[-1])
    assert stub.needs_review and stub.gold == [] and stub.question == "Hoe betrek ik wethouders?"
    assert int(stub.id[1:]) == max(int(q["id"][1:]) for q in raw) + 1
    assert select(after, "all") == select(raw, "all")
