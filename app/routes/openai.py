"""The OpenAI-compatible endpoint: `POST /v1/chat/completions`, `GET /v1/models`.

Citations travel in the text ("Bronnen:") and in an extra `citations` field."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from starlette.responses import StreamingResponse

from app.deps import AssistantDep
from app.errors import APIError
from app.schemas import MODEL_ID, ChatCompletionRequest, ChatMessage
from app.sse import first_then_rest
from assistant.types import Answer, StreamEvent, Turn

router = APIRouter(tags=["openai"])


def sources_text(answer: Answer) -> str:
    """The "Bronnen:" list ("Sources:" for an English answer) appended to OpenAI-style
    answers."""
    if not answer.citations:
        return ""
    lines = [f"[{c.n}] {c.principle or c.text} ({c.source})" for c in answer.citations]
    heading = "Sources:" if answer.language == "en" else "Bronnen:"
    return f"\n\n{heading}\n" + "\n".join(lines)


def split_chat(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """Last user message is the question; earlier user/assistant messages are history."""
    last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last is None:
        raise APIError(
            422,
            "no_user_message",
            "Er is geen bericht van de gebruiker.",
            "There is no user message.",
        )
    history = [
        Turn(role=m.role, content=m.text())
        for m in messages[:last]
        if m.role in ("user", "assistant") and m.text().strip()
    ]
    return messages[last].text(), history


@router.get("/v1/models")
def models() -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "liso"}],
    }


def _completion(cid: str, created: int, answer: Answer) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.answer + sources_text(answer)},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "citations": [c.model_dump(mode="json") for c in answer.citations],
    }


def _chunks(cid: str, created: int, events: Iterator[StreamEvent]) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        data = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    try:
        for ev in events:
            if ev.type == "token" and ev.text:
                yield chunk({"content": ev.text})
            elif ev.answer is not None:
                tail = sources_text(ev.answer)
                if tail:
                    yield chunk({"content": tail})
                cites = [c.model_dump(mode="json") for c in ev.answer.citations]
                yield chunk({}, "stop", citations=cites)
    except Exception:
        yield chunk({"content": "\n\n[Er ging iets mis bij het beantwoorden.]"}, "stop")
    yield "data: [DONE]\n\n"


@router.post("/v1/chat/completions", response_model=None)
def chat_completions(
    body: ChatCompletionRequest, assistant: AssistantDep
) -> dict[str, Any] | StreamingResponse:
    """OpenAI chat completions; citations in the text ("Bronnen:") and in `citations`."""
    question, history = split_chat(body.messages)
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if not body.stream:
        answer = assistant.ask(question, history=history, filters=body.filters)
        return _completion(cid, created, answer)
    events = first_then_rest(assistant.ask_stream(question, history=history, filters=body.filters))
    return StreamingResponse(
        _chunks(cid, created, events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache"},
    )
