"""Parser for the scoping-review factsheet (2021): its narrative (introduction, what a
leernetwerk is, the method, conclusions and limitations) and Table 1 with 21 themes,
each with promoting ("Bevorderend werkt") and hindering ("Belemmerend werkt") factors.

The first rows of the table are tab-separated with HTML inside the cells (column 1
promoting, column 2 hindering); the last rows are markdown. Both become one stream of
pieces. Nested lists lost their closing tags, so they are read back from the content: a
factor that ends in a colon, "als", "zoals" or "..." leads the lower-case pieces (in
markdown: the indented ones) after it; an enumeration "a. … b. …" is a list too.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from corpus.parse.common import Line, ParseError, find_line, kernelement, paragraphs, read_lines
from corpus.parse.records import Draft, Parsed

FILE = "003_01728c710ef14b60.txt"
TITLE = (
    "Factsheet scoping review: Leren & implementeren, doorbouwen op onderzoek vanuit de praktijk"
)
EDITION = "review-2021"
N_THEMES = 21
KERN_LABELS = {
    "COMMUNITY CONTEXT": "Community context",
    "SAMENSTELLING": "Leernetwerk",
    "ORGANISATIE": "Organisatie",
    "SYNERGIE": "Synergie",
    "RESULTATEN": "Opbrengsten",
    "LEERLESSEN VATTEN": "Leren zichtbaar maken",
    "IMPLEMENTEREN VAN DE RESULTATEN": "Kennistransfer van opbrengsten",
    "FASERING": "Ontwikkelfasen",
}
PHASE_OF_THEME = {20: "formeren", 21: "onderhoud"}
TABLE = "Tabel 1. Wat werkt bij het voeren van organisatie-overstijgende leernetwerken"
STRUCTURE = "table structure: core element, theme title, column heads, 'Bevorderend werkt:'"

_THEME = re.compile(r"^\*{0,2}(\d{1,2})\.\s+(.+?)\*{0,2}$")
_MARKER = re.compile(r"(bevorderend|belemmerend) werkt|werkt (bevorderend|belemmerend)", re.I)
_ENUM = re.compile(r"(?:^|\s)([a-e])\.\s+(?=[A-Z])")
_OPEN_LEAD = re.compile(r"(:|\bals|\bzoals|\.\.\.|…)$")


@dataclass
class _Piece:
    no: int
    col: int  # 1 promoting, 2 hindering, -1 a markdown line (no columns)
    text: str
    indented: bool = False


def _events(lines: list[Line]) -> list[_Piece]:
    """Pieces of text: cells split at tabs, HTML split at <p>/<li>, bullets split at dashes."""
    out: list[_Piece] = []
    for ln in lines:
        cells = ln.text.split("\t")
        indented = len(cells) == 1 and bool(re.match(r"^\s+[-–]\s", ln.text))
        for col, cell in enumerate(cells):
            cell = re.sub(r"</?(ul|ol)[^>]*>", "\n", cell)
            cell = re.sub(r"<(p|li)[^>]*>", "\n", cell)
            cell = re.sub(r"</?[a-z]+[^>]*>", "", cell)
            cell = re.sub(r"\*?((?:Bevorderend|Belemmerend) werkt:)\*?", r"\n\1\n", cell)
            cell = html.unescape(cell).replace("**", "\n").replace("*", "")
            # items inside one cell are separated by " - " after a punctuation mark or
            # before a capital ("… wordt bijgeschoold - De organisatie is …")
            cell = re.sub(r"(?<=[.,;:!?)])\s+[-–]\s+", "\n- ", cell)
            cell = re.sub(r"(?<=\w)\s+[-–]\s+(?=[A-Z])", "\n- ", cell)
            cell = re.sub(r"^\s*[-–]\s+", "- ", cell)
            for piece in cell.split("\n"):
                piece = re.sub(r"^\s*[-–•]\s+", "- ", piece.strip())
                if piece and piece != "-":
                    out.append(_Piece(ln.no, col if len(cells) > 1 else -1, piece, indented))
    return out


def parse(sources_dir: Path) -> Parsed:
    lines = read_lines(sources_dir / FILE)
    out = Parsed(FILE)
    a = find_line(lines, r"^Tabel 1\.")
    b = find_line(lines, r"^CONCLUSIE\s*$", a)
    out.drafts += _narrative(lines[:a], out)
    out.span(lines[a].no, lines[a].no, "heading", "table title")
    table = _Table(out)
    for piece in _events(lines[a + 1 : b]):
        table.add(piece)
    table.flush()
    if table.seen != list(range(1, N_THEMES + 1)):
        raise ParseError(f"{FILE}: expected themes 1..{N_THEMES}, found {table.seen}")
    out.drafts += table.drafts
    out.drafts += _narrative(lines[b:], out)
    return out


# --- the narrative ---------------------------------------------------------------------------

# section heading -> (kind, id prefix); None: skipped, with the reason
NARRATIVE: dict[str, tuple[str, str] | str] = {
    "INTRODUCTIE": ("toelichting", "sr21-inleiding"),
    "Wat zijn organisatie-overstijgende leernetwerken?": ("definitie", "sr21-def-leernetwerk"),
    "HET FRAMEWORK LEERNETWERKEN IN SOCIAAL DOMEIN": ("toelichting", "sr21-inleiding"),
    "METHODE SCOPING REVIEW": ("methode", "sr21-methode"),
    "RESULTATEN": ("resultaat", "sr21-resultaten"),
    "CONCLUSIE": ("resultaat", "sr21-conclusie"),
    "ZONMW": ("toelichting", "sr21-verantwoording"),
    "KERNGEBIED AFZENDER": "colophon: the sender's department, address and contact",
}


def _narrative(lines: list[Line], out: Parsed) -> list[Draft]:
    drafts: list[Draft] = []
    kind, prefix = "toelichting", "sr21-inleiding"
    counters: dict[str, int] = {}
    section = ""
    paras = paragraphs(lines)
    i = 0
    while i < len(paras):
        para = paras[i]
        t = " ".join(ln.stripped for ln in para)
        if t in NARRATIVE or t.startswith("›"):
            target = NARRATIVE.get(t, "")
            if isinstance(target, str) and target:
                out.span(para[0].no, lines[-1].no, "skipped", target)
                break
            out.span(para[0].no, para[-1].no, "heading", "document title or section heading")
            if isinstance(target, tuple):
                kind, prefix = target
                section = t
            i += 1
            continue
        if t.startswith("Voor meer informatie"):
            out.span(
                para[0].no, para[-1].no, "skipped", "pointer to the website for the references"
            )
            i += 1
            continue
        end = para[-1].no
        if kind == "definitie" and "sr21-def-leernetwerk" in counters:
            kind, prefix = "toelichting", "sr21-inleiding"  # the text after the definition
        if kind == "definitie":
            # "… aan de slag om" + the numbered bullets: one definition, one sentence
            while i + 1 < len(paras) and paras[i + 1][0].stripped.startswith("- "):
                i += 1
                t += " " + " ".join(re.sub(r"^-\s+", "", ln.stripped) for ln in paras[i])
                end = paras[i][-1].no
        parts = _limitations(t) if section == "CONCLUSIE" else [("", t)]
        for lead, text in parts:
            counters[prefix] = counters.get(prefix, 0) + 1
            rid = prefix if kind == "definitie" else f"{prefix}-{counters[prefix]:02d}"
            drafts.append(
                Draft(
                    id=rid,
                    text=_clean(text),
                    kind=kind,
                    kernelement="Algemeen",
                    file=FILE,
                    title=TITLE,
                    edition=EDITION,
                    section=(section,) if section else (),
                    line_start=para[0].no,
                    line_end=end,
                    lead=lead or (section if kind == "definitie" else ""),
                )
            )
        i += 1
    return drafts


def _limitations(text: str) -> list[tuple[str, str]]:
    """ "… een paar zaken in het hoofd te houden: 1. …; 2. …; en 3. …": the lead and items."""
    m = re.match(r"^(.*?:)\s*1\.\s+(.*)$", text)
    if not m:
        return [("", text)]
    items = re.split(r";\s*(?:en\s+)?\d\.\s+", m.group(2))
    return [(m.group(1), item[0].upper() + item[1:]) for item in items]


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("*", "")).strip()
    text = re.sub(r"\s+([,.;])", r"\1", text)
    return text


# --- the table -----------------------------------------------------------------------------


class _Table:
    """Table 1 read piece by piece: core elements, themes, markers, factors."""

    def __init__(self, out: Parsed) -> None:
        self.out = out
        self.drafts: list[Draft] = []
        self.kern, self.label = "", ""
        self.theme, self.title = 0, ""
        self.seen: list[int] = []
        self.titles: dict[int, str] = {}
        self.themes_on_line: dict[int, list[int]] = {}
        self.col2_markers: dict[int, int] = {}
        self.kind: str | None = None
        self.lead = ""  # the lead of the column ("Een LNW...", "Om de vernieuwing …:")
        self.sub_lead = ""  # a factor that leads a nested list ("… want leiders:")
        self.enumerated = False
        self.open_comma: Draft | None = None  # "Als er een communicatieplan …," + "incl. …"
        self.counters: dict[tuple[int, str], int] = {}

    def add(self, p: _Piece) -> None:
        text = p.text
        up = re.sub(r"\s+", " ", text).strip()
        if up in ("KERNELEMENT", "BEVORDEREND", "BELEMMEREND"):
            self._structure(p)
            return
        if re.fullmatch(r"[A-Z ]{2,}", up):
            self.label = f"{self.label} {up}".strip()
            if self.label in KERN_LABELS:
                self.kern, self.label = KERN_LABELS[self.label], ""
            self._structure(p)
            return
        self.label = ""
        m = _THEME.match(text)
        if m and int(m.group(1)) == self.theme + 1:
            self.theme, self.title = int(m.group(1)), m.group(2).strip().rstrip(".")
            self.seen.append(self.theme)
            self.titles[self.theme] = self.title
            self.themes_on_line.setdefault(p.no, []).append(self.theme)
            self.kind, self.lead = None, ""
            self._end_list()
            self._structure(p)
            return
        marker = _MARKER.search(text)
        if marker and p.col == 2 and len(self.themes_on_line.get(p.no, [])) > 1:
            # one table row holding two themes: the hindering cell lists both in order
            k = self.col2_markers.get(p.no, 0)
            self.col2_markers[p.no] = k + 1
            ths = self.themes_on_line[p.no]
            self.theme = ths[min(k, len(ths) - 1)]
            self.title = self.titles[self.theme]
        if marker:
            self.kind = "bevorderend" if "bevorderend" in marker.group(0).lower() else "belemmerend"
            rest = text[: marker.start()].strip()
            self.lead = rest if rest.endswith(":") or len(rest.split()) > 3 else ""
            if text.rstrip().endswith(":") and len(text.split()) > 4:
                self.lead = text.strip()
            self._end_list()
            self._structure(p, "lead" if self.lead else "heading")
            return
        if not self.theme:
            self._structure(p)
            return
        kind = self.kind or {1: "bevorderend", 2: "belemmerend"}.get(p.col, "bevorderend")
        if p.col == 2:
            kind = "belemmerend"
        is_item = text.startswith("- ") or _ENUM.match(text)
        body = text[2:].strip() if text.startswith("- ") else text.strip()
        if not is_item and (body.endswith(":") or body.endswith("...")):
            lead_before = self.lead
            self.lead = body  # "Een LNW...", "Zij geven aan..."
            if body.startswith(("Zij ", "Deze ", "Dit ")) and self._last(kind):
                # "Zij geven aan...": the factor before it says who "zij" are
                self.lead = lead_before
                self.sub_lead = f"{self._last(kind).text} {body}"  # type: ignore[union-attr]
            self._structure(p, "lead")
            return
        self._factor(p, kind, body)

    # --- factors ---------------------------------------------------------------------------
    def _factor(self, p: _Piece, kind: str, body: str) -> None:
        last = self._last(kind)
        if self.open_comma is not None and body[:1].islower() and not body.startswith("als "):
            # "Als er een communicatieplan wordt opgesteld," + "incl. gedegen analyse …"
            self.open_comma.text = f"{self.open_comma.text.rstrip('.')}, {body}"
            self.open_comma = None
            return
        self.open_comma = None
        if body.startswith("Dit ") and last is not None and not self.sub_lead:
            last.text = f"{last.text} {body}"  # the explanation of the factor before
            return
        if _ENUM.search(body) and self.sub_lead:
            for part in [x for x in _ENUM.split(body) if x and not re.fullmatch(r"[a-e]", x)]:
                self._draft(p, kind, part.strip(), self.sub_lead)
            self.enumerated = True
            return
        if self.sub_lead and self._nested(p, body):
            self._draft(p, kind, body, self.sub_lead)
            return
        self._end_list()
        if _OPEN_LEAD.search(body.rstrip()):
            # a factor that leads a list; a complete first sentence is a factor itself
            first = re.match(r"^(Als .+?\.)\s+(.*)$", body)
            if first:
                self._draft(p, kind, first.group(1), self.lead)
            self.sub_lead = body
            self._structure(p, "lead")
            return
        d = self._draft(p, kind, body, self.lead)
        if body.rstrip().endswith(","):
            self.open_comma = d

    def _nested(self, p: _Piece, body: str) -> bool:
        if self.enumerated:
            return False
        if p.col == -1:
            return p.indented
        return body[:1].islower() and not re.match(r"^als\b", body)

    def _end_list(self) -> None:
        self.sub_lead, self.enumerated = "", False
        if self.lead.startswith(("Zij ", "Deze ", "Dit ")):
            self.lead = ""

    def _last(self, kind: str) -> Draft | None:
        return next(
            (d for d in reversed(self.drafts) if d.theme == self.theme and d.kind == kind), None
        )

    def _draft(self, p: _Piece, kind: str, body: str, lead: str) -> Draft:
        text = re.sub(r"[,;]\s*$", "", body.strip()).strip()
        if text[-1:] not in ".!?)":
            text += "."
        lead = lead.strip()
        if not lead and text[:1].islower():
            text = text[0].upper() + text[1:]
        key = (self.theme, kind)
        self.counters[key] = self.counters.get(key, 0) + 1
        tag = {"bevorderend": "bev", "belemmerend": "bel"}[kind]
        d = Draft(
            id=f"sr21-t{self.theme:02d}-{tag}{self.counters[key]:02d}",
            text=text,
            kind=kind,
            kernelement=self.kern or kernelement("Community context"),
            file=FILE,
            title=TITLE,
            edition=EDITION,
            section=(TABLE, f"{self.theme}. {self.title}"),
            line_start=p.no,
            line_end=p.no,
            lead=lead,
            principle=self.title,
            theme=self.theme,
            phase=PHASE_OF_THEME.get(self.theme),
            deelelement=self.title,
        )
        self.drafts.append(d)
        return d

    def _structure(self, p: _Piece, use: str = "heading") -> None:
        reason = "lead-in of the factors below it" if use == "lead" else STRUCTURE
        self.out.span(p.no, p.no, use, reason)  # type: ignore[arg-type]

    def flush(self) -> None:
        self._end_list()
