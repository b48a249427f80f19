"""Parser for the Delphi report (2023), an OCR'd PDF.

What it yields:
- the ~48 principles of Bijlage 3 with both priority scores (canonical wording),
  their rank in Table 2 (top 3 per core element) and Table 3 (top 10);
- the working elements of Bijlage 2 under each principle, with the (E) flag;
- the definitions of the Begrippenkader;
- the report's own text (introduction, method, results, discussion) as paragraphs;
- one summary record per Table 2 group and one for Table 3.
The OCR clean-up (noise lines, de-hyphenation, letter confusions) is `corpus.parse.ocr`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.types import KERNELEMENTEN, DelphiScores
from corpus.parse import ocr
from corpus.parse.common import (
    Line,
    ParseError,
    find_line,
    fold,
    kernelement,
    paragraphs,
    read_lines,
    similarity,
    slug,
    split_trailing_refs,
)
from corpus.parse.records import Draft, merge_short_lists

FILE = "000_e5573c8f58eccf91.txt"
TITLE = "Een Delphi-studie ter aanvulling van de uitgangspunten en werkzame elementen van het LISO-framework"
EDITION = "delphi-2023"
KERN_ORDER = KERNELEMENTEN
KERN_SHORT = {
    "Community context": "cc",
    "Leernetwerk": "lnw",
    "Organisatie": "org",
    "Synergie": "syn",
    "Opbrengsten": "opb",
    "Kennistransfer van opbrengsten": "kt",
    "Leren zichtbaar maken": "lzm",
    "Ontwikkelfasen": "of",
}
DEELELEMENTEN = (
    "Vraagstuk",
    "Organisatie-overstijgend (Wat is een organisatie-overstijgend leernetwerk?)",
    "Samenstelling",
    "Processen",
    "Leiderschap en ondersteuning",
    "Structuur",
    "Samengebrachte middelen",
    "Ledenbetrokkenheid",
    "Monitoring, waardering en planning",
    "Samenwerking",
    "Niveau van leernetwerk",
    "Niveau van samenwerkingsverband",
    "Niveau van professionals en doelgroep",
    "Formeren",
    "Onderhoud",
    "Institutionaliseren",
)
PHASES = {
    "Formeren": "formeren",
    "Onderhoud": "onderhoud",
    "Institutionaliseren": "institutionaliseren",
}
N_BIJLAGE3 = 48
MATCH_THRESHOLD = 0.55

_PRINCIPLE_LINE = re.compile(r"^\s*(?:uit\w{2,6}punt\s*:|Trekkers\s*:)\s*(\S.*)$", re.I)
_SUMMARY_HEADER = re.compile(r"^\s*uit\w{2,6}punt(?:en)?\s*:?\s*$", re.I)
_NO_CHANGE = re.compile(
    r"^(Er worden geen aanvullingen|De onderbouwing (is|van dit uitgangspunt is))", re.I
)
_BULLET_GLYPH = re.compile(r"^\s*(?:[eoO«»+=*•]|\.{1,3}|\.\.\.)\s+(?=\S)")
_LABEL = re.compile(
    r"^(Onderbouwing|Kenmerken|Kenmnerken|Succesfactoren|Rundvoorw|Randvoorw)", re.I
)


@dataclass
class _Block:
    """A principle of Bijlage 2 with its working elements."""

    statement_lines: list[Line]
    kern: str
    deel: str
    body: list[list[Line]] = field(default_factory=list)  # items, each a list of lines

    @property
    def statement(self) -> str:
        return ocr.repair([ln.text for ln in self.statement_lines])


@dataclass
class _B3Row:
    kern: str
    lines: list[Line]
    weight: int | None
    mean: float

    @property
    def statement(self) -> str:
        return ocr.repair([ln.text for ln in self.lines])


def parse(sources_dir: Path) -> list[Draft]:
    raw = read_lines(sources_dir / FILE)
    lines = [ln for ln in raw if not ocr.is_noise_line(ln.text)]
    i_begr = find_line(lines, r"^\s*Begrippenkader\s*$")
    i_b2 = find_line(lines, r"^\s*Wijzigingen in kernelement Community context", i_begr)
    i_b3 = find_line(lines, r"^\s*Bijlage 3\.", i_b2)
    i_bijlage1 = find_line(lines, r"^\s*Bijlage 1\.")

    rows = _parse_bijlage3(lines[i_b3:])
    principles = _principle_drafts(rows)
    _apply_table2(lines, principles)
    _apply_table3(lines, principles)
    blocks = _parse_bijlage2(lines[i_b2:i_b3])
    items = _attach_blocks(blocks, principles)
    drafts: list[Draft] = [*principles, *items]
    drafts += _parse_definitions(lines[i_begr:i_b2])
    drafts += _parse_main_text(lines[:i_bijlage1])
    drafts += _table_summaries(principles)
    return drafts


# --- Bijlage 3: principles with scores ----------------------------------------------

_B3_HEADER = re.compile(
    r"^\s*(Uitgangspunt\s+(Belang|Score)|binnen\s*\||kernelement\s*\|?\s*(leernetwerk|functioneren)\s*$|\(0-xx\))",
    re.I,
)
_B3_KERN = {"Ontwikkelfases": "Ontwikkelfasen", **{k: k for k in KERN_ORDER}}
_B3_SCORES = re.compile(r"^(.*?\S)\s+(?:(\d{2,3})\s+)?(\d(?:[.,]\d)?)\s*$")


def _parse_bijlage3(lines: list[Line]) -> list[_B3Row]:
    start = find_line(lines, r"^\s*Community context\s*$")
    rows: list[_B3Row] = []
    kern = ""
    for ln in lines[start:]:
        t = ln.stripped
        if not t or _B3_HEADER.match(t):
            continue
        if t in _B3_KERN:
            kern = _B3_KERN[t]
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


def _principle_drafts(rows: list[_B3Row]) -> list[Draft]:
    taken: set[str] = set()
    out = []
    for row in rows:
        text, refs, expert = split_trailing_refs(row.statement)
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
            section=("Bijlage 3. Totaaloverzicht prioritering per kernelement", row.kern),
            line_start=row.lines[0].no,
            line_end=row.lines[-1].no,
            expert_added=expert,
            delphi=DelphiScores(weight=row.weight, mean=row.mean),
            references=refs,
        )
        d.principle, d.principle_id = text, d.id
        out.append(d)
    return out


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


def _match_score(text: str, principle: str) -> float:
    """How well a (possibly longer or abbreviated) statement names a principle."""
    ft, fp = fold(text), fold(principle)
    if ft and fp.startswith(ft):
        return 1.0  # "Tevredenheid" names "Tevredenheid over het leernetwerk hangt af ..."
    first = re.split(r"(?<=[.!?])\s+", text)[0]
    return max(similarity(text, principle), similarity(first, principle))


def _best(text: str, candidates: list[Draft]) -> tuple[Draft, float]:
    scored = [(_match_score(text, c.text), c) for c in candidates]
    score, best = max(scored, key=lambda sc: sc[0])
    return best, score


def _apply_table2(lines: list[Line], principles: list[Draft]) -> None:
    a = find_line(lines, r"^\s*Tabk?el 2\b")
    b = find_line(lines, r"^\s*\*De uitgangspunten met een", a)
    first = find_line(lines, r"^\s*1\.\s", a)
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
            best, score = _best(split_trailing_refs(text)[0], candidates)
            if score < MATCH_THRESHOLD:
                raise ParseError(f"{FILE}: Table 2 item {text!r} matches no {kern} principle")
            best.delphi = (best.delphi or DelphiScores()).model_copy(update={"top3_rank": rank})
            best.expert_added |= split_trailing_refs(text)[2]


def _apply_table3(lines: list[Line], principles: list[Draft]) -> None:
    a = find_line(lines, r"^\s*Tabel 3\b")
    b = find_line(lines, r"^\s*\*De uitgangspunten met een", a)
    first = find_line(lines, r"^\s*1\.\s", a)
    items = _numbered_items(lines[first:b])
    if [n for n, _, _ in items] != list(range(1, 11)):
        raise ParseError(f"{FILE}: Table 3 should list 1..10, got {[n for n, _, _ in items]}")
    for rank, text, _ in items:
        best, score = _best(split_trailing_refs(text)[0], principles)
        if score < MATCH_THRESHOLD:
            raise ParseError(f"{FILE}: Table 3 item {text!r} matches no principle")
        best.delphi = (best.delphi or DelphiScores()).model_copy(update={"top10_rank": rank})


def _table_summaries(principles: list[Draft]) -> list[Draft]:
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
        out.append(_summary(f"d23-tabel2-{KERN_SHORT[kern]}", text, kern, "Tabel 2", top))
    top10 = sorted(
        (p for p in principles if p.delphi and p.delphi.top10_rank),
        key=lambda p: p.delphi.top10_rank or 0,  # type: ignore[union-attr]
    )
    text = "De tien belangrijkste uitgangspunten voor het functioneren van een leernetwerk " + (
        "volgens de Delphi-experts (gemiddelde 4,5 of hoger): "
        + " ".join(f"{p.delphi.top10_rank}. {p.text}" for p in top10)  # type: ignore[union-attr]
    )
    out.append(_summary("d23-tabel3", text, "Algemeen", "Tabel 3", top10))
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
        line_start=min((m.line_start for m in members), default=0),
        line_end=max((m.line_end for m in members), default=0),
        also_in=[m.id for m in members],
    )


# --- Bijlage 2: principles and their working elements -------------------------------


def _canonical_deel(text: str) -> str:
    text = ocr.repair_text(text).strip(" |")
    best = max(DEELELEMENTEN, key=lambda d: similarity(text, d))
    return best if similarity(text, best) >= 0.6 else text


def _canonical_kern(text: str) -> str:
    text = ocr.repair_text(text).strip(" |[")
    try:
        return kernelement(text)
    except ParseError:
        names = [*KERN_ORDER, "Leerrendement"]
        best = max(names, key=lambda n: similarity(text, n))
        if similarity(text, best) < 0.7:
            raise
        return kernelement(best)


def _parse_bijlage2(lines: list[Line]) -> list[_Block]:
    blocks: list[_Block] = []
    kern, deel = "", ""
    summary: list[list[Line]] | None = None  # the short list after "Uitgangspunten:"
    current: _Block | None = None
    paras = paragraphs(lines)
    pi = 0
    while pi < len(paras):
        para = paras[pi]
        nxt = paras[pi + 1] if pi + 1 < len(paras) else []
        li = 0
        while li < len(para):
            ln = para[li]
            t = ln.stripped
            m_kern = re.match(r"^(?:Wijzigingen in )?kernelement\s+(.+)$", t, re.I)
            m_deel = re.match(r"^Deelelement\s+(.+)$", t)
            m_prin = _PRINCIPLE_LINE.match(t)
            if m_kern:
                kern, deel, summary = _canonical_kern(m_kern.group(1)), "", None
                current = None
                li += 1
                continue
            if m_deel:
                deel = _canonical_deel(m_deel.group(1))
                summary, current = None, None
                li += 1
                # "(Wat is een ... leer-" / "netwerk?)" may wrap
                while li < len(para) and para[li].stripped.endswith("?)"):
                    li += 1
                continue
            if t.startswith("Niveau samenwerkingsverband - "):
                li += 1
                continue
            if _SUMMARY_HEADER.match(t):
                summary = []
                li += 1
                continue
            if m_prin:
                stmt = [Line(ln.no, m_prin.group(1))]
                li += 1
                while li < len(para) and not _ends_statement(para[li].stripped, stmt):
                    stmt.append(para[li])
                    li += 1
                if (
                    blocks
                    and not blocks[-1].body
                    and blocks[-1].statement_lines[-1].no == ln.no - 1
                ):
                    blocks.pop()  # a short title directly followed by the full statement
                current = _Block(stmt, kern, deel)
                blocks.append(current)
                summary = None
                continue
            if summary is not None:
                ends = (
                    _LABEL.match(t)
                    or t.endswith(":")
                    or (
                        len(t.split()) > 10
                        and not _BULLET_GLYPH.match(ln.text)
                        and para[-1].stripped.endswith(".")
                    )
                )
                if not ends:
                    if (
                        _BULLET_GLYPH.match(ln.text)
                        or not summary
                        or not summary[-1][-1].stripped.endswith("-")
                    ):
                        summary.append([ln])
                    else:
                        summary[-1].append(ln)
                    li += 1
                    continue
                if len(summary) == 1:
                    # the principle is named only in the summary list (Opbrengsten)
                    current = _Block(_strip_glyphs(summary[0]), kern, deel)
                    blocks.append(current)
                summary = None
            # a paragraph directly followed by "Onderbouwing" states a principle
            if (
                li == 0
                and blocks
                and nxt
                and nxt[0].stripped.startswith("Onderbouwing")
                and not any(_PRINCIPLE_LINE.match(x.stripped) for x in para)
            ):
                if t[:1].islower():  # the previous statement, continued after a blank line
                    blocks[-1].statement_lines.extend(para)
                else:
                    current = _Block(list(para), kern, deel)
                    blocks.append(current)
                li = len(para)
                continue
            if _NO_CHANGE.match(t):
                # "no additions" note: skip to the end of its sentence
                while li < len(para) and not para[li].stripped.endswith("."):
                    li += 1
                li += 1
                continue
            if current is None:
                li += 1  # text between a heading and the first principle: a summary label
                continue
            # body: split the paragraph into items at sentence ends / bullet glyphs
            body = current.body
            if (
                li == 0
                and not body
                and current.statement_lines[-1].stripped.endswith("-")
                and t[:1].islower()
            ):
                current.statement_lines.extend(para)  # the statement, broken by a blank line
                li = len(para)
                continue
            if li == 0 and body and _continues(body[-1][-1].stripped, t):
                body[-1].append(ln)  # an item broken by a blank line (double-spaced OCR)
            elif li == 0 or not body or _starts_item(para[li - 1].stripped, ln):
                body.append([ln])
            else:
                body[-1].append(ln)
            li += 1
        pi += 1
    if not blocks:
        raise ParseError(f"{FILE}: Bijlage 2 yielded no principles")
    return blocks


def _ends_statement(t: str, stmt: list[Line]) -> bool:
    return (
        not t
        or _LABEL.match(t) is not None
        or _NO_CHANGE.match(t) is not None
        or _PRINCIPLE_LINE.match(t) is not None
        or (stmt[-1].stripped.endswith((".", ").", "(E)", "(E}.")) and t[:1].isupper())
    )


def _starts_item(prev: str, ln: Line) -> bool:
    if _BULLET_GLYPH.match(ln.text):
        return True
    t = ln.stripped
    return prev.endswith((".", ";", ":", ")", "}")) and (t[:1].isupper() or t[:1] == "'")


def _continues(prev: str, t: str) -> bool:
    """Does a new paragraph continue the previous item rather than start one?"""
    if t[:1] in "(.,;" or (prev.endswith("-") and t[:1].islower()):
        return True
    return not prev.endswith((".", ";", ":", "!", "?", ")", "}")) and not _BULLET_GLYPH.match(t)


def _strip_glyphs(lines: list[Line]) -> list[Line]:
    return [Line(ln.no, _BULLET_GLYPH.sub("", ln.text)) for ln in lines]


def _attach_blocks(blocks: list[_Block], principles: list[Draft]) -> list[Draft]:
    """Match each Bijlage 2 block to a Bijlage 3 principle; its items become records."""
    items: list[Draft] = []
    counters: dict[str, int] = {}
    phases: dict[str, set[str | None]] = {}
    for block in blocks:
        stmt, refs, expert = split_trailing_refs(block.statement)
        same_kern = [p for p in principles if p.kernelement == block.kern]
        best, score = _best(stmt, same_kern or principles)
        if score < MATCH_THRESHOLD:
            best, score = _best(stmt, principles)
        if score < MATCH_THRESHOLD:
            # a principle that Bijlage 2 has and Bijlage 3 does not score
            pid = f"d23-{KERN_SHORT[block.kern]}-{slug(stmt, 7)}"
            best = Draft(
                id=pid,
                text=stmt,
                kind="uitgangspunt",
                kernelement=block.kern,
                deelelement=block.deel,
                file=FILE,
                title=TITLE,
                edition=EDITION,
                section=_b2_section(block),
                line_start=block.statement_lines[0].no,
                line_end=block.statement_lines[-1].no,
                expert_added=expert,
                references=refs,
            )
            best.principle, best.principle_id = stmt, pid
            principles.append(best)
        else:
            best.expert_added |= expert
            best.references = tuple(dict.fromkeys((*best.references, *refs)))
        if not best.deelelement:
            best.deelelement = block.deel
        phase = PHASES.get(block.deel)
        phases.setdefault(best.id, set()).add(phase)
        lead = ""
        block_items: list[Draft] = []
        for item_lines in block.body:
            text = ocr.repair([_BULLET_GLYPH.sub("", ln.text) for ln in item_lines])
            text = text.strip()
            if not text or _NO_CHANGE.match(text):
                continue
            m_label = re.match(r"^(Succesfactoren|Kenmerken|Onderbouwing:?)\s+(?=[A-Z])", text)
            if m_label:  # a label line glued to its first item
                lead, text = m_label.group(1).rstrip(":"), text[m_label.end() :]
            if text.endswith(":") or (_LABEL.match(text) and len(text.split()) <= 6):
                lead = text.rstrip(":").strip()
                continue
            if len(text.split()) <= 6 and not text.endswith((".", ")", ";")) and text[:1].isupper():
                lead = text  # a sub-heading such as "Niveau leernetwerk" or "Rollen van een leider"
                continue
            clean, irefs, iexpert = split_trailing_refs(text)
            counters[best.id] = counters.get(best.id, 0) + 1
            block_items.append(
                Draft(
                    id=f"{best.id}-we{counters[best.id]:02d}",
                    text=clean,
                    kind="werkzaam_element",
                    kernelement=block.kern,
                    deelelement=block.deel,
                    file=FILE,
                    title=TITLE,
                    edition=EDITION,
                    section=_b2_section(block),
                    line_start=item_lines[0].no,
                    line_end=item_lines[-1].no,
                    lead=lead,
                    principle=best.text,
                    principle_id=best.id,
                    phase=phase,
                    expert_added=iexpert,
                    references=irefs,
                )
            )
        items.extend(merge_short_lists(block_items))
    for p in principles:
        found = phases.get(p.id, set())
        if len(found) == 1:
            p.phase = next(iter(found))
        elif len(found) > 1:
            p.deelelement = "Alle fasen"
        if p.kernelement == "Ontwikkelfasen" and p.phase is None and not p.deelelement:
            p.deelelement = "Alle fasen"
    return items


def _b2_section(block: _Block) -> tuple[str, ...]:
    return ("Bijlage 2. Overzicht resultaten Delphi-ronde 1", block.kern, block.deel)


# --- Begrippenkader -----------------------------------------------------------------

TERMS = (
    "Organisatie-overstijgend leernetwerk",
    "Sociaal domein",
    "Coördinator",
    "Leden",
    "Consortiumpartners",
    "Initiator",
    "Trekker",
    "Complex maatschappelijk vraagstuk",
    "Opbrengsten en kennisproducten",
)
_LEFT_COLUMN = re.compile(r"^(Organisatie-|overstijgend|leernetwerk|Soci\w+al domein)\s+(?=\S)")


def _parse_definitions(lines: list[Line]) -> list[Draft]:
    """The Begrippenkader is a two-column table flattened by OCR: the first two terms
    stand at the start of their definition lines, the other seven are listed first and
    their definitions follow as paragraphs in the same order."""
    start = find_line(lines, r"^\s*Organisatie-\s+Organisatie-overstijgende")
    paras = paragraphs(lines[start:])
    defs: list[list[Line]] = []
    for para in paras:
        t = para[0].stripped
        if t.startswith("Wijzigingen in"):
            break
        if len(para) == 1 and len(t.split()) <= 3 and not t.endswith("."):
            continue  # a term of the left column
        if t in ("Complex", "maatschappelijk", "vraagstuk", "Opbrengsten en", "kennisproducten"):
            continue
        # a left-column term stuck to the end of the previous definition: drop it
        while (
            len(para) > 1
            and len(para[-1].stripped.split()) <= 2
            and not para[-1].stripped.endswith(".")
        ):
            para = para[:-1]
        if defs and t[:1].islower():
            defs[-1].extend(para)  # a definition continued after a page break
        else:
            defs.append(list(para))
    # the first two definitions carry their term's words at the line starts: strip them
    chunks = [[Line(ln.no, _LEFT_COLUMN.sub("", ln.stripped)) for ln in d] for d in defs]
    if len(chunks) != len(TERMS):
        raise ParseError(
            f"{FILE}: Begrippenkader has {len(chunks)} definitions, expected {len(TERMS)}"
        )
    out = []
    for term, chunk in zip(TERMS, chunks, strict=True):
        text = ocr.repair([ln.text for ln in chunk])
        out.append(
            Draft(
                id=f"d23-def-{slug(term, 3)}",
                text=f"{term}: {text}",
                kind="definitie",
                kernelement="Algemeen",
                file=FILE,
                title=TITLE,
                edition=EDITION,
                section=("Bijlage 2. Overzicht resultaten Delphi-ronde 1", "Begrippenkader"),
                line_start=chunk[0].no,
                line_end=chunk[-1].no,
                lead=term,
            )
        )
    return out


# --- the report's own text ----------------------------------------------------------

# (pattern of the heading line, section name, kind; None = skip the segment)
MAIN_SEGMENTS: tuple[tuple[str, str, str | None], ...] = (
    (r"^\s*Inleiding\s*$", "Inleiding", "toelichting"),
    (r"Het LISO-framework\s*$", "Het LISO-framework", "toelichting"),
    (r"^\s*Afbeelding 1\b", "Afbeelding 1", None),
    (r"Leernetwerken in de praktijk\s*$", "Leernetwerken in de praktijk", "toelichting"),
    (r"^\s*Doelstelling\s*$", "Doelstelling", "toelichting"),
    (r"^\s*Methode\s*$", "Methode", "methode"),
    (r"^\s*Resultaten\s*$", "Resultaten", "resultaat"),
    (r"^\s*Tabel 1\b", "Tabel 1", None),
    (r"^\s*Resultat\w* ronde 1\s*$", "Resultaten ronde 1", "resultaat"),
    (r"^\s*Resultaten ronde \w\s*$", "Resultaten ronde 2", "resultaat"),
    (r"^\s*Tabk?el 2\b", "Tabel 2", None),
    (r"^\s*Verder is geinventariseerd", "Resultaten ronde 2", "resultaat"),
    (r"^\s*Tabel 3\b", "Tabel 3", None),
    (r"^\s*Experts hebben ook feedback gegeven", "Resultaten ronde 2", "resultaat"),
    (r"^\s*Discussie\s*$", "Discussie", "resultaat"),
    (r"^\s*Afbeelding 2\b", "Afbeelding 2", None),
    (r"^\s*Van de 24 uitgangspunten benoemd in de top 3 is", "Discussie", "resultaat"),
    (r"^\s*Overwegingen\s*$", "Overwegingen", "resultaat"),
    (
        r"^\s*Aanbevelingen voor praktijk",
        "Aanbevelingen voor praktijk en vervolgonderzoek",
        "resultaat",
    ),
    (r"^\s*Conclusie\s*$", "Conclusie", "resultaat"),
    (r"^\s*Dankwoord\s*$", "Dankwoord", None),
)
MAX_WORDS = 170


def _parse_main_text(lines: list[Line]) -> list[Draft]:
    starts = []
    pos = 0
    for pattern, _, _ in MAIN_SEGMENTS:
        pos = find_line(lines, pattern, pos)
        starts.append(pos)
    starts.append(len(lines))
    out: list[Draft] = []
    counters: dict[str, int] = {}
    for (_, name, kind), a, b in zip(MAIN_SEGMENTS, starts, starts[1:], strict=False):
        if kind is None:
            continue
        body = (
            lines[a + 1 : b]
            if re.match(r"^\s*\S+( \S+){0,6}\s*$", lines[a].stripped)
            else lines[a:b]
        )
        merged: list[list[Line]] = []
        for para in paragraphs(body):
            t = " ".join(ln.stripped for ln in para)
            if len(para) == 1 and len(t.split()) <= 6 and not t.endswith("."):
                continue  # a sub-heading or a stray label
            cont = merged and not merged[-1][-1].stripped.endswith((".", ":", "?", "!"))
            too_long = merged and sum(len(ln.text.split()) for ln in merged[-1]) > MAX_WORDS
            if (cont and not too_long) or (merged and t[:1].islower()):
                merged[-1].extend(para)
            else:
                merged.append(list(para))
        for para in merged:
            text = ocr.repair([_BULLET_GLYPH.sub("", ln.text) for ln in para])
            if len(text.split()) < 8:
                continue
            key = slug(name, 3)
            counters[key] = counters.get(key, 0) + 1
            out.append(
                Draft(
                    id=f"d23-{key}-{counters[key]:02d}",
                    text=text,
                    kind=kind,
                    kernelement="Algemeen",
                    file=FILE,
                    title=TITLE,
                    edition=EDITION,
                    section=(name,),
                    line_start=para[0].no,
                    line_end=para[-1].no,
                )
            )
    return out
