"""`python -m assistant eval ...`: run the evaluation, grow the question set from feedback."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Evaluatie: vragenset, metrics en rapport.", no_args_is_help=True)

SHOWN_METRICS: tuple[str, ...] = (
    "n",
    "hit@1",
    "hit@5",
    "mrr",
    "ndcg@10",
    "citation_precision",
    "citation_recall",
    "expected_accuracy",
    "refusal_recall",
    "language_correct",
    "latency_p95_ms",
)
THUMBS_DOWN: frozenset[str] = frozenset(
    {"down", "thumbs_down", "thumbsdown", "thumbs-down", "-1", "negative", "bad", "👎"}
)


def format_cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def format_table(groups: Mapping[str, Mapping[str, Any]], metrics: Sequence[str]) -> str:
    """Plain-text table: one line per group, one column per metric."""
    name_w = max([len(g) for g in groups] + [8]) + 2
    widths = [max(len(m), 7) + 2 for m in metrics]
    header = "group".ljust(name_w) + "".join(
        m.rjust(w) for m, w in zip(metrics, widths, strict=True)
    )
    lines = [header, "-" * len(header)]
    for name, vals in groups.items():
        cells = (format_cell(vals.get(m)).rjust(w) for m, w in zip(metrics, widths, strict=True))
        lines.append(name.ljust(name_w) + "".join(cells))
    return "\n".join(lines)


def is_thumbs_down(rating: Any) -> bool:
    if isinstance(rating, bool):
        return rating is False
    if isinstance(rating, int | float):
        return rating < 0
    return str(rating).strip().lower() in THUMBS_DOWN


def next_ids(existing: Iterable[str], count: int) -> list[str]:
    numbers = [int(i[1:]) for i in existing if i.startswith("q") and i[1:].isdigit()]
    start = max(numbers, default=0) + 1
    return [f"q{n:03d}" for n in range(start, start + count)]


def feedback_stubs(
    feedback: Iterable[Mapping[str, Any]], questions: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """New question stubs for thumbs-down feedback with a comment (no duplicate questions)."""
    seen = {str(q.get("question", "")).strip().lower() for q in questions}
    picked: list[Mapping[str, Any]] = []
    for fb in feedback:
        question = str(fb.get("question", "")).strip()
        comment = str(fb.get("comment") or "").strip()
        if not question or not comment or not is_thumbs_down(fb.get("rating")):
            continue
        if question.lower() in seen:
            continue
        seen.add(question.lower())
        picked.append(fb)
    ids = next_ids((str(q.get("id", "")) for q in questions), len(picked))
    stubs = []
    for qid, fb in zip(ids, picked, strict=True):
        cited = [c.get("id", c) if isinstance(c, Mapping) else c for c in fb.get("citations") or []]
        stubs.append(
            {
                "id": qid,
                "question": str(fb["question"]).strip(),
                "type": "howto",
                "gold": [],
                "language": "nl",
                "needs_review": True,
                "feedback": {
                    "comment": str(fb.get("comment", "")).strip(),
                    "answer": str(fb.get("answer", ""))[:1000],
                    "cited": [str(c) for c in cited],
                    "timestamp": str(fb.get("timestamp", "")),
                },
            }
        )
    return stubs


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return rows


def append_questions(path: Path, stubs: Sequence[Mapping[str, Any]]) -> None:
    """Append items to the `questions:` list, keeping the file's text and comments as is."""
    import yaml

    if not stubs:
        return
    text = path.read_text(encoding="utf-8")
    addition = yaml.safe_dump(list(stubs), sort_keys=False, allow_unicode=True, width=100)
    new_text = text if text.endswith("\n") else text + "\n"
    new_text += addition
    data = yaml.safe_load(new_text)
    if not isinstance(data, dict) or len(data.get("questions", [])) != len(
        (yaml.safe_load(text) or {}).get("questions", [])
    ) + len(stubs):
        raise RuntimeError(f"appending would corrupt {path}; nothing written")
    path.write_text(new_text, encoding="utf-8")


@app.command("run")
def run(
    subset: Annotated[str, typer.Option(help="fast | all")] = "all",
    backend: Annotated[
        str | None, typer.Option(help="generator backend (sets ASSISTANT_GENERATOR)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="results folder (default: timestamped)")] = None,
    check: Annotated[bool, typer.Option(help="exit 1 when thresholds.yaml is not met")] = False,
) -> None:
    """Run the question set through the assistant and write rows, metrics and report."""
    if subset not in ("fast", "all"):
        raise typer.BadParameter("--subset must be fast or all")
    if backend:
        os.environ["ASSISTANT_GENERATOR"] = backend
    from assistant.config import get_settings
    from assistant.service import Assistant
    from eval.metrics import check_thresholds, load_principle_map
    from eval.report import write_report
    from eval.run import (
        load_questions,
        load_thresholds,
        new_run_dir,
        previous_run,
        run_eval,
        write_results,
    )

    get_settings.cache_clear()
    settings = get_settings()
    assistant = Assistant(settings)
    assistant.warm_up()  # load the models first, so latency figures are warm
    rows = run_eval(assistant, load_questions(), subset=subset)
    run_dir = out or new_run_dir()
    principles = load_principle_map(settings.principles_path)
    metrics = write_results(rows, run_dir, principles)
    prev_dir = previous_run(run_dir)
    previous = json.loads((prev_dir / "metrics.json").read_text("utf-8")) if prev_dir else None
    report = write_report(run_dir, rows, metrics, previous, principles)
    typer.echo(format_table({"overall": metrics["overall"]} | metrics["by_type"], SHOWN_METRICS))
    typer.echo("")
    typer.echo(format_table(metrics["by_kernelement"], SHOWN_METRICS))
    typer.echo(f"\nrapport / report: {report}")
    if subset == "fast":
        failures = check_thresholds(metrics["overall"], load_thresholds())
        typer.echo("kwaliteitspoort / quality gate: " + ("OK" if not failures else "FAALT"))
        for line in failures:
            typer.echo(f"  {line}")
        if failures and check:
            raise typer.Exit(1)


@app.command("add-from-feedback")
def add_from_feedback(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="feedback JSONL")],
    questions: Annotated[Path | None, typer.Option(help="questions.yaml to extend")] = None,
) -> None:
    """Append thumbs-down feedback with a comment as `needs_review` question stubs."""
    from eval.run import QUESTIONS_PATH, load_questions

    path = questions or QUESTIONS_PATH
    stubs = feedback_stubs(read_jsonl(file), load_questions(path))
    append_questions(path, stubs)
    typer.echo(f"{len(stubs)} nieuwe vraag-stubs toegevoegd aan {path}")
