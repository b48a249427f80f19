"""Run the evaluation questions through an Assistant and store rows plus metrics.

`run_eval` only needs an object with `search(query, k=...)` and `ask(question, history=...)`
as in `assistant.service.Assistant`, so tests can pass a fake.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import yaml

from eval.metrics import PrincipleMap, Row, summarize

EVAL_DIR = Path(__file__).resolve().parent
QUESTIONS_PATH = EVAL_DIR / "questions.yaml"
THRESHOLDS_PATH = EVAL_DIR / "thresholds.yaml"
RESULTS_DIR = EVAL_DIR / "results"
SEARCH_K = 10


class AssistantLike(Protocol):
    def search(self, query: str, k: int = ..., filters: Any = ...) -> list[Any]: ...

    def ask(self, question: str, history: Any = ..., filters: Any = ...) -> Any: ...


def load_questions(path: Path = QUESTIONS_PATH) -> list[dict[str, Any]]:
    """The question items of questions.yaml (a mapping with a `questions` list)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("questions", []))


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, float]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): float(v) for k, v in (data.get("thresholds") or {}).items()}


def select(
    questions: Sequence[Mapping[str, Any]], subset: str | Iterable[str] | None = None
) -> list[Mapping[str, Any]]:
    """`None`/"all": everything; "fast": items marked `fast: true`; else an iterable of ids.

    Stubs that still need review (no gold, not a refusal) are skipped.
    """
    usable = [q for q in questions if not q.get("needs_review")]
    if subset is None or subset == "all":
        return usable
    if subset == "fast":
        return [q for q in usable if q.get("fast")]
    wanted = set(subset)
    return [q for q in usable if q["id"] in wanted]


def _history(item: Mapping[str, Any]) -> list[Any] | None:
    turns = item.get("history") or []
    if not turns:
        return None
    from assistant.types import Turn

    return [Turn(role=t["role"], content=t["content"]) for t in turns]


def evaluate_one(assistant: AssistantLike, item: Mapping[str, Any]) -> Row:
    """Ask the question, then search with the (standalone) question; never raises."""
    row = Row(
        id=item["id"],
        question=item["question"],
        type=item.get("type", ""),
        kernelement=item.get("kernelement"),
        phase=item.get("phase"),
        gold=list(item.get("gold") or []),
        expected=[str(e) for e in item.get("expected") or []],
        refuse=bool(item.get("refuse", False)),
        language=item.get("language", "nl"),
    )
    try:
        start = time.perf_counter()
        answer = assistant.ask(item["question"], history=_history(item))
        wall_ms = (time.perf_counter() - start) * 1000.0
        query = item["question"]
        if item.get("history") and getattr(answer, "standalone_question", ""):
            query = answer.standalone_question
        hits = assistant.search(query, k=SEARCH_K)
        citations = list(getattr(answer, "citations", []) or [])
        timings = getattr(answer, "timings_ms", {}) or {}
        return row.model_copy(
            update={
                "retrieved": [h.id for h in hits],
                "cited": [c.id for c in citations],
                "citations": [
                    {"n": c.n, "id": c.id, "text": c.text, "source": c.source} for c in citations
                ],
                "answer": answer.answer,
                "refused": bool(answer.refused),
                "answer_language": getattr(answer, "language", "") or "",
                "standalone_question": getattr(answer, "standalone_question", "") or "",
                "latency_ms": float(timings.get("total", wall_ms)),
            }
        )
    except Exception as exc:
        return row.model_copy(update={"error": f"{type(exc).__name__}: {exc}"})


def run_eval(
    assistant: AssistantLike,
    questions: Sequence[Mapping[str, Any]],
    subset: str | Iterable[str] | None = None,
) -> list[Row]:
    return [evaluate_one(assistant, item) for item in select(questions, subset)]


def new_run_dir(base: Path = RESULTS_DIR, now: datetime | None = None) -> Path:
    """A fresh eval/results/<timestamp>/ folder (UTC, sortable by name)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    path = base / stamp
    suffix = 1
    while path.exists():
        suffix += 1
        path = base / f"{stamp}-{suffix}"
    path.mkdir(parents=True)
    return path


def previous_run(run_dir: Path) -> Path | None:
    """The latest sibling folder sorting before run_dir that holds a metrics.json."""
    if not run_dir.parent.is_dir():
        return None
    earlier = sorted(
        p
        for p in run_dir.parent.iterdir()
        if p.is_dir() and p.name < run_dir.name and (p / "metrics.json").exists()
    )
    return earlier[-1] if earlier else None


def write_results(
    rows: Sequence[Row], out_dir: Path, principles: PrincipleMap | None = None
) -> dict[str, Any]:
    """Write rows.json and metrics.json into out_dir; returns the metrics."""
    out_dir.mkdir(parents=True, exist_ok=True)
    metrics = summarize(rows, principles)
    (out_dir / "rows.json").write_text(
        json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    (out_dir / "metrics.json").write_text(
        json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return metrics


def read_results(run_dir: Path) -> tuple[list[Row], dict[str, Any]]:
    rows = [Row.model_validate(r) for r in json.loads((run_dir / "rows.json").read_text("utf-8"))]
    metrics = json.loads((run_dir / "metrics.json").read_text("utf-8"))
    return rows, metrics
