"""Evaluation metrics: pure functions over result rows.

A row is one evaluated question (a `Row` model or a plain dict with the same keys):
`{id, question, type, kernelement, gold, expected, refuse, language, retrieved, cited,
answer, refused, answer_language, latency_ms}`.

Relevance rule (binary, used by every retrieval and citation metric)
--------------------------------------------------------------------
Each record has a *principle key*: its `principle_id` when it has one, else its own id.
For a question, the *gold set* is its gold ids plus the principle keys of those gold ids
(so a gold working element brings in the principle it belongs to, and a gold principle
stays itself). A retrieved or cited record is relevant when its id or its principle key is
in the gold set. Hence a principle counts when one of its working elements is gold, and
a working element (or scoping-review factor, or explanation) counts when its principle is
gold or one of its siblings is gold.

For rank metrics each gold *unit* is counted once: a relevant record covers the principle
key it matched through, and later records covering the same key add no gain. The ideal
ranking for nDCG@k has `min(k, number of distinct gold keys)` relevant records, so nDCG
stays within [0, 1].

The id -> principle_id map comes from the corpus (`load_principle_map`); without it,
every record is its own principle and relevance is exact id match.

Rows with `refuse: true` or without gold ids are left out of retrieval and citation
metrics; refusal metrics use all rows.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

PrincipleMap = Mapping[str, str]
HIT_KS: tuple[int, ...] = (1, 3, 5)
NDCG_K = 10


class Row(BaseModel):
    """One evaluated question with what the assistant retrieved, cited and answered."""

    id: str
    question: str
    type: str
    kernelement: str | None = None
    phase: str | None = None
    gold: list[str] = Field(default_factory=list)
    expected: list[str] = Field(default_factory=list)
    refuse: bool = False
    language: str = "nl"
    retrieved: list[str] = Field(default_factory=list)
    cited: list[str] = Field(default_factory=list)
    citations: list[dict[str, Any]] = Field(default_factory=list)
    answer: str = ""
    refused: bool = False
    answer_language: str = ""
    standalone_question: str = ""
    latency_ms: float = 0.0
    error: str = ""


# --------------------------------------------------------------------------- helpers


def as_row(row: Row | Mapping[str, Any]) -> Row:
    """Accept pydantic rows and plain dicts alike."""
    return row if isinstance(row, Row) else Row.model_validate(dict(row))


def load_principle_map(path: Path) -> dict[str, str]:
    """Read `id -> principle_id` (empty principle ids are left out) from principles.jsonl."""
    mapping: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                if rec.get("principle_id"):
                    mapping[rec["id"]] = rec["principle_id"]
    return mapping


def principle_key(record_id: str, principles: PrincipleMap) -> str:
    return principles.get(record_id) or record_id


def gold_keys(gold: Iterable[str], principles: PrincipleMap) -> set[str]:
    """Distinct principle keys of the gold ids: the units recall and nDCG count."""
    return {principle_key(g, principles) for g in gold}


def gold_set(gold: Iterable[str], principles: PrincipleMap) -> set[str]:
    """Gold ids plus their principle keys."""
    gold = list(gold)
    return set(gold) | gold_keys(gold, principles)


def matched_key(record_id: str, gold: Sequence[str], principles: PrincipleMap) -> str | None:
    """The gold unit a record covers, or None when it is not relevant."""
    accepted = gold_set(gold, principles)
    key = principle_key(record_id, principles)
    if record_id in accepted or key in accepted:
        return key
    return None


def is_relevant(record_id: str, gold: Sequence[str], principles: PrincipleMap) -> bool:
    return matched_key(record_id, gold, principles) is not None


def gains(retrieved: Sequence[str], gold: Sequence[str], principles: PrincipleMap) -> list[int]:
    """Binary gain per rank; a gold unit already covered earlier gains nothing."""
    seen: set[str] = set()
    out: list[int] = []
    for rid in retrieved:
        key = matched_key(rid, gold, principles)
        if key is None or key in seen:
            out.append(0)
        else:
            seen.add(key)
            out.append(1)
    return out


# --------------------------------------------------------------------------- per row


def hit_at_k(
    retrieved: Sequence[str], gold: Sequence[str], k: int, principles: PrincipleMap
) -> float:
    return 1.0 if any(is_relevant(r, gold, principles) for r in retrieved[:k]) else 0.0


def reciprocal_rank(
    retrieved: Sequence[str], gold: Sequence[str], principles: PrincipleMap
) -> float:
    for rank, rid in enumerate(retrieved, start=1):
        if is_relevant(rid, gold, principles):
            return 1.0 / rank
    return 0.0


def ndcg_at_k(
    retrieved: Sequence[str], gold: Sequence[str], k: int, principles: PrincipleMap
) -> float:
    ideal_n = min(k, len(gold_keys(gold, principles)))
    if ideal_n == 0:
        return 0.0
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains(retrieved[:k], gold, principles)))
    idcg = sum(1.0 / math.log2(i + 2) for i in range(ideal_n))
    return dcg / idcg


def citation_precision(
    cited: Sequence[str], gold: Sequence[str], principles: PrincipleMap
) -> float | None:
    """Share of cited ids that are relevant; None when nothing was cited."""
    if not cited:
        return None
    return sum(is_relevant(c, gold, principles) for c in cited) / len(cited)


def citation_recall(
    cited: Sequence[str], gold: Sequence[str], principles: PrincipleMap
) -> float | None:
    """Share of gold principle keys covered by at least one citation."""
    keys = gold_keys(gold, principles)
    if not keys:
        return None
    covered = {matched_key(c, gold, principles) for c in cited} - {None}
    return len(covered & keys) / len(keys)


_DECIMAL = re.compile(r"(?<=\d),(?=\d)")


def normalise_text(text: str) -> str:
    """Lower-case, decimal comma to point, collapse whitespace."""
    return " ".join(_DECIMAL.sub(".", text.lower()).split())


def contains_expected(answer: str, expected: Sequence[str]) -> bool:
    """Any expected string occurs in the answer; numbers must not be part of a longer number."""
    norm = normalise_text(answer)
    for exp in expected:
        e = normalise_text(exp)
        if not e:
            continue
        if re.fullmatch(r"[\d.%/ ]+", e):
            pattern = rf"(?<![\d.]){re.escape(e)}(?!\.?\d)"
            if re.search(pattern, norm):
                return True
        elif e in norm:
            return True
    return False


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in [0, 100]); 0.0 for no values."""
    if not values:
        return 0.0
    data = sorted(values)
    pos = (len(data) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


# --------------------------------------------------------------------------- aggregates


def row_scores(row: Row | Mapping[str, Any], principles: PrincipleMap | None = None) -> dict:
    """All per-row scores; None where a metric does not apply to the row."""
    r = as_row(row)
    pm = principles or {}
    graded = bool(r.gold) and not r.refuse
    scores: dict[str, float | None] = {}
    for k in HIT_KS:
        scores[f"hit@{k}"] = hit_at_k(r.retrieved, r.gold, k, pm) if graded else None
    scores["mrr"] = reciprocal_rank(r.retrieved, r.gold, pm) if graded else None
    scores[f"ndcg@{NDCG_K}"] = ndcg_at_k(r.retrieved, r.gold, NDCG_K, pm) if graded else None
    scores["citation_precision"] = citation_precision(r.cited, r.gold, pm) if graded else None
    scores["citation_recall"] = citation_recall(r.cited, r.gold, pm) if graded else None
    scores["expected_accuracy"] = (
        float(contains_expected(r.answer, r.expected)) if r.expected and not r.refuse else None
    )
    scores["refusal_correct"] = float(r.refused == r.refuse)
    scores["language_correct"] = (
        float(r.answer_language == r.language) if r.answer_language else None
    )
    return scores


def aggregate(
    rows: Sequence[Row | Mapping[str, Any]], principles: PrincipleMap | None = None
) -> dict[str, float | int | None]:
    """Mean of every metric over the rows, plus refusal precision/recall and latency."""
    parsed = [as_row(r) for r in rows]
    per_row = [row_scores(r, principles) for r in parsed]
    out: dict[str, float | int | None] = {"n": len(parsed)}
    keys = list(per_row[0]) if per_row else list(row_scores(Row(id="", question="", type="")))
    for key in keys:
        if key == "refusal_correct":
            continue
        out[key] = _mean(s[key] for s in per_row)
    should = [r for r in parsed if r.refuse]
    did = [r for r in parsed if r.refused]
    out["refusal_precision"] = _ratio(sum(r.refuse for r in did), len(did))
    out["refusal_recall"] = _ratio(sum(r.refused for r in should), len(should))
    latencies = [r.latency_ms for r in parsed]
    out["latency_p50_ms"] = percentile(latencies, 50) if latencies else None
    out["latency_p95_ms"] = percentile(latencies, 95) if latencies else None
    out["errors"] = sum(1 for r in parsed if r.error)
    return out


def group_by(
    rows: Sequence[Row | Mapping[str, Any]], key: Callable[[Row], str | None]
) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in (as_row(r) for r in rows):
        name = key(row)
        if name:
            groups.setdefault(name, []).append(row)
    return dict(sorted(groups.items()))


def summarize(
    rows: Sequence[Row | Mapping[str, Any]], principles: PrincipleMap | None = None
) -> dict[str, Any]:
    """Overall, per question type and per core element aggregates."""
    return {
        "overall": aggregate(rows, principles),
        "by_type": {
            name: aggregate(group, principles)
            for name, group in group_by(rows, lambda r: r.type).items()
        },
        "by_kernelement": {
            name: aggregate(group, principles)
            for name, group in group_by(rows, lambda r: r.kernelement).items()
        },
    }


def check_thresholds(
    overall: Mapping[str, float | int | None], thresholds: Mapping[str, float]
) -> list[str]:
    """Failures as readable lines. Keys ending in `_max` are upper bounds, others minimums."""
    failures: list[str] = []
    for name, bound in thresholds.items():
        metric = name.removesuffix("_max")
        value = overall.get(metric)
        if value is None:
            failures.append(f"{metric}: no value (threshold {bound})")
        elif name.endswith("_max") and value > bound:
            failures.append(f"{metric}: {value:.3f} > {bound}")
        elif not name.endswith("_max") and value < bound:
            failures.append(f"{metric}: {value:.3f} < {bound}")
    return failures


def worst_rows(
    rows: Sequence[Row | Mapping[str, Any]], principles: PrincipleMap | None = None, n: int = 10
) -> list[tuple[Row, float]]:
    """The n rows with the lowest combined score (mean of the row's applicable scores)."""
    scored: list[tuple[Row, float]] = []
    for row in (as_row(r) for r in rows):
        vals = [
            v
            for k, v in row_scores(row, principles).items()
            if v is not None and k not in ("language_correct",)
        ]
        scored.append((row, sum(vals) / len(vals) if vals else 1.0))
    scored.sort(key=lambda pair: (pair[1], pair[0].id))
    return scored[:n]
