"""`POST /api/ask` and `POST /api/ask/stream`: answers with numbered citations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from starlette.responses import StreamingResponse

from app.deps import AssistantDep
from app.errors import error_body
from app.schemas import AskRequest
from app.sse import first_then_rest, sse
from assistant.errors import InputError
from assistant.types import Answer, StreamEvent

router = APIRouter(tags=["api"])


@router.post("/api/ask", response_model=Answer)
def ask(body: AskRequest, assistant: AssistantDep) -> Answer:
    """Answer a question with numbered citations."""
    return assistant.ask(body.question, history=body.history, filters=body.filters)


def _cited(ev: StreamEvent) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") for c in ev.citations]


def _events(events: Iterator[StreamEvent]) -> Iterator[str]:
    try:
        for ev in events:
            if ev.type == "token":
                yield sse("token", {"text": ev.text})
            elif ev.type == "summary":
                yield sse(
                    "summary", {"text": ev.text, "partial": ev.partial, "citations": _cited(ev)}
                )
            elif ev.type == "block" and ev.block is not None:
                block = ev.block.model_dump(mode="json")
                yield sse("block", {"index": ev.index, "block": block, "citations": _cited(ev)})
            elif ev.answer is not None:
                answer = ev.answer.model_dump(mode="json")
                yield sse("citations", answer["citations"])
                yield sse("done", answer)
    except InputError as exc:
        yield sse("error", error_body(exc.code, exc.nl, exc.en)["error"])
    except Exception:
        yield sse(
            "error",
            error_body(
                "internal_error",
                "Er ging iets mis bij het beantwoorden.",
                "Something went wrong while answering.",
            )["error"],
        )


@router.post(
    "/api/ask/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def ask_stream(body: AskRequest, assistant: AssistantDep) -> StreamingResponse:
    """Server-sent events as the answer is composed: `summary` {text, partial, citations},
    then one `block` {index, block, citations} per principle card, with the markdown in
    `token` {text} events beside them (joined, they are the answer's markdown); then
    `citations` [..] (the sources) and `done` {answer}; `error` {code, message_nl,
    message_en} instead when it fails."""
    events = first_then_rest(
        assistant.ask_stream(body.question, history=body.history, filters=body.filters)
    )
    return StreamingResponse(
        _events(events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
