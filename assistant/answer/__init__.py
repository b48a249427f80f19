"""The extractive answer, shaped by the framework: principles, not chunks.

`intent` decides what kind of answer a question asks for; `select` which principles the
answer shows and what it says of each (pure); `render` numbers the citations and writes
the structured answer and its markdown (pure; `Writer` does it piece by piece, so the
service can send the summary and each block as they are composed). `compose` is the three
in a row.
Deterministic and fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.answer.intent import QuestionIntent, question_intent
from assistant.answer.render import Draft, Writer, refusal_text, render, weight_line
from assistant.answer.select import (
    AnswerShape,
    Block,
    Plan,
    block_keys,
    iter_blocks,
    listing_plan,
    opening,
    select,
)
from assistant.answer.stream import compose_stream, pieces
from assistant.generators.base import Language
from assistant.principles import PrincipleScore
from corpus.record import Record


def compose(
    question: str,
    ranking: Sequence[PrincipleScore],
    members: Mapping[str, Sequence[Record]],
    by_id: Mapping[str, Record],
    lang: Language,
    shape: AnswerShape,
    not_covered: str = "",
) -> Draft:
    """The answer from the principle ranking and the best records of each principle
    (the same as `compose_stream`, all at once)."""
    events = compose_stream(
        question, ranking, lambda k: members.get(k, ()), by_id, lang, shape, lambda: not_covered
    )
    while True:
        try:
            next(events)
        except StopIteration as end:
            draft: Draft = end.value
            return draft


__all__ = [
    "AnswerShape",
    "Block",
    "Draft",
    "Plan",
    "QuestionIntent",
    "Writer",
    "block_keys",
    "compose",
    "compose_stream",
    "iter_blocks",
    "listing_plan",
    "opening",
    "pieces",
    "question_intent",
    "refusal_text",
    "render",
    "select",
    "weight_line",
]
