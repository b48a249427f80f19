"""Self-contained HTML report of one evaluation run (inline CSS, base64 PNG plots)."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from eval.metrics import PrincipleMap, Row, as_row, worst_rows

TABLE_METRICS: tuple[str, ...] = (
    "n",
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr",
    "ndcg@10",
    "citation_precision",
    "citation_recall",
    "expected_accuracy",
    "refusal_precision",
    "refusal_recall",
    "language_correct",
    "latency_p50_ms",
    "latency_p95_ms",
    "errors",
)
PLOT_METRICS: tuple[str, ...] = ("hit@5", "mrr", "ndcg@10", "citation_precision")
CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px;color:#222}
h1,h2{color:#1b4d6b} table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left} th{background:#eef4f8}
.up{color:#16803c}.down{color:#b42318} .q{background:#fafafa;border:1px solid #ddd;
padding:.8rem;margin:.8rem 0;border-radius:6px} .q p{margin:.3rem 0} .muted{color:#666}
img{max-width:100%;border:1px solid #eee;margin:.5rem 0}
"""


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3f}"
    return str(value)


def figure_to_base64(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def img_tag(b64: str, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}">'


def bar_chart(groups: Mapping[str, Mapping[str, Any]], title: str) -> str:
    """Grouped bars of PLOT_METRICS per group; returns base64 PNG."""
    names = list(groups)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(names) + 2), 3.8))
    width = 0.8 / len(PLOT_METRICS)
    for i, metric in enumerate(PLOT_METRICS):
        values = [groups[n].get(metric) or 0.0 for n in names]
        ax.bar([x + i * width for x in range(len(names))], values, width, label=metric)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(names))])
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=len(PLOT_METRICS))
    return figure_to_base64(fig)


def latency_histogram(latencies: Sequence[float]) -> str:
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(list(latencies) or [0.0], bins=20, color="#1b4d6b")
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("vragen / questions")
    ax.set_title("Latentie / latency")
    return figure_to_base64(fig)


def metrics_table(groups: Mapping[str, Mapping[str, Any]], first_header: str) -> str:
    head = "".join(f"<th>{html.escape(m)}</th>" for m in TABLE_METRICS)
    body = "".join(
        f"<tr><td>{html.escape(name)}</td>"
        + "".join(f"<td>{fmt(vals.get(m))}</td>" for m in TABLE_METRICS)
        + "</tr>"
        for name, vals in groups.items()
    )
    return f"<table><tr><th>{html.escape(first_header)}</th>{head}</tr>{body}</table>"


def diff_table(current: Mapping[str, Any], previous: Mapping[str, Any] | None) -> str:
    if not previous:
        return "<p class='muted'>Geen eerdere run gevonden / no previous run.</p>"
    rows = []
    for m in TABLE_METRICS:
        cur, prev = current.get(m), previous.get(m)
        if cur is None and prev is None:
            continue
        delta = (
            cur - prev if isinstance(cur, int | float) and isinstance(prev, int | float) else None
        )
        lower_is_better = m.startswith("latency") or m == "errors"
        good = delta is not None and ((delta < 0) if lower_is_better else (delta > 0))
        cls = "" if not delta else ("up" if good else "down")
        sign = "" if delta is None else f"{delta:+.3f}"
        rows.append(
            f"<tr><td>{m}</td><td>{fmt(prev)}</td><td>{fmt(cur)}</td>"
            f"<td class='{cls}'>{sign}</td></tr>"
        )
    return (
        "<table><tr><th>metric</th><th>vorige / previous</th><th>nu / now</th><th>Δ</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def worst_section(rows: Sequence[Row], principles: PrincipleMap | None) -> str:
    parts = []
    for row, score in worst_rows(rows, principles, n=10):
        cites = "".join(
            f"<li>[{c.get('n', '')}] <code>{html.escape(str(c.get('id', '')))}</code> "
            f"{html.escape(str(c.get('text', ''))[:200])}</li>"
            for c in row.citations
        ) or "".join(f"<li><code>{html.escape(c)}</code></li>" for c in row.cited)
        parts.append(
            "<div class='q'>"
            f"<p><b>{html.escape(row.id)}</b> ({html.escape(row.type)}, score {score:.2f}) "
            f"{html.escape(row.question)}</p>"
            f"<p class='muted'>gold: {html.escape(', '.join(row.gold) or '—')}"
            f"{' | refuse' if row.refuse else ''}</p>"
            f"<p class='muted'>top-5: {html.escape(', '.join(row.retrieved[:5]) or '—')}</p>"
            f"<p>{html.escape(row.answer) or '<i>(geen antwoord)</i>'}</p>"
            + (f"<p class='down'>{html.escape(row.error)}</p>" if row.error else "")
            + (f"<ul>{cites}</ul>" if cites else "")
            + "</div>"
        )
    return "".join(parts)


def render_report(
    rows: Sequence[Row | Mapping[str, Any]],
    metrics: Mapping[str, Any],
    previous: Mapping[str, Any] | None = None,
    principles: PrincipleMap | None = None,
    title: str = "LISO-assistent — evaluatie",
) -> str:
    """The complete HTML page. `metrics` is the output of `eval.metrics.summarize`."""
    parsed = [as_row(r) for r in rows]
    overall = metrics.get("overall", {})
    by_type = metrics.get("by_type", {})
    by_ke = metrics.get("by_kernelement", {})
    prev_overall = (previous or {}).get("overall") if previous else None
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{CSS}</style></head><body>
<h1>{html.escape(title)}</h1>
<h2>Totaal / overall</h2>{metrics_table({"overall": overall}, "")}
<h2>Per vraagtype / per question type</h2>{metrics_table(by_type, "type")}
{img_tag(bar_chart(by_type, "Per vraagtype / per question type"), "per type")}
<h2>Per kernelement / per core element</h2>{metrics_table(by_ke, "kernelement")}
{img_tag(bar_chart(by_ke, "Per kernelement / per core element"), "per kernelement")}
<h2>Latentie / latency</h2>
{img_tag(latency_histogram([r.latency_ms for r in parsed]), "latency histogram")}
<h2>Verschil met vorige run / diff against previous run</h2>
{diff_table(overall, prev_overall)}
<h2>Slechtste 10 vragen / worst 10 questions</h2>{worst_section(parsed, principles)}
</body></html>
"""


def write_report(
    run_dir: Path,
    rows: Sequence[Row | Mapping[str, Any]],
    metrics: Mapping[str, Any],
    previous: Mapping[str, Any] | None = None,
    principles: PrincipleMap | None = None,
) -> Path:
    path = run_dir / "report.html"
    path.write_text(render_report(rows, metrics, previous, principles), encoding="utf-8")
    return path
