"""The extractive answer: built from the retrieved records themselves.

It selects the sentences and working elements most relevant to the question, groups
them under fixed headings (direct answer, what works, what to watch out for, how much
weight the framework gives it) and cites every line. Deterministic and fast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.cite import Citer
from assistant.rerank import intents
from assistant.types import Citation, Hit
from corpus.record import Record
from corpus.text import STOPWORDS as STOP
from corpus.text import fold, tokens

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


def _words(text: str) -> list[str]:
    return [w for w in tokens(text, 3) if w not in STOP]


def overlap(query: str, text: str) -> int:
    """Query words found in the text: same 5-letter prefix, or one inside the other
    (Dutch compounds: "jeugddomein" ~ "domein van jeugd")."""
    words = set(_words(text))
    n = 0
    for q in set(_words(query)):
        if any(
            q[:5] == w[:5] or (len(w) >= 4 and w in q) or (len(q) >= 4 and q in w) for w in words
        ):
            n += 1
    return n


_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b\d\.)(?<!\bo\.a\.)(?<!\bbijv\.)\s+(?=[A-Z‘'(])")


def best_sentence(text: str, query: str, max_words: int = 45) -> str:
    """The record itself when short, else its sentence that shares most with the query."""
    if len(text.split()) <= max_words:
        return text
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    return max(sentences, key=lambda s: (overlap(query, s), -abs(len(s.split()) - 25)))


# questions about priorities, scores and rankings (word families of both languages)
_RANKING = re.compile(
    r"belangrijk|prioriteit|\btop\b|rangorde|rangschik|\bscor|gemiddeld|gewicht|"
    r"important|ranking|\brank|priorit|weight",
    re.I,
)


def asks_ranking(question: str) -> bool:
    return _RANKING.search(question) is not None


def _scored_record(question: str, hits: Sequence[Hit]) -> Record | None:
    """For a ranking question: the Table 3 or Table 2 summary when the question names
    it, else the best-ranked principle that carries Delphi scores."""
    q = fold(question)
    records = [h.record for h in hits]
    if re.search(r"\btien\b|top ?10|top-10|\bten\b|belangrijkst|most important", q):
        table = next((r for r in records if r.id == "d23-tabel3"), None)
        if table:
            return table
    if re.search(r"top ?(3|drie)|top-3|top three", q):
        table = next((r for r in records if r.id.startswith("d23-tabel2")), None)
        if table:
            return table
    scored = [(i, r) for i, r in enumerate(records) if r.kind == "uitgangspunt" and r.delphi]
    if not scored:
        return None
    # the principle the question describes best; among equals the better-ranked one
    return max(scored, key=lambda ir: (overlap(question, ir[1].text), -ir[0]))[1]


def _principle_of(r: Record, by_id: dict[str, Record]) -> Record | None:
    if r.kind == "uitgangspunt":
        return r
    return by_id.get(r.principle_id)


def _lead_for(r: Record) -> str:
    """The lead-in a fragment needs to be read: always when it starts in lower case
    ("…afhankelijk van de mate waarin: er gezamenlijk subsidie wordt verkregen")."""
    if not r.lead or r.kind not in ("werkzaam_element", "bevorderend", "belemmerend"):
        return ""
    lead = r.lead.rstrip(": ")
    if r.text[:1].islower() or len(lead) < 60:
        return f"{lead[:120]}: "
    return ""


def _current(p: Record | None, retrieved: dict[str, Record]) -> Record | None:
    """The Delphi (2023) version of a principle when it was retrieved alongside."""
    if p is None or p.edition == "delphi-2023":
        return p
    return next((retrieved[i] for i in p.also_in if i.startswith("d23-") and i in retrieved), p)


def main_principle(hits: Sequence[Hit], retrieved: dict[str, Record]) -> Record | None:
    """The (current version of the) principle of the best hit, if it has one."""
    if not hits:
        return None
    top = hits[0].record
    if top.kind not in (
        "uitgangspunt",
        "werkzaam_element",
        "toelichting",
        "bevorderend",
        "belemmerend",
    ):
        return None
    return _current(_principle_of(top, retrieved), retrieved)


def weight_line(p: Record, lang: str) -> str:
    d = p.delphi
    parts = []
    if d and d.mean is not None:
        mean = f"{d.mean:.1f}".replace(".", ",") if lang == "nl" else f"{d.mean:.1f}"
        parts.append(
            f"gemiddeld belang {mean} op een schaal van 1 tot 5"
            if lang == "nl"
            else f"mean importance {mean} on a 1-5 scale"
        )
    if d and d.weight is not None:
        parts.append(
            f"score binnen het kernelement {d.weight}"
            if lang == "nl"
            else f"weight within its core element {d.weight}"
        )
    if d and d.top3_rank:
        parts.append(
            f"nr. {d.top3_rank} in de top 3 van {p.kernelement}"
            if lang == "nl"
            else f"no. {d.top3_rank} in the top 3 of {p.kernelement}"
        )
    if d and d.top10_rank:
        parts.append(
            f"nr. {d.top10_rank} van de tien belangrijkste uitgangspunten"
            if lang == "nl"
            else f"no. {d.top10_rank} of the ten most important principles"
        )
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


def compose(
    question: str, hits: Sequence[Hit], by_id: dict[str, Record], lang: str, max_citations: int = 6
) -> Draft:
    """Write the answer from the hits; every line cites a retrieved record."""
    h = HEADINGS[lang]
    retrieved = [hit.record for hit in hits]
    citer = Citer(retrieved)
    want = intents(question)
    lines: list[str] = []
    if h["intro_en"]:
        lines.append(h["intro_en"])

    top = hits[0].record
    if asks_ranking(question):
        # a ranking or score question: lead with the best scored principle or table
        top = _scored_record(question, hits) or top
    # 1. the direct answer: the best record, stated with its principle
    principle = _principle_of(top, {r.id: r for r in retrieved})
    principle = _current(principle, {r.id: r for r in retrieved})
    direct = top.text if top.id.startswith("d23-tabel") else best_sentence(top.text, question)
    if (
        top.kind
        in ("uitgangspunt", "definitie", "resultaat", "methode", "tip", "fase", "toelichting")
        or principle is None
    ):
        lines.append(f"{direct} {citer.ref(top.id)}")
    else:
        lines.append(f"{principle.text} {citer.ref(principle.id)}")
        lead = f"{top.lead.rstrip(':')}: " if top.lead and len(top.lead) < 80 else ""
        lines.append(f"{lead}{direct} {citer.ref(top.id)}")
    if (
        top.kind == "uitgangspunt"
        and top.delphi
        and ("uitgangspunt" in want or top.delphi.top10_rank)
    ):
        wl = weight_line(top, lang)
        if wl:
            lines.append(f"{wl} {citer.ref(top.id)}")

    # 2. what works / what to watch out for, from the remaining hits; lines are chosen
    # first and cited afterwards, so every number handed out appears in the text
    works: list[tuple[Record, str]] = []
    watch: list[tuple[Record, str]] = []
    seen_text = {fold(direct)}
    budget = max_citations - len(citer.citations())
    # only records close to the answer: of the principles of the three best hits, or
    # among the best hits themselves (citing loosely related records hurts precision)
    near = {h.record.principle_id or h.id for h in hits[:2]}
    main_ids = {principle.id, *principle.also_in} if principle is not None else set()
    near |= main_ids
    ordered = sorted(
        (h for h in hits[1:] if not (h.record.kind == "uitgangspunt" and h.id in main_ids)),
        key=lambda h: (
            h.record.principle_id not in main_ids,
            h.record.kind not in ("werkzaam_element", "bevorderend", "tip"),
            h.rank,
        ),
    )
    for hit in ordered:
        r = hit.record
        if len(works[:3]) + len(watch[:2]) >= budget:
            break
        if (r.principle_id or r.id) not in near:
            continue
        if r.kind == "belemmerend" and "belemmerend" not in want and r.principle_id not in main_ids:
            continue
        if r.id == top.id:
            continue
        sentence = best_sentence(r.text, question, 35)
        key = fold(sentence)
        if key in seen_text:
            continue
        seen_text.add(key)
        if r.kind == "belemmerend":
            watch.append((r, f"- {_lead_for(r)}{sentence}"))
        elif r.kind == "uitgangspunt":
            works.append((r, f"- {r.text}"))
        else:
            lead = _lead_for(r)
            works.append((r, f"- {lead}{sentence}"))
    if works:
        lines += ["", f"**{h['works']}**", *(f"{t} {citer.ref(r.id)}" for r, t in works[:3])]
    if watch:
        lines += ["", f"**{h['watch']}**", *(f"{t} {citer.ref(r.id)}" for r, t in watch[:2])]
    weights: list[str] = []
    weighed: set[str] = set()
    retrieved_ids = {x.id for x in retrieved}
    retrieved_map = {x.id: x for x in retrieved}
    for c in citer.citations():
        p = _current(_principle_of(by_id[c.id], by_id), retrieved_map)
        if p is None or p.id not in retrieved_ids or not p.delphi or p.edition != "delphi-2023":
            continue
        wl = weight_line(p, lang)
        if wl and p.id not in weighed and len(weights) < 2:
            weighed.add(p.id)
            weights.append(f"- {p.text.rstrip('.')}: {wl} {citer.ref(p.id)}")
    if weights and top.kind != "resultaat":
        lines += ["", f"**{h['weight']}**", *weights]
    return Draft("\n".join(lines).strip(), citer.citations())


def refusal_text(lang: str, nearest: Sequence[Record]) -> str:
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
