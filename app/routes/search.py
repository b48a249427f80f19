"""`GET /api/search`: hybrid retrieval without answering.

The router is built from the settings, so the bounds the API declares (the longest
query, the most results, the default number) are the ones the core applies. (No
`from __future__ import annotations` here: FastAPI reads the annotations, which refer
to values of the enclosing function.)"""

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import AssistantDep
from app.schemas import HitOut, PrincipleOut, SearchResponse
from assistant.config import Settings
from corpus.record import Filters


def search_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["api"])
    max_chars, max_k = settings.max_question_chars, settings.max_k

    @router.get("/api/search", response_model=SearchResponse)
    def search(
        assistant: AssistantDep,
        q: Annotated[str, Query(min_length=1, max_length=max_chars, description="search text")],
        k: Annotated[int, Query(ge=1, le=max_k)] = settings.search_k,
        kernelement: Annotated[list[str] | None, Query()] = None,
        kind: Annotated[list[str] | None, Query()] = None,
        phase: Annotated[list[str] | None, Query()] = None,
    ) -> SearchResponse:
        """Hybrid retrieval without answering."""
        result = assistant.retrieve(q, k=k, filters=Filters.of(kernelement, kind, phase))
        return SearchResponse(
            query=q,
            hits=[
                HitOut(id=h.id, score=h.score, rank=h.rank, record=h.record) for h in result.hits
            ],
            principles=[
                PrincipleOut(id=p.id, score=round(p.score, 6)) for p in result.principles[:k]
            ],
        )

    return router
