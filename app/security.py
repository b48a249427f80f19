"""Guards in front of the API: body size and encoding, rate limit and API keys.

`GuardMiddleware` is a pure ASGI middleware (so streaming responses pass through
untouched). In order, for HTTP requests:

1. paths outside the public API (`/healthz`, `/readyz`, static files, pages) skip the
   guards;
2. a per-client rate limit (`rate_limit_per_minute` in any 60 seconds, keyed by client
   IP; the `limits` library) → 429 with `Retry-After`;
3. the optional public API key (`api_key`; `Authorization: Bearer …` or `X-API-Key`)
   for `/api/*` and `/v1/*` → 401/403 (admin routes check `admin_api_key` themselves);
4. the body: at most `max_body_bytes` (→ 413), valid UTF-8 and, for JSON, text without
   lone surrogates (→ 400).

Every refusal is the API's JSON error `{"error": {"code", "message_nl", "message_en"}}`.
The rate limit is counted in the process by default; with `redis_url` it is counted in
Redis, so every worker and every host shares one budget per client.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import time
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import error_body
from assistant.config import Settings

log = logging.getLogger(__name__)

PROTECTED_PREFIXES = ("/api/", "/v1/")
# a refusal: status, JSON body, extra headers
_Refusal = tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]


class RateLimiter:
    """At most `per_minute` requests per key in any 60 seconds (a moving window of the
    `limits` library), counted in this process (`memory://`) or in Redis
    (`redis://host:port/db`), where all workers and hosts share one count per key.

    When Redis cannot be reached the request is let through and a warning logged (at
    most once a minute): the limit protects the service and must not take it down."""

    def __init__(self, per_minute: int, storage_uri: str = "memory://") -> None:
        from limits import RateLimitItemPerMinute, storage, strategies

        self.shared = not storage_uri.startswith("memory://")
        options: dict[str, Any] = {}
        if self.shared:  # a slow or absent Redis costs at most this per request
            options = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
        self._storage = storage.storage_from_string(storage_uri, key_prefix="liso", **options)
        self._strategy = strategies.MovingWindowRateLimiter(self._storage)
        self._item = RateLimitItemPerMinute(per_minute)
        self._warned_at = -math.inf

    def take(self, key: str) -> float:
        """Count one request of `key`: 0.0 if allowed, else the seconds until it may
        ask again."""
        try:
            if self._strategy.hit(self._item, key):
                return 0.0
            reset, _ = self._strategy.get_window_stats(self._item, key)
        except Exception as exc:
            if time.monotonic() - self._warned_at > 60:
                self._warned_at = time.monotonic()
                log.warning("rate limit not counted (%s): %s", type(exc).__name__, exc)
            return 0.0
        return max(1.0, reset - time.time())


def presented_key(headers: dict[str, str]) -> str:
    """The key from `Authorization: Bearer …` or `X-API-Key`, or ''."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return headers.get("x-api-key", "").strip()


def key_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _has_lone_surrogate(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class GuardMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        per_minute = settings.rate_limit_per_minute
        storage = settings.redis_url or "memory://"
        self.limiter = RateLimiter(per_minute, storage) if per_minute > 0 else None
        # Redis is asked from threads, a few at a time, never on the event loop
        self._redis_calls = anyio.CapacityLimiter(8)

    @staticmethod
    def _limited(path: str, method: str) -> bool:
        """The API, the OpenAI endpoint and the chat's predictions; not health or files."""
        return path.startswith(PROTECTED_PREFIXES) or (
            method == "POST" and path.startswith("/chat/")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if not self._limited(path, scope["method"]):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = await self._rate_limited(scope) or self._key_problem(path, headers)
        limit = self.settings.max_body_bytes
        declared = headers.get("content-length", "")
        if refusal is None and declared.isdigit() and int(declared) > limit:
            refusal = (413, too_large_body(limit), [])
        if refusal is not None:
            await _send_error(send, *refusal)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        await self._checked_body(scope, receive, send, headers)

    async def _rate_limited(self, scope: Scope) -> _Refusal | None:
        if self.limiter is None:
            return None
        client = scope.get("client")
        key = client[0] if client else "unknown"
        if self.limiter.shared:
            wait = await anyio.to_thread.run_sync(self.limiter.take, key, limiter=self._redis_calls)
        else:
            wait = self.limiter.take(key)
        if wait <= 0:
            return None
        retry = max(1, math.ceil(wait))
        body = error_body(
            "rate_limited",
            f"Te veel verzoeken. Probeer het over {retry} s opnieuw.",
            f"Too many requests. Try again in {retry} s.",
        )
        return 429, body, [(b"retry-after", str(retry).encode())]

    def _key_problem(self, path: str, headers: dict[str, str]) -> _Refusal | None:
        api_key = self.settings.api_key
        if not api_key or not path.startswith(PROTECTED_PREFIXES):
            return None
        if path.startswith("/api/admin/"):  # admin routes check the admin key themselves
            return None
        given = presented_key(headers)
        if not given:
            return 401, missing_key_body(), [(b"www-authenticate", b"Bearer")]
        if not key_matches(given, api_key):
            return 403, wrong_key_body(), []
        return None

    async def _checked_body(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]
    ) -> None:
        """Read the (bounded) body once, check it, then replay it to the app."""
        limit = self.settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _send_error(send, 413, too_large_body(limit))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = _body_problem(body, headers.get("content-type", ""))
        if problem is not None:
            await _send_error(send, 400, problem)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _body_problem(body: bytes, content_type: str) -> dict[str, Any] | None:
    if not body:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return error_body(
            "invalid_encoding",
            "De inhoud van het verzoek is geen geldige UTF-8-tekst.",
            "The request body is not valid UTF-8 text.",
        )
    if "json" not in content_type.lower():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None  # the route reports malformed JSON (422)
    if _has_lone_surrogate(value):
        return error_body(
            "invalid_text",
            "De tekst bevat ongeldige tekens (losse surrogaten).",
            "The text contains invalid characters (lone surrogates).",
        )
    return None


def missing_key_body() -> dict[str, Any]:
    return error_body(
        "api_key_required",
        "Een API-sleutel is nodig (Authorization: Bearer … of X-API-Key).",
        "An API key is required (Authorization: Bearer … or X-API-Key).",
    )


def wrong_key_body() -> dict[str, Any]:
    return error_body("api_key_invalid", "De API-sleutel klopt niet.", "The API key is wrong.")


def too_large_body(limit: int) -> dict[str, Any]:
    return error_body(
        "body_too_large",
        f"Het verzoek is te groot (maximaal {limit} bytes).",
        f"The request is too large (at most {limit} bytes).",
    )


async def _send_error(
    send: Send, status: int, body: dict[str, Any], extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
