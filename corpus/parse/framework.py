"""Parser for the 2021 framework text (numbered principles 1-25 with explanations)."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.parse.common import (
    Line,
    ParseError,
    find_line,
    inline_citations,
    read_lines,
    similarity,
)
from corpus.parse.records import Draft, merge_short_lists

FILE = "001_69f608219fdae590.txt"
TITLE = "Framework Leren en implementeren in samenwerkingsverbanden in de zorg voor jeugd"
EDITION = "framework-2021"
N_PRINCIPLES = 25

# (heading as in the text, core element (current name), sub-element)
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("Community context", "Community context", ""),
    (
        "Initiator-organisatie, medewerkers van de coalitie en trekker van het leernetwerk",
        "Leernetwerk",
        "Samenstelling",
    ),
    ("(Samenstelling van) Het Leernetwerk", "Leernetwerk", "Samenstelling"),
    ("Organisatie - Processen", "Organisatie", "Processen"),
    ("Organisatie - Leiderschap en ondersteuning", "Organisatie", "Leiderschap en ondersteuning"),
    ("Organisatie - Structuur", "Organisatie", "Structuur"),
    ("Synergie- Samengebrachte middelen", "Synergie", "Samengebrachte middelen"),
    ("Synergie-Ledenbetrokkenheid", "Synergie", "Ledenbetrokkenheid"),
    (
        "Synergie - Monitoring, waardering en planning",
        "Synergie",
        "Monitoring, waardering en planning",
    ),
    ("Leerlessen vatten", "Leren zichtbaar maken", ""),
    ("Implementeren van resultaten", "Kennistransfer van opbrengsten", ""),
    ("Resultaten – Niveau van leernetwerk", "Opbrengsten", "Niveau van leernetwerk"),
    (
        "Resultaten – Niveau van samenwerkingsverband",
        "Opbrengsten",
        "Niveau van samenwerkingsverband",
    ),
    (
        "Resultaten – Niveau van professionals en gezinnen",
        "Opbrengsten",
        "Niveau van professionals en gezinnen",
    ),
    ("Proces: Formeren onderhoud institutionaliseren", "Ontwikkelfasen", ""),
)
PHASE_HEADINGS = {"Formeren:": "formeren", "Onderhoud": "onderhoud"}
PHASE_HEADINGS["Institutionaliseren"] = "institutionaliseren"

_LABEL = re.compile(
    r"^(Uitgangspunten|Uitgangspunt:?|Toelichting( en werkzame elementen)?:?|"
    r"Werkzame elementen:?|Bronnen:?)$"
)
_NUMBERED = re.compile(r"^(?:-\s+)?(\d{1,2})\.\s+(.+?)\**\s*$")
_BULLET = re.compile(r"^\s*-\s+(.*)$")
_SKIP = re.compile(
    r"^(Figuur \d|Verdere invulling van dit deelelement volgt|<hier volgt|<https?://|"
    r"https?://|Naar: \()"
)


def _is_heading(lines: list[Line], i: int) -> bool:
    t = lines[i].stripped
    if not t or len(t) > 80 or _BULLET.match(lines[i].text) or _NUMBERED.match(t):
        return False
    if t in PHASE_HEADINGS:
        return True
    if t[-1] in ".:;," or _LABEL.match(t) or t.startswith("("):
        return False
    prev_blank = i == 0 or not lines[i - 1].stripped
    next_blank = i + 1 >= len(lines) or not lines[i + 1].stripped
    return prev_blank and next_blank and len(t.split()) <= 8


def parse(sources_dir: Path) -> list[Draft]:
    lines = read_lines(sources_dir / FILE)
    starts: list[int] = []
    pos = 0
    for heading, _, _ in SECTIONS:
        pos = find_line(lines, rf"^{re.escape(heading)}\s*$", pos)
        starts.append(pos)
    starts.append(len(lines))

    drafts: list[Draft] = []
    expected = 1
    for (heading, kern, deel), a, b in zip(SECTIONS, starts, starts[1:], strict=False):
        # the phases section has no principle of its own: it explains principle 1
        fallback = drafts[0] if drafts else None
        section_drafts, expected = _parse_section(
            lines[a + 1 : b], heading, kern, deel, expected, fallback
        )
        drafts.extend(section_drafts)
    if expected != N_PRINCIPLES + 1:
        raise ParseError(f"{FILE}: found principles 1..{expected - 1}, expected 1..{N_PRINCIPLES}")
    return drafts


def _parse_section(
    lines: list[Line],
    heading: str,
    kern: str,
    deel: str,
    expected: int,
    fallback: Draft | None,
) -> tuple[list[Draft], int]:
    principles: list[Draft] = []
    group: list[Draft] = []  # the latest contiguous run of principles
    pending: list[Draft] = []  # chunks before the first principle of the section
    merged_into: set[int] = set()
    out: list[Draft] = []
    mode, sub, lead, phase = "", "", "", None
    last_was_principle = False
    i = 0
    refs: list[str] = []
    while i < len(lines):
        ln = lines[i]
        t = ln.stripped
        if not t:
            i += 1
            continue
        if _LABEL.match(t):
            mode = t.rstrip(":").lower()
            lead = ""
            i += 1
            continue
        if mode.startswith("bronnen"):
            if _is_heading(lines, i) and not t.startswith(("-", "Bronnen")):
                mode = ""
            else:
                refs.append(t)
                i += 1
                continue
        m = _NUMBERED.match(t)
        if m and int(m.group(1)) == expected:
            statement = m.group(2).strip().rstrip("*").strip()
            d = Draft(
                id=f"fw21-p{expected:02d}",
                text=statement,
                kind="uitgangspunt",
                kernelement=kern,
                deelelement=deel,
                file=FILE,
                title=TITLE,
                edition=EDITION,
                section=("Invulling van het model", heading, sub),
                line_start=ln.no,
                line_end=ln.no,
                references=inline_citations(statement),
            )
            d.principle, d.principle_id = statement, d.id
            if not last_was_principle:
                group = []
            group.append(d)
            principles.append(d)
            out.append(d)
            expected += 1
            last_was_principle = True
            i += 1
            continue
        if _SKIP.match(t):
            i += 1
            continue
        if _is_heading(lines, i):
            sub = t.rstrip(":")
            lead = ""
            if kern == "Ontwikkelfasen" and t in PHASE_HEADINGS:
                phase = PHASE_HEADINGS[t]
            i += 1
            continue
        # a block: consecutive numbered list items, a bullet, or a paragraph
        start = ln.no
        is_bullet = False
        if _NUMBERED.match(t):
            items = []
            while i < len(lines) and _NUMBERED.match(lines[i].stripped):
                items.append(lines[i].stripped)
                i += 1
            text, end = "; ".join(it.rstrip(";") for it in items), lines[i - 1].no
            kind = "werkzaam_element" if "werkzame" in mode else "toelichting"
        elif _BULLET.match(ln.text):
            text, end = _BULLET.match(ln.text).group(1).strip(), ln.no  # type: ignore[union-attr]
            i += 1
            is_bullet = True
            kind = "werkzaam_element" if ("werkzame" in mode or group) else "toelichting"
        elif t.startswith("Determinanten m.b.t."):
            # a flattened two-column table: the category line, then rows "N name (x)"
            rows = []
            i += 1
            while i < len(lines) and re.match(r"^\d{1,2} ", lines[i].stripped):
                rows.extend(c.strip() for c in lines[i].text.split("\t") if c.strip())
                i += 1
            rows.sort(key=lambda r: int(r.split()[0]))
            names = [re.sub(r"^\d{1,2} ", "", r) for r in rows]
            text, end = f"{t}: {', '.join(names)}.", lines[i - 1].no
            kind = "toelichting"
        else:
            text, end = t, ln.no
            i += 1
            kind = "toelichting"
        if not text:
            continue
        if text.endswith(":") and not (lead and _BULLET.match(ln.text)):
            lead = text
            last_was_principle = False
            continue
        if kern == "Ontwikkelfasen" and re.match(r"^\([a-e]\)", text):
            kind = "fase"
        d = Draft(
            id="",
            text=text,
            kind=kind,
            kernelement=kern,
            deelelement=deel,
            file=FILE,
            title=TITLE,
            edition=EDITION,
            section=("Invulling van het model", heading, sub),
            line_start=start,
            line_end=end,
            lead=lead if (_BULLET.match(ln.text) or _NUMBERED.match(t)) else "",
            phase=phase,
            references=inline_citations(text),
        )
        if mode == "uitgangspunt" and _BULLET.match(ln.text):
            d.kind = "werkzaam_element"
        prev = out[-1] if out else None
        if (
            is_bullet
            and prev is not None
            and prev.kind != "uitgangspunt"
            and not prev.lead
            and text[:1].islower()
            and prev.text[-1:] not in ".:;!?"
        ) or (is_bullet and prev is not None and id(prev) in merged_into and text[:1].islower()):
            # a sentence continued as a bullet list: keep it one chunk
            prev.text = f"{prev.text} {'- ' if id(prev) in merged_into else ''}{text}".strip()
            if id(prev) not in merged_into:
                prev.text = prev.text.replace(f" {text}", f": - {text}")
            merged_into.add(id(prev))
            prev.line_end = end
            continue
        if group:
            _attach(d, group)
        else:
            pending.append(d)  # text before the section's first principle
        out.append(d)
        last_was_principle = False
    if not principles:
        if fallback is None or kern != "Ontwikkelfasen":
            raise ParseError(f"{FILE}: section {heading!r} has no numbered principle")
        principles_or_fallback = [fallback]
    else:
        principles_or_fallback = principles
    out = merge_short_lists(out)
    _vote_by_subheading(out, principles)
    for d in pending:
        d.principle = principles_or_fallback[0].text
        d.principle_id = principles_or_fallback[0].id
    # number the chunks per principle, in document order; add section references
    counters: dict[str, int] = {}
    for d in out:
        if d.kind == "uitgangspunt":
            continue
        pid = d.principle_id
        counters[pid] = counters.get(pid, 0) + 1
        tag = {"werkzaam_element": "we", "fase": "fase"}.get(d.kind, "tl")
        d.id = f"{pid}-{tag}{counters[pid]:02d}"
    for p in principles:
        p.references = tuple(dict.fromkeys((*p.references, *_short_refs(refs))))
    return out, expected


def _attach(d: Draft, group: list[Draft]) -> None:
    best = group[-1] if len(group) == 1 else max(group, key=lambda p: similarity(d.text, p.text))
    d.principle, d.principle_id = best.text, best.id


def _short_refs(refs: list[str]) -> list[str]:
    """First author and year of each bibliography entry: 'Butterfoss, F.D. (2007)...'."""
    out = []
    for r in refs:
        r = r.lstrip("- ").strip()
        m = re.match(r"^([A-Z][^,(]+?),.*?\((\d{4}[a-z]?)\)", r)
        if m:
            out.append(f"{m.group(1).strip()}, {m.group(2)}")
    return out


def _stems(text: str) -> set[str]:
    from corpus.parse.common import fold

    return {w[:7] for w in fold(text).split() if len(w) > 4}


def _vote_by_subheading(out: list[Draft], principles: list[Draft]) -> None:
    """In a section with several principles, give all chunks under one sub-heading the
    principle that the sub-heading names (stem overlap) or, failing that, the one the
    chunks resemble most together."""
    if len(principles) < 2:
        return
    by_sub: dict[str, list[Draft]] = {}
    for d in out:
        if d.kind != "uitgangspunt" and d.section[2]:
            by_sub.setdefault(d.section[2], []).append(d)
    for sub, chunks in by_sub.items():

        def score(p: Draft, sub: str = sub, chunks: list[Draft] = chunks) -> float:
            named = 2.0 * len(_stems(sub) & _stems(p.text))
            return named + sum(similarity(c.text, p.text) for c in chunks) / len(chunks)

        best = max(principles, key=score)
        for c in chunks:
            c.principle, c.principle_id = best.text, best.id
