"""Errors of the API: every one is JSON `{"error": {"code", "message_nl", "message_en"}}`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.feedback import FeedbackUnavailableError
from assistant.errors import InputError
from index.errors import IndexError_

log = logging.getLogger(__name__)


class APIError(Exception):
    """An error with a status code and a message in Dutch and English."""

    def __init__(self, status: int, code: str, nl: str, en: str) -> None:
        super().__init__(en)
        self.status, self.code, self.nl, self.en = status, code, nl, en


def error_body(code: str, nl: str, en: str) -> dict[str, Any]:
    return {"error": {"code": code, "message_nl": nl, "message_en": en}}


def error_response(status: int, code: str, nl: str, en: str) -> JSONResponse:
    return JSONResponse(error_body(code, nl, en), status_code=status)


def validation_text(exc: RequestValidationError | ValidationError) -> str:
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            parts.append(f"malformed JSON at position {err.get('loc', ('', '?'))[-1]}")
            continue
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc}: {err.get('msg', '')}" if loc else str(err.get("msg", "")))
    return "; ".join(parts)


def _invalid(exc: RequestValidationError | ValidationError) -> JSONResponse:
    detail = validation_text(exc)
    return error_response(
        422, "invalid_request", f"Ongeldig verzoek: {detail}", f"Invalid request: {detail}"
    )


def _http(exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 404:
        return error_response(404, "not_found", "Niet gevonden.", "Not found.")
    if exc.status_code == 405:
        return error_response(405, "method_not_allowed", "Methode niet toegestaan.", "Not allowed.")
    if exc.status_code == 400:
        return error_response(
            400,
            "invalid_body",
            "De inhoud van het verzoek kon niet gelezen worden.",
            "The request body could not be read.",
        )
    return error_response(exc.status_code, "http_error", str(exc.detail), str(exc.detail))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def _api_error(_: Request, exc: APIError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.nl, exc.en)

    @app.exception_handler(InputError)
    async def _input_error(_: Request, exc: InputError) -> JSONResponse:
        return error_response(400, exc.code, exc.nl, exc.en)

    @app.exception_handler(IndexError_)
    async def _index_error(_: Request, exc: IndexError_) -> JSONResponse:
        return error_response(503, "index_unavailable", exc.nl, exc.en)

    @app.exception_handler(FeedbackUnavailableError)
    async def _feedback_error(_: Request, exc: FeedbackUnavailableError) -> JSONResponse:
        log.warning("%s", exc)
        return error_response(
            503,
            "feedback_unavailable",
            "De feedback kan nu niet bewaard worden; probeer het later opnieuw.",
            "Feedback cannot be stored right now; try again later.",
        )

    @app.exception_handler(RequestValidationError)
    async def _request_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid(exc)

    @app.exception_handler(ValidationError)
    async def _validation(_: Request, exc: ValidationError) -> JSONResponse:
        return _invalid(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _http(exc)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return error_response(
            500,
            "internal_error",
            "Er ging iets mis aan onze kant.",
            "Something went wrong on our side.",
        )
