"""Bijlage 2 of the Delphi report: the principles per core element and sub-element, and
under each principle its working elements.

Three steps, one module each: `delphi_blocks` cuts the appendix into blocks (a principle
and the lines under it); `delphi_pieces` cuts a block's lines into pieces (the OCR lost
most bullet glyphs, so the lists are read back from the layout) and `delphi_items` reads
them as items; here each block is matched to its Bijlage 3 principle and its items become
records. A label
("Onderbouwing", "Kenmerken", "Succesfactoren", "Randvoorwaarden") becomes the `role` of
what follows, a heading a part of the section path, a lead ("… wanneer:") the `lead` of
the items after it, an introduction ("We beschrijven …") a `toelichting` record. Every
working element is its own record; an (E) on a lead holds for its items.
"""

from __future__ import annotations

import re

from corpus.parse.common import (
    Line,
    has_expert_marker,
    slug,
    split_inline_refs,
    split_trailing_refs,
)
from corpus.parse.delphi_blocks import Block, parse_blocks
from corpus.parse.delphi_doc import EDITION, FILE, KERN_SHORT, MATCH_THRESHOLD, TITLE, best
from corpus.parse.delphi_items import Item, read_items
from corpus.parse.records import Draft, Parsed

__all__ = ["SECTION", "attach", "parse_blocks"]

SECTION = "Bijlage 2. Overzicht resultaten Delphi-ronde 1"
PHASES = {
    "Formeren": "formeren",
    "Onderhoud": "onderhoud",
    "Institutionaliseren": "institutionaliseren",
}

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
        items = read_items(block.body, out)
        found = _principle_of(block, stmt, items, principles)
        lines = (block.statement_lines[0].no, block.statement_lines[-1].no)
        if found is None:
            # a principle that Bijlage 2 has and Bijlage 3 does not score
            found = _unscored(block, stmt, expert, (*refs, *inner))
            principles.append(found)
            why = "a principle of Bijlage 2 that Bijlage 3 does not score (its record)"
        else:
            found.expert_added |= expert
            found.references = tuple(dict.fromkeys((*found.references, *refs, *inner)))
            why = "the principle as worded in Bijlage 2 (the record holds the Bijlage 3 wording)"
        out.span(*lines, "statement", why, found.id)
        if not found.deelelement:
            found.deelelement = block.deel
        phase = PHASES.get(block.deel)
        phases.setdefault(found.id, set()).add(phase)
        drafts += _block_drafts(found, block, stmt, items, counters, phase)
    _set_phases(principles, phases)
    return drafts


def _principle_of(
    block: Block, stmt: str, items: list[Item], principles: list[Draft]
) -> Draft | None:
    """The Bijlage 3 principle a block states (first among its core element's)."""
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
    return found if score >= MATCH_THRESHOLD else None


def _unscored(block: Block, stmt: str, expert: bool, refs: tuple[str, ...]) -> Draft:
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
        references=refs,
    )
    found.principle, found.principle_id = stmt, pid
    return found


def _block_drafts(
    found: Draft,
    block: Block,
    stmt: str,
    items: list[Item],
    counters: dict[tuple[str, str], int],
    phase: str | None,
) -> list[Draft]:
    """The records of a block: the statement's extra sentences, then its items."""
    drafts: list[Draft] = []
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
    return drafts


def _set_phases(principles: list[Draft], phases: dict[str, set[str | None]]) -> None:
    """A principle of one phase gets that phase; of several, "Alle fasen"."""
    for p in principles:
        found_phases = phases.get(p.id, set())
        if len(found_phases) == 1:
            p.phase = next(iter(found_phases))
        elif len(found_phases) > 1:
            p.deelelement = "Alle fasen"
        if p.kernelement == "Ontwikkelfasen" and p.phase is None and not p.deelelement:
            p.deelelement = "Alle fasen"


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
