"""The extractive answer: built from the retrieved records themselves.

`select` decides which records the answer says and where (the direct answer, what
works, what to watch out for, the Delphi weights); `render` writes them under fixed
headings and cites every line. Both are pure; `compose` is the two in a row.
Deterministic and fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.answer.render import Draft, refusal_text, render, weight_line
from assistant.answer.select import AnswerShape, Selection, select
from assistant.generators.base import Language
from assistant.types import Hit
from corpus.record import Record


def compose(
    question: str,
    hits: Sequence[Hit],
    by_id: Mapping[str, Record],
    lang: Language,
    shape: AnswerShape,
) -> Draft:
    """Write the answer from the evidence (best first); every line cites a record of it."""
    selection = select(question, hits, by_id, shape)
    return render(selection, [h.record for h in hits], lang)


__all__ = [
    "AnswerShape",
    "Draft",
    "Selection",
    "compose",
    "refusal_text",
    "render",
    "select",
    "weight_line",
]
