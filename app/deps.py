"""Dependencies of the routes, from the app's state (override them in tests with
`app.dependency_overrides`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.admin import ReindexJob
from app.errors import APIError
from app.feedback import FeedbackStore
from app.security import key_matches, presented_key
from assistant.config import Settings
from assistant.service import Assistant


def settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def assistant_dep(request: Request) -> Assistant:
    """The assistant for this request: it keeps the index it starts with, even when the
    process switches to a new one meanwhile."""
    assistant: Assistant = request.app.state.assistant_factory()
    return assistant.pinned()


def feedback_dep(request: Request) -> FeedbackStore:
    store: FeedbackStore = request.app.state.feedback
    return store


def reindex_dep(request: Request) -> ReindexJob:
    job: ReindexJob = request.app.state.reindex
    return job


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


SettingsDep = Annotated[Settings, Depends(settings_dep)]
AssistantDep = Annotated[Assistant, Depends(assistant_dep)]
FeedbackDep = Annotated[FeedbackStore, Depends(feedback_dep)]
ReindexDep = Annotated[ReindexJob, Depends(reindex_dep)]
AdminDep = Depends(admin_dep)
