"""The rate limit shared through Redis: two uvicorn workers, one budget per client.

Starts redis-server (Debian package `redis-server`) on a free port in a temp folder, or
uses ASSISTANT_TEST_REDIS_URL; skips, saying so, when neither is there. The same two
workers without Redis let more through than the limit (each counts on its own), which
shows the requests really reached both."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from deploy.services import Missing, Service, start_app, start_redis

pytestmark = [pytest.mark.slow, pytest.mark.integration]

LIMIT = 20


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("ASSISTANT_TEST_REDIS_URL"):
        yield url
        return
    try:
        server = start_redis(tmp_path_factory.mktemp("redis"))
    except Missing as exc:
        pytest.skip(f"no Redis for the shared rate limit: {exc}; or set ASSISTANT_TEST_REDIS_URL")
    yield server.url
    server.stop()


def _two_workers(folder: Path, redis_url: str) -> Service:
    env = {
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": str(LIMIT),
        "ASSISTANT_REDIS_URL": redis_url,
        "ASSISTANT_WARM_UP_ON_START": "0",  # these requests never reach the model
        "ASSISTANT_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
    }
    return start_app(folder, env, workers=2, timeout=120)


def _allowed(url: str, n: int) -> int:
    """Send n requests from 8 clients on fresh connections; how many were not refused.
    (An empty question is answered 400 before anything is loaded, after the limit.)"""
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=url, timeout=30, limits=no_reuse) as http:

        def post(_: int) -> int:
            return http.post("/api/ask", json={"question": " "}).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(post, range(n)))
    assert set(codes) <= {400, 429}, codes
    return sum(code == 400 for code in codes)


def test_two_workers_share_one_budget(redis_url: str, tmp_path: Path) -> None:
    alone = _two_workers(tmp_path / "alone", "")
    try:
        separate = _allowed(alone.url, 4 * LIMIT)
    finally:
        alone.stop()
    assert separate > LIMIT, "the requests did not reach both workers; the test shows nothing"

    shared = _two_workers(tmp_path / "shared", redis_url)
    try:
        assert _allowed(shared.url, 4 * LIMIT) == LIMIT
        refused = httpx.post(f"{shared.url}/api/ask", json={"question": " "})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    finally:
        shared.stop()
    print(f"limit {LIMIT}/min: {separate} let through by two workers alone, {LIMIT} with Redis")
