"""`POST /api/feedback`: thumbs up/down with a comment, stored in SQLite."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import FeedbackDep
from app.feedback import Feedback
from app.schemas import FeedbackResponse

router = APIRouter(tags=["api"])


@router.post("/api/feedback", response_model=FeedbackResponse, status_code=201)
def feedback(body: Feedback, store: FeedbackDep) -> FeedbackResponse:
    """Store a thumbs up/down (and optional comment) on an answer."""
    return FeedbackResponse(id=store.add(body))
