"""`POST /api/ask` and `POST /api/ask/stream`: answers with numbered citations."""

from __future__ import annotations

from collections.abc import Iterator

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


def _events(events: Iterator[StreamEvent]) -> Iterator[str]:
    try:
        for ev in events:
            if ev.type == "token":
                yield sse("token", {"text": ev.text})
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
    """Server-sent events: `token` {text} ..., then `citations` [..] and `done` {answer}."""
    events = first_then_rest(
        assistant.ask_stream(body.question, history=body.history, filters=body.filters)
    )
    return StreamingResponse(
        _events(events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
