"""Parser for the article about the LISO handbook (2025): building blocks, practice
stories, the three phases and the practical tips."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.parse.common import ParseError, read_lines, slug
from corpus.parse.records import Draft

FILE = "004_2b7a768cec65c9ea.txt"
TITLE = "Gluren bij de buren: leidraad voor succesvolle leernetwerken (LISO Handboek)"
EDITION = "handbook-2025"
PHASES = ("Samen begrijpen", "Samen doorgronden", "Samen vertalen")
N_TIPS = 6

# section headings in order: (heading, section name used in records)
HEADINGS = (
    "Handleiding voor leernetwerken",
    "Fundament voor samen leren",
    "Verder na een flitsende start",
    "Klaar met samen leren",
    "Oplossingen voor struikelblokken",
    "Leren en innoveren in 3 fasen",
    "Praktische tips voor samen onderzoeken en leren",
    "Meer weten?",
)


def parse(sources_dir: Path) -> list[Draft]:
    lines = read_lines(sources_dir / FILE)
    texts = [ln.stripped for ln in lines]
    for h in HEADINGS:
        if h not in texts:
            raise ParseError(f"{FILE}: expected heading {h!r} is missing")
    out: list[Draft] = []
    section = "Inleiding"
    counters: dict[str, int] = {}
    phases = tips = 0
    for ln in lines:
        t = ln.stripped
        if not t or t.startswith(("Leestijd", "Tekst:")):
            continue
        if t in HEADINGS:
            section = t
            continue
        if section == "Meer weten?":
            break
        if len(t.split()) < 10 and not t.startswith("- "):
            continue  # titles and pull quotes
        if section == "Leren en innoveren in 3 fasen" and t.startswith("- "):
            name = next((p for p in PHASES if p in t), None)
            if name is None:
                raise ParseError(f"{FILE}: a phase bullet names none of {PHASES}")
            phases += 1
            out.append(
                _draft(
                    f"hb25-fase-{slug(name)}", t[2:], "fase", "Ontwikkelfasen", section, ln.no, name
                )
            )
            continue
        if section == "Praktische tips voor samen onderzoeken en leren" and t.startswith("- "):
            tips += 1
            out.append(_draft(f"hb25-tip-{tips:02d}", t[2:], "tip", "Algemeen", section, ln.no, ""))
            continue
        key = slug(section, 3)
        counters[key] = counters.get(key, 0) + 1
        text = re.sub(r"^[-–]\s+", "", t)
        out.append(
            _draft(
                f"hb25-{key}-{counters[key]:02d}",
                text,
                "toelichting",
                "Algemeen",
                section,
                ln.no,
                "",
            )
        )
    if phases != len(PHASES) or tips != N_TIPS:
        raise ParseError(f"{FILE}: found {phases} phases and {tips} tips, expected 3 and {N_TIPS}")
    return out


def _draft(id_: str, text: str, kind: str, kern: str, section: str, no: int, deel: str) -> Draft:
    return Draft(
        id=id_,
        text=text,
        kind=kind,
        kernelement=kern,
        deelelement=deel,
        file=FILE,
        title=TITLE,
        edition=EDITION,
        section=(section,),
        line_start=no,
        line_end=no,
    )
