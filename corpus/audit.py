"""`python -m assistant corpus audit`: the parsed records against a table checked by hand.

For every principle of the Delphi report: where Bijlage 2 states it, its working
elements (first source line of each) and which carry (E), its own (E) flag and kind,
compared with `tests/corpus/delphi_hand_checked.yaml`; for every theme of the scoping
review its promoting and hindering factors and the principle it supports. Then the
records that cannot stand alone (fragments) and the coverage report of the sources.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from corpus.record import Record

if TYPE_CHECKING:
    from corpus.build import BuildReport

TABLE = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "delphi_hand_checked.yaml"
_LABELS = ("Onderbouwing", "Kenmerken", "Succesfactoren", "Randvoorwaarden")


# --- fragments -----------------------------------------------------------------------------


def fragment_reason(r: Record) -> str:
    """Why a record cannot stand alone in an answer, or "" when it can."""
    text = r.text.strip()
    if text[-1:] in ",:;":
        return f"ends with {text[-1]!r}"
    if text[:1].islower() and not r.lead:
        return "starts lower-case without a lead"
    if r.lead.rstrip(": ") in _LABELS:
        return f"a label as lead ({r.lead.rstrip(': ')})"
    if re.match(rf"^({'|'.join(_LABELS)})\s+[A-Z]", text):
        return "a label glued to the text"
    enumeration = "(1)" in text and "(2)" in text  # "(1) betrokkenheid …; (2) het delen …"
    if not enumeration and re.search(r"[a-z]\s\(\d{1,2}(,\s*\d{1,2})*\)\s+[a-z]", text):
        return "a reference number left inside the text"
    return ""


def fragments(records: list[Record]) -> list[tuple[Record, str]]:
    return [(r, why) for r in records if (why := fragment_reason(r))]


# --- the hand-checked table ----------------------------------------------------------------


@dataclass
class Expected:
    statement: list[int]
    expert: bool
    items: list[tuple[int, bool]]


@dataclass
class PrincipleAudit:
    id: str
    kind: str
    statement: list[int]
    lines: tuple[int, int] | None
    items: list[tuple[int, bool]]
    expert: bool
    expected: Expected | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ThemeAudit:
    theme: int
    counts: Counter[str]
    principle: str
    expected: dict
    problems: list[str] = field(default_factory=list)


def load_table(path: Path = TABLE) -> tuple[dict[str, Expected], dict[int, dict]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    principles = {}
    for pid, row in data["principles"].items():
        items = []
        for tok in str(row.get("items") or "").split():
            items.append((int(tok.rstrip("E")), tok.endswith("E")))
        principles[pid] = Expected(list(row.get("statement") or []), bool(row["expert"]), items)
    return principles, {int(k): v for k, v in data["review"].items()}


def audit_principles(report: BuildReport, table: dict[str, Expected]) -> list[PrincipleAudit]:
    recs = report.records
    d23 = [r for r in recs if r.edition == "delphi-2023" and r.kind == "uitgangspunt"]
    items: dict[str, list[Record]] = defaultdict(list)
    for r in recs:
        if r.edition == "delphi-2023" and r.kind == "werkzaam_element":
            items[r.principle_id].append(r)
    statements: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s in report.spans:
        if s.use == "statement" and s.record_id:
            statements[s.record_id].append((s.start, s.end))
    out = []
    for p in d23:
        its = sorted(items[p.id], key=lambda r: r.source.line_start)
        stmts = sorted(statements[p.id])
        ends = [b for _, b in stmts] + [r.source.line_end for r in its]
        lines = (min(a for a, _ in stmts), max(ends)) if stmts else None
        row = PrincipleAudit(
            p.id,
            p.kind,
            [a for a, _ in stmts],
            lines,
            [(r.source.line_start, r.expert_added) for r in its],
            p.expert_added,
            table.get(p.id),
        )
        exp = row.expected
        if exp is None:
            row.problems.append("not in the hand-checked table")
        else:
            if row.statement != exp.statement:
                row.problems.append(f"statement at {row.statement}, table {exp.statement}")
            if row.expert != exp.expert:
                row.problems.append(f"principle (E) {row.expert}, table {exp.expert}")
            if row.items != exp.items:
                row.problems.append(
                    f"{len(row.items)} items, table {len(exp.items)}:\n"
                    f"        parsed {_fmt(row.items)}\n        table  {_fmt(exp.items)}"
                )
        out.append(row)
    for pid in sorted(set(table) - {p.id for p in d23}):
        out.append(PrincipleAudit(pid, "?", [], None, [], False, table[pid], ["no such principle"]))
    return out


def audit_review(report: BuildReport, table: dict[int, dict]) -> list[ThemeAudit]:
    out = []
    by_theme: dict[int, list[Record]] = defaultdict(list)
    for r in report.records:
        if r.edition == "review-2021" and r.theme:
            by_theme[r.theme].append(r)
    for theme in sorted(set(by_theme) | set(table)):
        recs = by_theme.get(theme, [])
        counts = Counter(str(r.kind) for r in recs)
        pids = {r.principle_id for r in recs}
        row = ThemeAudit(theme, counts, ",".join(sorted(pids)), table.get(theme, {}))
        for kind in ("bevorderend", "belemmerend"):
            if counts.get(kind, 0) != row.expected.get(kind):
                row.problems.append(f"{kind} {counts.get(kind, 0)}, table {row.expected.get(kind)}")
        if row.principle != row.expected.get("principle"):
            row.problems.append(f"linked to {row.principle}, table {row.expected.get('principle')}")
        out.append(row)
    return out


def _fmt(items: list[tuple[int, bool]]) -> str:
    return " ".join(f"{n}{'E' if e else ''}" for n, e in items) or "-"


# --- the report ----------------------------------------------------------------------------


def audit_text(report: BuildReport, sources_dir: Path, table_path: Path = TABLE) -> str:
    from corpus.coverage import coverage, coverage_text

    table, review = load_table(table_path)
    rows = audit_principles(report, table)
    themes = audit_review(report, review)
    ok = sum(1 for r in rows if r.ok)
    n_items = sum(len(r.items) for r in rows)
    n_exp = sum(len(e.items) for e in table.values())
    out = [
        f"Delphi principles: {len(rows)} (hand-checked table: {len(table)}); "
        f"matching the table: {ok}/{len(rows)} ({ok / max(len(rows), 1):.1%})",
        f"working elements: {n_items} parsed, {n_exp} in the table; (E) on "
        f"{sum(e for r in rows for _, e in r.items)} parsed, "
        f"{sum(e for x in table.values() for _, e in x.items)} in the table; "
        f"principles with (E): {sum(r.expert for r in rows)} parsed, "
        f"{sum(x.expert for x in table.values())} in the table",
        "",
        f"  {'principle':<78} {'kind':<12} {'lines':<11} {'items':>5} {'(E)':>4}",
    ]
    for r in rows:
        lines = f"{r.lines[0]}-{r.lines[1]}" if r.lines else "-"
        flag = "" if r.ok else "  MISMATCH"
        e = sum(x for _, x in r.items)
        out.append(
            f"  {r.id[:78]:<78} {r.kind:<12} {lines:<11} {len(r.items):>5} {e:>4}"
            f"{' E' if r.expert else ''}{flag}"
        )
    bad = [r for r in rows if not r.ok]
    if bad:
        out.append("\nmismatches:")
        for r in bad:
            out.append(f"  {r.id}")
            out += [f"    {p}" for p in r.problems]
    ok_t = sum(1 for t in themes if not t.problems)
    out.append(f"\nscoping-review themes matching the table: {ok_t}/{len(themes)}")
    tot: Counter[str] = Counter()
    for t in themes:
        tot.update(t.counts)
        if t.problems:
            out.append(f"  theme {t.theme}: " + "; ".join(t.problems))
    exp_bev = sum(t.expected.get("bevorderend", 0) for t in themes)
    exp_bel = sum(t.expected.get("belemmerend", 0) for t in themes)
    out.append(
        f"  promoting factors {tot['bevorderend']} (table {exp_bev}), "
        f"hindering {tot['belemmerend']} (table {exp_bel})"
    )
    frags = fragments(report.records)
    out.append(f"\nfragment records: {len(frags)}")
    out += [f"  {r.id}: {why}" for r, why in frags]
    out.append("")
    out.append(coverage_text(coverage(report.records, report.spans, sources_dir)))
    return "\n".join(out)
