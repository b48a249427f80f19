"""`/framework`: the eight core elements and their principles as a map, to browse."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.deps import AssistantDep
from app.framework import framework_map
from app.pages import framework_page

router = APIRouter(tags=["pages"])


@router.get("/framework", response_class=HTMLResponse)
def framework(assistant: AssistantDep) -> HTMLResponse:
    """The framework as a map: each principle with its Delphi mean as a bar."""
    index = assistant.index
    return HTMLResponse(framework_page(framework_map(index.records, index.key_of)))
