"""Parser for the scoping-review factsheet (2021): Table 1 with 21 themes, each with
promoting ("Bevorderend werkt") and hindering ("Belemmerend werkt") factors.

The first rows are tab-separated with HTML inside the cells (column 1 promoting,
column 2 hindering); the last rows are markdown. Both become one stream of events.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from corpus.parse.common import Line, ParseError, find_line, kernelement, read_lines
from corpus.parse.records import Draft

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

_THEME = re.compile(r"^\*{0,2}(\d{1,2})\.\s+(.+?)\*{0,2}$")
_MARKER = re.compile(r"(bevorderend|belemmerend) werkt|werkt (bevorderend|belemmerend)", re.I)


def _events(lines: list[Line]) -> list[tuple[int, int, str]]:
    """(line no, column, text) pieces: cells split at tabs, HTML split at <p>/<li>."""
    out: list[tuple[int, int, str]] = []
    for ln in lines:
        cells = ln.text.split("\t")
        for col, cell in enumerate(cells):
            cell = re.sub(r"</?(ul|ol)[^>]*>", "\n", cell)
            cell = re.sub(r"<(p|li)[^>]*>", "\n", cell)
            cell = re.sub(r"</?[a-z]+[^>]*>", "", cell)
            cell = re.sub(r"\*?((?:Bevorderend|Belemmerend) werkt:)\*?", r"\n\1\n", cell)
            cell = html.unescape(cell).replace("**", "\n").replace("*", "")
            # items inside one cell are separated by " - " after a punctuation mark
            cell = re.sub(r"(?<=[.,;:!?)])\s+[-–]\s+", "\n- ", cell)
            cell = re.sub(r"^\s*[-–]\s+", "- ", cell)
            for piece in cell.split("\n"):
                piece = re.sub(r"^\s*[-–•]\s+", "- ", piece.strip())
                if piece and piece != "-":
                    out.append((ln.no, col if len(cells) > 1 else -1, piece))
    return out


def parse(sources_dir: Path) -> list[Draft]:
    lines = read_lines(sources_dir / FILE)
    a = find_line(lines, r"^Tabel 1\.")
    b = find_line(lines, r"^CONCLUSIE\s*$", a)
    kern = ""
    theme, title = 0, ""
    kind: str | None = None
    lead = ""
    drafts: list[Draft] = []
    counters: dict[tuple[int, str], int] = {}
    seen_themes: list[int] = []
    titles: dict[int, str] = {}
    themes_on_line: dict[int, list[int]] = {}
    col2_markers: dict[int, int] = {}
    label = ""  # an upper-case core-element label, possibly split over lines
    for no, col, text in _events(lines[a + 1 : b]):
        up = re.sub(r"\s+", " ", text).strip()
        if up in ("KERNELEMENT", "BEVORDEREND", "BELEMMEREND"):
            continue
        if re.fullmatch(r"[A-Z ]{2,}", up):
            label = f"{label} {up}".strip()
            if label in KERN_LABELS:
                kern, label = KERN_LABELS[label], ""
            continue
        label = ""
        m = _THEME.match(text)
        if m and int(m.group(1)) == theme + 1:
            theme, title = int(m.group(1)), m.group(2).strip().rstrip(".")
            seen_themes.append(theme)
            titles[theme] = title
            themes_on_line.setdefault(no, []).append(theme)
            kind, lead = None, ""
            continue
        marker = _MARKER.search(text)
        if marker and col == 2 and len(themes_on_line.get(no, [])) > 1:
            # one table row holding two themes: the hindering cell lists both in order
            k = col2_markers.get(no, 0)
            col2_markers[no] = k + 1
            theme = themes_on_line[no][min(k, len(themes_on_line[no]) - 1)]
            title = titles[theme]
        if marker:
            kind = "bevorderend" if "bevorderend" in marker.group(0).lower() else "belemmerend"
            rest = text[: marker.start()].strip()
            lead = rest if rest.endswith(":") or len(rest.split()) > 3 else ""
            if text.rstrip().endswith(":") and len(text.split()) > 4:
                lead = text.strip()
            continue
        if not theme:
            continue
        cur_kind = kind or {1: "bevorderend", 2: "belemmerend"}.get(col, "toelichting")
        if col in (1, 2) and kind is None:
            cur_kind = "bevorderend" if col == 1 else "belemmerend"
        if col == 2 and cur_kind == "bevorderend":
            cur_kind = "belemmerend"
        is_item = text.startswith("- ") or re.match(r"^[a-e]\.\s", text)
        body = text[2:].strip() if text.startswith("- ") else text
        if not is_item and (body.endswith(":") or body.endswith("...")):
            lead = body
            continue
        if is_item and body.endswith(":"):
            lead = body
            continue
        key = (theme, cur_kind)
        counters[key] = counters.get(key, 0) + 1
        tag = {"bevorderend": "bev", "belemmerend": "bel"}.get(cur_kind, "tl")
        drafts.append(
            Draft(
                id=f"sr21-t{theme:02d}-{tag}{counters[key]:02d}",
                text=body,
                kind=cur_kind,
                kernelement=kern or kernelement("Community context"),
                file=FILE,
                title=TITLE,
                edition=EDITION,
                section=(
                    "Tabel 1. Wat werkt bij het voeren van organisatie-overstijgende leernetwerken",
                    f"{theme}. {title}",
                ),
                line_start=no,
                line_end=no,
                lead=lead,
                principle=title,
                theme=theme,
                phase=PHASE_OF_THEME.get(theme),
                deelelement=title,
            )
        )
    if seen_themes != list(range(1, N_THEMES + 1)):
        raise ParseError(f"{FILE}: expected themes 1..{N_THEMES}, found {seen_themes}")
    return drafts
