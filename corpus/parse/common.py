"""Helpers shared by the per-document parsers: lines, slugs, names, references."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from corpus.record import KERNELEMENTEN
from corpus.text import plain


class ParseError(RuntimeError):
    """A document no longer has the shape its parser expects: fail loudly."""


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line number in the source file
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()


def read_lines(path: Path) -> list[Line]:
    text = path.read_text(encoding="utf-8")
    return [Line(i, t) for i, t in enumerate(text.split("\n"), start=1)]


def find_line(lines: list[Line], pattern: str, start: int = 0, flags: int = 0) -> int:
    """Index of the first line at or after `start` matching `pattern`; ParseError if none."""
    rx = re.compile(pattern, flags)
    for i in range(start, len(lines)):
        if rx.search(lines[i].text):
            return i
    raise ParseError(f"expected a line matching {pattern!r} after line {start + 1}")


def slug(text: str, max_words: int = 6) -> str:
    stop = {"de", "het", "een", "en", "van", "in", "op", "te", "om", "is", "er", "dat", "die"}
    words = [w for w in plain(text).split() if w not in stop]
    return "-".join(words[:max_words]) or "x"


def similarity(a: str, b: str) -> float:
    """Similarity of two statements after folding: max of sequence ratio and token Dice."""
    fa, fb = plain(a), plain(b)
    ratio = SequenceMatcher(None, fa, fb).ratio()
    ta, tb = set(fa.split()), set(fb.split())
    dice = 2 * len(ta & tb) / (len(ta) + len(tb)) if ta and tb else 0.0
    return max(ratio, dice)


def unique_id(base: str, taken: set[str]) -> str:
    cand, n = base, 2
    while cand in taken:
        cand, n = f"{base}-{n}", n + 1
    taken.add(cand)
    return cand


_KERN_ALIASES = {
    "community context": "Community context",
    "leernetwerk": "Leernetwerk",
    "samenstelling": "Leernetwerk",
    "organisatie": "Organisatie",
    "synergie": "Synergie",
    "opbrengsten": "Opbrengsten",
    "resultaten": "Opbrengsten",
    "kennistransfer van opbrengsten": "Kennistransfer van opbrengsten",
    "kennistransfer van de opbrengsten": "Kennistransfer van opbrengsten",
    "implementeren van resultaten": "Kennistransfer van opbrengsten",
    "implementeren van de resultaten": "Kennistransfer van opbrengsten",
    "leren zichtbaar maken": "Leren zichtbaar maken",
    "leerlessen vatten": "Leren zichtbaar maken",
    "leerlessen expliciteren": "Leren zichtbaar maken",
    "leerlessen expliciteren en vatten": "Leren zichtbaar maken",
    "leerrendement": "Leren zichtbaar maken",
    "ontwikkelfasen": "Ontwikkelfasen",
    "ontwikkelfases": "Ontwikkelfasen",
    "fasering": "Ontwikkelfasen",
    "proces": "Ontwikkelfasen",
}


def kernelement(name: str) -> str:
    """Map a current or old core-element name (any case) to one of the eight names."""
    key = plain(name)
    if key in _KERN_ALIASES:
        return _KERN_ALIASES[key]
    raise ParseError(f"unknown core element {name!r}; known: {', '.join(KERNELEMENTEN)}")


_REF_ITEM = re.compile(
    r"""^(?:E|naar:\s*\d+|\d{1,2}(?:-\d{1,2})?|
        [A-Z][^\d()]{1,60}?(?:,?\s*\d{4}[a-z]?)?|
        www\.\S+|https?://\S+)$""",
    re.X,
)
_TRAILING_PAREN = re.compile(r"\s*\(([^()]{1,120})\)\s*([.;,]?)\s*$")


def split_trailing_refs(text: str) -> tuple[str, tuple[str, ...], bool]:
    """Strip trailing reference markers like "(E)", "(21)", "(E, D'Amour, 2008)".

    Returns the clean text, the references (expert marker excluded) and the (E) flag.
    A trailing parenthesis that is not made of references is left in the text.
    """
    refs: list[str] = []
    expert = False
    while True:
        m = _TRAILING_PAREN.search(text)
        if not m:
            break
        items = [
            i.strip()
            for i in re.split(r"[;,](?=\s*(?:E\b|\d{1,2}\b|[A-Z]|naar|www|http))", m.group(1))
        ]
        if not items or not all(_REF_ITEM.match(i) for i in items if i):
            break
        # a lone capitalised word without a year is prose, not a reference: "(Bijvoorbeeld)"
        if all(not re.search(r"\d|^E$|&|e\.a|et al|www|http", i) for i in items):
            break
        for item in items:
            if item == "E":
                expert = True
            elif item:
                refs.append(item)
        text = text[: m.start()].rstrip() + (m.group(2) or "")
    text = text.rstrip(" ,;")
    if text and text[-1] not in ".!?:":
        text += "."
    return text, tuple(reversed(refs)) if refs else (), expert


_INLINE_CITATION = re.compile(
    r"\(([A-Z][\w'’.\- ]+(?:&\s*[A-Z][\w'’.\- ]+)?(?:e\.?a\.?|et al\.?)?,?\s*\d{4}[a-z]?"
    r"(?:[;,]\s*[A-Z][\w'’.\-& ]+,?\s*\d{4}[a-z]?)*)\)"
)


def inline_citations(text: str) -> tuple[str, ...]:
    """Author-year citations inside a text, e.g. "(Butterfoss, 2007)"."""
    out: list[str] = []
    for m in _INLINE_CITATION.finditer(text):
        out.extend(p.strip() for p in re.split(r";", m.group(1)) if p.strip())
    return tuple(dict.fromkeys(out))


def has_expert_marker(text: str) -> bool:
    return bool(re.search(r"\((?:[^()]*[,;]\s*)?E(?:\s*[,;][^()]*)?\)", text))


def paragraphs(lines: Iterable[Line]) -> list[list[Line]]:
    """Group lines into blank-line separated paragraphs."""
    out: list[list[Line]] = []
    cur: list[Line] = []
    for ln in lines:
        if ln.stripped:
            cur.append(ln)
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


# a reference marker inside a sentence: "(E)", "(E, D'Amour, 2008)", "(26)", "(12, 13)",
# "(naar: 26, 43)", "(48, )"; it follows a word and is not an enumerator ("; (2) het …")
_INLINE_MARKER = re.compile(
    r"(?<=[\w)?’'])\s*\(((?:E|naar:\s*\d{1,2}|\d{1,2})(?:\s*[,;]\s*(?:E|\d{1,2}(?:-\d{1,2})?|"
    r"[A-Z][^\d()]{1,40}?,?\s*\d{4}[a-z]?))*[,;]?\s*)\)"
)


def split_inline_refs(text: str) -> tuple[str, tuple[str, ...], bool]:
    """Move reference markers out of the middle of a text: "leiderschap (1). Gedeeld …",
    "de doelgroep (E) en …". Returns the text, the references and the (E) flag. Numbered
    enumerations ("(1) betrokkenheid …; (2) het delen …") stay: they follow ":" or ";"."""
    refs: list[str] = []
    expert = False

    def drop(m: re.Match[str]) -> str:
        nonlocal expert
        before = text[: m.start()].rstrip()
        if re.search(r"(?:[:;]|\ben|\bof)$", before):
            return m.group(0)  # an enumerator, not a reference
        for item in re.split(r"[,;](?=\s*(?:E\b|\d{1,2}\b|[A-Z]|naar))", m.group(1)):
            item = item.strip(" ,;")
            if item == "E":
                expert = True
            elif item:
                refs.append(re.sub(r"^naar:\s*", "naar: ", item))
        return ""

    out = _INLINE_MARKER.sub(drop, text)
    out = re.sub(r"\s+([.,;:])", r"\1", out)
    return re.sub(r"\s{2,}", " ", out).strip(), tuple(refs), expert
