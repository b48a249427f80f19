"""The HTTP app: thin routes over `assistant.service.Assistant`.

`create_app()` assembles the rooms (`app.routes`): the JSON API under `/api`, an
OpenAI-compatible endpoint under `/v1`, the principle pages, the widget's files and
the Gradio chat at `/chat`; the guards (`app.security`) and CORS in front; the error
handlers (`app.errors`) behind. Every error is JSON:
`{"error": {"code", "message_nl", "message_en"}}`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from app.admin import ReindexJob
from app.errors import install_error_handlers
from app.feedback import open_feedback_store
from app.readiness import Readiness, limit_malloc_arenas
from app.readiness import start as readiness_start
from app.routes import admin, ask, browse, feedback, openai, widget
from app.routes.framework import router as framework_router
from app.routes.search import search_router
from app.security import GuardMiddleware
from assistant.config import Settings, get_settings
from assistant.factory import get_assistant
from assistant.service import Assistant

log = logging.getLogger(__name__)


def _lifespan(
    settings: Settings, assistant_factory: Callable[[], Assistant], readiness: Readiness
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # in the background: warm up (by default; /readyz says when it is done), then
        # remove old indexes and bring the feedback table up to date
        chores = (
            lambda: assistant_factory().indexes.prune(log=log.info),
            app.state.feedback.migrate,
        )
        readiness_start(assistant_factory, readiness, warm=settings.warm_up_on_start, chores=chores)
        yield

    return lifespan


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    # the guards sit inside CORS, so their 4xx answers carry the CORS headers too
    app.add_middleware(GuardMiddleware, settings=settings)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization", "X-API-Key"],
        expose_headers=["Retry-After"],
    )


def create_app(
    assistant_factory: Callable[[], Assistant] = get_assistant,
    settings: Settings | None = None,
    *,
    with_ui: bool = True,
) -> FastAPI:
    """Build the app; `assistant_factory` is called per request (make it cached)."""
    settings = settings or get_settings()
    limit_malloc_arenas(settings.malloc_arenas)
    readiness = Readiness()
    app = FastAPI(
        lifespan=_lifespan(settings, assistant_factory, readiness),
        title="LISO-assistent API",
        version="0.1.0",
        description="Antwoorden uit het LISO-framework, met bronnen. "
        "Answers from the LISO learning-network framework, with citations.",
    )
    app.state.settings = settings
    app.state.assistant_factory = assistant_factory
    app.state.readiness = readiness
    app.state.feedback = open_feedback_store(settings.database_url, settings.feedback_db)
    app.state.reindex = ReindexJob(
        settings.index_dir / "reindex.json", lambda: assistant_factory().indexes.building()
    )
    _add_middleware(app, settings)
    install_error_handlers(app)
    for router in (ask.router, search_router(settings), browse.router, feedback.router):
        app.include_router(router)
    for router in (admin.router, openai.router, widget.router, framework_router):
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/chat/" if with_ui else "/docs")

    app.mount("/static", StaticFiles(directory=widget.STATIC_DIR), name="static")
    if with_ui:
        import gradio as gr

        from app.ui import build_ui, mount_options

        blocks = build_ui(lambda: assistant_factory().pinned(), app.state.feedback)
        app = gr.mount_gradio_app(
            app, blocks, path="/chat", footer_links=["api"], **mount_options()
        )
    return app
