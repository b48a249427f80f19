"""The extractive answer, shaped by the framework: principles, not chunks.

`intent` decides what kind of answer a question asks for; `select` which principles the
answer shows and what it says of each (pure); `render` numbers the citations and writes
the structured answer and its markdown (pure). `compose` is the three in a row.
Deterministic and fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.answer.intent import QuestionIntent, question_intent
from assistant.answer.render import Draft, refusal_text, render, weight_line
from assistant.answer.select import AnswerShape, Block, Plan, select
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
    """The answer from the principle ranking and the best records of each principle."""
    intent = question_intent(question)
    plan = select(
        question, intent, ranking, members, by_id, list(by_id.values()), shape, not_covered
    )
    return render(plan, by_id, lang, shape.item_words)


__all__ = [
    "AnswerShape",
    "Block",
    "Draft",
    "Plan",
    "QuestionIntent",
    "compose",
    "question_intent",
    "refusal_text",
    "render",
    "select",
    "weight_line",
]
