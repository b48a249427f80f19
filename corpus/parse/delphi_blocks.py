"""Bijlage 2 of the Delphi report cut into blocks: each principle with the lines under
it, the core element and sub-element it stands in (from the headings), read line by
line by `_BlockReader`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from corpus.parse import ocr
from corpus.parse.common import Line, ParseError, kernelement, paragraphs, similarity
from corpus.parse.delphi_doc import FILE, KERN_SHORT
from corpus.parse.delphi_pieces import BULLET_GLYPH, LABEL, NO_CHANGE
from corpus.parse.records import Parsed

DEELELEMENTEN = (
    "Vraagstuk",
    "Organisatie-overstijgend (Wat is een organisatie-overstijgend leernetwerk?)",
    "Samenstelling",
    "Processen",
    "Leiderschap en ondersteuning",
    "Structuur",
    "Samengebrachte middelen",
    "Ledenbetrokkenheid",
    "Monitoring, waardering en planning",
    "Samenwerking",
    "Niveau van leernetwerk",
    "Niveau van samenwerkingsverband",
    "Niveau van professionals en doelgroep",
    "Formeren",
    "Onderhoud",
    "Institutionaliseren",
)
_PRINCIPLE_LINE = re.compile(r"^\s*(?:uit\w{2,6}punt\s*:|Trekkers\s*:)\s*(\S.*)$", re.I)
_SUMMARY_HEADER = re.compile(r"^\s*uit\w{2,6}punt(?:en)?\s*:?\s*$", re.I)


@dataclass
class Block:
    """A principle of Bijlage 2 with the lines under it (blank lines kept, empty text)."""

    statement_lines: list[Line]
    kern: str
    deel: str
    body: list[Line] = field(default_factory=list)

    @property
    def statement(self) -> str:
        return ocr.repair([ln.text for ln in self.statement_lines])


def parse_blocks(lines: list[Line], out: Parsed) -> list[Block]:
    """The principles of Bijlage 2 (from "Wijzigingen in kernelement …" to Bijlage 3)."""
    blocks = _BlockReader(out).read(lines)
    if not blocks:
        raise ParseError(f"{FILE}: Bijlage 2 yielded no principles")
    return blocks


# a step reads the line at `li` of a paragraph: the index of the next unread line, or
# None when the line is not its kind
_Step = Callable[[list[Line], int, list[Line]], "int | None"]


class _BlockReader:
    """Bijlage 2, line by line: headings set the core and sub-element, a principle line
    opens a block, the lines under it are its body."""

    def __init__(self, out: Parsed) -> None:
        self.out = out
        self.blocks: list[Block] = []
        self.kern, self.deel = "", ""
        self.summary: list[list[Line]] | None = None  # the short list after "Uitgangspunten:"
        self.current: Block | None = None
        self.steps: tuple[_Step, ...] = (
            self._kern_heading,
            self._deel_heading,
            self._level_heading,
            self._summary_header,
            self._principle_line,
            self._summary_title,
            self._unmarked_principle,
            self._title,
            self._broken_statement,
        )

    def read(self, lines: list[Line]) -> list[Block]:
        paras = paragraphs(lines)
        for pi, para in enumerate(paras):
            nxt = paras[pi + 1] if pi + 1 < len(paras) else []
            if self.current is not None and self.current.body:
                self.current.body.append(Line(para[0].no, ""))  # a paragraph break
            li = 0
            while li < len(para):
                li = self._step(para, li, nxt)
        return self.blocks

    def _step(self, para: list[Line], li: int, nxt: list[Line]) -> int:
        for step in self.steps:
            after = step(para, li, nxt)
            if after is not None:
                return after
        assert self.current is not None  # `_title` took every line outside a block
        self.current.body.append(para[li])
        return li + 1

    def _kern_heading(self, para: list[Line], li: int, nxt: list[Line]) -> int | None:
        ln = para[li]
        m = re.match(r"^(?:Wijzigingen in )?kernelement\s+(.+)$", ln.stripped, re.I)
        if not m:
            return None
        self.kern, self.deel, self.summary, self.current = (
            _canonical_kern(m.group(1)),
            "",
            None,
            None,
        )
        self.out.span(ln.no, ln.no, "heading", "core element heading")
        return li + 1

    def _deel_heading(self, para: list[Line], li: int, nxt: list[Line]) -> int | None:
        ln = para[li]
        m = re.match(r"^Deelelement\s+(.+)$", ln.stripped)
        if not m:
            return None
        self.deel, self.summary, self.current = _canonical_deel(m.group(1)), None, None
        li += 1
        # "(Wat is een ... leer-" / "netwerk?)" may wrap
        while li < len(para) and para[li].stripped.endswith("?)"):
            li += 1
        self.out.span(ln.no, para[li - 1].no, "heading", "sub-element heading")
        return li

    def _level_heading(self, para: list[Line], li: int, nxt: list[Line]) -> int | None:
        ln = para[li]
        if not ln.stripped.startswith("Niveau samenwerkingsverband - "):
            return None
        self.out.span(ln.no, ln.no, "heading", "sub-element heading")
        return li + 1

    def _summary_header(self, para: list[Line], li: int, nxt: list[Line]) -> int | None:
        ln = para[li]
        if not _SUMMARY_HEADER.match(ln.stripped):
            return None
        self.summary = []
        self.out.span(ln.no, ln.no, "heading", "'Uitgangspunten:' before the list of titles")
        return li + 1

    def _principle_line(self, para: list[Line], li: int, nxt: list[Line]) -> int | None:
        ln = para[li]
        m = _PRINCIPLE_LINE.match(ln.stripped)
        if not m:
            return None
        stmt = [Line(ln.no, m.group(1))]
        li += 1
        while li < len(para) and not _ends_statement(para[li].stripped, stmt):
            stmt.append(para[li])
            li += 1
        blocks = self.blocks
        if blocks and not blocks[-1].body and blocks[-1].statement_lines[-1].no == ln.no - 1:
            short = blocks.pop()  # a short title directly followed by the statement
            self.out.span(
                short.statement_lines[0].no,
                short.statement_lines[-1].no,
                "heading",
                "short title of the principle stated below it",
            )
        self.current = Block(stmt, self.kern, self.deel)
        blocks.append(self.current)
        self.summary = None
        return li

    def _summary_title(self, para: list[Line], li: int, nxt: list[Line]) -> int | None:
        """A title in the list after "Uitgangspunten:"; the line that ends the list
        falls through to the other steps."""
        summary = self.summary
        if summary is None:
            return None
        ln = para[li]
        t = ln.stripped
        long_sentence = (
            len(t.split()) > 10
            and not BULLET_GLYPH.match(ln.text)
            and para[-1].stripped.endswith(".")
        )
        if not (LABEL.match(t) or t.endswith(":") or long_sentence):
            glyph = BULLET_GLYPH.match(ln.text)
            if glyph or not summary or not summary[-1][-1].stripped.endswith("-"):
                summary.append([ln])
            else:
                summary[-1].append(ln)
            self.out.span(ln.no, ln.no, "heading", "list of the sub-element's principle titles")
            return li + 1
        if len(summary) == 1:
            # the principle is named only in the summary list (Opbrengsten)
            self.current = Block(_strip_glyphs(summary[0]), self.kern, self.deel)
            self.blocks.append(self.current)
        self.summary = None
        return None

    def _unmarked_principle(self, para: list[Line], li: int, nxt: list[Line]) -> int | None:
        """A paragraph directly followed by "Onderbouwing" states a principle."""
        if not (
            li == 0
            and self.blocks
            and nxt
            and nxt[0].stripped.startswith("Onderbouwing")
            and not any(_PRINCIPLE_LINE.match(x.stripped) for x in para)
        ):
            return None
        if para[li].stripped[:1].islower():  # the previous statement, after a blank line
            self.blocks[-1].statement_lines.extend(para)
        else:
            self.current = Block(list(para), self.kern, self.deel)
            self.blocks.append(self.current)
        return len(para)

    def _title(self, para: list[Line], li: int, nxt: list[Line]) -> int | None:
        if self.current is not None:
            return None
        self.out.span(para[li].no, para[li].no, "heading", "title above a principle")
        return li + 1

    def _broken_statement(self, para: list[Line], li: int, nxt: list[Line]) -> int | None:
        """The statement, broken by a blank line in the middle of a hyphenated word."""
        current = self.current
        assert current is not None
        if (
            li == 0
            and not current.body
            and current.statement_lines[-1].stripped.endswith("-")
            and para[li].stripped[:1].islower()
        ):
            current.statement_lines.extend(para)
            return len(para)
        return None


def _canonical_deel(text: str) -> str:
    text = ocr.repair_text(text).strip(" |")
    found = max(DEELELEMENTEN, key=lambda d: similarity(text, d))
    return found if similarity(text, found) >= 0.6 else text


def _canonical_kern(text: str) -> str:
    text = ocr.repair_text(text).strip(" |[")
    try:
        return kernelement(text)
    except ParseError:
        names = [*KERN_SHORT, "Leerrendement"]
        found = max(names, key=lambda n: similarity(text, n))
        if similarity(text, found) < 0.7:
            raise
        return kernelement(found)


def _ends_statement(t: str, stmt: list[Line]) -> bool:
    return (
        not t
        or LABEL.match(t) is not None
        or NO_CHANGE.match(t) is not None
        or _PRINCIPLE_LINE.match(t) is not None
        or (stmt[-1].stripped.endswith((".", ").", "(E)", "(E}.")) and t[:1].isupper())
    )


def _strip_glyphs(lines: list[Line]) -> list[Line]:
    return [Line(ln.no, BULLET_GLYPH.sub("", ln.text)) for ln in lines]
