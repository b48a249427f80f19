"""Self-contained HTML report of an evaluation run: dev and test side by side.

It shows each level (record, principle, answer) overall and per question type, the
goals of the evaluation issue with missed ones marked, the relevance distribution, a
trend plot from eval/history.jsonl, and for every failing test question the question,
the expected principle(s) and the answer exactly as a user sees it.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.metrics import GOALS, CorpusView, Row, failing, goal_status, gold_principles

LEVELS: dict[str, tuple[str, ...]] = {
    "principe / principle": ("p_at_1", "principle_hit_at_3"),
    "record": ("hit_at_1", "hit_at_5", "mrr", "ndcg_at_10"),
    "antwoord / answer": (
        "lead_correct",
        "gold_principle_cited",
        "citation_precision",
        "citation_recall",
        "facts",
        "language",
        "refusal_precision",
        "refusal_recall",
        "fragment_rate",
        "latency_p50_ms",
        "latency_p95_ms",
    ),
}
TYPE_METRICS: tuple[str, ...] = (
    "n",
    "p_at_1",
    "principle_hit_at_3",
    "hit_at_5",
    "mrr",
    "lead_correct",
    "gold_principle_cited",
    "citation_precision",
    "facts",
    "language",
    "fragment_rate",
)
TREND_METRICS: tuple[str, ...] = ("p_at_1", "lead_correct", "gold_principle_cited", "hit_at_5")
CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1250px;color:#222}
h1,h2,h3{color:#1b4d6b} table{border-collapse:collapse;margin:1rem 0;font-size:.88rem}
th,td{border:1px solid #ccc;padding:.3rem .55rem;text-align:right}
th:first-child,td:first-child{text-align:left} th{background:#eef4f8}
.miss{background:#fde8e8;color:#8a1c1c;font-weight:600}.met{color:#16803c}
.q{background:#fafafa;border:1px solid #ddd;padding:.8rem;margin:.8rem 0;border-radius:6px}
.q p{margin:.3rem 0} .muted{color:#555} pre{white-space:pre-wrap;font-family:inherit;
background:#fff;border:1px solid #e5e5e5;padding:.6rem} img{max-width:100%}
"""


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3f}"
    return str(value)


def _cell(metric: str, value: Any, mark_goals: bool) -> str:
    status = goal_status(metric, value) if mark_goals else None
    cls = {True: "met", False: "miss", None: ""}[status]
    return f"<td class='{cls}'>{fmt(value)}</td>"


def level_tables(metrics: Mapping[str, Mapping[str, Any]]) -> str:
    """One table per level: metric rows, one column per split; goals marked on test."""
    splits = list(metrics)
    parts = []
    for level, names in LEVELS.items():
        head = "".join(f"<th>{html.escape(s)}</th>" for s in splits)
        body = ""
        for m in names:
            goal = GOALS.get(m)
            goal_txt = f"{goal[0]} {goal[1]:g}" if goal else ""
            cells = "".join(
                _cell(m, metrics[s]["overall"].get(m), mark_goals=s == "test") for s in splits
            )
            body += f"<tr><td>{m}</td>{cells}<td>{html.escape(goal_txt)}</td></tr>"
        parts.append(
            f"<h3>{html.escape(level)}</h3><table><tr><th>metric</th>{head}"
            f"<th>doel / goal</th></tr>{body}</table>"
        )
    return "".join(parts)


def type_table(metrics: Mapping[str, Mapping[str, Any]]) -> str:
    head = "".join(f"<th>{m}</th>" for m in TYPE_METRICS)
    body = ""
    for split, m in metrics.items():
        for name, vals in m["by_type"].items():
            body += (
                f"<tr><td>{html.escape(split)} · {html.escape(name)}</td>"
                + "".join(f"<td>{fmt(vals.get(k))}</td>" for k in TYPE_METRICS)
                + "</tr>"
            )
    return f"<table><tr><th>split · type</th>{head}</tr>{body}</table>"


def relevance_table(metrics: Mapping[str, Mapping[str, Any]]) -> str:
    rows = ""
    for split, m in metrics.items():
        d = m.get("relevance", {})
        hist = ", ".join(f"{k}: {v}" for k, v in d.get("histogram", {}).items())
        rows += (
            f"<tr><td>{html.escape(split)}</td><td>{fmt(d.get('n'))}</td>"
            f"<td>{fmt(d.get('median'))}</td><td>{fmt(d.get('p90'))}</td>"
            f"<td>{fmt(d.get('max'))}</td><td>{fmt(d.get('over_8'))}</td>"
            f"<td style='text-align:left'>{html.escape(hist)}</td></tr>"
        )
    return (
        "<table><tr><th>split</th><th>n</th><th>median</th><th>p90</th><th>max</th>"
        f"<th>&gt; 8</th><th>relevante records : vragen</th></tr>{rows}</table>"
    )


def trend_plot(history: Sequence[Mapping[str, Any]]) -> str:
    """Base64 PNG of the trend of the main metrics per split over the runs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [h for h in history if h.get("subset", "all") == "all"]
    if not runs:
        return ""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for split, style in (("dev", "--"), ("test", "-")):
        pts = [h for h in runs if h.get("split") == split]
        for metric in TREND_METRICS:
            ys = [h.get(metric) for h in pts]
            if any(y is not None for y in ys):
                ax.plot(
                    range(len(pts)),
                    [y if y is not None else float("nan") for y in ys],
                    style,
                    marker="o",
                    label=f"{split} {metric}",
                )
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("run")
    ax.set_title("Trend / trend (eval/history.jsonl)")
    ax.legend(fontsize=7, ncol=2)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="trend" src="data:image/png;base64,{b64}">'


def failing_section(rows: Sequence[Row], view: CorpusView) -> str:
    parts = []
    for row in rows:
        if not failing(row, view):
            continue
        expected = ", ".join(sorted(gold_principles(row, view))) if not row.refuse else "—"
        sources = "\n".join(
            f"[{c.get('n', '')}] {c.get('id', '')} — {c.get('source', '')}" for c in row.citations
        )
        history = "refuse" if row.refuse else f"principles: {expected}"
        parts.append(
            "<div class='q'>"
            f"<p><b>{html.escape(row.id)}</b> ({html.escape(row.type)}) "
            f"{html.escape(row.question)}</p>"
            f"<p class='muted'>verwacht / expected: {html.escape(history)}"
            f"{' · facts: ' + html.escape(str(row.expected)) if row.expected else ''}</p>"
            f"<p class='muted'>{'geweigerd / refused' if row.refused else 'beantwoord / answered'}"
            f" · top-5: {html.escape(', '.join(row.retrieved[:5]))}</p>"
            f"<pre>{html.escape(row.answer or row.error or '(geen antwoord)')}"
            f"{chr(10) * 2 + 'Bronnen:' + chr(10) + html.escape(sources) if sources else ''}"
            "</pre></div>"
        )
    return "".join(parts) or "<p>Geen / none.</p>"


def render_report(
    metrics: Mapping[str, Mapping[str, Any]],
    rows: Mapping[str, Sequence[Row]],
    view: CorpusView,
    history: Sequence[Mapping[str, Any]] = (),
    title: str = "LISO-assistent — evaluatie",
) -> str:
    """The complete HTML page for one or more splits (`metrics[split]` from summarize)."""
    failing_html = "".join(
        f"<h3>{html.escape(split)}</h3>{failing_section(split_rows, view)}"
        for split, split_rows in rows.items()
        if split == "test" or len(rows) == 1
    )
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{CSS}</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="muted">Dev is voor afstemmen, test alleen voor rapporteren. Rood = doel gemist
(doelen gelden voor test). / Dev is for tuning, test only for reporting. Red = goal missed.</p>
<h2>Per niveau / per level</h2>{level_tables(metrics)}
<h2>Per vraagtype / per question type</h2>{type_table(metrics)}
<h2>Relevante records per vraag / relevant records per question</h2>{relevance_table(metrics)}
<h2>Trend</h2>{trend_plot(history)}
<h2>Fout beantwoorde vragen / failing questions</h2>{failing_html}
</body></html>
"""


def write_report(
    run_dir: Path,
    metrics: Mapping[str, Mapping[str, Any]],
    rows: Mapping[str, Sequence[Row]],
    view: CorpusView,
    history: Sequence[Mapping[str, Any]] = (),
) -> Path:
    path = run_dir / "report.html"
    path.write_text(render_report(metrics, rows, view, history), encoding="utf-8")
    return path
