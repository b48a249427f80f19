"""`/api/admin`: a background reindex and the feedback export, behind the admin key."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.admin import feedback_jsonl
from app.deps import AdminDep, AssistantDep, FeedbackDep, ReindexDep
from app.errors import APIError
from app.schemas import ReindexStatus

router = APIRouter(tags=["admin"], dependencies=[AdminDep])


@router.post("/api/admin/reindex", response_model=ReindexStatus, status_code=202)
def reindex(job: ReindexDep, assistant: AssistantDep) -> ReindexStatus:
    """Rebuild the index in the background; the old index serves until the swap."""
    if not job.start(assistant):
        raise APIError(
            409,
            "reindex_running",
            "Er loopt al een herindexering.",
            "A reindex is already running.",
        )
    return job.status


@router.get("/api/admin/reindex", response_model=ReindexStatus)
def reindex_status(job: ReindexDep) -> ReindexStatus:
    """State of the last reindex."""
    return job.status


@router.get("/api/admin/feedback.jsonl")
def feedback_export(store: FeedbackDep) -> Response:
    """All feedback as JSON lines (a download, never rendered as HTML)."""
    return Response(
        feedback_jsonl(store),
        media_type="application/x-ndjson",
        headers={
            "Content-Disposition": 'attachment; filename="feedback.jsonl"',
            "X-Content-Type-Options": "nosniff",
        },
    )
