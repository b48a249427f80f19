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
from dataclasses import dataclass
from pathlib import Path

from corpus.parse import delphi_bijlage2 as bijlage2
from corpus.parse import ocr
from corpus.parse.common import (
    Line,
    ParseError,
    find_line,
    has_expert_marker,
    paragraphs,
    read_lines,
    slug,
    split_inline_refs,
    split_trailing_refs,
)
from corpus.parse.delphi_doc import EDITION, FILE, KERN_SHORT, MATCH_THRESHOLD, TITLE, best
from corpus.parse.records import Draft, Parsed
from corpus.record import KERNELEMENTEN, DelphiScores
from corpus.text import plain

KERN_ORDER = KERNELEMENTEN
N_BIJLAGE3 = 48
NOISE = "OCR page furniture: page number, running header or footer, lone URL or bullet glyph"


def parse(sources_dir: Path) -> Parsed:
    raw = read_lines(sources_dir / FILE)
    out = Parsed(FILE)
    for ln in raw:
        if ocr.is_noise_line(ln.text):
            out.span(ln.no, ln.no, "skipped", NOISE)
    lines = [ln for ln in raw if not ocr.is_noise_line(ln.text)]
    i_begr = find_line(lines, r"^\s*Begrippenkader\s*$")
    i_b2 = find_line(lines, r"^\s*Wijzigingen in kernelement Community context", i_begr)
    i_b3 = find_line(lines, r"^\s*Bijlage 3\.", i_b2)
    i_bijlage1 = find_line(lines, r"^\s*Bijlage 1\.")
    i_bijlage2 = find_line(lines, r"^\s*Bijlage 2\.", i_bijlage1)

    rows = _parse_bijlage3(lines[i_b3:], out)
    principles = _principle_drafts(rows)
    tables = [_apply_table2(lines, principles, out), _apply_table3(lines, principles, out)]
    blocks = bijlage2.parse_blocks(lines[i_b2:i_b3], out)
    items = bijlage2.attach(blocks, principles, out)
    drafts: list[Draft] = [*principles, *items]
    drafts += _parse_definitions(lines[i_begr:i_b2], out)
    drafts += _parse_main_text(lines[:i_bijlage1], out)
    drafts += _table_summaries(principles, tables)
    drafts += _bijlage2_intro(lines[i_bijlage2:i_b2], out)
    drafts.append(_bijlage3_legend(lines[i_b3:], out))
    first, last = lines[i_bijlage1].no, lines[i_bijlage2].no - 1
    out.span(first, last, "skipped", "Bijlage 1: the names of the respondents")
    out.drafts = drafts
    return out


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


def _parse_bijlage3(lines: list[Line], out: Parsed) -> list[_B3Row]:
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


def _principle_drafts(rows: list[_B3Row]) -> list[Draft]:
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


def _bijlage3_legend(lines: list[Line], out: Parsed) -> Draft:
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


def _apply_table2(lines: list[Line], principles: list[Draft], out: Parsed) -> tuple[int, int]:
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


def _apply_table3(lines: list[Line], principles: list[Draft], out: Parsed) -> tuple[int, int]:
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


def _table_summaries(principles: list[Draft], tables: list[tuple[int, int]]) -> list[Draft]:
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
_TERM_WORDS = {w for t in TERMS for w in plain(t).split()} | {"codrdinator", "organisatie"}
_LEFT_COLUMN = re.compile(r"^(Organisatie-|overstijgend|leernetwerk|Soci\w+al domein)\s+(?=\S)")
B2_SECTION = bijlage2.SECTION


def _is_term_line(text: str) -> bool:
    """A line of the flattened left column: words of the terms only ("Codrdinator")."""
    words = plain(text).split()
    return bool(words) and len(words) <= 3 and all(w in _TERM_WORDS for w in words)


def _parse_definitions(lines: list[Line], out: Parsed) -> list[Draft]:
    """The Begrippenkader is a two-column table flattened by OCR: the first two terms
    stand at the start of their definition lines, the other seven are listed first and
    their definitions follow as paragraphs in the same order."""
    start = find_line(lines, r"^\s*Organisatie-\s+Organisatie-overstijgende")
    drafts = _narrative(lines[: start - 1], out, "methode", "d23-methode-begrippenkader")
    out.span(lines[start - 1].no, lines[start - 1].no, "heading", "table header: term, definition")
    paras = paragraphs(lines[start:])
    defs: list[list[Line]] = []
    for para in paras:
        t = para[0].stripped
        if t.startswith("Wijzigingen in"):
            break
        if all(_is_term_line(ln.stripped) for ln in para):
            out.span(para[0].no, para[-1].no, "heading", "term of the table's left column")
            continue
        # a left-column term stuck to the end of the previous definition: drop it
        while len(para) > 1 and _is_term_line(para[-1].stripped):
            out.span(para[-1].no, para[-1].no, "heading", "term of the table's left column")
            para = para[:-1]
        if defs and t[:1].islower():
            defs[-1].extend(para)  # a definition continued after a page break
        else:
            defs.append(list(para))
    # the first two definitions carry their term's words at their first line starts
    # ("Organisatie-", "overstijgend", "leernetwerk"; "Sociaal domein"): strip them there
    chunks = [
        [
            Line(ln.no, _LEFT_COLUMN.sub("", ln.stripped) if i < 3 else ln.stripped)
            for i, ln in enumerate(d)
        ]
        if k < 2
        else d
        for k, d in enumerate(defs)
    ]
    if len(chunks) != len(TERMS):
        raise ParseError(
            f"{FILE}: Begrippenkader has {len(chunks)} definitions, expected {len(TERMS)}"
        )
    for term, chunk in zip(TERMS, chunks, strict=True):
        text = ocr.repair([ln.text for ln in chunk])
        if text[-1:] not in ".!?":
            text += "."
        drafts.append(
            Draft(
                id=f"d23-def-{slug(term, 3)}",
                text=f"{term}: {text}",
                kind="definitie",
                kernelement="Algemeen",
                file=FILE,
                title=TITLE,
                edition=EDITION,
                section=(B2_SECTION, "Begrippenkader"),
                line_start=chunk[0].no,
                line_end=chunk[-1].no,
                lead=term,
            )
        )
    return drafts


# --- the introduction of Bijlage 2 ---------------------------------------------------------

_RESULT_RE = re.compile(r"titels aangepast|nieuw deelelement")


def _bijlage2_intro(lines: list[Line], out: Parsed) -> list[Draft]:
    """What Bijlage 2 says before and after its glossary: how the changes are marked
    (blue, "(E)"), the renamed core elements, the new sub-element."""
    i_begr = find_line(lines, r"^\s*Begrippenkader\s*$")
    i_changes = find_line(lines, r"^\s*Wijzigingen in uitgangspunten en werkzame", i_begr)
    drafts = _narrative(lines[:i_begr], out, "methode", "d23-methode-bijlage2")
    drafts += _narrative(lines[i_changes:], out, "methode", "d23-methode-bijlage2", len(drafts))
    for d in drafts:
        if _RESULT_RE.search(d.text):  # the renamed core elements, the new sub-element
            d.kind = "resultaat"
            d.id = d.id.replace("-methode-", "-resultaten-")
    return drafts


def _narrative(
    lines: list[Line], out: Parsed, kind: str, prefix: str, offset: int = 0
) -> list[Draft]:
    """Paragraphs as records and short lines as headings. A paragraph that ends in a
    colon takes the short lines after it as its list ("… drie kernelementen: A = B; …")."""
    drafts: list[Draft] = []
    paras = paragraphs(lines)
    i = 0
    while i < len(paras):
        para = paras[i]
        t = " ".join(ln.stripped for ln in para)
        if len(t.split()) <= 6 and not t.endswith((".", ":")):
            out.span(para[0].no, para[-1].no, "heading", "heading")
            i += 1
            continue
        text = ocr.repair([ln.text for ln in para])
        end = para[-1].no
        if text.endswith(":") and i + 1 < len(paras):
            listed = [ocr.repair([ln.text]) for ln in paras[i + 1]]
            text = f"{text} {'; '.join(x.rstrip('.;') for x in listed)}."
            end = paras[i + 1][-1].no
            i += 1
        drafts.append(
            Draft(
                id=f"{prefix}-{offset + len(drafts) + 1:02d}",
                text=text,
                kind=kind,
                kernelement="Algemeen",
                file=FILE,
                title=TITLE,
                edition=EDITION,
                section=(B2_SECTION,),
                line_start=para[0].no,
                line_end=end,
            )
        )
        i += 1
    return drafts


# --- the report's own text ----------------------------------------------------------

# (pattern of the heading line, section name, kind; a reason instead of a kind: skipped)
MAIN_SEGMENTS: tuple[tuple[str, str, str], ...] = (
    (r"^\s*Inleiding\s*$", "Inleiding", "toelichting"),
    (r"Het LISO-framework\s*$", "Het LISO-framework", "toelichting"),
    (r"^\s*Afbeelding 1\b", "Afbeelding 1", "figure: the framework diagram, labels flattened"),
    (r"Leernetwerken in de praktijk\s*$", "Leernetwerken in de praktijk", "toelichting"),
    (r"^\s*Doelstelling\s*$", "Doelstelling", "toelichting"),
    (r"^\s*Methode\s*$", "Methode", "methode"),
    (r"^\s*Resultaten\s*$", "Resultaten", "resultaat"),
    (r"^\s*Tabel 1\b", "Tabel 1", "table"),
    (r"^\s*Resultat\w* ronde 1\s*$", "Resultaten ronde 1", "resultaat"),
    (r"^\s*Resultaten ronde \w\s*$", "Resultaten ronde 2", "resultaat"),
    (r"^\s*Tabk?el 2\b", "Tabel 2", "table"),
    (r"^\s*Verder is geinventariseerd", "Resultaten ronde 2", "resultaat"),
    (r"^\s*Tabel 3\b", "Tabel 3", "table"),
    (r"^\s*Experts hebben ook feedback gegeven", "Resultaten ronde 2", "resultaat"),
    (r"^\s*Discussie\s*$", "Discussie", "resultaat"),
    (r"^\s*Afbeelding 2\b", "Afbeelding 2", "figure: the revised framework, labels flattened"),
    (r"^\s*Van de 24 uitgangspunten benoemd in de top 3 is", "Discussie", "resultaat"),
    (r"^\s*Overwegingen\s*$", "Overwegingen", "resultaat"),
    (
        r"^\s*Aanbevelingen voor praktijk",
        "Aanbevelingen voor praktijk en vervolgonderzoek",
        "resultaat",
    ),
    (r"^\s*Conclusie\s*$", "Conclusie", "resultaat"),
    (r"^\s*Dankwoord\s*$", "Dankwoord", "acknowledgements, cut off in the source"),
)
MAX_WORDS = 170
_KINDS = ("toelichting", "methode", "resultaat")


def _parse_main_text(lines: list[Line], out: Parsed) -> list[Draft]:
    starts = []
    pos = 0
    for pattern, _, _ in MAIN_SEGMENTS:
        pos = find_line(lines, pattern, pos)
        starts.append(pos)
    starts.append(len(lines))
    drafts: list[Draft] = []
    counters: dict[str, int] = {}
    for (_, name, kind), a, b in zip(MAIN_SEGMENTS, starts, starts[1:], strict=False):
        if kind == "table":
            if name == "Tabel 1":
                drafts.append(_table1(lines[a:b]))
            continue  # Tables 2 and 3 are read by _apply_table2/3
        if kind not in _KINDS:
            out.span(lines[a].no, lines[b - 1].no, "skipped", kind)
            continue
        titled = re.match(r"^\s*\S+( \S+){0,6}\s*$", lines[a].stripped)
        if titled:
            out.span(lines[a].no, lines[a].no, "heading", "section heading")
        body = lines[a + 1 : b] if titled else lines[a:b]
        merged: list[list[Line]] = []
        for para in paragraphs(body):
            t = " ".join(ln.stripped for ln in para)
            if len(para) == 1 and len(t.split()) <= 6 and not t.endswith("."):
                out.span(para[0].no, para[0].no, "heading", "sub-heading")
                continue
            cont = merged and not merged[-1][-1].stripped.endswith((".", ":", "?", "!"))
            too_long = merged and sum(len(ln.text.split()) for ln in merged[-1]) > MAX_WORDS
            if (cont and not too_long) or (merged and t[:1].islower()):
                merged[-1].extend(para)
            else:
                merged.append(list(para))
        for para in merged:
            text = ocr.repair([ocr.strip_bullet(ln.text) for ln in para])
            if len(text.split()) < 8:
                out.span(para[0].no, para[-1].no, "skipped", "fragment of a few words")
                continue
            key = slug(name, 3)
            counters[key] = counters.get(key, 0) + 1
            drafts.append(
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
    return drafts


_T1_ROW = re.compile(r"^(\w+) (\d{1,3})% (\d{1,3})%$")


def _table1(lines: list[Line]) -> Draft:
    """Table 1, the panel: share of respondents per field in rounds 1 and 2."""
    rows = []
    for ln in lines:
        m = _T1_ROW.match(ln.stripped)
        if m:
            # a share above 100% read part of the % sign as a digit: "749%" is 74%
            r1, r2 = (int(x) if int(x) <= 100 else int(x[:2]) for x in m.group(2, 3))
            rows.append(f"{m.group(1).lower()} {r1}% en {r2}%")
    note = ocr.repair([ln.text for ln in lines if ln.stripped.startswith(("Noot", "gank"))])
    n = re.findall(r"N ronde \d\s*\W\s*(\d+)", note)
    if len(rows) != 4 or len(n) != 2:
        raise ParseError(f"{FILE}: Table 1 should have 4 rows and two N, got {rows}, {n}")
    text = (
        "Tabel 1: percentage deelnemers per werkveldgebied in ronde 1 en ronde 2: "
        + "; ".join(rows)
        + f". N ronde 1 = {n[0]}, N ronde 2 = {n[1]}; meerdere werkveldgebieden waren "
        "aanklikbaar."
    )
    return Draft(
        id="d23-resultaten-tabel1",
        text=text,
        kind="resultaat",
        kernelement="Algemeen",
        file=FILE,
        title=TITLE,
        edition=EDITION,
        section=("Resultaten", "Tabel 1"),
        line_start=lines[0].no,
        line_end=lines[-1].no,
        lead="Tabel 1: het panel van de Delphi-studie",
    )
