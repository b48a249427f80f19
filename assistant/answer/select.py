"""Select: which records an extractive answer says, and in which part (pure).

The direct answer (the best record, with its principle), what works and what to watch
out for (from the records near the main principle), and the principles whose Delphi
weight is listed. No text is formatted and no number handed out here: see `render`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assistant.answer.sentences import asks_ranking, best_sentence, lead_for, overlap
from assistant.evidence import current, principle_of
from assistant.rerank import intents
from assistant.types import Hit
from corpus.record import Record
from corpus.text import fold

# kinds that answer a question by themselves (not as a fragment of a principle)
STANDALONE_KINDS = (
    "uitgangspunt",
    "definitie",
    "resultaat",
    "methode",
    "tip",
    "fase",
    "toelichting",
)
# kinds that say what works, listed first under that heading
WORKS_KINDS = ("werkzaam_element", "bevorderend", "tip")
NEAR_HITS = 2  # records of the principles of this many best hits may join the answer
DIRECT_LEAD_CHARS = 80  # a shorter lead-in is shown before the direct answer


@dataclass(frozen=True)
class AnswerShape:
    """Sizes of the extractive answer (see Settings)."""

    max_citations: int = 6
    works: int = 3
    watch: int = 2
    weights: int = 2
    sentence_words: int = 45
    item_words: int = 35


@dataclass(frozen=True)
class Line:
    """One line of the answer: its text (without a citation) and the record it cites."""

    record: Record
    text: str


@dataclass(frozen=True)
class Selection:
    top: Record  # what the answer leads with
    direct: list[Line]  # the direct answer: the principle, then the top record (or just it)
    top_weight: bool  # the top principle's Delphi weight follows the direct answer
    works: list[Line] = field(default_factory=list)
    watch: list[Line] = field(default_factory=list)
    weighed: list[Record] = field(default_factory=list)  # principles with a weight line

    @property
    def show_weights(self) -> bool:
        """An answer that leads with a study result lists no weights (their citations
        are still handed out: see the closing note of `render`)."""
        return bool(self.weighed) and self.top.kind != "resultaat"


def _scored_record(question: str, hits: Sequence[Hit]) -> Record | None:
    """For a ranking question: the Delphi table the question names (Table 3, the ten
    most important; Table 2, the top 3 per core element), else the best-ranked
    principle that carries Delphi scores."""
    q = fold(question)
    records = [h.record for h in hits]
    if re.search(r"\btien\b|top ?10|top-10|\bten\b|belangrijkst|most important", q):
        table = next((r for r in records if r.delphi_table() == 3), None)
        if table:
            return table
    if re.search(r"top ?(3|drie)|top-3|top three", q):
        table = next((r for r in records if r.delphi_table() == 2), None)
        if table:
            return table
    scored = [(i, r) for i, r in enumerate(records) if r.kind == "uitgangspunt" and r.delphi]
    if not scored:
        return None
    # the principle the question describes best; among equals the better-ranked one
    return max(scored, key=lambda ir: (overlap(question, ir[1].text), -ir[0]))[1]


def _direct(
    question: str, top: Record, principle: Record | None, shape: AnswerShape
) -> tuple[list[Line], str]:
    """The direct answer's lines, and the sentence quoted from the top record."""
    table = top.delphi_table() in (2, 3)
    direct = top.text if table else best_sentence(top.text, question, shape.sentence_words)
    if top.kind in STANDALONE_KINDS or principle is None:
        return [Line(top, direct)], direct
    lead = f"{top.lead.rstrip(':')}: " if top.lead and len(top.lead) < DIRECT_LEAD_CHARS else ""
    return [Line(principle, principle.text), Line(top, f"{lead}{direct}")], direct


def _candidates(hits: Sequence[Hit], main_ids: set[str]) -> list[Hit]:
    """The other hits, the main principle's records and the kinds that say what works
    first; the main principle's own statement (already said) left out."""
    return sorted(
        (h for h in hits[1:] if not (h.record.kind == "uitgangspunt" and h.id in main_ids)),
        key=lambda h: (
            h.record.principle_id not in main_ids,
            h.record.kind not in WORKS_KINDS,
            h.rank,
        ),
    )


def _works_and_watch(
    question: str,
    hits: Sequence[Hit],
    top: Record,
    principle: Record | None,
    seen: set[str],
    budget: int,
    shape: AnswerShape,
) -> tuple[list[Line], list[Line]]:
    """Lines for what works and what to watch out for, from records close to the
    answer: of the principles of the best hits or of the main principle (citing loosely
    related records hurts precision)."""
    want = intents(question)
    main_ids = {principle.id, *principle.also_in} if principle is not None else set()
    near = {h.record.principle_id or h.id for h in hits[:NEAR_HITS]} | main_ids
    works: list[Line] = []
    watch: list[Line] = []
    for hit in _candidates(hits, main_ids):
        r = hit.record
        if len(works[: shape.works]) + len(watch[: shape.watch]) >= budget:
            break
        if (r.principle_id or r.id) not in near or r.id == top.id:
            continue
        if r.kind == "belemmerend" and "belemmerend" not in want and r.principle_id not in main_ids:
            continue
        sentence = best_sentence(r.text, question, shape.item_words)
        key = fold(sentence)
        if key in seen:
            continue
        seen.add(key)
        if r.kind == "belemmerend":
            watch.append(Line(r, f"- {lead_for(r)}{sentence}"))
        elif r.kind == "uitgangspunt":
            works.append(Line(r, f"- {r.text}"))
        else:
            works.append(Line(r, f"- {lead_for(r)}{sentence}"))
    return works[: shape.works], watch[: shape.watch]


def has_weight(p: Record) -> bool:
    """Whether a principle has anything to say in a weight line."""
    d = p.delphi
    scores = d is not None and any(
        v is not None for v in (d.mean, d.weight, d.top3_rank, d.top10_rank)
    )
    return scores or p.expert_added


def _weighed(
    cited: Sequence[Record], retrieved: Mapping[str, Record], by_id: Mapping[str, Record], n: int
) -> list[Record]:
    """The current (Delphi 2023) principles of the cited records that carry scores."""
    out: list[Record] = []
    for r in cited:
        p = current(principle_of(by_id[r.id], by_id), retrieved)
        if p is None or p.id not in retrieved or not p.delphi or p.edition != "delphi-2023":
            continue
        if has_weight(p) and all(p.id != q.id for q in out) and len(out) < n:
            out.append(p)
    return out


def select(
    question: str, hits: Sequence[Hit], by_id: Mapping[str, Record], shape: AnswerShape
) -> Selection:
    """Which records the answer says where; `hits` is the evidence, best first."""
    retrieved = {h.record.id: h.record for h in hits}
    top = hits[0].record
    if asks_ranking(question):  # lead with the best scored principle or table
        top = _scored_record(question, hits) or top
    principle = current(principle_of(top, retrieved), retrieved)
    direct, sentence = _direct(question, top, principle, shape)
    want = intents(question)
    top_weight = (
        top.kind == "uitgangspunt"
        and top.delphi is not None
        and ("uitgangspunt" in want or bool(top.delphi.top10_rank))
        and has_weight(top)
    )
    first = {line.record.id: line.record for line in direct}
    budget = shape.max_citations - len(first)
    works, watch = _works_and_watch(question, hits, top, principle, {fold(sentence)}, budget, shape)
    cited = {**first, **{line.record.id: line.record for line in (*works, *watch)}}
    weighed = _weighed(list(cited.values()), retrieved, by_id, shape.weights)
    return Selection(top, direct, top_weight, works, watch, weighed)
