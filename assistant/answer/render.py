"""Render: a plan as the structured answer and its markdown, every line cited (pure).

Citation numbers are handed out in reading order (`Citer`), so every number in the text
has a citation and the other way round. A sentence that stands in several editions is
cited once, with the other editions in the citation's `also`. Markdown is a pure
rendering of the summary, the blocks and what is not covered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.answer.intent import QuestionIntent
from assistant.answer.select import Block, Plan
from assistant.answer.sentences import best_sentence
from assistant.cite import Citer, short_label
from assistant.delphi import delphi_parts
from assistant.generators.base import Language
from assistant.types import AnswerBlock, AnswerLine, Citation
from corpus.record import Record

TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "say": "{}",
        "concretely": "Wat werkt: {}",
        "hinders": "Wat in de weg kan zitten: {}",
        "principle": "Het uitgangspunt: {}",
        "was": "In 2021 luidde dit uitgangspunt: {}",
        "now": "In 2023: {}",
        "also": "Daarnaast: {}",
        "helps": "Wat helpt: {}",
        "figure": "In de Delphi-studie 2023: {}.",
        "expert": "toegevoegd door praktijkexperts (E)",
        "top10": "Volgens de Delphi-experts zijn dit de tien belangrijkste uitgangspunten "
        "(Tabel 3).",
        "top3": "De top 3 van {} volgens de Delphi-experts (Tabel 2).",
        "experts": "Deze uitgangspunten{} zijn toegevoegd door praktijkexperts (E).",
        "of": " van {}",
        "mean": "gemiddeld belang {}",
        "phase": "fase: {}",
        "intro": "",
        "not_covered": "Over {} zegt het LISO-framework niets; dat deel van je vraag kan ik "
        "niet beantwoorden.",
    },
    "en": {
        "say": "{}",
        "concretely": "What works: {}",
        "hinders": "What can get in the way: {}",
        "principle": "The principle: {}",
        "was": "In 2021 the principle read: {}",
        "now": "In 2023: {}",
        "also": "Also: {}",
        "helps": "What helps: {}",
        "figure": "In the 2023 Delphi study: {}.",
        "expert": "added by practice experts (E)",
        "top10": "According to the Delphi experts these are the ten most important "
        "principles (Table 3).",
        "top3": "The top 3 of {} according to the Delphi experts (Table 2).",
        "experts": "These principles{} were added by practice experts (E).",
        "of": " of {}",
        "mean": "mean importance {}",
        "phase": "phase: {}",
        "intro": "The LISO framework is written in Dutch; the passages below are quoted from it.",
        "not_covered": "The LISO framework says nothing about {}; I cannot answer that part "
        "of your question.",
    },
}


KIND_NAMES: dict[str, dict[str, str]] = {
    "nl": {
        "definitie": "Definitie",
        "tip": "Tip uit het LISO Handboek",
        "fase": "Fase",
        "resultaat": "Uit de Delphi-studie",
        "methode": "Over de Delphi-studie",
        "bouwsteen": "Bouwsteen van het LISO Handboek",
        "toelichting": "Toelichting",
    },
    "en": {
        "definitie": "Definition",
        "tip": "Tip from the LISO handbook",
        "fase": "Phase",
        "resultaat": "From the Delphi study",
        "methode": "About the Delphi study",
        "bouwsteen": "Building block of the LISO handbook",
        "toelichting": "Explanation",
    },
}


@dataclass(frozen=True)
class Draft:
    text: str
    citations: list[Citation]
    summary: str = ""
    blocks: tuple[AnswerBlock, ...] = ()
    not_covered: str = ""


def weight_line(p: Record, lang: Language) -> str:
    """The Delphi study's scores of a principle as a phrase ('' when it has none)."""
    parts = delphi_parts(p.delphi, "answer-nl" if lang == "nl" else "answer-en", p.kernelement)
    if p.expert_added:
        parts.append(TEXT[lang]["expert"])
    return "; ".join(parts)


def _meta(head: Record, lang: Language) -> str:
    t = TEXT[lang]
    parts = [short_label(head)]
    weight = weight_line(head, lang)
    if weight:
        parts.append(weight)
    if head.phase:
        parts.append(t["phase"].format(head.phase))
    return " · ".join(parts)


class _Lines:
    """Numbers records by first use and keeps the structured lines of each block; a
    long working element or factor is quoted by its sentence that fits the question."""

    def __init__(self, citer: Citer, question: str, item_words: int) -> None:
        self.citer = citer
        self.question = question
        self.item_words = item_words

    def text(self, r: Record) -> str:
        if r.kind in ("uitgangspunt", "definitie", "resultaat", "tip", "fase"):
            return r.display()
        return best_sentence(r.display(), self.question, self.item_words)

    def line(self, r: Record) -> AnswerLine:
        n = self.citer.number(r.id)
        return AnswerLine(n=n, id=r.id, text=self.text(r), kind=r.kind)


def _block(block: Block, lines: _Lines, with_earlier: bool, full: bool) -> AnswerBlock:
    """The structured block; only the first (or, when asked what hinders, every) block
    carries its factors, to keep the answer short."""
    head = block.head
    statement = lines.line(head)
    return AnswerBlock(
        principle_id=head.id,
        kind=head.kind,
        statement=statement,
        earlier=lines.line(block.earlier) if block.earlier and with_earlier else None,
        kernelement=head.kernelement,
        deelelement=head.deelelement,
        delphi=head.delphi,
        expert_added=head.expert_added,
        phase=head.phase,
        label=short_label(head),
        works=[lines.line(r) for r in block.works],
        promoting=[lines.line(r) for r in block.promoting] if full else [],
        hindering=[lines.line(r) for r in block.hindering] if full else [],
    )


def _summary(opening: Sequence[tuple[str, Record]], lines: _Lines, lang: Language) -> list[str]:
    t = TEXT[lang]
    out = []
    for key, r in opening:
        if key == "figure":
            out.append(f"{r.display()} {lines.citer.ref(r.id)}")
            out.append(t["figure"].format(weight_line(r, lang)))
            continue
        text = lines.text(r)
        # a sentence that opens with its own label ("Succesfactoren: …") takes no second one
        framed = t[key].format(text) if ":" not in text[:40] else text
        out.append(f"{framed} {lines.citer.ref(r.id)}")
    return out


def _listing(
    intent: QuestionIntent,
    listing: Sequence[Record],
    source: Record | None,
    lines: _Lines,
    lang: Language,
) -> list[str]:
    t = TEXT[lang]
    kind = intent.kind
    kern = intent.kernelement
    if kind == "top10":
        intro = t["top10"]
    elif kind == "top3":
        intro = t["top3"].format(kern)
    else:
        intro = t["experts"].format(t["of"].format(kern) if kern else "")
    if source is not None:
        intro += f" {lines.citer.ref(source.id)}"
    out = [intro]
    for i, r in enumerate(listing, 1):
        mean = r.delphi.mean if r.delphi else None
        score = f" ({t['mean'].format(_decimal(mean, lang))})" if mean is not None else ""
        out.append(f"{i}. {r.display().rstrip('.')}{score}. {lines.citer.ref(r.id)}")
    return out


def _decimal(value: float, lang: Language) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "nl" else text


def _block_markdown(i: int, block: AnswerBlock, said: set[str], lang: Language) -> list[str]:
    t = TEXT[lang]
    if block.kind != "uitgangspunt":
        name = KIND_NAMES[lang].get(block.kind, block.kind)
        out = [f"**{i}. {name}** · {block.label}"]
        if block.statement.id not in said:
            out.append(f"{block.statement.text} [{block.statement.n}]")
        return out
    out = [f"**{i}. {block.statement.text}** [{block.statement.n}]"]
    meta = "; ".join(p for p in (block.label, _block_weight(block, lang)) if p)
    out.append(f"_{meta}_")
    if block.earlier is not None and block.earlier.id not in said:
        out.append(f"- {t['was'].format(block.earlier.text)} [{block.earlier.n}]")
    out += [f"- {ln.text} [{ln.n}]" for ln in block.works if ln.id not in said]
    out += [
        f"- {t['helps'].format(ln.text)} [{ln.n}]" for ln in block.promoting if ln.id not in said
    ]
    out += [
        f"- {t['hinders'].format(ln.text)} [{ln.n}]" for ln in block.hindering if ln.id not in said
    ]
    return out


def _block_weight(block: AnswerBlock, lang: Language) -> str:
    parts = delphi_parts(block.delphi, "meta-nl" if lang == "nl" else "meta-en")
    if block.expert_added:
        parts.append(TEXT[lang]["expert"])
    if block.phase:
        parts.append(TEXT[lang]["phase"].format(block.phase))
    return "; ".join(parts)


class Writer:
    """Writes an answer piece by piece in reading order — the summary, then each block,
    then what is not covered — numbering the citations by first use, so that an answer
    can be sent while it is composed. `text()` is always the beginning of the final
    markdown; `render` runs a writer over a whole plan."""

    def __init__(
        self,
        question: str,
        intent: QuestionIntent,
        by_id: Mapping[str, Record],
        lang: Language,
        item_words: int = 40,
    ) -> None:
        self.intent = intent
        self.lang = lang
        self.citer = Citer(list(by_id.values()))
        self.lines = _Lines(self.citer, question, item_words)
        intro = TEXT[lang]["intro"]
        self.md: list[str] = [intro] if intro else []
        self.summary = ""
        self.blocks: list[AnswerBlock] = []
        self.not_covered = ""
        self._said: set[str] = set()
        self._listing = False
        self._shown = 0  # blocks said in the markdown

    def open(
        self,
        opening: Sequence[tuple[str, Record]],
        listing: Sequence[Record] = (),
        listing_source: Record | None = None,
    ) -> str:
        """The summary: the opening sentences, or an aggregation's list."""
        if listing:
            self._listing = True
            parts = _listing(self.intent, listing, listing_source, self.lines, self.lang)
            self.summary = "\n".join(parts)
        else:
            self.summary = " ".join(_summary(opening, self.lines, self.lang))
        self._said = {r.id for _, r in opening}
        self.md.append(self.summary)
        return self.summary

    def block(self, block: Block) -> AnswerBlock:
        """The next block. The 2021 wording: of the first principle, or of every one
        when asked what changed; the factors: of the first, or of every one when asked
        what hinders. A definition, tip or table the summary already says needs no block
        of its own in the markdown; an aggregation's list is its whole markdown."""
        i, kind = len(self.blocks), self.intent.kind
        out = _block(block, self.lines, i == 0 or kind == "changes", i == 0 or kind == "hinders")
        self.blocks.append(out)
        if not self._listing and (out.kind == "uitgangspunt" or out.statement.id not in self._said):
            self._shown += 1
            self.md += ["", *_block_markdown(self._shown, out, self._said, self.lang)]
        return out

    def close(self, not_covered: str = "") -> str:
        """What the question asks that the corpus does not cover (the topic, or '')."""
        t = TEXT[self.lang]
        self.not_covered = t["not_covered"].format(not_covered) if not_covered else ""
        if self.not_covered:
            self.md += ["", self.not_covered]
        return self.not_covered

    def text(self) -> str:
        """The markdown so far."""
        return "\n".join(self.md).strip()

    def citations(self) -> list[Citation]:
        return self.citer.citations()

    def draft(self) -> Draft:
        return Draft(
            self.text(), self.citations(), self.summary, tuple(self.blocks), self.not_covered
        )


def render(plan: Plan, by_id: Mapping[str, Record], lang: Language, item_words: int = 40) -> Draft:
    """The structured answer, its markdown and its citations."""
    writer = Writer(plan.question, plan.intent, by_id, lang, item_words)
    writer.open(plan.opening, plan.listing, plan.listing_source)
    for block in plan.blocks:
        writer.block(block)
    writer.close(plan.not_covered)
    return writer.draft()


REFUSAL = {
    "nl": (
        "Het LISO-framework gaat niet over deze vraag, dus ik kan hem niet beantwoorden "
        "vanuit de bronnen. Ik help bij vragen over het opzetten, organiseren en laten leren "
        "van een leernetwerk, bijvoorbeeld:"
    ),
    "en": (
        "The LISO framework does not cover this question, so I cannot answer it from the "
        "sources. I can help with setting up, organising and learning in a learning network, "
        "for example:"
    ),
}


# example questions a refusal offers (what the assistant can help with)
REFUSAL_EXAMPLES: dict[Language, tuple[str, ...]] = {
    "nl": (
        "Hoe houden we deelnemers betrokken tussen de bijeenkomsten door?",
        "Wat kunnen we doen als partners in ons netwerk elkaar als concurrenten zien?",
        "Welke uitgangspunten vinden de Delphi-experts het belangrijkst?",
    ),
    "en": (
        "How do we keep members engaged between meetings?",
        "What can we do when partners in our network see each other as competitors?",
        "Which principles do the Delphi experts consider most important?",
    ),
}


def refusal_text(lang: Language, examples: Sequence[str]) -> str:
    """A short refusal that says what the assistant can help with, with examples."""
    return REFUSAL[lang] + "".join(f"\n- {e}" for e in examples)
