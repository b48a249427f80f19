"""Parser for the article about the LISO handbook (2025): building blocks, practice
stories, the three phases and the practical tips."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.parse.common import Line, ParseError, read_lines, slug
from corpus.parse.records import Draft, Parsed

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


# the five building blocks ("bouwstenen of kernelementen") and where the article names them
BOUWSTENEN = (
    ("Ondersteunende kennisinfrastructuur", r"Het eerste kernelement is [^’]+"),
    ("Synergie in de samenwerking", r"Daarnaast is synergie nodig in de samenwerking’.*?doen\."),
    ("Samen leren als rode draad", r"Het 3e kernelement: [^.]+\."),
    ("Vliegwiel voor andere plekken", r"Ook zijn leernetwerken een vliegwiel [^.]+\."),
    ("Vertrouwen in de opbrengst", r"De laatste bouwsteen bestaat eruit [^’]+"),
)
SKIPS = {
    "Leestijd": "reading time",
    "Tekst:": "byline",
}


def parse(sources_dir: Path) -> Parsed:
    lines = read_lines(sources_dir / FILE)
    texts = [ln.stripped for ln in lines]
    for h in HEADINGS:
        if h not in texts:
            raise ParseError(f"{FILE}: expected heading {h!r} is missing")
    spans = Parsed(FILE)
    section = "Inleiding"
    out: list[Draft] = []
    counters: dict[str, int] = {}  # records per section slug; "#fase", "#tip"
    for ln in lines:
        t = ln.stripped
        if not t:
            continue
        if t in HEADINGS and not t.startswith(tuple(SKIPS)):
            section = t
            spans.span(ln.no, ln.no, "heading", "section heading")
            continue
        if _skipped(ln, section, spans):
            continue
        out.append(_record(ln, section, counters))
    phases, tips = counters.get("#fase", 0), counters.get("#tip", 0)
    if phases != len(PHASES) or tips != N_TIPS:
        raise ParseError(f"{FILE}: found {phases} phases and {tips} tips, expected 3 and {N_TIPS}")
    out += _bouwstenen(lines)
    spans.drafts = out
    return spans


def _skipped(ln: Line, section: str, spans: Parsed) -> bool:
    """Lines that are no record (page furniture, links, titles, pull quotes): spans."""
    t = ln.stripped
    if t.startswith(tuple(SKIPS)):
        spans.span(ln.no, ln.no, "skipped", SKIPS[next(k for k in SKIPS if t.startswith(k))])
        return True
    if section == "Meer weten?":
        spans.span(ln.no, ln.no, "skipped", "links to other pages (download, training)")
        return True
    if len(t.split()) < 10 and not t.startswith("- "):
        what = "title" if ln.no <= 2 else "pull quote repeating the article"
        spans.span(ln.no, ln.no, "heading" if what == "title" else "skipped", what)
        return True
    return False


def _record(ln: Line, section: str, counters: dict[str, int]) -> Draft:
    """A phase, a tip, or a paragraph of the section."""
    t = ln.stripped
    if section == "Leren en innoveren in 3 fasen" and t.startswith("- "):
        name = next((p for p in PHASES if p in t), None)
        if name is None:
            raise ParseError(f"{FILE}: a phase bullet names none of {PHASES}")
        counters["#fase"] = counters.get("#fase", 0) + 1
        rid = f"hb25-fase-{slug(name)}"
        return _draft(rid, t[2:], "fase", "Ontwikkelfasen", section, ln.no, name)
    if section == "Praktische tips voor samen onderzoeken en leren" and t.startswith("- "):
        counters["#tip"] = counters.get("#tip", 0) + 1
        rid = f"hb25-tip-{counters['#tip']:02d}"
        return _draft(rid, t[2:], "tip", "Algemeen", section, ln.no, "")
    key = slug(section, 3)
    counters[key] = counters.get(key, 0) + 1
    text = re.sub(r"^[-–]\s+", "", t)
    return _draft(
        f"hb25-{key}-{counters[key]:02d}", text, "toelichting", "Algemeen", section, ln.no, ""
    )


def _bouwstenen(lines: list[Line]) -> list[Draft]:
    """The five building blocks as records of their own: the sentences of the section
    "Fundament voor samen leren" that name them, quotation marks and "vervolgt
    Pannebakker" left out."""
    out = []
    for n, (name, pattern) in enumerate(BOUWSTENEN, start=1):
        found = next(((ln, m) for ln in lines if (m := re.search(pattern, ln.stripped))), None)
        if found is None:
            raise ParseError(f"{FILE}: building block {n} ({name}) not found")
        ln, m = found
        text = re.sub(r"’,\s*vervolgt Pannebakker\.\s*‘", ". ", m.group(0))
        text = text.replace("‘", "").replace("’", "").strip()
        if text[-1:] not in ".!?":
            text += "."
        d = _draft(
            f"hb25-fundament-bouwsteen-{n}", text, "bouwsteen", "Algemeen", HEADINGS[1], ln.no, name
        )
        d.lead = f"Bouwsteen {n} van de vijf van de LISO-werkwijze: {name.lower()}"
        out.append(d)
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
