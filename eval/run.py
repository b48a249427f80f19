"""Run an evaluation split through an assistant and store rows, metrics and history.

`run_eval` only needs an object with `search(query, k=...)` and `ask(question,
history=...)` as in `assistant.service.Assistant` (and, when it has one,
`rank_principles(query)`), so tests can pass a fake.

Splits: `dev` (eval/questions/dev.yaml) is for tuning; `test` (eval/questions/test.yaml)
is locked — its SHA-256 is in eval/questions/test.sha256 and checked by a test — and is
run only to report.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import yaml

from eval.metrics import CorpusView, Row, summarize

EVAL_DIR = Path(__file__).resolve().parent
QUESTIONS_DIR = EVAL_DIR / "questions"
SPLITS: dict[str, Path] = {
    "dev": QUESTIONS_DIR / "dev.yaml",
    "test": QUESTIONS_DIR / "test.yaml",
}
TEST_CHECKSUM_PATH = QUESTIONS_DIR / "test.sha256"
BASELINE_PATH = EVAL_DIR / "baseline.json"
HISTORY_PATH = EVAL_DIR / "history.jsonl"
RESULTS_DIR = EVAL_DIR / "results"
SEARCH_K = 10


class AssistantLike(Protocol):
    def search(self, query: str, k: int = ..., filters: Any = ...) -> list[Any]: ...

    def ask(self, question: str, history: Any = ..., filters: Any = ...) -> Any: ...


def load_questions(path: Path) -> list[dict[str, Any]]:
    """The question items of a split file (a mapping with a `questions` list)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("questions", []))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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


def question_row(item: Mapping[str, Any]) -> Row:
    """The gold side of a row, from a question item."""
    return Row(
        id=item["id"],
        question=item["question"],
        type=item.get("type", ""),
        subtype=item.get("subtype"),
        kernelement=item.get("kernelement"),
        phase=item.get("phase"),
        gold=list(item.get("gold") or []),
        principles=list(item.get("principles") or []),
        also_relevant=list(item.get("also_relevant") or []),
        polarity=item.get("polarity"),
        expected=[e if isinstance(e, list) else str(e) for e in item.get("expected") or []],
        refuse=bool(item.get("refuse", False)),
        language=item.get("language", "nl"),
        not_covered=item.get("not_covered") or "",
        fast=bool(item.get("fast", False)),
    )


def _lead_principle(answer: Any) -> str:
    blocks = getattr(answer, "blocks", None) or []
    return str(getattr(blocks[0], "principle_id", "") or "") if blocks else ""


def evaluate_one(assistant: AssistantLike, item: Mapping[str, Any]) -> Row:
    """Ask the question, then search with the (standalone) question; never raises."""
    row = question_row(item)
    try:
        start = time.perf_counter()
        answer = assistant.ask(item["question"], history=_history(item))
        wall_ms = (time.perf_counter() - start) * 1000.0
        query = getattr(answer, "standalone_question", "") or item["question"]
        hits = assistant.search(query, k=SEARCH_K)
        rank_principles = getattr(assistant, "rank_principles", None)
        principles = [p.id for p in rank_principles(query)] if rank_principles else []
        citations = list(getattr(answer, "citations", []) or [])
        timings = getattr(answer, "timings_ms", {}) or {}
        return row.model_copy(
            update={
                "retrieved": [h.id for h in hits],
                "retrieved_principles": principles,
                "cited": [c.id for c in citations],
                "citations": [
                    {"n": c.n, "id": c.id, "text": c.text, "source": c.source} for c in citations
                ],
                "lead_principle": _lead_principle(answer),
                "answer": answer.answer,
                "refused": bool(answer.refused),
                "standalone_question": getattr(answer, "standalone_question", "") or "",
                "latency_ms": float(timings.get("total_ms", wall_ms)),
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


def write_results(rows: Sequence[Row], out_dir: Path, view: CorpusView, split: str) -> dict:
    """Write <split>-rows.json and <split>-metrics.json into out_dir; return the metrics."""
    out_dir.mkdir(parents=True, exist_ok=True)
    metrics = summarize(rows, view)
    (out_dir / f"{split}-rows.json").write_text(
        json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    (out_dir / f"{split}-metrics.json").write_text(
        json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return metrics


def read_rows(path: Path) -> list[Row]:
    return [Row.model_validate(r) for r in json.loads(path.read_text("utf-8"))]


def git_commit(root: Path = EVAL_DIR.parent) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def append_history(
    split: str,
    subset: str,
    overall: Mapping[str, Any],
    path: Path = HISTORY_PATH,
    now: datetime | None = None,
) -> dict[str, Any]:
    """One JSON line per run: when, which commit, which split, the overall metrics."""
    entry = {
        "time": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": git_commit(),
        "split": split,
        "subset": subset,
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in overall.items()},
    }
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def read_history(path: Path = HISTORY_PATH) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


def load_baseline(path: Path = BASELINE_PATH) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
