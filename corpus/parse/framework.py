"""Parser for the 2021 framework text (numbered principles 1-25 with explanations);
each section is read by `framework_section.Section`."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.parse.common import (
    Line,
    ParseError,
    find_line,
    inline_citations,
    read_lines,
)
from corpus.parse.framework_section import EDITION, FILE, TITLE, Section
from corpus.parse.records import Draft, Parsed

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


def parse(sources_dir: Path) -> Parsed:
    lines = read_lines(sources_dir / FILE)
    out = Parsed(FILE)
    starts: list[int] = []
    pos = 0
    for heading, _, _ in SECTIONS:
        pos = find_line(lines, rf"^{re.escape(heading)}\s*$", pos)
        starts.append(pos)
    starts.append(len(lines))
    out.drafts += _front_matter(lines[: starts[0]], out)

    expected = 1
    for (heading, kern, deel), a, b in zip(SECTIONS, starts, starts[1:], strict=False):
        out.span(lines[a].no, lines[a].no, "heading", "core element / sub-element heading")
        # the phases section has no principle of its own: it explains principle 1
        fallback = next((d for d in out.drafts if d.id == "fw21-p01"), None)
        section = Section(heading, kern, deel, expected, fallback, out)
        section.read(lines[a + 1 : b])
        out.drafts.extend(section.finish())
        expected = section.expected
    if expected != N_PRINCIPLES + 1:
        raise ParseError(f"{FILE}: found principles 1..{expected - 1}, expected 1..{N_PRINCIPLES}")
    return out


def _front_matter(lines: list[Line], out: Parsed) -> list[Draft]:
    """The title, the chapter heading and the paragraph that says how the chapter is
    built (principles, explanation, working elements; Butterfoss as main source)."""
    drafts: list[Draft] = []
    for ln in lines:
        t = ln.stripped
        if not t:
            continue
        if len(t.split()) <= 14 and not t.endswith("."):
            out.span(ln.no, ln.no, "heading", "document title or chapter heading")
            continue
        drafts.append(
            Draft(
                id=f"fw21-inleiding-{len(drafts) + 1:02d}",
                text=t,
                kind="toelichting",
                kernelement="Algemeen",
                file=FILE,
                title=TITLE,
                edition=EDITION,
                section=("Invulling van het model",),
                line_start=ln.no,
                line_end=ln.no,
                references=inline_citations(t),
            )
        )
    return drafts
