"""Parser for the framework website page on the core element Ontwikkelfasen (2023):
themes (principles) with their onderbouwing bullets, sources and practice examples."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.parse.common import (
    Line,
    ParseError,
    read_lines,
    slug,
    split_inline_refs,
    split_trailing_refs,
)
from corpus.parse.records import Draft, Parsed
from corpus.text import OPEN_ENDINGS

FILE = "002_f749457133107596.txt"
TITLE = "Website LISO-framework: kernelement Ontwikkelfasen"
EDITION = "website-2023"
N_THEMES = 7


_FUNCTION_END = OPEN_ENDINGS
_INTRO = re.compile(r"^(Vanuit de praktijk worden de volgende|We beschrijven)")


def parse(sources_dir: Path) -> Parsed:
    lines = [ln for ln in read_lines(sources_dir / FILE) if ln.stripped]
    texts = [ln.stripped for ln in lines]
    try:
        start = texts.index("Thema's en werkzame elementen")
        examples = texts.index("Praktijkvoorbeelden en hulpmiddelen")
    except ValueError as exc:
        raise ParseError(f"{FILE}: expected section missing: {exc}") from exc
    out = Parsed(FILE)
    intro = " ".join(texts[:start])
    out.drafts.append(
        _draft("web-of-intro", intro, "toelichting", lines[0].no, lines[start - 1].no, "")
    )
    out.span(lines[start].no, lines[start].no, "heading", "section heading")
    themes = _read_themes(lines[:examples], start + 1, out)
    if themes != N_THEMES:
        raise ParseError(f"{FILE}: found {themes} themes, expected {N_THEMES}")
    out.span(lines[examples].no, lines[examples].no, "heading", "section heading")
    for m, ln in enumerate(lines[examples + 1 :], start=1):
        out.drafts.append(
            _draft(f"web-of-praktijk-{m:02d}", ln.stripped, "toelichting", ln.no, ln.no, "")
        )
    return out


def _read_themes(lines: list[Line], k: int, out: Parsed) -> int:
    """The themes from line k on: a principle, its labels, bullets and paragraphs; the
    number of themes."""
    texts = [ln.stripped for ln in lines]
    theme = _Theme(out)
    themes = 0
    while k < len(lines):
        t, ln = texts[k], lines[k]
        nxt = texts[k + 1] if k + 1 < len(lines) else ""
        if t in ("Onderbouwing", "Bronnen"):
            theme.mode = t
            role = "role onderbouwing" if t == "Onderbouwing" else "sources"
            out.span(ln.no, ln.no, "label", f"label → {role}")
            k += 1
        elif theme.mode == "Bronnen":
            theme.sources(ln)
            k += 1
        elif not t.startswith("- ") and _states_principle(t, nxt, theme):
            theme.finish()
            text, refs, expert = split_trailing_refs(t)
            p = _draft(f"web-of-{slug(text, 7)}", text, "uitgangspunt", ln.no, ln.no, "")
            p.principle, p.principle_id = text, p.id
            p.expert_added, p.references = expert, refs
            out.drafts.append(p)
            theme = _Theme(out, p)
            themes += 1
            k += 1
        elif t.startswith("- "):
            end = k
            while end < len(lines) and texts[end].startswith("- "):
                end += 1
            theme.bullets(lines[k:end])
            k = end
        else:
            theme.paragraph(ln)
            k += 1
    theme.finish()
    return themes


def _states_principle(t: str, nxt: str, theme: _Theme) -> bool:
    """Whether a line that is no bullet states the next theme's principle."""
    if t.endswith(":"):
        return False
    opens = (
        nxt in ("Onderbouwing",)
        or (not nxt.startswith("- ") and theme.mode != "Onderbouwing")
        or theme.principle is None
    )
    in_body = (
        theme.mode == "Onderbouwing"
        and theme.principle is not None
        and not nxt.startswith(("Onderbouwing",))
        and _is_body(t, nxt)
    )
    return opens and not in_body


class _Theme:
    """The working elements of one theme: bullets under a lead, paragraphs, leads."""

    def __init__(self, out: Parsed, principle: Draft | None = None) -> None:
        self.out, self.principle = out, principle
        self.mode, self.lead, self.lead_no, self.lead_used = "", "", 0, True
        self.n = 0
        self.open_end = ""

    def sources(self, ln: Line) -> None:
        """The line after "Bronnen": the theme's references."""
        if self.principle:
            self.principle.references = tuple(
                r.strip() for r in re.split(r";", ln.stripped) if r.strip()
            )
        self.out.span(ln.no, ln.no, "note", "sources of the theme (its references)")
        self.mode = ""

    def _item(self, text: str, kind: str, a: int, b: int, lead: str = "") -> Draft:
        assert self.principle is not None
        clean, refs, expert = split_trailing_refs(text)
        clean, inner, inner_expert = split_inline_refs(clean)
        self.n += 1
        tag = "we" if kind == "werkzaam_element" else "tl"
        d = _draft(f"{self.principle.id}-{tag}{self.n:02d}", clean, kind, a, b, lead)
        d.principle, d.principle_id = self.principle.text, self.principle.id
        d.expert_added, d.references = expert or inner_expert, (*inner, *refs)
        d.role = "onderbouwing" if self.mode == "Onderbouwing" else None
        if re.match(r"^(Belanghebbende )?randvoorwaarden", lead, re.I):
            d.role = "randvoorwaarde"
        self.out.drafts.append(d)
        return d

    def paragraph(self, ln: Line) -> None:
        t = ln.stripped
        if t.endswith(":"):
            self.finish_lead()
            self.lead, self.lead_no, self.lead_used = t, ln.no, False
            self.out.span(ln.no, ln.no, "lead", "lead-in of the list below it")
            return
        kind = "toelichting" if _INTRO.match(t) else "werkzaam_element"
        d = self._item(t, kind, ln.no, ln.no, self.lead if kind == "werkzaam_element" else "")
        self.lead_used = True
        self.open_end = "" if t[-1:] in ".!?" else d.id  # "… Een integrale review toonde aan"

    def bullets(self, run: list[Line]) -> None:
        parts = [ln.stripped[2:].strip() for ln in run]
        inner = parts[:-1]
        prev = self.out.drafts[-1] if self.out.drafts else None
        broken = any(p.endswith(",") or p.split()[-1].lower() in _FUNCTION_END for p in inner)
        if broken and not self.lead and prev is not None and prev.id == self.open_end:
            # "… Een integrale review toonde aan - dat teams …, - groepsdoelen … en - een
            # eindfase …": bullets that break one sentence; the sentence is one record
            sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", prev.text.rstrip("."))
            joined = " ".join([sentences[-1], *parts])
            joined = re.sub(r"\s+,", ",", joined).rstrip(" .") + "."
            if len(sentences) > 1:
                prev.text = " ".join(sentences[:-1])
                self._item(joined, "werkzaam_element", prev.line_start, run[-1].no)
            else:
                prev.text, prev.line_end = joined, run[-1].no
            return
        for ln, text in zip(run, parts, strict=True):
            self._item(text, "werkzaam_element", ln.no, ln.no, self.lead)
            self.lead_used = True

    def finish_lead(self) -> None:
        """A lead no item took stays text of its own."""
        if self.lead and not self.lead_used and self.principle is not None:
            self._item(self.lead.rstrip(" :") + ".", "werkzaam_element", self.lead_no, self.lead_no)
        self.lead, self.lead_used = "", True

    def finish(self) -> None:
        self.finish_lead()


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
