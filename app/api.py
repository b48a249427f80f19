"""The HTTP API: thin routes over `assistant.service.Assistant`.

`create_app()` builds the FastAPI app with the JSON API under `/api`, an
OpenAI-compatible endpoint under `/v1`, the principle pages, the widget's static files
and the Gradio chat at `/chat`. Every error is JSON:
`{"error": {"code", "message_nl", "message_en"}}`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import StreamingResponse

from app.feedback import Feedback, FeedbackStore
from app.pages import not_found_page, principle_page
from app.security import GuardMiddleware, key_matches, presented_key
from assistant.config import Settings, get_settings
from assistant.errors import InputError
from assistant.service import Assistant, get_assistant
from assistant.types import Answer, StreamEvent, Turn
from corpus.record import Filters, Record
from index.store import IndexError_

STATIC_DIR = Path(__file__).resolve().parent / "static"
MODEL_ID = "liso-assistant"
log = logging.getLogger(__name__)


# --- errors -----------------------------------------------------------------------


class APIError(Exception):
    """An error with a status code and a message in Dutch and English."""

    def __init__(self, status: int, code: str, nl: str, en: str) -> None:
        super().__init__(en)
        self.status, self.code, self.nl, self.en = status, code, nl, en


def error_body(code: str, nl: str, en: str) -> dict[str, Any]:
    return {"error": {"code": code, "message_nl": nl, "message_en": en}}


def _error(status: int, code: str, nl: str, en: str) -> JSONResponse:
    return JSONResponse(error_body(code, nl, en), status_code=status)


def _validation_text(exc: RequestValidationError | ValidationError) -> str:
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            parts.append(f"malformed JSON at position {err.get('loc', ('', '?'))[-1]}")
            continue
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc}: {err.get('msg', '')}" if loc else str(err.get("msg", "")))
    return "; ".join(parts)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def _api_error(_: Request, exc: APIError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.nl, exc.en)

    @app.exception_handler(InputError)
    async def _input_error(_: Request, exc: InputError) -> JSONResponse:
        return _error(400, exc.code, exc.nl, exc.en)

    @app.exception_handler(IndexError_)
    async def _index_error(_: Request, exc: IndexError_) -> JSONResponse:
        return _error(503, "index_unavailable", exc.nl, exc.en)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = _validation_text(exc)
        return _error(
            422, "invalid_request", f"Ongeldig verzoek: {detail}", f"Invalid request: {detail}"
        )

    @app.exception_handler(ValidationError)
    async def _validation(_: Request, exc: ValidationError) -> JSONResponse:
        detail = _validation_text(exc)
        return _error(
            422, "invalid_request", f"Ongeldig verzoek: {detail}", f"Invalid request: {detail}"
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _error(404, "not_found", "Niet gevonden.", "Not found.")
        if exc.status_code == 405:
            return _error(405, "method_not_allowed", "Methode niet toegestaan.", "Not allowed.")
        if exc.status_code == 400:
            return _error(
                400,
                "invalid_body",
                "De inhoud van het verzoek kon niet gelezen worden.",
                "The request body could not be read.",
            )
        return _error(exc.status_code, "http_error", str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _error(
            500,
            "internal_error",
            "Er ging iets mis aan onze kant.",
            "Something went wrong on our side.",
        )


# --- dependencies (override in tests with app.dependency_overrides) ----------------


def settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def assistant_dep(request: Request) -> Assistant:
    return request.app.state.assistant_factory()


def feedback_dep(request: Request) -> FeedbackStore:
    return request.app.state.feedback


def admin_dep(request: Request) -> None:
    """Admin routes need `settings.admin_api_key` (Bearer or X-API-Key); none set = off."""
    expected = request.app.state.settings.admin_api_key
    if not expected:
        raise APIError(
            403,
            "admin_disabled",
            "Beheer is uitgeschakeld: er is geen beheersleutel ingesteld.",
            "Administration is disabled: no admin key is configured.",
        )
    given = presented_key({k.lower(): v for k, v in request.headers.items()})
    if not given:
        raise APIError(
            401,
            "admin_key_required",
            "Een beheersleutel is nodig (Authorization: Bearer … of X-API-Key).",
            "An admin key is required (Authorization: Bearer … or X-API-Key).",
        )
    if not key_matches(given, expected):
        raise APIError(403, "admin_key_invalid", "De beheersleutel klopt niet.", "Wrong admin key.")


AssistantDep = Annotated[Assistant, Depends(assistant_dep)]
FeedbackDep = Annotated[FeedbackStore, Depends(feedback_dep)]
AdminDep = Depends(admin_dep)


# --- request and response models ---------------------------------------------------


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


class HealthResponse(BaseModel):
    status: Literal["ok"]
    records: int
    index: dict[str, Any]


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


# --- helpers ----------------------------------------------------------------------


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _first_then_rest(events: Iterator[StreamEvent]) -> Iterator[StreamEvent]:
    """Pull the first event now, so input errors surface before the response starts."""
    first = next(events, None)

    def chain() -> Iterator[StreamEvent]:
        if first is not None:
            yield first
        yield from events

    return chain()


def sources_text(answer: Answer) -> str:
    """The "Bronnen:" list appended to OpenAI-style answers."""
    if not answer.citations:
        return ""
    lines = [f"[{c.n}] {c.principle or c.text} ({c.source})" for c in answer.citations]
    return "\n\nBronnen:\n" + "\n".join(lines)


def _split_chat(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
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
        Turn(role=m.role, content=m.text())  # type: ignore[arg-type]
        for m in messages[:last]
        if m.role in ("user", "assistant") and m.text().strip()
    ]
    return messages[last].text(), history


def _filters(
    kernelement: list[str] | None, kind: list[str] | None, phase: list[str] | None
) -> Filters | None:
    filters = Filters.model_validate({"kernelement": kernelement, "kind": kind, "phase": phase})
    return None if filters.is_empty() else filters


def _index_info(assistant: Assistant) -> dict[str, Any]:
    """What the open index says about itself (collection, model, size, build time)."""
    pointer = getattr(getattr(assistant, "index", None), "pointer", None)
    if pointer is None:
        return {}
    info = asdict(pointer) if is_dataclass(pointer) else dict(vars(pointer))
    info["generator"] = assistant.settings.generator
    return info


def _warm_up(assistant_factory: Callable[[], Assistant]) -> None:
    try:
        assistant_factory().warm_up()
    except Exception as exc:  # /healthz and every request report it as a 503
        log.warning("warm-up failed: %s", exc)


# --- the app ------------------------------------------------------------------------


def create_app(
    assistant_factory: Callable[[], Assistant] = get_assistant,
    settings: Settings | None = None,
    *,
    with_ui: bool = True,
) -> FastAPI:
    """Build the app; `assistant_factory` is called per request (make it cached)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.warm_up_on_start:
            threading.Thread(
                target=_warm_up, args=(assistant_factory,), name="warm-up", daemon=True
            ).start()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="LISO-assistent API",
        version="0.1.0",
        description="Antwoorden uit het LISO-framework, met bronnen. "
        "Answers from the LISO learning-network framework, with citations.",
    )
    app.state.settings = settings
    app.state.assistant_factory = assistant_factory
    app.state.feedback = FeedbackStore(settings.feedback_db)
    app.state.reindex = ReindexStatus(state="idle")
    app.state.reindex_lock = threading.Lock()
    # the guards sit inside CORS, so their 4xx answers carry the CORS headers too
    app.add_middleware(GuardMiddleware, settings=settings)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization", "X-API-Key"],
        expose_headers=["Retry-After"],
    )
    _install_error_handlers(app)

    # --- JSON API ---------------------------------------------------------------

    @app.post("/api/ask", response_model=Answer, tags=["api"])
    def ask(body: AskRequest, assistant: AssistantDep) -> Answer:
        """Answer a question with numbered citations."""
        return assistant.ask(body.question, history=body.history, filters=body.filters)

    @app.post(
        "/api/ask/stream",
        tags=["api"],
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    def ask_stream(body: AskRequest, assistant: AssistantDep) -> StreamingResponse:
        """Server-sent events: `token` {text} ..., then `citations` [..] and `done` {answer}."""
        events = _first_then_rest(
            assistant.ask_stream(body.question, history=body.history, filters=body.filters)
        )

        def stream() -> Iterator[str]:
            try:
                for ev in events:
                    if ev.type == "token":
                        yield _sse("token", {"text": ev.text})
                    elif ev.answer is not None:
                        answer = ev.answer.model_dump(mode="json")
                        yield _sse("citations", answer["citations"])
                        yield _sse("done", answer)
            except InputError as exc:
                yield _sse("error", error_body(exc.code, exc.nl, exc.en)["error"])
            except Exception:
                yield _sse(
                    "error",
                    error_body(
                        "internal_error",
                        "Er ging iets mis bij het beantwoorden.",
                        "Something went wrong while answering.",
                    )["error"],
                )

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.get("/api/search", response_model=SearchResponse, tags=["api"])
    def search(
        assistant: AssistantDep,
        q: Annotated[str, Query(min_length=1, max_length=2000, description="search text")],
        k: Annotated[int, Query(ge=1, le=50)] = 8,
        kernelement: Annotated[list[str] | None, Query()] = None,
        kind: Annotated[list[str] | None, Query()] = None,
        phase: Annotated[list[str] | None, Query()] = None,
    ) -> SearchResponse:
        """Hybrid retrieval without answering."""
        result = assistant.retrieve(q, k=k, filters=_filters(kernelement, kind, phase))
        return SearchResponse(
            query=q,
            hits=[
                HitOut(id=h.id, score=h.score, rank=h.rank, record=h.record) for h in result.hits
            ],
            principles=[
                PrincipleOut(id=p.id, score=round(p.score, 6)) for p in result.principles[:k]
            ],
        )

    @app.get("/api/principles", response_model=PrinciplesResponse, tags=["api"])
    def list_principles(
        assistant: AssistantDep, kernelement: str | None = None, kind: str | None = None
    ) -> PrinciplesResponse:
        """All records, optionally of one core element and/or kind."""
        records = assistant.list_records(kernelement=kernelement, kind=kind)
        return PrinciplesResponse(count=len(records), records=records)

    @app.get("/api/principles/{record_id}", response_model=Record, tags=["api"])
    def get_principle(record_id: str, assistant: AssistantDep) -> Record:
        """One record by id."""
        record = assistant.get_record(record_id)
        if record is None:
            raise APIError(
                404,
                "unknown_principle",
                f"Onbekend principe: {record_id}",
                f"Unknown principle: {record_id}",
            )
        return record

    @app.post("/api/feedback", response_model=FeedbackResponse, status_code=201, tags=["api"])
    def feedback(body: Feedback, store: FeedbackDep) -> FeedbackResponse:
        """Store a thumbs up/down (and optional comment) on an answer."""
        return FeedbackResponse(id=store.add(body))

    # --- admin -------------------------------------------------------------------

    @app.post(
        "/api/admin/reindex",
        response_model=ReindexStatus,
        status_code=202,
        tags=["admin"],
        dependencies=[AdminDep],
    )
    def reindex(request: Request, assistant: AssistantDep) -> ReindexStatus:
        """Rebuild the index in the background; the old index serves until the swap."""
        from app.admin import start_reindex

        if not start_reindex(request.app.state, assistant):
            raise APIError(
                409,
                "reindex_running",
                "Er loopt al een herindexering.",
                "A reindex is already running.",
            )
        return request.app.state.reindex

    @app.get(
        "/api/admin/reindex", response_model=ReindexStatus, tags=["admin"], dependencies=[AdminDep]
    )
    def reindex_status(request: Request) -> ReindexStatus:
        """State of the last reindex."""
        return request.app.state.reindex

    @app.get("/api/admin/feedback.jsonl", tags=["admin"], dependencies=[AdminDep])
    def feedback_export(store: FeedbackDep) -> Response:
        """All feedback as JSON lines (a download, never rendered as HTML)."""
        from app.admin import feedback_jsonl

        return Response(
            feedback_jsonl(store),
            media_type="application/x-ndjson",
            headers={
                "Content-Disposition": 'attachment; filename="feedback.jsonl"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    @app.get("/healthz", response_model=HealthResponse, tags=["ops"])
    def healthz(assistant: AssistantDep) -> HealthResponse:
        """Liveness plus the size of the corpus and the index."""
        return HealthResponse(
            status="ok", records=len(assistant.list_records()), index=_index_info(assistant)
        )

    # --- OpenAI-compatible ------------------------------------------------------

    @app.get("/v1/models", tags=["openai"])
    def models() -> dict[str, Any]:
        return {
            "object": "list",
            "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "liso"}],
        }

    @app.post("/v1/chat/completions", tags=["openai"], response_model=None)
    def chat_completions(
        body: ChatCompletionRequest, assistant: AssistantDep
    ) -> dict[str, Any] | StreamingResponse:
        """OpenAI chat completions; citations in the text ("Bronnen:") and in `citations`."""
        question, history = _split_chat(body.messages)
        cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not body.stream:
            answer = assistant.ask(question, history=history, filters=body.filters)
            return {
                "id": cid,
                "object": "chat.completion",
                "created": created,
                "model": MODEL_ID,
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": answer.answer + sources_text(answer),
                        },
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                "citations": [c.model_dump(mode="json") for c in answer.citations],
            }

        events = _first_then_rest(
            assistant.ask_stream(question, history=history, filters=body.filters)
        )

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

        def stream() -> Iterator[str]:
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

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    # --- pages and static files -------------------------------------------------

    @app.get("/principles/{record_id}", response_class=HTMLResponse, tags=["pages"])
    def principle_html(record_id: str, assistant: AssistantDep) -> HTMLResponse:
        record = assistant.get_record(record_id)
        if record is None:
            return HTMLResponse(not_found_page(record_id), status_code=404)
        parent = assistant.get_record(record.principle_id) if record.principle_id else None
        return HTMLResponse(principle_page(record, parent))

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> FileResponse:
        return FileResponse(STATIC_DIR / "widget.js", media_type="text/javascript")

    @app.get("/widget.css", include_in_schema=False)
    def widget_css() -> FileResponse:
        return FileResponse(STATIC_DIR / "widget.css", media_type="text/css")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/chat/" if with_ui else "/docs")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    if with_ui:
        import gradio as gr

        from app.ui import build_ui

        blocks = build_ui(assistant_factory, app.state.feedback)
        app = gr.mount_gradio_app(app, blocks, path="/chat", footer_links=["api"])
    return app
