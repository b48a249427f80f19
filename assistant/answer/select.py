"""Select: which principles an answer shows and what it says of each (pure).

The answer is built from principles, not chunks: the first principle of the ranking,
and the second and third when their score is close to the first (a share of it chosen
on dev) or the message asks several questions. Of each principle: its statement in the
current wording (and the 2021 wording where it differs), its best working elements,
one or two promoting and hindering factors of its review theme, and the Delphi scores.
The kind of question decides how the answer opens (`assistant.answer.intent`);
aggregations (the top ten, a core element's top 3, what experts added, what changed
since 2021) are computed from the records' metadata, not from retrieval. No text is
numbered here: see `render`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from assistant.answer.intent import QuestionIntent
from assistant.principles import PrincipleScore
from corpus.record import Record
from corpus.text import fold, plain

WORK_KINDS = ("werkzaam_element",)
# an explanation says what works only where a principle has no working elements (the
# 2021 principles); in the Delphi report it introduces a section ("We staan stil bij …")
FALLBACK_WORK_KINDS = ("toelichting",)
SAME_WORDING = 0.8  # word overlap (Jaccard) above which the 2021 wording is not shown
PHASE_ORDER = ("formeren", "onderhoud", "institutionaliseren")


@dataclass(frozen=True)
class AnswerShape:
    """Sizes of the answer (see Settings)."""

    max_blocks: int = 3
    follow_ratio: float = 0.8  # a further principle is shown when its score is this close
    works_first: int = 3  # working elements of the first principle
    works_other: int = 2  # … of the others
    factors: int = 1  # promoting and hindering factors per principle (2 when asked for)
    item_words: int = 40  # a longer working element or factor is quoted by its best sentence


@dataclass(frozen=True)
class Block:
    """What the answer says of one principle (or definition, tip, phase, table)."""

    head: Record
    earlier: Record | None = None  # the 2021 wording, where it differs
    works: list[Record] = field(default_factory=list)
    promoting: list[Record] = field(default_factory=list)
    hindering: list[Record] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    """The whole answer before it is numbered: how it opens, then the blocks."""

    intent: QuestionIntent
    question: str
    opening: list[tuple[str, Record]]  # (template key, record) sentences of the summary
    blocks: list[Block]
    listing: list[Record] = field(default_factory=list)  # an aggregation's principles
    listing_source: Record | None = None  # the table an aggregation also rests on
    not_covered: str = ""


def _statement(key: str, by_id: Mapping[str, Record]) -> Record | None:
    return by_id.get(key)


def _words(text: str) -> set[str]:
    return set(plain(text).split())


def _earlier(head: Record, by_id: Mapping[str, Record]) -> Record | None:
    """The 2021 wording of a principle when it differs from the current one in more
    than a word or two."""
    if head.kind != "uitgangspunt":
        return None
    now = _words(head.text)
    for other in head.also_in:
        r = by_id.get(other)
        if r is None or r.edition != "framework-2021":
            continue
        was = _words(r.text)
        if len(now & was) / max(1, len(now | was)) < SAME_WORDING:
            return r
    return None


def _distinct(records: Sequence[Record], n: int, seen: set[str]) -> list[Record]:
    """The first n records whose sentence was not said yet (the same sentence from two
    editions is said once)."""
    out = []
    for r in records:
        key = fold(r.display())
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
        if len(out) == n:
            break
    return out


def build_block(
    key: str,
    members: Sequence[Record],
    by_id: Mapping[str, Record],
    works: int,
    factors: int,
    seen: set[str],
) -> Block | None:
    """A principle's block from its members, best first (a search within the principle)."""
    head = _statement(key, by_id)
    if head is None:
        return None
    seen.add(fold(head.display()))
    if head.kind != "uitgangspunt":
        return Block(head)
    work = [r for r in members if r.kind in WORK_KINDS] or [
        r for r in members if r.kind in FALLBACK_WORK_KINDS
    ]
    return Block(
        head,
        _earlier(head, by_id),
        _distinct(work, works, seen),
        _distinct([r for r in members if r.kind == "bevorderend"], factors, seen),
        _distinct([r for r in members if r.kind == "belemmerend"], factors, seen),
    )


def candidates(
    ranking: Sequence[PrincipleScore], intent: QuestionIntent, by_id: Mapping[str, Record]
) -> list[PrincipleScore]:
    """The ranking an answer chooses from: a definition leads only a question about what
    a term means (a situation is answered with principles, not with a term)."""
    if intent.kind == "definition":
        return list(ranking)
    kept = [p for p in ranking if p.id not in by_id or by_id[p.id].kind != "definitie"]
    return kept or list(ranking)


def shown_principles(
    ranking: Sequence[PrincipleScore], intent: QuestionIntent, shape: AnswerShape
) -> list[str]:
    """The principles the answer shows: the first, then those whose score is close."""
    if not ranking:
        return []
    best = ranking[0].score
    keys = [ranking[0].id]
    for p in ranking[1 : shape.max_blocks]:
        close = best > 0 and p.score >= shape.follow_ratio * best
        if close or (intent.several_parts and len(keys) < 2):
            keys.append(p.id)
        else:
            break
    return keys


def _by_phase(blocks: list[Block]) -> list[Block]:
    def order(b: Block) -> int:
        phase = b.head.phase
        return PHASE_ORDER.index(phase) if phase in PHASE_ORDER else len(PHASE_ORDER)

    return sorted(blocks, key=order)


def _aggregation(
    intent: QuestionIntent, records: Sequence[Record]
) -> tuple[list[Record], Record | None]:
    """The principles an aggregation lists, from the metadata; and the table it rests on."""
    current = [r for r in records if r.kind == "uitgangspunt" and r.edition == "delphi-2023"]
    table = None
    if intent.kind == "top10":
        listed = sorted(
            (r for r in current if r.delphi and r.delphi.top10_rank),
            key=lambda r: r.delphi.top10_rank or 0,  # type: ignore[union-attr]
        )
        table = next((r for r in records if r.delphi_table() == 3), None)
    elif intent.kind == "top3":
        listed = sorted(
            (
                r
                for r in current
                if r.kernelement == intent.kernelement and r.delphi and r.delphi.top3_rank
            ),
            key=lambda r: r.delphi.top3_rank or 0,  # type: ignore[union-attr]
        )
        table = next(
            (r for r in records if r.delphi_table() == 2 and (intent.kernelement or "-") in r.text),
            None,
        )
    else:  # expert
        listed = [
            r
            for r in current
            if r.expert_added
            and (intent.kernelement is None or r.kernelement == intent.kernelement)
        ]
    return listed, table


def opening(
    intent: QuestionIntent, first: Block | None, records: Sequence[Record]
) -> list[tuple[str, Record]]:
    """The summary's sentences: (template, record), see `render`; they need only the
    first block, so an answer can be said before its other blocks are built."""
    if first is None:
        return []
    head = first.head
    if head.kind != "uitgangspunt":
        return [("say", head)]
    if intent.kind == "hinders" and first.hindering:
        out = [("hinders", first.hindering[0]), ("principle", head)]
    elif intent.kind == "figures" and head.delphi:
        out = [("figure", head)]
    elif intent.kind == "changes" and first.earlier is not None:
        out = [("was", first.earlier), ("now", head)]
    elif intent.kind == "phases":
        overview = next((r for r in records if all(p in fold(r.text) for p in PHASE_ORDER)), None)
        out = [("say", overview)] if overview is not None else []
        out.append(("say", head))
    else:
        out = [("say", head)]
        if first.works:
            out.append(("concretely", first.works[0]))
    return out


def listing_plan(
    question: str, intent: QuestionIntent, records: Sequence[Record], not_covered: str = ""
) -> Plan | None:
    """The plan of an aggregation (the top ten, a core element's top 3, what experts
    added), computed from the metadata; None when the question asks for none, or when
    the list would be empty."""
    if intent.kind not in ("top10", "top3", "expert"):
        return None
    listing, table = _aggregation(intent, records)
    if not listing:
        return None
    head = table or listing[0]  # the list is the answer; the table it comes from leads
    return Plan(intent, question, [], [Block(head)], listing, table, not_covered)


def block_keys(
    intent: QuestionIntent,
    ranking: Sequence[PrincipleScore],
    by_id: Mapping[str, Record],
    shape: AnswerShape,
) -> list[str]:
    """The principles (or definition, tip, phase, table) the answer shows, in order."""
    keys = shown_principles(candidates(ranking, intent, by_id), intent, shape)
    if intent.kind == "definition":
        kinds = {p.id: by_id[p.id].kind for p in ranking[:3] if p.id in by_id}
        definition = next((k for k, kind in kinds.items() if kind == "definitie"), None)
        if definition is not None:
            keys = [definition, *(k for k in keys if k != definition)][: shape.max_blocks]
    return keys


def iter_blocks(
    keys: Sequence[str],
    members: Callable[[str], Sequence[Record]],
    by_id: Mapping[str, Record],
    shape: AnswerShape,
    intent: QuestionIntent,
) -> Iterator[Block]:
    """The blocks of `keys`, each built when it is asked for (`members(key)` gives a
    principle's best records, best first), in the answer's order. A sentence is said
    once, in the first block that has it; the phases are put in their order, so a
    question about phases has all its blocks built before the first is given."""
    seen: set[str] = set()
    factors = shape.factors + (1 if intent.kind == "hinders" else 0)

    def build() -> Iterator[Block]:
        for i, key in enumerate(keys):
            works = shape.works_first if i == 0 else shape.works_other
            block = build_block(key, members(key), by_id, works, factors, seen)
            if block is not None:
                yield block

    if intent.kind == "phases":
        yield from _by_phase(list(build()))
    else:
        yield from build()


def select(
    question: str,
    intent: QuestionIntent,
    ranking: Sequence[PrincipleScore],
    members: Mapping[str, Sequence[Record]],
    by_id: Mapping[str, Record],
    records: Sequence[Record],
    shape: AnswerShape,
    not_covered: str = "",
) -> Plan:
    """The plan of the answer: `ranking` is the principle ranking, `members` the best
    records of each shown principle (best first), `records` the whole corpus (for
    aggregations)."""
    listing = listing_plan(question, intent, records, not_covered)
    if listing is not None:
        return listing
    keys = block_keys(intent, ranking, by_id, shape)
    blocks = list(iter_blocks(keys, lambda k: members.get(k, ()), by_id, shape, intent))
    first = blocks[0] if blocks else None
    return Plan(intent, question, opening(intent, first, records), blocks, not_covered=not_covered)
