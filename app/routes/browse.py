"""The framework to browse: records as JSON, one readable page per record, health."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.deps import AssistantDep
from app.errors import APIError
from app.pages import not_found_page, principle_page
from app.schemas import HealthResponse, PrinciplesResponse
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
def healthz(assistant: AssistantDep) -> HealthResponse:
    """Liveness plus the size of the corpus and the index."""
    return HealthResponse(
        status="ok", records=len(assistant.list_records()), index=index_info(assistant)
    )
