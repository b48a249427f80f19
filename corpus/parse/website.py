"""Parser for the framework website page on the core element Ontwikkelfasen (2023):
themes (principles) with their onderbouwing bullets, sources and practice examples."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.parse.common import ParseError, read_lines, slug, split_trailing_refs
from corpus.parse.records import Draft

FILE = "002_f749457133107596.txt"
TITLE = "Website LISO-framework: kernelement Ontwikkelfasen"
EDITION = "website-2023"
N_THEMES = 7


def parse(sources_dir: Path) -> list[Draft]:
    lines = [ln for ln in read_lines(sources_dir / FILE) if ln.stripped]
    texts = [ln.stripped for ln in lines]
    try:
        start = texts.index("Thema's en werkzame elementen")
        examples = texts.index("Praktijkvoorbeelden en hulpmiddelen")
    except ValueError as exc:
        raise ParseError(f"{FILE}: expected section missing: {exc}") from exc
    out: list[Draft] = []
    intro = " ".join(texts[:start])
    out.append(_draft("web-of-intro", intro, "toelichting", lines[0].no, lines[start - 1].no, ""))
    principle: Draft | None = None
    lead, mode, n = "", "", 0
    themes = 0
    for k in range(start + 1, examples):
        t, ln = texts[k], lines[k]
        nxt = texts[k + 1] if k + 1 < examples else ""
        if t in ("Onderbouwing", "Bronnen"):
            mode = t
            continue
        if mode == "Bronnen":
            if principle:
                principle.references = tuple(r.strip() for r in re.split(r";", t) if r.strip())
            mode = ""
            continue
        is_bullet = t.startswith("- ")
        if (
            not is_bullet
            and not t.endswith(":")
            and (
                nxt in ("Onderbouwing",)
                or (not nxt.startswith("- ") and mode != "Onderbouwing")
                or principle is None
            )
            and not (
                mode == "Onderbouwing"
                and principle
                and not nxt.startswith(("Onderbouwing",))
                and _is_body(t, nxt)
            )
        ):
            text, refs, expert = split_trailing_refs(t)
            principle = _draft(f"web-of-{slug(text, 7)}", text, "uitgangspunt", ln.no, ln.no, "")
            principle.principle, principle.principle_id = text, principle.id
            principle.expert_added, principle.references = expert, refs
            out.append(principle)
            themes += 1
            lead, mode, n = "", "", 0
            continue
        if t.endswith(":") and not is_bullet:
            lead = t
            continue
        assert principle is not None
        body = t[2:] if is_bullet else t
        text, refs, expert = split_trailing_refs(body)
        n += 1
        d = _draft(f"{principle.id}-we{n:02d}", text, "werkzaam_element", ln.no, ln.no, lead)
        d.principle, d.principle_id = principle.text, principle.id
        d.expert_added, d.references = expert, refs
        out.append(d)
    if themes != N_THEMES:
        raise ParseError(f"{FILE}: found {themes} themes, expected {N_THEMES}")
    ex_lines = lines[examples + 1 :]
    for m, ln in enumerate(ex_lines, start=1):
        out.append(_draft(f"web-of-praktijk-{m:02d}", ln.stripped, "toelichting", ln.no, ln.no, ""))
    return out


def _is_body(t: str, nxt: str) -> bool:
    """A paragraph inside an onderbouwing (not a new theme): followed by bullets/labels."""
    return nxt.startswith("- ") or nxt.endswith(":") or nxt in ("Bronnen",)


def _draft(id_: str, text: str, kind: str, a: int, b: int, lead: str) -> Draft:
    return Draft(
        id=id_,
        text=text,
        kind=kind,
        kernelement="Ontwikkelfasen",
        file=FILE,
        title=TITLE,
        edition=EDITION,
        section=("Thema's en werkzame elementen",),
        line_start=a,
        line_end=b,
        lead=lead,
    )
