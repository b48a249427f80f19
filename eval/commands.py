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
    "p_at_1",
    "principle_hit_at_3",
    "hit_at_5",
    "mrr",
    "lead_correct",
    "gold_principle_cited",
    "citation_precision",
    "citation_recall",
    "facts",
    "language",
    "refusal_precision",
    "refusal_recall",
    "fragment_rate",
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


def _evaluate(splits: Sequence[str], subset: str) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """Run the splits through a warm assistant: (metrics per split, rows per split, view)."""
    from assistant.config import get_settings
    from assistant.factory import build_assistant
    from eval.metrics import load_corpus_view, summarize
    from eval.run import SPLITS, load_questions, run_eval

    get_settings.cache_clear()
    settings = get_settings()
    assistant = build_assistant(settings)
    assistant.warm_up()  # load the models first, so latency figures are warm
    view = load_corpus_view(settings.principles_path)
    rows = {s: run_eval(assistant, load_questions(SPLITS[s]), subset=subset) for s in splits}
    metrics = {s: summarize(r, view) for s, r in rows.items()}
    return metrics, rows, view


def _json_summary(metrics: Mapping[str, Any]) -> dict[str, Any]:
    return {**metrics["overall"], "by_type": metrics["by_type"], "relevance": metrics["relevance"]}


def _gate_key(split: str, subset: str) -> str:
    return f"{split}-{subset}"


@app.command("run")
def run(
    split: Annotated[str, typer.Option(help="dev | test | both")] = "both",
    subset: Annotated[str, typer.Option(help="all | fast")] = "all",
    as_json: Annotated[
        bool, typer.Option("--json", help="print one JSON object (per split) and nothing else")
    ] = False,
    backend: Annotated[
        str | None, typer.Option(help="generator backend (sets ASSISTANT_GENERATOR)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="results folder (default: timestamped)")] = None,
    check: Annotated[
        bool, typer.Option(help="exit 1 when a metric drops > 0.02 below eval/baseline.json")
    ] = False,
    history: Annotated[bool, typer.Option(help="append a line to eval/history.jsonl")] = True,
) -> None:
    """Run dev and/or test through the assistant; write rows, metrics, report and history."""
    if split not in ("dev", "test", "both"):
        raise typer.BadParameter("--split must be dev, test or both")
    if subset not in ("fast", "all"):
        raise typer.BadParameter("--subset must be fast or all")
    if backend:
        os.environ["ASSISTANT_GENERATOR"] = backend
    from eval.metrics import regressions
    from eval.report import write_report
    from eval.run import append_history, load_baseline, new_run_dir, read_history, write_results

    splits = ["dev", "test"] if split == "both" else [split]
    metrics, rows, view = _evaluate(splits, subset)
    run_dir = out or new_run_dir()
    for s in splits:
        write_results(rows[s], run_dir, view, s)
        if history:
            append_history(s, subset, metrics[s]["overall"])
    report = write_report(run_dir, metrics, rows, view, read_history())
    baseline = load_baseline()
    failures = {
        s: regressions(metrics[s]["overall"], baseline[_gate_key(s, subset)])
        for s in splits
        if _gate_key(s, subset) in baseline
    }
    if as_json:
        payload = (
            _json_summary(metrics[splits[0]])
            if len(splits) == 1
            else {s: _json_summary(metrics[s]) for s in splits}
        )
        typer.echo(json.dumps(payload, ensure_ascii=False))
    else:
        _print_run(metrics, splits, subset, report, failures)
    if check and any(failures.values()):
        raise typer.Exit(1)


def _print_run(
    metrics: Mapping[str, Any],
    splits: Sequence[str],
    subset: str,
    report: Path,
    failures: Mapping[str, Sequence[str]],
) -> None:
    """The tables per split, where the report is, and the gate's verdict."""
    for s in splits:
        typer.echo(f"== {s} ({subset})")
        overall = {"overall": metrics[s]["overall"]}
        typer.echo(format_table(overall | metrics[s]["by_type"], SHOWN_METRICS))
        rel = metrics[s]["relevance"]
        typer.echo(
            f"relevante records per vraag / relevant records per question: "
            f"median {rel.get('median')}, max {rel.get('max')}, > 8: {rel.get('over_8')}\n"
        )
    typer.echo(f"rapport / report: {report}")
    for s, lines in failures.items():
        status = "OK" if not lines else "ACHTERUITGANG / REGRESSION"
        typer.echo(f"poort / gate {s}-{subset}: {status}")
        for line in lines:
            typer.echo(f"  {line}")


@app.command("baseline")
def baseline() -> None:
    """Measure dev (fast subset and all) and test, and write eval/baseline.json.

    Commit the file together with the change that moved the figures; the gate compares
    later runs with it. Say in the closing note why any figure went down.
    """
    from eval.run import BASELINE_PATH, git_commit

    data: dict[str, Any] = {"commit": git_commit()}
    for subset in ("fast", "all"):
        metrics, _, _ = _evaluate(["dev"] if subset == "fast" else ["dev", "test"], subset)
        for s, m in metrics.items():
            data[_gate_key(s, subset)] = {
                k: (round(v, 4) if isinstance(v, float) else v) for k, v in m["overall"].items()
            }
    BASELINE_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    typer.echo(f"{BASELINE_PATH} geschreven / written")


@app.command("add-from-feedback")
def add_from_feedback(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="feedback JSONL")],
    questions: Annotated[
        Path | None, typer.Option(help="question file to extend (default: the dev split)")
    ] = None,
) -> None:
    """Append thumbs-down feedback with a comment as `needs_review` question stubs."""
    from eval.run import SPLITS, load_questions

    path = questions or SPLITS["dev"]
    stubs = feedback_stubs(read_jsonl(file), load_questions(path))
    append_questions(path, stubs)
    typer.echo(f"{len(stubs)} nieuwe vraag-stubs toegevoegd aan {path}")
