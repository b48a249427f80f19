"""The Delphi report's scored principles: Bijlage 3 (each principle with its weight and
mean importance), Table 2 (the top 3 per core element) and Table 3 (the ten most
important), and one summary record per table group."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.parse import ocr
from corpus.parse.common import (
    Line,
    ParseError,
    find_line,
    has_expert_marker,
    slug,
    split_inline_refs,
    split_trailing_refs,
)
from corpus.parse.delphi_doc import EDITION, FILE, KERN_SHORT, MATCH_THRESHOLD, TITLE, best
from corpus.parse.records import Draft, Parsed
from corpus.record import KERNELEMENTEN, DelphiScores

KERN_ORDER = KERNELEMENTEN
N_BIJLAGE3 = 48


# --- Bijlage 3: principles with scores ----------------------------------------------

B3_SECTION = "Bijlage 3. Totaaloverzicht prioritering per kernelement"
_B3_HEADER = re.compile(
    r"^\s*(Uitgangspunt\s+(Belang|Score)|binnen\s*\||kernelement\s*\|?\s*(leernetwerk|functioneren)\s*$|\(0-xx\))",
    re.I,
)
_B3_KERN = {"Ontwikkelfases": "Ontwikkelfasen", **{k: k for k in KERN_ORDER}}
_B3_SCORES = re.compile(r"^(.*?\S)\s+(?:(\d{2,3})\s+)?(\d(?:[.,]\d)?)\s*$")


@dataclass
class _B3Row:
    kern: str
    lines: list[Line]
    weight: int | None
    mean: float

    @property
    def statement(self) -> str:
        return ocr.repair([ln.text for ln in self.lines])


def parse_bijlage3(lines: list[Line], out: Parsed) -> list[_B3Row]:
    start = find_line(lines, r"^\s*Community context\s*$")
    out.span(lines[0].no, lines[0].no, "heading", "appendix heading")
    rows: list[_B3Row] = []
    kern = ""
    for ln in lines[start:]:
        t = ln.stripped
        if not t:
            continue
        if _B3_HEADER.match(t):
            out.span(ln.no, ln.no, "heading", "table header (see the legend record)")
            continue
        if t in _B3_KERN:
            kern = _B3_KERN[t]
            out.span(ln.no, ln.no, "heading", "core element heading of the table")
            continue
        m = _B3_SCORES.match(t)
        if m and kern:
            weight = int(m.group(2)) if m.group(2) else None
            mean = float(m.group(3).replace(",", "."))
            rows.append(_B3Row(kern, [Line(ln.no, m.group(1))], weight, mean))
        elif rows:
            rows[-1].lines.append(ln)
        else:
            raise ParseError(f"{FILE}: Bijlage 3 text before the first row: {t!r}")
    if len(rows) != N_BIJLAGE3:
        raise ParseError(f"{FILE}: Bijlage 3 has {len(rows)} rows, expected {N_BIJLAGE3}")
    if {r.kern for r in rows} != set(KERN_ORDER):
        raise ParseError(f"{FILE}: Bijlage 3 does not cover all eight core elements")
    return rows


def principle_drafts(rows: list[_B3Row]) -> list[Draft]:
    taken: set[str] = set()
    out = []
    for row in rows:
        text, refs, expert = split_trailing_refs(row.statement)
        # "… een goede samenwerking (E). Ook bevordert …": the flag inside the statement
        text, inner, inner_expert = split_inline_refs(text)
        base = f"d23-{KERN_SHORT[row.kern]}-{slug(text, 7)}"
        if base in taken:
            raise ParseError(f"{FILE}: two Bijlage 3 rows give the id {base}")
        taken.add(base)
        d = Draft(
            id=base,
            text=text,
            kind="uitgangspunt",
            kernelement=row.kern,
            file=FILE,
            title=TITLE,
            edition=EDITION,
            section=(B3_SECTION, row.kern),
            line_start=row.lines[0].no,
            line_end=row.lines[-1].no,
            expert_added=expert or inner_expert,
            delphi=DelphiScores(weight=row.weight, mean=row.mean),
            references=(*inner, *refs),
        )
        d.principle, d.principle_id = text, d.id
        out.append(d)
    return out


_LEGEND = (
    "Bijlage 3 geeft voor elk uitgangspunt twee scores uit de tweede Delphi-ronde. Belang "
    "binnen het kernelement (0-xx): de punten uit de rangorde die de experts per "
    "kernelement maakten. Belang voor het functioneren van het leernetwerk: de gemiddelde "
    "score op de vraag '{question}' [1 = zeer onbelangrijk; 5 = zeer belangrijk]. Het "
    "aantal respondenten (N) varieert tussen {n_low} en {n_high}."
)


def bijlage3_legend(lines: list[Line], out: Parsed) -> Draft:
    """The legend above the Bijlage 3 table: the question asked, the scale, the number of
    respondents, and the two score columns, as one sentence-wise record."""
    a = find_line(lines, r"In hoeverre vindt u het uitgangspunt")
    b = find_line(lines, r"\(0-xx\)", a)
    text = " ".join(ln.stripped for ln in lines[a : b + 1])
    q = re.search(r"[‘']([^’']+)[’']", text)
    n = re.search(r"varieert tussen (\d+) en (\d+)", text)
    if not q or not n:
        raise ParseError(f"{FILE}: the Bijlage 3 legend lost its question or its N")
    return Draft(
        id="d23-methode-bijlage3-legenda",
        text=_LEGEND.format(question=q.group(1).strip(), n_low=n.group(1), n_high=n.group(2)),
        kind="methode",
        kernelement="Algemeen",
        file=FILE,
        title=TITLE,
        edition=EDITION,
        section=(B3_SECTION, "Legenda"),
        line_start=lines[a].no,
        line_end=lines[b].no,
        lead="Legenda bij Bijlage 3: de twee scores per uitgangspunt",
    )


# --- Tables 2 and 3 -----------------------------------------------------------------

_TABLE_ITEM = re.compile(r"^\s*(\d{1,2})\s*[.,]\s*(\S.*)$")


def _numbered_items(lines: list[Line]) -> list[tuple[int, str, int]]:
    """(number, text, first line no) of numbered items that may wrap over lines."""
    items: list[tuple[int, list[str], int]] = []
    for ln in lines:
        t = ln.stripped
        if not t:
            continue
        m = _TABLE_ITEM.match(t)
        if m and (not items or int(m.group(1)) in (1, items[-1][0] + 1)):
            items.append((int(m.group(1)), [m.group(2)], ln.no))
        elif items:
            items[-1][1].append(t)
    return [(n, ocr.repair(parts), no) for n, parts, no in items]


def _table_flag(text: str) -> tuple[str, bool]:
    """The statement of a table item and whether it carries (E), also mid-text."""
    clean, _, expert = split_trailing_refs(text)
    clean, _, inner = split_inline_refs(clean)
    return clean, expert or inner or has_expert_marker(text)


def apply_table2(lines: list[Line], principles: list[Draft], out: Parsed) -> tuple[int, int]:
    a = find_line(lines, r"^\s*Tabk?el 2\b")
    b = find_line(lines, r"^\s*\*De uitgangspunten met een", a)
    first = find_line(lines, r"^\s*1\.\s", a)
    out.span(lines[a].no, lines[first - 1].no, "heading", "Table 2: title and column heads")
    out.span(lines[b].no, lines[b + 1].no, "note", "Table 2: footnote on the (E) mark")
    items = _numbered_items(lines[first:b])
    groups: list[list[tuple[int, str, int]]] = []
    for it in items:
        if it[0] == 1:
            groups.append([])
        groups[-1].append(it)
    if len(groups) != 8 or any(len(g) != 3 for g in groups):
        raise ParseError(
            f"{FILE}: Table 2 should have 8 groups of 3, got {[len(g) for g in groups]}"
        )
    for kern, group in zip(KERN_ORDER, groups, strict=True):
        candidates = [p for p in principles if p.kernelement == kern]
        for rank, text, _ in group:
            statement, expert = _table_flag(text)
            found, score = best(statement, candidates)
            if score < MATCH_THRESHOLD:
                raise ParseError(f"{FILE}: Table 2 item {text!r} matches no {kern} principle")
            found.delphi = (found.delphi or DelphiScores()).model_copy(update={"top3_rank": rank})
            found.expert_added |= expert
    return lines[first].no, lines[b - 1].no


def apply_table3(lines: list[Line], principles: list[Draft], out: Parsed) -> tuple[int, int]:
    a = find_line(lines, r"^\s*Tabel 3\b")
    b = find_line(lines, r"^\s*\*De uitgangspunten met een", a)
    first = find_line(lines, r"^\s*1\.\s", a)
    out.span(lines[a].no, lines[first - 1].no, "heading", "Table 3: title")
    out.span(lines[b].no, lines[b + 1].no, "note", "Table 3: footnote on the (E) mark")
    items = _numbered_items(lines[first:b])
    if [n for n, _, _ in items] != list(range(1, 11)):
        raise ParseError(f"{FILE}: Table 3 should list 1..10, got {[n for n, _, _ in items]}")
    for rank, text, _ in items:
        statement, expert = _table_flag(text)
        found, score = best(statement, principles)
        if score < MATCH_THRESHOLD:
            raise ParseError(f"{FILE}: Table 3 item {text!r} matches no principle")
        found.delphi = (found.delphi or DelphiScores()).model_copy(update={"top10_rank": rank})
        found.expert_added |= expert  # "2. Deelnemers dienen voldoende gefaciliteerd … (E)."
    return lines[first].no, lines[b - 1].no


def table_summaries(principles: list[Draft], tables: list[tuple[int, int]]) -> list[Draft]:
    (t2_start, t2_end), (t3_start, t3_end) = tables
    out = []
    for kern in KERN_ORDER:
        top = sorted(
            (p for p in principles if p.kernelement == kern and p.delphi and p.delphi.top3_rank),
            key=lambda p: p.delphi.top3_rank or 0,  # type: ignore[union-attr]
        )
        text = (
            f"De top 3 uitgangspunten voor het kernelement {kern} volgens de Delphi-experts: "
            + (
                " ".join(f"{p.delphi.top3_rank}. {p.text}" for p in top)  # type: ignore[union-attr]
            )
        )
        d = _summary(f"d23-tabel2-{KERN_SHORT[kern]}", text, kern, "Tabel 2", top)
        d.line_start, d.line_end = t2_start, t2_end
        out.append(d)
    top10 = sorted(
        (p for p in principles if p.delphi and p.delphi.top10_rank),
        key=lambda p: p.delphi.top10_rank or 0,  # type: ignore[union-attr]
    )
    text = "De tien belangrijkste uitgangspunten voor het functioneren van een leernetwerk " + (
        "volgens de Delphi-experts (gemiddelde 4,5 of hoger): "
        + " ".join(f"{p.delphi.top10_rank}. {p.text}" for p in top10)  # type: ignore[union-attr]
    )
    d = _summary("d23-tabel3", text, "Algemeen", "Tabel 3", top10)
    d.line_start, d.line_end = t3_start, t3_end
    out.append(d)
    return out


TABLE_LEADS = {
    "Tabel 2": "Tabel 2: de top 3 (rangorde 1, 2, 3) van de uitgangspunten van {kern}",
    "Tabel 3": "Tabel 3: de top 10, de tien belangrijkste uitgangspunten van het hele framework "
    "(rangorde 1 tot en met 10)",
}


def _summary(id_: str, text: str, kern: str, table: str, members: list[Draft]) -> Draft:
    return Draft(
        id=id_,
        text=text,
        kind="resultaat",
        kernelement=kern,
        file=FILE,
        title=TITLE,
        edition=EDITION,
        section=("Resultaten ronde 2", table),
        lead=TABLE_LEADS[table].format(kern=kern),
        line_start=0,
        line_end=0,
        also_in=[m.id for m in members],
    )
