"""The widget's files, compressed and cacheable, and the favicon; the static folder holds
the demo host page.

Each file is read once (and again when it changes on disk), gzipped once, and served
with an ETag per representation, `Cache-Control` and `Vary: Accept-Encoding`; a
matching `If-None-Match` gets a 304.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request, Response

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
CACHE_CONTROL = "public, max-age=600"  # sites pick up a new widget within ten minutes

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str  # of the body; the gzipped form's ends in -gz
    media_type: str


@lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int, media_type: str) -> Asset:
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:20]
    return Asset(body, gzip.compress(body, 9, mtime=0), f'"{digest}"', media_type)


def asset(name: str, media_type: str) -> Asset:
    path = STATIC_DIR / name
    return _load(path, path.stat().st_mtime_ns, media_type)


def serve(request: Request, name: str, media_type: str) -> Response:
    """`name` from the static folder, gzipped when the client takes it, 304 when the
    client has it."""
    a = asset(name, media_type)
    gz = "gzip" in request.headers.get("accept-encoding", "")
    etag = a.etag[:-1] + '-gz"' if gz else a.etag
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if gz:
        headers["Content-Encoding"] = "gzip"
    return Response(a.gzipped if gz else a.body, media_type=media_type, headers=headers)


@router.get("/widget.js")
def widget_js(request: Request) -> Response:
    return serve(request, "widget.js", "text/javascript; charset=utf-8")


@router.get("/widget.css")
def widget_css(request: Request) -> Response:
    return serve(request, "widget.css", "text/css; charset=utf-8")


@router.get("/favicon.svg")
@router.get("/favicon.ico")
def favicon(request: Request) -> Response:
    return serve(request, "favicon.svg", "image/svg+xml")
