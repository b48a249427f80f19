"""Render: the selected records as markdown under fixed headings, every line cited (pure).

Citation numbers are handed out in order of first use (`Citer`), so every number in
the text has a citation and the other way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.select import Line, Selection
from assistant.cite import Citer
from assistant.delphi import delphi_parts
from assistant.generators.base import Language
from assistant.types import Citation
from corpus.record import Record

HEADINGS = {
    "nl": {
        "works": "Wat werkt",
        "watch": "Waar je op let",
        "weight": "Gewicht in het framework",
        "intro_en": "",
    },
    "en": {
        "works": "What works",
        "watch": "What to watch out for",
        "weight": "Weight in the framework",
        "intro_en": "The LISO framework is written in Dutch; the passages below are quoted from it.",
    },
}


@dataclass(frozen=True)
class Draft:
    text: str
    citations: list[Citation]


def weight_line(p: Record, lang: Language) -> str:
    """The Delphi study's scores of a principle as one sentence ('' when it has none)."""
    parts = delphi_parts(p.delphi, "answer-nl" if lang == "nl" else "answer-en", p.kernelement)
    if p.expert_added:
        parts.append(
            "toegevoegd door praktijkexperts (E)"
            if lang == "nl"
            else "added by practice experts (E)"
        )
    if not parts:
        return ""
    lead = "Delphi-studie 2023: " if lang == "nl" else "Delphi study 2023: "
    return lead + "; ".join(parts) + "."


def _section(title: str, lines: Sequence[Line], citer: Citer) -> list[str]:
    if not lines:
        return []
    return ["", f"**{title}**", *(f"{ln.text} {citer.ref(ln.record.id)}" for ln in lines)]


def render(selection: Selection, retrieved: Sequence[Record], lang: Language) -> Draft:
    """The answer's markdown and its citations."""
    h = HEADINGS[lang]
    citer = Citer(retrieved)
    lines: list[str] = [h["intro_en"]] if h["intro_en"] else []
    lines += [f"{ln.text} {citer.ref(ln.record.id)}" for ln in selection.direct]
    top = selection.top
    if selection.top_weight:
        lines.append(f"{weight_line(top, lang)} {citer.ref(top.id)}")
    lines += _section(h["works"], selection.works, citer)
    lines += _section(h["watch"], selection.watch, citer)
    weights = [
        f"- {p.text.rstrip('.')}: {weight_line(p, lang)} {citer.ref(p.id)}"
        for p in selection.weighed
    ]
    # the weighed principles are cited even when their lines are not shown (an answer
    # that leads with a study result): kept as it was, see docs/architecture.md
    if selection.show_weights:
        lines += ["", f"**{h['weight']}**", *weights]
    return Draft("\n".join(lines).strip(), citer.citations())


def refusal_text(lang: Language, nearest: Sequence[Record]) -> str:
    if lang == "en":
        text = "The LISO framework does not cover this question, so I cannot answer it from the sources."
        if nearest:
            text += " The nearest principles in the framework are:\n" + "\n".join(
                f"- {r.text}" for r in nearest
            )
        return text
    text = "Het LISO-framework gaat niet over deze vraag, dus ik kan hem niet beantwoorden vanuit de bronnen."
    if nearest:
        text += " De principes die er het dichtst bij liggen:\n" + "\n".join(
            f"- {r.text}" for r in nearest
        )
    return text
