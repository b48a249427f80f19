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
    source: str
    edition: str = ""
    delphi: DelphiScores | None = None
    expert_added: bool = False


class Answer(BaseModel):
    answer: str
    refused: bool
    citations: list[Citation]
    backend: str
    timings_ms: dict[str, float] = Field(default_factory=dict)
    notice: str = ""
    language: Language = "nl"
    standalone_question: str = ""


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
    """What `ask_stream` yields: text pieces, then one final event with the answer."""

    type: Literal["token", "done"]
    text: str = ""
    answer: Answer | None = None
