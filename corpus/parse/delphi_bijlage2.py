"""Bijlage 2 of the Delphi report: the principles per core element and sub-element, and
under each principle its working elements.

The lines under a principle are cut into pieces by `corpus.parse.delphi_pieces` (the OCR
lost most bullet glyphs, so the lists are read back from the layout). A label
("Onderbouwing", "Kenmerken", "Succesfactoren", "Randvoorwaarden") becomes the `role` of
what follows, a heading a part of the section path, a lead ("… wanneer:") the `lead` of
the items after it, an introduction ("We beschrijven …") a `toelichting` record. Every
working element is its own record; an (E) on a lead holds for its items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.parse import ocr
from corpus.parse.common import (
    Line,
    ParseError,
    has_expert_marker,
    kernelement,
    paragraphs,
    similarity,
    slug,
    split_inline_refs,
    split_trailing_refs,
)
from corpus.parse.delphi_doc import EDITION, FILE, KERN_SHORT, MATCH_THRESHOLD, TITLE, best
from corpus.parse.delphi_pieces import (
    BULLET_GLYPH,
    LABEL,
    NO_CHANGE,
    Piece,
    is_lead,
    label_lead,
    pieces,
    role_of,
)
from corpus.parse.records import Draft, Parsed

SECTION = "Bijlage 2. Overzicht resultaten Delphi-ronde 1"
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

_PRINCIPLE_LINE = re.compile(r"^\s*(?:uit\w{2,6}punt\s*:|Trekkers\s*:)\s*(\S.*)$", re.I)
_SUMMARY_HEADER = re.compile(r"^\s*uit\w{2,6}punt(?:en)?\s*:?\s*$", re.I)


@dataclass
class Block:
    """A principle of Bijlage 2 with the lines under it (blank lines kept, empty text)."""

    statement_lines: list[Line]
    kern: str
    deel: str
    body: list[Line] = field(default_factory=list)

    @property
    def statement(self) -> str:
        return ocr.repair([ln.text for ln in self.statement_lines])


# --- blocks --------------------------------------------------------------------------------


def parse_blocks(lines: list[Line], out: Parsed) -> list[Block]:
    """The principles of Bijlage 2 (from "Wijzigingen in kernelement …" to Bijlage 3)."""
    blocks: list[Block] = []
    kern, deel = "", ""
    summary: list[list[Line]] | None = None  # the short list after "Uitgangspunten:"
    current: Block | None = None
    paras = paragraphs(lines)
    for pi, para in enumerate(paras):
        nxt = paras[pi + 1] if pi + 1 < len(paras) else []
        if current is not None and current.body:
            current.body.append(Line(para[0].no, ""))  # a paragraph break
        li = 0
        while li < len(para):
            ln = para[li]
            t = ln.stripped
            m_kern = re.match(r"^(?:Wijzigingen in )?kernelement\s+(.+)$", t, re.I)
            m_deel = re.match(r"^Deelelement\s+(.+)$", t)
            m_prin = _PRINCIPLE_LINE.match(t)
            if m_kern:
                kern, deel, summary, current = _canonical_kern(m_kern.group(1)), "", None, None
                out.span(ln.no, ln.no, "heading", "core element heading")
                li += 1
                continue
            if m_deel:
                deel, summary, current = _canonical_deel(m_deel.group(1)), None, None
                first = ln.no
                li += 1
                # "(Wat is een ... leer-" / "netwerk?)" may wrap
                while li < len(para) and para[li].stripped.endswith("?)"):
                    li += 1
                out.span(first, para[li - 1].no, "heading", "sub-element heading")
                continue
            if t.startswith("Niveau samenwerkingsverband - "):
                out.span(ln.no, ln.no, "heading", "sub-element heading")
                li += 1
                continue
            if _SUMMARY_HEADER.match(t):
                summary = []
                out.span(ln.no, ln.no, "heading", "'Uitgangspunten:' before the list of titles")
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
                    short = blocks.pop()  # a short title directly followed by the statement
                    out.span(
                        short.statement_lines[0].no,
                        short.statement_lines[-1].no,
                        "heading",
                        "short title of the principle stated below it",
                    )
                current = Block(stmt, kern, deel)
                blocks.append(current)
                summary = None
                continue
            if summary is not None:
                ends = (
                    LABEL.match(t)
                    or t.endswith(":")
                    or (
                        len(t.split()) > 10
                        and not BULLET_GLYPH.match(ln.text)
                        and para[-1].stripped.endswith(".")
                    )
                )
                if not ends:
                    if (
                        BULLET_GLYPH.match(ln.text)
                        or not summary
                        or not summary[-1][-1].stripped.endswith("-")
                    ):
                        summary.append([ln])
                    else:
                        summary[-1].append(ln)
                    out.span(ln.no, ln.no, "heading", "list of the sub-element's principle titles")
                    li += 1
                    continue
                if len(summary) == 1:
                    # the principle is named only in the summary list (Opbrengsten)
                    current = Block(_strip_glyphs(summary[0]), kern, deel)
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
                    current = Block(list(para), kern, deel)
                    blocks.append(current)
                li = len(para)
                continue
            if current is None:
                out.span(ln.no, ln.no, "heading", "title above a principle")
                li += 1
                continue
            if (
                li == 0
                and not current.body
                and current.statement_lines[-1].stripped.endswith("-")
                and t[:1].islower()
            ):
                current.statement_lines.extend(para)  # the statement, broken by a blank line
                li = len(para)
                continue
            current.body.append(ln)
            li += 1
    if not blocks:
        raise ParseError(f"{FILE}: Bijlage 2 yielded no principles")
    return blocks


def _canonical_deel(text: str) -> str:
    text = ocr.repair_text(text).strip(" |")
    found = max(DEELELEMENTEN, key=lambda d: similarity(text, d))
    return found if similarity(text, found) >= 0.6 else text


def _canonical_kern(text: str) -> str:
    text = ocr.repair_text(text).strip(" |[")
    try:
        return kernelement(text)
    except ParseError:
        names = [*KERN_SHORT, "Leerrendement"]
        found = max(names, key=lambda n: similarity(text, n))
        if similarity(text, found) < 0.7:
            raise
        return kernelement(found)


def _ends_statement(t: str, stmt: list[Line]) -> bool:
    return (
        not t
        or LABEL.match(t) is not None
        or NO_CHANGE.match(t) is not None
        or _PRINCIPLE_LINE.match(t) is not None
        or (stmt[-1].stripped.endswith((".", ").", "(E)", "(E}.")) and t[:1].isupper())
    )


def _strip_glyphs(lines: list[Line]) -> list[Line]:
    return [Line(ln.no, BULLET_GLYPH.sub("", ln.text)) for ln in lines]


# --- items ---------------------------------------------------------------------------------


@dataclass
class Item:
    """A working element or an introduction read from a block, before it has an id."""

    piece: Piece
    kind: str  # werkzaam_element or toelichting
    text: str
    lead: str = ""
    role: str | None = None
    heading: str = ""
    refs: tuple[str, ...] = ()
    expert: bool = False
    start: int = 0
    end: int = 0


def read_items(block: Block, out: Parsed) -> list[Item]:
    """Working elements and introductions of a block, with leads, roles and (E) flags;
    the structure pieces become spans."""
    items: list[Item] = []
    role: str | None = None
    lead, lead_expert = "", False
    lead_refs: tuple[str, ...] = ()
    heading = ""
    plist = pieces(block.body)
    for i, p in enumerate(plist):
        if p.kind == "note":
            out.span(p.start, p.end, "note", "note: no additions by the experts")
            continue
        if p.kind == "label":
            role = role_of(p.text)
            lead = label_lead(p.text)
            lead_refs = split_trailing_refs(p.text)[1]
            lead_expert = False
            heading = ""
            out.span(p.start, p.end, "label", f"label → role {role}")
            continue
        if p.kind == "heading":
            heading, lead, lead_refs, lead_expert = p.text, "", (), False
            out.span(p.start, p.end, "heading", "sub-heading → section")
            continue
        if p.kind == "lead":
            after_heading = i > 0 and plist[i - 1].kind == "heading"
            if not after_heading:
                heading = ""
            lead_expert = has_expert_marker(p.text)
            lead, lead_refs = _clean_lead(p.text)
            if re.match(r"^(Belanghebbende )?randvoorwaarden", lead, re.I):
                role = "randvoorwaarde"
            out.span(p.start, p.end, "lead", "lead-in of the list below it")
            continue
        # an item, or an introduction; a trailing introduction sentence is split off
        text = p.text
        m_intro = re.search(r"(?<=\.)\s+(We beschrijven .*)$", text)
        if m_intro and p.kind == "item":
            intro = m_intro.group(1)
            text = text[: m_intro.start()]
            items.append(_item(p, "werkzaam_element", text, lead, role, heading, lead_refs))
            items[-1].expert |= lead_expert
            items.append(_item(p, "toelichting", intro, "", role, heading, ()))
            continue
        kind = "toelichting" if p.kind == "intro" else "werkzaam_element"
        item = _item(p, kind, text, lead if kind != "toelichting" else "", role, heading, lead_refs)
        if kind == "werkzaam_element":
            item.expert |= lead_expert
        items.append(item)
    return items


def _clean_lead(text: str) -> tuple[str, tuple[str, ...]]:
    """A lead without its reference markers: "… bepaald door (37,38):" -> "… bepaald
    door:"; a lead left open ("Helpend daarbij is (16)") gets its colon."""
    raw = text.strip()
    if raw.endswith("?"):
        return raw, ()
    body = raw.rstrip(" :")
    clean, refs, _ = split_trailing_refs(body)
    clean, inner, _ = split_inline_refs(clean)
    if raw.endswith(":") or not body.endswith((".", ")")) or is_lead(raw):
        clean = clean.rstrip(".") + ":"
    return clean, (*inner, *refs)


def _item(
    p: Piece,
    kind: str,
    text: str,
    lead: str,
    role: str | None,
    heading: str,
    lead_refs: tuple[str, ...],
) -> Item:
    clean, refs, expert = split_trailing_refs(text)
    clean, inner, inner_expert = split_inline_refs(clean)
    if not lead and clean[:1].islower():
        clean = clean[0].upper() + clean[1:]
    refs = (*lead_refs, *inner, *refs) if kind == "werkzaam_element" else (*inner, *refs)
    return Item(
        p,
        kind,
        clean,
        lead=lead,
        role=role,
        heading=heading,
        refs=tuple(dict.fromkeys(refs)),
        expert=expert or inner_expert or has_expert_marker(text),
        start=p.start,
        end=p.end,
    )


# --- principles ----------------------------------------------------------------------------


def attach(blocks: list[Block], principles: list[Draft], out: Parsed) -> list[Draft]:
    """Match each block to a Bijlage 3 principle; its items become records."""
    drafts: list[Draft] = []
    counters: dict[tuple[str, str], int] = {}
    phases: dict[str, set[str | None]] = {}
    for block in blocks:
        stmt, refs, expert = split_trailing_refs(block.statement)
        stmt, inner, inner_expert = split_inline_refs(stmt)
        expert |= inner_expert or has_expert_marker(block.statement)
        items = read_items(block, out)
        same_kern = [p for p in principles if p.kernelement == block.kern]
        found, score = best(stmt, same_kern or principles)
        intro = next((it.text for it in items if it.kind == "toelichting"), "")
        if len(stmt.split()) <= 6 and intro:
            # a block titled only ("Randvoorwaarden voor het institutionaliseren") is the
            # principle its introduction names ("… voor het borgen van de resultaten …")
            by_intro, intro_score = best(intro, same_kern or principles)
            if intro_score > score:
                found, score = by_intro, intro_score
        if score < MATCH_THRESHOLD:
            found, score = best(stmt, principles)
        if score < MATCH_THRESHOLD:
            # a principle that Bijlage 2 has and Bijlage 3 does not score
            pid = f"d23-{KERN_SHORT[block.kern]}-{slug(stmt, 7)}"
            found = Draft(
                id=pid,
                text=stmt,
                kind="uitgangspunt",
                kernelement=block.kern,
                deelelement=block.deel,
                file=FILE,
                title=TITLE,
                edition=EDITION,
                section=_section(block),
                line_start=block.statement_lines[0].no,
                line_end=block.statement_lines[-1].no,
                expert_added=expert,
                references=(*refs, *inner),
            )
            found.principle, found.principle_id = stmt, pid
            principles.append(found)
            out.span(
                block.statement_lines[0].no,
                block.statement_lines[-1].no,
                "statement",
                "a principle of Bijlage 2 that Bijlage 3 does not score (its record)",
                pid,
            )
        else:
            found.expert_added |= expert
            found.references = tuple(dict.fromkeys((*found.references, *refs, *inner)))
            out.span(
                block.statement_lines[0].no,
                block.statement_lines[-1].no,
                "statement",
                "the principle as worded in Bijlage 2 (the record holds the Bijlage 3 wording)",
                found.id,
            )
        if not found.deelelement:
            found.deelelement = block.deel
        phase = PHASES.get(block.deel)
        phases.setdefault(found.id, set()).add(phase)
        extra = _extra_sentences(stmt, found.text)
        if extra:
            drafts.append(
                _draft(found, block, "toelichting", extra, counters, phase, block.statement_lines)
            )
        for it in items:
            d = _draft(found, block, it.kind, it.text, counters, phase, it.piece.lines)
            d.lead, d.role, d.references, d.expert_added = it.lead, it.role, it.refs, it.expert
            if it.heading:
                d.section = (*d.section, it.heading)
            drafts.append(d)
    for p in principles:
        found_phases = phases.get(p.id, set())
        if len(found_phases) == 1:
            p.phase = next(iter(found_phases))
        elif len(found_phases) > 1:
            p.deelelement = "Alle fasen"
        if p.kernelement == "Ontwikkelfasen" and p.phase is None and not p.deelelement:
            p.deelelement = "Alle fasen"
    return drafts


def _extra_sentences(statement: str, principle: str) -> str:
    """Sentences of the Bijlage 2 statement beyond the principle itself: the coordinator's
    position is explained in the statement ("Deze coördinator heeft een bijzondere …")."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", statement)
    n = len(re.split(r"(?<=[.!?])\s+(?=[A-Z])", principle))
    extra = " ".join(sentences[n:]).strip()
    return extra if len(extra.split()) >= 5 else ""


def _draft(
    principle: Draft,
    block: Block,
    kind: str,
    text: str,
    counters: dict[tuple[str, str], int],
    phase: str | None,
    lines: list[Line],
) -> Draft:
    tag = "we" if kind == "werkzaam_element" else "tl"
    key = (principle.id, tag)
    counters[key] = counters.get(key, 0) + 1
    return Draft(
        id=f"{principle.id}-{tag}{counters[key]:02d}",
        text=text,
        kind=kind,
        kernelement=block.kern,
        deelelement=block.deel,
        file=FILE,
        title=TITLE,
        edition=EDITION,
        section=_section(block),
        line_start=lines[0].no,
        line_end=lines[-1].no,
        principle=principle.text,
        principle_id=principle.id,
        phase=phase,
    )


def _section(block: Block) -> tuple[str, ...]:
    return (SECTION, block.kern, block.deel)
