"""Bijlage 2 of the Delphi report, the layout part: the lines under a principle cut into
pieces and each piece classified.

The OCR lost most bullet glyphs, so the lists are read back from the layout. Paragraphs
are blank-line separated (a part of a double-spaced passage that starts lower-case, or
with a bracket, after an unfinished line continues the one before). Inside a paragraph
a new piece starts after a line that ends a piece: a reference marker ("(14)", "(E)"),
a colon, a semicolon, a short line; and, inside a list, after a full stop before a
capital. Each piece is then a label ("Onderbouwing", "Kenmerken", "Succesfactoren",
"Randvoorwaarden"), a heading, a lead ("… wanneer:"), an introduction ("We beschrijven
…"), a note ("niet aangepast") or an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.parse import ocr
from corpus.parse.common import Line, split_trailing_refs
from corpus.text import OPEN_ENDINGS

NO_CHANGE = re.compile(
    r"^(Er worden geen aanvullingen|De onderbouwing (is|van dit uitgangspunt is))", re.I
)
BULLET_GLYPH = re.compile(r"^\s*(?:[eoO«»+=*•]\s+|\.{1,3}\s*)(?=\S)")
LABEL = re.compile(
    r"^(Onderbouwing|Kenm\w{0,2}rken|Succesfactoren|R\w{1,2}dvoorw\w*)\b\s*:?\s*(.*)$"
)
ROLES = {"o": "onderbouwing", "k": "kenmerk", "s": "succesfactor", "r": "randvoorwaarde"}
# a lead that ends in one of these words without a colon still introduces a list
_OPEN_END = frozenset(["is", "zijn", "wanneer", "als", "door", "aan", "om", "met", "bij", "waarin"])
INTRO = re.compile(r"^(We (beschrijven|staan stil)|Vanuit de praktijk worden de volgende)")
_FUNCTION_END = OPEN_ENDINGS | {"tot", "naar", "zoals"}
SHORT_LINE = 45  # characters: a line this short ended its piece (the text did not wrap)


@dataclass
class Piece:
    """A piece of a block's body: its lines, what it is, its repaired text."""

    lines: list[Line]
    kind: str = "item"  # item, lead, label, heading, intro, note
    text: str = ""

    @property
    def start(self) -> int:
        return self.lines[0].no

    @property
    def end(self) -> int:
        return self.lines[-1].no


def _norm(text: str) -> str:
    """The text as the OCR repair writes it (brackets, "(E)"), for the end-of-piece tests."""
    return ocr.repair_text(text)


def _ends_with_ref(text: str) -> bool:
    t = _norm(text).rstrip()
    if not re.search(r"\)\s*[.;,]?$", t):
        return False
    _, refs, expert = split_trailing_refs(t)
    return bool(refs) or expert


def _balanced(text: str) -> bool:
    t = _norm(text)
    return t.count("(") <= t.count(")")


def _complete(text: str) -> bool:
    t = text.rstrip()
    return t.endswith((".", ":", ";", "?", "!")) or _ends_with_ref(t)


def _glyph(line: Line) -> bool:
    return bool(BULLET_GLYPH.match(line.text))


def _is_label(text: str) -> bool:
    """ "Onderbouwing", "Kenmerken", "Succesfactoren (Zakocs & Edwards, 2006)",
    "Succesfactoren in de communicatie (Mosaica, 2005)"; not a lead that starts with
    such a word ("Randvoorwaarden voor samenwerking zijn:")."""
    m = LABEL.match(text.strip())
    if not m:
        return False
    rest = re.sub(r"\([^()]*\)", "", m.group(2)).strip()
    return not rest or (len(rest.split()) <= 6 and not rest.endswith(":"))


def is_lead(text: str) -> bool:
    core = split_trailing_refs(_norm(text).rstrip(" :"))[0] if text.rstrip().endswith(":") else ""
    if text.rstrip().endswith((":", "?")) or core:
        return True
    # "… innovatief blijven. Helpend daarbij is (16)": a short last sentence left open
    core = re.sub(r"\s*\([^()]*\)\s*$", "", _norm(text).rstrip())
    last = re.split(r"(?<=[.!?])\s+", core)[-1].split()
    return 0 < len(last) <= 4 and last[-1].lower() in _OPEN_END and not core.endswith(".")


def _paragraph_groups(body: list[Line]) -> list[list[list[Line]]]:
    """Paragraphs of the body, each a list of original paragraphs joined because the
    later ones continue the earlier (double-spaced OCR)."""
    paras: list[list[Line]] = []
    cur: list[Line] = []
    for ln in body:
        if not ln.text.strip():
            if cur:
                paras.append(cur)
                cur = []
        else:
            cur.append(ln)
    if cur:
        paras.append(cur)
    groups: list[list[list[Line]]] = []
    for para in paras:
        first = para[0]
        start = BULLET_GLYPH.sub("", first.text).lstrip()
        prev = " ".join(ln.stripped for ln in groups[-1][-1]) if groups else ""
        last = groups[-1][-1][-1].stripped if groups else "x"
        # a short last line ended its piece ("ledenparticipatie"), unless it stops on a
        # word that needs more ("team, met")
        ended = (
            len(last) < SHORT_LINE
            and not last.endswith(("-", ","))
            and last.split()[-1].lower() not in _FUNCTION_END
        )
        continues = (
            groups
            and not _glyph(first)
            and not _is_label(start)
            and (start[:1].islower() or start[:1] == "(")
            and (prev.endswith("-") or not (_complete(prev) or ended))
        )
        if continues:
            groups[-1].append(para)
        else:
            groups.append([para])
    return groups


def _split_before(cur: list[Line], ln: Line, in_list: bool) -> bool:
    """Does line `ln` start a new piece after the lines `cur` of the current one?"""
    prev = cur[-1].stripped
    text = " ".join(x.stripped for x in cur)
    t = BULLET_GLYPH.sub("", ln.text).strip()
    if _glyph(ln) or _is_label(t) or _is_label(text):
        return True
    if not _balanced(text):
        return False
    upper = t[:1].isupper() or (t[:1] in "'‘(" and t[1:2].isupper())
    if prev.endswith(":") or text.rstrip().endswith(";"):
        return True
    if _ends_with_ref(text) and (upper or in_list):
        return True
    if len(prev) < SHORT_LINE and not prev.endswith("-"):
        return True
    if upper and text.rstrip().endswith(".") and (in_list or t.rstrip().endswith(":")):
        return True
    last = prev.split()[-1].lower() if prev.split() else ""
    return (
        in_list
        and t[:1].isupper()
        and not prev.endswith(("-", ",", "&"))
        and last not in _FUNCTION_END
        and not t.split()[0].startswith("Leernetwerk")
    )


def pieces(body: list[Line]) -> list[Piece]:
    """The block's body cut into pieces and classified (see the module docstring)."""
    out: list[Piece] = []
    in_list = False
    for group in _paragraph_groups(body):
        cur: list[Line] = []
        for para in group:
            for li, ln in enumerate(para):
                # a paragraph that continues the one before never starts a piece (li == 0)
                if cur and li > 0 and _split_before(cur, ln, in_list):
                    out.append(_classify(cur))
                    in_list = _list_state(out[-1], in_list)
                    cur = []
                cur.append(ln)
        if cur:
            out.append(_classify(cur))
            in_list = _list_state(out[-1], in_list)
    # second pass: what a piece is can depend on the next one
    for i, p in enumerate(out):
        nxt = out[i + 1] if i + 1 < len(out) else None
        if (
            p.kind == "item"
            and _looks_like_heading(p.text)
            and (nxt is None or nxt.kind != "item" or _sentence_end(nxt.text))
        ):
            p.kind = "heading"
    for i, p in enumerate(out):
        nxt = out[i + 1] if i + 1 < len(out) else None
        if (
            p.kind in ("lead", "item")
            and INTRO.match(p.text)
            and (nxt is None or nxt.kind != "item")
        ):
            p.kind = "intro"
    return out


def _list_state(p: Piece, in_list: bool) -> bool:
    if p.kind == "lead":
        return True
    if p.kind in ("label", "heading"):
        return bool(LABEL.match(p.text) and label_lead(p.text))
    return in_list


def _classify(lines: list[Line]) -> Piece:
    text = ocr.repair([BULLET_GLYPH.sub("", ln.text) for ln in lines]).strip()
    p = Piece(lines, text=text)
    if NO_CHANGE.match(text):
        p.kind = "note"
    elif _is_label(text):
        p.kind = "label"
    elif is_lead(text) or ((INTRO.match(text) or "onderstaande" in text) and text.endswith(".")):
        p.kind = "lead"
    return p


def _looks_like_heading(text: str) -> bool:
    return (
        len(text.split()) <= 6
        and text[:1].isupper()
        and text[-1:] not in ".;:!?)"
        and "(" not in text
    )


def _sentence_end(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?")) or _ends_with_ref(text)


def label_lead(text: str) -> str:
    """What a label carries besides itself: "Succesfactoren in de communicatie"."""
    m = LABEL.match(text)
    if not m:
        return ""
    rest = re.sub(r"\([^()]*\)", "", m.group(2)).strip(" :")
    return f"{m.group(1)} {rest}" if rest else ""


def role_of(label: str) -> str:
    return ROLES[label.strip()[:1].lower()]
