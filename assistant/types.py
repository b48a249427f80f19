"""The shapes of answers: citations, answers, conversation turns, hits and stream events.

The record itself (`Record`, its parts and `Filters`) lives in `corpus.record`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from corpus.record import DelphiScores, Record

Language = Literal["nl", "en"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(_Frozen):
    n: int
    id: str
    text: str
    principle: str
    kernelement: str
    kind: str
    source: str  # the full label: document, section, lines
    edition: str = ""
    delphi: DelphiScores | None = None
    expert_added: bool = False
    label: str = ""  # the short label shown in answers: "Delphi 2023 · Synergie"
    principle_id: str = ""
    also: list[str] = Field(default_factory=list)  # the same sentence in other editions
    also_sources: list[str] = Field(default_factory=list)


class AnswerLine(_Frozen):
    """One cited sentence of an answer block; `n` is its citation number."""

    n: int
    id: str
    text: str
    kind: str


class AnswerBlock(_Frozen):
    """One principle (or one definition, tip, phase or table) of a structured answer."""

    principle_id: str
    kind: str
    statement: AnswerLine  # the principle in its current wording
    earlier: AnswerLine | None = None  # the 2021 wording, where it differs
    kernelement: str = ""
    deelelement: str = ""
    delphi: DelphiScores | None = None
    expert_added: bool = False
    phase: str | None = None
    label: str = ""  # "Delphi 2023 · Synergie"
    works: list[AnswerLine] = Field(default_factory=list)
    promoting: list[AnswerLine] = Field(default_factory=list)
    hindering: list[AnswerLine] = Field(default_factory=list)
    tip: AnswerLine | None = None


class Answer(BaseModel):
    """An answer: `answer` is the markdown a user reads, a pure rendering of `summary`,
    `blocks` and `not_covered`; `citations` are numbered as in the text."""

    answer: str
    refused: bool
    citations: list[Citation]
    backend: str
    summary: str = ""
    blocks: list[AnswerBlock] = Field(default_factory=list)
    not_covered: str = ""
    timings_ms: dict[str, float] = Field(default_factory=dict)
    notice: str = ""
    language: Language = "nl"
    standalone_question: str = ""
    suggestions: list[str] = Field(default_factory=list)  # questions a refusal offers


class Turn(BaseModel):
    """One turn of a conversation, oldest first."""

    role: Literal["user", "assistant"]
    content: str


class Hit(BaseModel):
    """A retrieved record with its fused score; `rank` starts at 1."""

    id: str
    score: float
    rank: int
    record: Record


class StreamEvent(BaseModel):
    """What `ask_stream` yields, as the answer is composed: `summary` (the summary as it
    stands, with the citations it uses; `partial` while a generator still writes it),
    `block` (the next principle card, `index` from 0, with the citations it adds) and
    `token` (the next piece of the markdown: all tokens together are `answer.answer`),
    then one `done` event with the whole answer."""

    type: Literal["token", "summary", "block", "done"]
    text: str = ""
    answer: Answer | None = None
    block: AnswerBlock | None = None
    index: int = 0
    citations: list[Citation] = Field(default_factory=list)
    partial: bool = False
