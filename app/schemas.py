"""Request and response models of the API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.types import Turn
from corpus.record import Filters, Record

MODEL_ID = "liso-assistant"


class AskRequest(BaseModel):
    question: str = Field(..., description="the question, in Dutch or English")
    history: list[Turn] | None = Field(None, description="earlier turns, oldest first")
    filters: Filters | None = None


class HitOut(BaseModel):
    id: str
    score: float
    rank: int
    record: Record


class PrincipleOut(BaseModel):
    id: str
    score: float


class SearchResponse(BaseModel):
    query: str
    hits: list[HitOut]
    principles: list[PrincipleOut] = []


class PrinciplesResponse(BaseModel):
    count: int
    records: list[Record]


class FeedbackResponse(BaseModel):
    id: int


class ReindexStatus(BaseModel):
    state: Literal["idle", "running", "done", "failed"]
    started_at: float | None = None
    finished_at: float | None = None
    collection: str | None = None
    error: str | None = None
    worker: int | None = None  # process id of the worker that runs it
    host: str | None = None


class HealthResponse(BaseModel):
    status: Literal["ok"]
    records: int
    index: dict[str, Any]
    ready: bool = True  # this worker has warmed up (see /readyz)
    worker: int = 0  # process id of the worker that answered


class ReadyResponse(BaseModel):
    status: Literal["ready"]
    worker: int  # process id of the worker that answered
    collection: str  # the index it serves
    warm_seconds: float | None = None  # from start until ready


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    temperature: float | None = None
    max_tokens: int | None = None
    filters: Filters | None = Field(None, description="extension: metadata filters")
