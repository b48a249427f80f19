"""The working elements and introductions of a Bijlage 2 block, read from its pieces
(`corpus.parse.delphi_pieces`): labels set the role, headings a part of the section, a
lead the `lead` of the items after it (its (E) holds for them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.parse.common import Line, has_expert_marker, split_inline_refs, split_trailing_refs
from corpus.parse.delphi_pieces import Piece, is_lead, label_lead, pieces, role_of
from corpus.parse.records import Parsed


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


def read_items(body: list[Line], out: Parsed) -> list[Item]:
    """Working elements and introductions of a block, with leads, roles and (E) flags;
    the structure pieces become spans."""
    items: list[Item] = []
    role: str | None = None
    lead, lead_expert = "", False
    lead_refs: tuple[str, ...] = ()
    heading = ""
    plist = pieces(body)
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
