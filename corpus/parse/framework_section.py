"""One section of the 2021 framework text read line by line (`Section`): numbered
principles, their explanations and working elements, lists with their leads, and the
sub-headings; each chunk is attached to the principle it explains."""

from __future__ import annotations

import re

from corpus.parse.common import Line, ParseError, inline_citations, similarity
from corpus.parse.records import Draft, Parsed, SpanUse
from corpus.text import OPEN_ENDINGS

FILE = "001_69f608219fdae590.txt"
TITLE = "Framework Leren en implementeren in samenwerkingsverbanden in de zorg voor jeugd"
EDITION = "framework-2021"

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


_REF_NUMBERS = re.compile(r"(?<=[a-z]) (\d{1,3}(?:,\d{1,3})+)(?= [a-z])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
# a line that ends in one of these words stops mid-sentence
_FUNCTION_END = OPEN_ENDINGS


def _finish(text: str) -> str:
    """A list item as a sentence: no trailing ";", "," or "; en", a full stop at the end."""
    text = re.sub(r"[;,]\s*(en|of)$", "", text.strip())
    text = text.rstrip(" ;,").rstrip("*").strip()
    return text if text[-1:] in ".!?:)" or not text else text + "."


def _split_lead(text: str) -> tuple[str, str]:
    """A paragraph that introduces a list: (earlier sentences, the last sentence as lead)."""
    sentences = _SENTENCE_END.split(text.strip())
    return " ".join(sentences[:-1]), sentences[-1]


class Section:
    """One core element (or sub-element) section: its numbered principles and the
    explanations and working elements under them."""

    def __init__(
        self,
        heading: str,
        kern: str,
        deel: str,
        expected: int,
        fallback: Draft | None,
        out: Parsed,
    ) -> None:
        self.heading, self.kern, self.deel = heading, kern, deel
        self.expected, self.fallback, self.out = expected, fallback, out
        self.principles: list[Draft] = []
        self.group: list[Draft] = []  # the latest contiguous run of principles
        self.pending: list[Draft] = []  # chunks before the first principle of the section
        self.drafts: list[Draft] = []
        self.mode, self.sub = "", ""
        self.phase: str | None = None
        self.lead, self.lead_lines = "", (0, 0)
        self.lead_used = True
        self.stage_lead = ""
        self.refs: list[str] = []

    # --- reading ---------------------------------------------------------------------------
    def read(self, lines: list[Line]) -> None:
        i = 0
        last_was_principle = False
        while i < len(lines):
            ln = lines[i]
            t = ln.stripped
            if not t:
                i += 1
                continue
            if _LABEL.match(t):
                self._end_lead()
                self.mode = t.rstrip(":").lower()
                self.out.span(ln.no, ln.no, "label", "label (Uitgangspunt, Toelichting, Bronnen)")
                i += 1
                continue
            if self.mode.startswith("bronnen"):
                if _is_heading(lines, i) and not t.startswith(("-", "Bronnen")):
                    self.mode = ""
                else:
                    self.refs.append(t)
                    self.out.span(
                        ln.no, ln.no, "note", "bibliography (the references of the principles)"
                    )
                    i += 1
                    continue
            m = _NUMBERED.match(t)
            if m and int(m.group(1)) == self.expected:
                self._principle(ln, m.group(2), last_was_principle)
                last_was_principle = True
                i += 1
                continue
            last_was_principle = False
            if _SKIP.match(t):
                self.out.span(ln.no, ln.no, *_skip_reason(t))
                i += 1
                continue
            if _is_heading(lines, i):
                if t not in PHASE_HEADINGS:
                    self._end_lead()
                self.sub = t.rstrip(":")
                if self.kern == "Ontwikkelfasen" and t in PHASE_HEADINGS:
                    self.phase = PHASE_HEADINGS[t]
                self.out.span(ln.no, ln.no, "heading", "sub-heading → section")
                i += 1
                continue
            if _NUMBERED.match(t) or _BULLET.match(ln.text):
                i = self._list(lines, i)
                continue
            if t.startswith("Determinanten m.b.t."):
                i = self._determinants(lines, i)
                continue
            self._paragraph(ln)
            i += 1

    def _principle(self, ln: Line, statement: str, continues_group: bool) -> None:
        self._end_lead()
        statement = statement.strip().rstrip("*").strip()
        d = self._draft(statement, "uitgangspunt", ln.no, ln.no)
        d.id = f"fw21-p{self.expected:02d}"
        d.references = inline_citations(statement)
        d.principle, d.principle_id = statement, d.id
        if not continues_group:
            self.group = []
        self.group.append(d)
        self.principles.append(d)
        self.drafts.append(d)
        self.expected += 1

    def _paragraph(self, ln: Line) -> None:
        t = ln.stripped
        if re.match(r"^\([a-e]\) [A-Z]", t) and (self.lead or self.stage_lead):
            # "(a) VORMEN; …" after "De verschillende stadia zijn:", phase headings between
            self.stage_lead = self.stage_lead or self.lead
            self.lead_used = True
            d = self._draft(t, "toelichting", ln.no, ln.no)
            d.lead = self.stage_lead
            self._add(d)
            return
        self._end_lead()
        if t.endswith(":"):
            before, lead = _split_lead(t)
            if before:
                self._add(self._draft(before, "toelichting", ln.no, ln.no))
            self._set_lead(lead, ln.no)
            return
        self._add(self._draft(t, "toelichting", ln.no, ln.no))

    def _list(self, lines: list[Line], i: int) -> int:
        """A run of numbered or bulleted lines (blank lines inside allowed)."""
        run: list[Line] = []
        while i < len(lines):
            ln = lines[i]
            if not ln.stripped:
                i += 1
                continue
            if not (_NUMBERED.match(ln.stripped) or _BULLET.match(ln.text)):
                break
            m = _NUMBERED.match(ln.stripped)
            if m and int(m.group(1)) == self.expected:
                break  # the next principle
            run.append(ln)
            i += 1
        self._intro_of(run)
        if self._broken_sentence(run):
            return i
        for ln in run:
            m = _NUMBERED.match(ln.stripped)
            text = m.group(2) if m else _BULLET.match(ln.text).group(1)  # type: ignore[union-attr]
            text = text.strip()
            if text.endswith(":"):  # "- Kwaliteit van de deelnemers groep:"
                self._end_lead()
                self._set_lead(text, ln.no)
                continue
            kind = "werkzaam_element" if ("werkzame" in self.mode or self.group) else "toelichting"
            if m and "werkzame" not in self.mode:
                kind = "toelichting"
            if self.mode == "uitgangspunt":
                kind = "werkzaam_element"
            d = self._draft(_finish(text), kind, ln.no, ln.no)
            d.lead = self.lead
            self.lead_used = True
            self._add(d)
        return i

    def _intro_of(self, run: list[Line]) -> None:
        """The paragraph just before a list that does not end its sentence ("…
        indicatoren voor effectief functioneren van leernetwerken onder meer") is the
        list's lead, not a record of its own: its last sentence becomes the lead."""
        prev = self.drafts[-1] if self.drafts else None
        if (
            self.lead
            or prev is None
            or prev.kind == "uitgangspunt"
            or prev.lead
            or prev.text[-1:] in ".!?:"
            or prev.line_end != run[0].no - 2
        ):
            return
        before, lead = _split_lead(prev.text)
        self.drafts.pop()
        if before:
            prev.text = before
            self._add(prev, numbered=False)
        self._set_lead(lead, prev.line_end)

    def _broken_sentence(self, run: list[Line]) -> bool:
        """Bullets that break one sentence ("… toonde aan - dat teams … een of meerdere -
        fasen van crisis … en - een eindfase …") stay one record with its lead."""
        texts = [(_BULLET.match(ln.text) or _NUMBERED.match(ln.stripped)) for ln in run]
        parts = [m.group(m.lastindex or 1).strip() for m in texts if m]
        # "…; en" closes a list item; a bare function word or a comma breaks a sentence
        inner = [p for p in parts[:-1] if not re.search(r";\s*(en|of)$", p)]
        broken = any(p.endswith(",") or p.split()[-1].lower() in _FUNCTION_END for p in inner)
        if not broken or not self.lead:
            return False
        text = " ".join([self.lead, *parts])
        d = self._draft(_finish(text), "toelichting", self.lead_lines[0], run[-1].no)
        self.lead, self.lead_used = "", True
        self._add(d)
        return True

    def _determinants(self, lines: list[Line], i: int) -> int:
        """A flattened two-column table: the category line, then rows "N name (x)"."""
        ln = lines[i]
        rows: list[str] = []
        i += 1
        while i < len(lines) and re.match(r"^\d{1,2} ", lines[i].stripped):
            rows.extend(c.strip() for c in lines[i].text.split("\t") if c.strip())
            i += 1
        rows.sort(key=lambda r: int(r.split()[0]))
        names = [re.sub(r"^\d{1,2} ", "", r) for r in rows]
        d = self._draft(
            f"{ln.stripped}: {', '.join(names)}.", "toelichting", ln.no, lines[i - 1].no
        )
        d.lead = self.lead
        self.lead_used = True
        self._add(d)
        return i

    # --- leads ----------------------------------------------------------------------------
    def _set_lead(self, lead: str, no: int) -> None:
        self.lead, self.lead_lines, self.lead_used = lead, (no, no), False
        self.out.span(no, no, "lead", "lead-in of the list below it")

    def _end_lead(self) -> None:
        """A lead that no list item took is text of its own ("In een eerder onderzoek zijn
        de volgende werkzame factoren … benoemd (Schokker, 2014):", before a figure)."""
        if self.lead and not self.lead_used:
            a, b = self.lead_lines
            self._add(self._draft(self.lead.rstrip(" :") + ".", "toelichting", a, b))
        self.lead, self.lead_used = "", True

    # --- records --------------------------------------------------------------------------
    def _draft(self, text: str, kind: str, a: int, b: int) -> Draft:
        # reference numbers set in the running text: "het verlagen van de kosten 86,106 de …"
        numbers = _REF_NUMBERS.findall(text)
        text = _REF_NUMBERS.sub("", text)
        if (
            kind == "toelichting"
            and self.kern == "Ontwikkelfasen"
            and re.match(r"^\([a-e]\)", text)
        ):
            kind = "fase"
        return Draft(
            id="",
            text=text,
            kind=kind,
            kernelement=self.kern,
            deelelement=self.deel,
            file=FILE,
            title=TITLE,
            edition=EDITION,
            section=("Invulling van het model", self.heading, self.sub),
            line_start=a,
            line_end=b,
            phase=self.phase,
            references=(*inline_citations(text), *(n for x in numbers for n in x.split(","))),
        )

    def _add(self, d: Draft, numbered: bool = True) -> None:
        del numbered
        if self.group:
            _attach(d, self.group)
        else:
            self.pending.append(d)  # text before the section's first principle
        self.drafts.append(d)

    def finish(self) -> list[Draft]:
        self._end_lead()
        if not self.principles:
            if self.fallback is None or self.kern != "Ontwikkelfasen":
                raise ParseError(f"{FILE}: section {self.heading!r} has no numbered principle")
            owners = [self.fallback]
        else:
            owners = self.principles
        _vote_by_subheading(self.drafts, self.principles)
        for d in self.pending:
            d.principle, d.principle_id = owners[0].text, owners[0].id
        # number the chunks per principle, in document order; add section references
        counters: dict[str, int] = {}
        for d in sorted(self.drafts, key=lambda d: (d.line_start, d.line_end)):
            if d.kind == "uitgangspunt":
                continue
            pid = d.principle_id
            counters[pid] = counters.get(pid, 0) + 1
            tag = {"werkzaam_element": "we", "fase": "fase"}.get(d.kind, "tl")
            d.id = f"{pid}-{tag}{counters[pid]:02d}"
        for p in self.principles:
            p.references = tuple(dict.fromkeys((*p.references, *_short_refs(self.refs))))
        return self.drafts


def _skip_reason(t: str) -> tuple[SpanUse, str]:
    if t.startswith("Figuur"):
        return "skipped", "figure caption; the figure is not in the text"
    if t.startswith("Verdere invulling"):
        return "skipped", "placeholder: this part is still to be written"
    if t.startswith("Naar:"):
        return "note", "source of the list above"
    return "skipped", "link to an external document"


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
    from corpus.text import plain

    return {w[:7] for w in plain(text).split() if len(w) > 4}


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
