"""The framework to browse: records as JSON, one readable page per record, health and
readiness."""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.deps import AssistantDep
from app.errors import APIError
from app.pages import not_found_page, principle_page
from app.readiness import Readiness
from app.schemas import HealthResponse, PrinciplesResponse, ReadyResponse
from assistant.service import Assistant
from corpus.record import Record

router = APIRouter()


@router.get("/api/principles", response_model=PrinciplesResponse, tags=["api"])
def list_principles(
    assistant: AssistantDep, kernelement: str | None = None, kind: str | None = None
) -> PrinciplesResponse:
    """All records, optionally of one core element and/or kind."""
    records = assistant.list_records(kernelement=kernelement, kind=kind)
    return PrinciplesResponse(count=len(records), records=records)


@router.get("/api/principles/{record_id}", response_model=Record, tags=["api"])
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


@router.get("/principles/{record_id}", response_class=HTMLResponse, tags=["pages"])
def principle_html(record_id: str, assistant: AssistantDep) -> HTMLResponse:
    """A principle in all its editions (for any other record: its principle's page with
    that record marked); a citation links to `/principles/{principle_id}#{record_id}`."""
    record = assistant.get_record(record_id)
    if record is None:
        return HTMLResponse(not_found_page(record_id), status_code=404)
    tips = assistant.handbook_tips(record.principle_id or record.id)
    return HTMLResponse(principle_page(record, assistant.index, tips))


def index_info(assistant: Assistant) -> dict[str, Any]:
    """What the open index says about itself (collection, model, size, build time)."""
    info = asdict(assistant.index.pointer)
    info["generator"] = assistant.generator_name
    return info


@router.get("/healthz", response_model=HealthResponse, tags=["ops"])
def healthz(assistant: AssistantDep, request: Request) -> HealthResponse:
    """Liveness plus the size of the corpus and the index (503 when the index cannot be
    used); `ready` says whether this worker has warmed up (see /readyz)."""
    readiness: Readiness = request.app.state.readiness
    return HealthResponse(
        status="ok",
        records=len(assistant.list_records()),
        index=index_info(assistant),
        ready=readiness.ready,
        worker=os.getpid(),
    )


@router.get("/readyz", response_model=ReadyResponse, tags=["ops"])
def readyz(request: Request) -> ReadyResponse:
    """200 once this worker has loaded the model, opened the index and answered a first
    question (so the next answer is fast); 503 while it warms up."""
    readiness: Readiness = request.app.state.readiness
    if not readiness.ready:
        detail = f" ({readiness.error})" if readiness.error else ""
        raise APIError(
            503,
            "warming_up",
            f"De assistent start nog op{detail}.",
            f"The assistant is still starting{detail}.",
        )
    collection = request.app.state.assistant_factory().index.pointer.collection
    return ReadyResponse(
        status="ready",
        worker=os.getpid(),
        collection=collection,
        warm_seconds=readiness.warm_seconds,
    )
