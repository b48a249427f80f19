"""Parser for the Delphi report (2023), an OCR'd PDF.

What it yields:
- the ~48 principles of Bijlage 3 with both priority scores (canonical wording),
  their rank in Table 2 (top 3 per core element) and Table 3 (top 10);
- the working elements of Bijlage 2 under each principle, with the (E) flag;
- the definitions of the Begrippenkader;
- the report's own text (introduction, method, results, discussion) as paragraphs;
- one summary record per Table 2 group and one for Table 3.
The OCR clean-up (noise lines, de-hyphenation, letter confusions) is `corpus.parse.ocr`;
the scored principles and Tables 2-3 are read in `delphi_tables`, Bijlage 2 in
`delphi_bijlage2`; here the definitions, the report's own text and the whole.
"""

from __future__ import annotations

import re
from pathlib import Path

from corpus.parse import delphi_bijlage2 as bijlage2
from corpus.parse import ocr
from corpus.parse.common import (
    Line,
    ParseError,
    find_line,
    paragraphs,
    read_lines,
    slug,
)
from corpus.parse.delphi_doc import EDITION, FILE, TITLE
from corpus.parse.delphi_tables import (
    apply_table2,
    apply_table3,
    bijlage3_legend,
    parse_bijlage3,
    principle_drafts,
    table_summaries,
)
from corpus.parse.records import Draft, Parsed
from corpus.text import plain

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

    rows = parse_bijlage3(lines[i_b3:], out)
    principles = principle_drafts(rows)
    tables = [apply_table2(lines, principles, out), apply_table3(lines, principles, out)]
    blocks = bijlage2.parse_blocks(lines[i_b2:i_b3], out)
    items = bijlage2.attach(blocks, principles, out)
    drafts: list[Draft] = [*principles, *items]
    drafts += _parse_definitions(lines[i_begr:i_b2], out)
    drafts += _parse_main_text(lines[:i_bijlage1], out)
    drafts += table_summaries(principles, tables)
    drafts += _bijlage2_intro(lines[i_bijlage2:i_b2], out)
    drafts.append(bijlage3_legend(lines[i_b3:], out))
    first, last = lines[i_bijlage1].no, lines[i_bijlage2].no - 1
    out.span(first, last, "skipped", "Bijlage 1: the names of the respondents")
    out.drafts = drafts
    return out


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
