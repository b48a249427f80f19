"""The chat's principle cards and citation chips, as HTML built from the structured
answer: pure functions, everything from the corpus escaped.

A chip is a citation number that links to the cited sentence on its principle's page
and is named for a screen reader: "Bron 2: Synergie, werkzaam element".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape

from app.framework import DELPHI_MAX, citation_url, decimal_nl
from app.pages import KIND_LABELS
from assistant.types import AnswerBlock, AnswerLine, Citation

NO_SOURCES = (
    '<p class="liso-empty">Nog geen bronnen. Stel een vraag om de principes van het '
    "antwoord hier te zien.</p>"
)
_REF = re.compile(r"\[(\d+)\]")
_CHIP = re.compile(r'<a class="liso-chip"[^>]*>\[(\d+)\](?:<span[^>]*>[^<]*</span>)?</a>')

CSS = """
.liso-cards{display:flex;flex-direction:column;gap:.7rem}
.liso-card{border:1px solid #d9e2ec;border-left:4px solid #0b6e4f;border-radius:.5rem;
padding:.6rem .8rem;background:var(--background-fill-primary)}
.liso-card h3{font-size:1rem;line-height:1.4;margin:0 0 .3rem}
.liso-card .meta,.liso-card .score,.liso-src .meta{color:var(--body-text-color-subdued);
font-size:.88rem;margin:.1rem 0}
.liso-card .sub{font-weight:600;font-size:.88rem;margin:.5rem 0 0}
.liso-card ul{margin:.2rem 0;padding-left:1.2rem}.liso-card li{margin:.15rem 0}
.liso-card .score{display:flex;align-items:center;gap:.5rem}
.liso-bar{display:inline-block;width:5rem;height:.5rem;border-radius:.25rem;background:#d9e2ec;
overflow:hidden;flex:none}.liso-bar>span{display:block;height:100%;background:#0b6e4f}
.liso-e{display:inline-block;padding:0 .4rem;border-radius:.6rem;background:#0b6e4f;color:#fff;
font-size:.8rem;font-weight:600;text-decoration:none}
a.liso-chip{display:inline-block;min-width:1.6em;padding:0 .3em;border:1px solid currentColor;
border-radius:.6rem;font-size:.78rem;font-weight:600;line-height:1.3;text-align:center;
text-decoration:none;color:#0b6e4f}
.dark a.liso-chip,.dark .liso-src a{color:#8fd6b8}
.liso-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
#liso-chat .md.chatbot.prose{opacity:1}
.liso-src ol{padding-left:1.4rem;font-size:.9rem}.liso-src li{margin:.3rem 0}
"""


def _e(text: str | None) -> str:
    return escape(text or "", quote=True)


def chip_name(c: Citation) -> str:
    """The accessible name of a citation: "Bron 2: Synergie, werkzaam element"."""
    kind = KIND_LABELS.get(c.kind, c.kind.replace("_", " "))
    return f"Bron {c.n}: " + ", ".join(p for p in (c.kernelement, kind) if p)


def chip(c: Citation) -> str:
    """The chip; its name is in a visually hidden part as well as in `aria-label`,
    because the chat's sanitiser drops aria attributes."""
    return (
        f'<a class="liso-chip" href="{_e(citation_url(c))}" target="_blank" '
        f'aria-label="{_e(chip_name(c))}" title="{_e(c.text)}">[{c.n}]'
        f'<span class="liso-sr"> {_e(chip_name(c))}</span></a>'
    )


def with_chips(markdown: str, citations: Sequence[Citation]) -> str:
    """The answer's markdown with each known [n] as a chip (other text untouched)."""
    by_n = {c.n: c for c in citations}
    return _REF.sub(lambda m: chip(by_n[int(m[1])]) if int(m[1]) in by_n else m[0], markdown)


def without_chips(text: str) -> str:
    """The inverse of `with_chips`: what goes back to the assistant as history."""
    return _CHIP.sub(lambda m: f"[{m[1]}]", text)


def _line(line: AnswerLine, by_n: Mapping[int, Citation]) -> str:
    c = by_n.get(line.n)
    return _e(line.text) + (" " + chip(c) if c else "")


def _list(title: str, lines: Sequence[AnswerLine], by_n: Mapping[int, Citation]) -> str:
    if not lines:
        return ""
    items = "".join(f"<li>{_line(x, by_n)}</li>" for x in lines)
    return (f'<p class="sub">{_e(title)}</p>' if title else "") + f"<ul>{items}</ul>"


def card(block: AnswerBlock, by_n: Mapping[int, Citation]) -> str:
    """One principle: statement, core and sub-element, phase, (E), Delphi bar, lines."""
    meta = " · ".join(
        _e(p)
        for p in (block.kernelement, block.deelelement, block.phase and f"fase {block.phase}")
        if p
    )
    if block.expert_added:
        meta += (
            ' <abbr class="liso-e" title="toegevoegd door praktijkexperts" '
            'aria-label="toegevoegd door praktijkexperts">(E)</abbr>'
        )
    out = [f"<h3>{_line(block.statement, by_n)}</h3>", f'<p class="meta">{meta}</p>']
    mean = block.delphi.mean if block.delphi else None
    if mean is not None:
        width = round(mean / DELPHI_MAX * 100)
        out.append(
            f'<p class="score"><span class="liso-bar" aria-hidden="true"><span '
            f'style="width:{width}%"></span></span>Delphi-belang {decimal_nl(mean)} van 5</p>'
        )
    if block.earlier:
        out.append(f"<p><strong>In 2021:</strong> {_line(block.earlier, by_n)}</p>")
    out.append(_list("Werkzame elementen", block.works, by_n))
    out.append(_list("Wat helpt", block.promoting, by_n))
    out.append(_list("Wat in de weg kan zitten", block.hindering, by_n))
    if block.tip:
        out.append(_list("", [block.tip], by_n))
    return f'<section class="liso-card">{"".join(out)}</section>'


def sources_list(citations: Sequence[Citation]) -> str:
    items = "".join(
        f'<li value="{c.n}"><a href="{_e(citation_url(c))}" target="_blank">{_e(c.text)}</a>'
        f'<br><span class="meta">{_e(c.label or c.kernelement)}</span></li>'
        for c in citations
    )
    return f'<div class="liso-src"><h3>Alle bronnen</h3><ol>{items}</ol></div>' if items else ""


def cards_html(blocks: Sequence[AnswerBlock], citations: Sequence[Citation]) -> str:
    """The sources panel: a card per principle of the answer, then all its sources."""
    if not blocks and not citations:
        return '<p class="liso-empty">Dit antwoord heeft geen bronnen.</p>'
    by_n = {c.n: c for c in citations}
    cards = "".join(card(b, by_n) for b in blocks)
    return f'<div class="liso-cards">{cards}</div>{sources_list(citations)}'
