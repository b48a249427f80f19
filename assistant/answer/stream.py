"""An answer sent while it is composed: the summary, then each block, then what is not
covered, each as soon as it is written, with the markdown in pieces beside them.

`compose_stream` is the incremental form of `select` and `render`: the first block is
built (its principle's best records fetched) before the summary, which needs only that
block, is said; every further block is built when the previous one has gone out. The
tokens, joined, are exactly the final markdown; the generator returns the `Draft`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from itertools import chain

from assistant.answer.intent import question_intent
from assistant.answer.render import Draft, Writer
from assistant.answer.select import AnswerShape, block_keys, iter_blocks, listing_plan, opening
from assistant.generators.base import Language
from assistant.principles import PrincipleScore
from assistant.types import StreamEvent
from corpus.record import Record

Events = Generator[StreamEvent, None, Draft]


def pieces(text: str, size: int) -> Iterator[str]:
    """Split text into pieces of about `size` characters at white space, for streaming."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        while end < len(text) and not text[end].isspace():
            end += 1
        yield text[start:end]
        start = end


class _Tokens:
    """The markdown not sent yet, as token events."""

    def __init__(self, writer: Writer, size: int) -> None:
        self.writer = writer
        self.size = size
        self.sent = 0

    def __call__(self) -> Iterator[StreamEvent]:
        text = self.writer.text()  # always the beginning of the final markdown
        new, self.sent = text[self.sent :], len(text)
        for piece in pieces(new, self.size):
            yield StreamEvent(type="token", text=piece)


def compose_stream(
    question: str,
    ranking: Sequence[PrincipleScore],
    members: Callable[[str], Sequence[Record]],
    by_id: Mapping[str, Record],
    lang: Language,
    shape: AnswerShape,
    not_covered: Callable[[], str] = lambda: "",
    chunk_chars: int = 24,
) -> Events:
    """The answer's events as it is composed; returns the draft. `members(key)` gives a
    principle's best records (a search within it), asked for when its block is built;
    `not_covered()` the part of the question the corpus does not cover, asked last."""
    intent = question_intent(question)
    records = list(by_id.values())
    writer = Writer(question, intent, by_id, lang, shape.item_words)
    tokens = _Tokens(writer, chunk_chars)
    listing = listing_plan(question, intent, records)
    if listing is not None:
        writer.open([], listing.listing, listing.listing_source)
        blocks: Iterator = iter(listing.blocks)
    else:
        keys = block_keys(intent, ranking, by_id, shape)
        rest = iter_blocks(keys, members, by_id, shape, intent)
        first = next(rest, None)
        writer.open(opening(intent, first, records))
        blocks = chain([first], rest) if first is not None else iter(())
    yield StreamEvent(type="summary", text=writer.summary, citations=writer.citations())
    yield from tokens()
    for i, block in enumerate(blocks):
        before = len(writer.citations())
        shown = writer.block(block)
        new = writer.citations()[before:]
        yield StreamEvent(type="block", index=i, block=shown, citations=new)
        yield from tokens()
    writer.close(not_covered())
    yield from tokens()
    return writer.draft()
