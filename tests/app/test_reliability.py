"""Reliability and security of the app: bad input, abuse limits, keys, faults.

Fast tests run the real app in-process (starlette TestClient) with the real
`Assistant`, whose input checks run before any model is loaded; tests that load the
embedder or start servers and subprocesses are marked slow.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from assistant.config import Settings, get_settings
from assistant.factory import build_assistant, get_assistant
from assistant.service import Assistant

QUESTION = "Hoe houd ik deelnemers betrokken?"
ORIGIN = "https://leernetwerk.example.nl"
EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _settings(tmp_path: Path, **kw: Any) -> Settings:
    base: dict[str, Any] = {
        "feedback_db": tmp_path / "feedback.sqlite3",
        "rate_limit_per_minute": 0,
        "cors_origins": [ORIGIN],
    }
    return Settings(**{**base, **kw})


def _client(settings: Settings, assistant: Assistant | None = None) -> TestClient:
    a = assistant or build_assistant(settings)
    app = create_app(lambda: a, settings, with_ui=False)
    return TestClient(app, raise_server_exceptions=False)


def _err(resp: httpx.Response, status: int) -> dict[str, str]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    err = resp.json()["error"]
    assert set(err) == {"code", "message_nl", "message_en"}
    assert all(err.values())
    return err


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return _client(_settings(tmp_path))


# --- 1. bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"question": "   \\n\\t "}', 400, "empty_question"),
        (b'{"question": "\\u0000\\u0001\\u001b"}', 400, "empty_question"),
        (json.dumps({"question": "leernetwerk " * 300}).encode(), 400, "question_too_long"),
        (b'{"question": "caf\xe9 \xff"}', 400, "invalid_encoding"),
        (b'{"question": "\\ud800 hoi"}', 400, "invalid_text"),
        (b'{"question": "a\x01b"}', 422, "invalid_request"),  # raw control char: bad JSON
        (b'{"question": ', 422, "invalid_request"),
        (b"[]", 422, "invalid_request"),
        (b"null", 422, "invalid_request"),
        (b'{"question": 12}', 422, "invalid_request"),
        (b'{"question": ["a"]}', 422, "invalid_request"),
        (b'{"question": "x", "filters": {"kernelement": ["Foo"]}}', 422, "invalid_request"),
        (b'{"question": "x", "filters": {"unknown": 1}}', 422, "invalid_request"),
        (b'{"question": "x", "history": "nee"}', 422, "invalid_request"),
        (b'{"question": "x", "history": [{"role": "system", "content": "a"}]}', 422, None),
    ],
)
def test_ask_bad_input_is_a_clear_4xx(
    client: TestClient, body: bytes, status: int, code: str | None
) -> None:
    for path in ("/api/ask", "/api/ask/stream"):
        resp = client.post(path, content=body, headers={"content-type": "application/json"})
        err = _err(resp, status)
        assert code is None or err["code"] == code, err


def test_a_long_history_is_trimmed_not_refused(client: TestClient) -> None:
    turns = [{"role": "user", "content": "hoi"}] * 21
    assert client.post("/api/ask", json={"question": QUESTION, "history": turns}).status_code == 200


def test_search_feedback_and_openai_bad_input(client: TestClient) -> None:
    _err(client.get("/api/search", params={"q": "x", "kernelement": "Foo"}), 422)
    _err(client.get("/api/search", params={"q": "x", "k": "veel"}), 422)
    _err(client.get("/api/search", params={"q": ""}), 422)
    _err(client.get("/api/search", params={"q": "x" * 2001}), 422)
    _err(client.post("/api/feedback", json={"question": "q", "answer": "a", "rating": 1}), 422)
    bad = b'{"question": "\\udc00", "answer": "a", "rating": "up"}'
    resp = client.post("/api/feedback", content=bad, headers={"content-type": "application/json"})
    assert _err(resp, 400)["code"] == "invalid_text"
    _err(client.post("/v1/chat/completions", json={"messages": []}), 422)
    _err(client.post("/v1/chat/completions", json={"messages": [{"role": "x"}]}), 422)
    empty = {"messages": [{"role": "user", "content": [{"type": "text"}]}]}
    assert _err(client.post("/v1/chat/completions", json=empty), 400)["code"] == "empty_question"


# --- 2. abuse ------------------------------------------------------------------------


def test_rate_limit_429_with_retry_after_and_exemptions(tmp_path: Path) -> None:
    c = _client(_settings(tmp_path, rate_limit_per_minute=3))
    for _ in range(3):
        assert c.post("/api/ask", json={"question": " "}).status_code == 400
    resp = c.post("/api/ask", json={"question": " "})
    err = _err(resp, 429)
    assert err["code"] == "rate_limited"
    assert int(resp.headers["retry-after"]) >= 1
    assert c.get("/static/widget.css").status_code == 200  # static is exempt
    assert c.get("/widget.js").status_code == 200
    assert c.get("/healthz").status_code != 429  # health is exempt


def test_rate_limiter_counts_per_client_in_a_moving_window() -> None:
    from app.security import RateLimiter

    limiter = RateLimiter(3)  # in this process
    assert not limiter.shared
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert 59 <= limiter.take("a") <= 60  # the first of the three leaves the window in 60 s
    assert limiter.take("b") == 0.0  # another client has its own count


def test_rate_limiter_lets_requests_through_when_redis_is_down() -> None:
    from app.security import RateLimiter

    port = _free_port()  # nothing listens there
    limiter = RateLimiter(1, f"redis://127.0.0.1:{port}/0")
    assert limiter.shared
    assert limiter.take("a") == 0.0 and limiter.take("a") == 0.0  # not counted, not refused


def test_body_size_limit_413(tmp_path: Path) -> None:
    c = _client(_settings(tmp_path, max_body_bytes=1024))
    big = {"question": "q", "answer": "a" * 2000, "rating": "up"}
    assert _err(c.post("/api/feedback", json=big), 413)["code"] == "body_too_large"

    def chunks() -> Iterator[bytes]:  # no content-length: counted while reading
        yield b'{"question": "q", "answer": "'
        for _ in range(40):
            yield b"a" * 100
        yield b'", "rating": "up"}'

    resp = c.post("/api/feedback", content=chunks(), headers={"content-type": "application/json"})
    _err(resp, 413)
    ok = c.post("/api/feedback", json={"question": "q", "answer": "a", "rating": "up"})
    assert ok.status_code == 201


def test_cors_allowed_and_disallowed_origin(client: TestClient) -> None:
    pre = {"access-control-request-method": "POST", "access-control-request-headers": "x-api-key"}
    ok = client.options("/api/ask", headers={"origin": ORIGIN, **pre})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    bad = client.options("/api/ask", headers={"origin": "https://evil.example", **pre})
    assert bad.status_code == 400
    assert "access-control-allow-origin" not in bad.headers
    simple = client.post("/api/ask", json={"question": ""}, headers={"origin": ORIGIN})
    assert simple.headers["access-control-allow-origin"] == ORIGIN  # also on errors
    other = client.post("/api/ask", json={"question": ""}, headers={"origin": "https://x.example"})
    assert "access-control-allow-origin" not in other.headers


def test_public_api_key(tmp_path: Path) -> None:
    c = _client(_settings(tmp_path, api_key="publiek-123"))
    body = {"question": " "}
    assert _err(c.post("/api/ask", json=body), 401)["code"] == "api_key_required"
    wrong = c.post("/api/ask", json=body, headers={"x-api-key": "nee"})
    assert _err(wrong, 403)["code"] == "api_key_invalid"
    bearer = c.post("/api/ask", json=body, headers={"authorization": "Bearer publiek-123"})
    assert _err(bearer, 400)["code"] == "empty_question"  # past the key check
    header = c.post("/api/ask", json=body, headers={"x-api-key": "publiek-123"})
    assert header.status_code == 400
    _err(c.post("/v1/chat/completions", json={"messages": []}), 401)
    assert c.get("/widget.js").status_code == 200  # files stay public


def test_admin_routes_need_the_admin_key(tmp_path: Path) -> None:
    off = _client(_settings(tmp_path))
    assert _err(off.get("/api/admin/feedback.jsonl"), 403)["code"] == "admin_disabled"
    c = _client(_settings(tmp_path, admin_api_key="beheer-1", api_key="publiek-1"))
    assert _err(c.post("/api/admin/reindex"), 401)["code"] == "admin_key_required"
    public = c.get("/api/admin/feedback.jsonl", headers={"x-api-key": "publiek-1"})
    assert _err(public, 403)["code"] == "admin_key_invalid"
    auth = {"authorization": "Bearer beheer-1"}
    assert c.get("/api/admin/reindex", headers=auth).json()["state"] == "idle"


def test_feedback_export_never_renders_html(tmp_path: Path) -> None:
    c = _client(_settings(tmp_path, admin_api_key="k"))
    fb = {"question": EVIL, "answer": "a & b", "rating": "down", "comment": EVIL}
    assert c.post("/api/feedback", json=fb).status_code == 201
    resp = c.get("/api/admin/feedback.jsonl", headers={"x-api-key": "k"})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/x-ndjson")
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in resp.headers["content-disposition"]
    assert "<" not in resp.text and ">" not in resp.text
    row = json.loads(resp.text.splitlines()[0])
    assert row["question"] == EVIL and row["comment"] == EVIL and row["answer"] == "a & b"


@pytest.mark.slow
def test_principle_pages_escape_script(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    c = _client(settings, _shared(settings))
    evil = "<script>alert(1)<img src=x onerror=alert(2)>"  # no "/": one path segment
    resp = c.get("/principles/" + evil)
    assert resp.status_code == 404 and resp.headers["content-type"].startswith("text/html")
    # the page's own script is there; the one in the address is text
    assert "<script>alert" not in resp.text and "<img" not in resp.text
    assert "&lt;script&gt;" in resp.text
    real = c.get("/principles/" + next(iter(c.app.state.assistant_factory().index.by_id)))
    assert real.status_code == 200


# --- 3. faults -------------------------------------------------------------------------


def _shared(settings: Settings) -> Assistant:
    """An Assistant with `settings`, reusing the process-wide embedder and index."""
    base = get_assistant()
    try:
        base.warm_up()
    except Exception as exc:
        pytest.skip(f"no usable index: {exc}")
    a = build_assistant(settings, embedder=base.embedder)
    a.swap_index(base.index)
    return a


@pytest.mark.slow
def test_missing_index_gives_503(tmp_path: Path) -> None:
    settings = _settings(tmp_path, index_dir=tmp_path / "empty-index")
    a = build_assistant(settings, embedder=get_assistant().embedder)  # the model, loaded once
    c = _client(settings, a)
    health = _err(c.get("/healthz"), 503)
    assert health["code"] == "index_unavailable" and "index" in health["message_nl"]
    _err(c.post("/api/ask", json={"question": QUESTION}), 503)
    _err(c.get("/api/search", params={"q": QUESTION}), 503)


@pytest.mark.slow
def test_index_for_another_model_gives_503(tmp_path: Path) -> None:
    src = get_settings().index_dir
    if not (src / "current.json").exists():
        pytest.skip("no index")
    shutil.copytree(src, tmp_path / "idx")
    pointer = json.loads((tmp_path / "idx" / "current.json").read_text())
    pointer["model_id"] = "st:some-other-model"
    (tmp_path / "idx" / "current.json").write_text(json.dumps(pointer))
    settings = _settings(tmp_path, index_dir=tmp_path / "idx")
    a = build_assistant(settings, embedder=get_assistant().embedder)
    err = _err(_client(settings, a).get("/healthz"), 503)
    assert "ander corpus of embeddingmodel" in err["message_nl"]
    assert "another corpus or embedding model" in err["message_en"]


class _FailingEmbedder:
    """Embeds passages with the real model, then fails halfway through the corpus."""

    def __init__(self, inner: Any, fail_after: int) -> None:
        self.inner, self.fail_after, self.done = inner, fail_after, 0
        self.model_id, self.dim = inner.model_id, inner.dim

    def embed_query(self, text: str) -> Any:
        return self.inner.embed_query(text)

    def embed_passages(self, texts: list[str]) -> Any:
        if self.done + len(texts) > self.fail_after:
            raise RuntimeError("embedder crashed halfway")
        self.done += len(texts)
        return self.inner.embed_passages(texts)


@pytest.mark.slow
def test_crash_during_reindex_keeps_the_previous_index(tmp_path: Path) -> None:
    from assistant.factory import make_indexes

    base = get_assistant()
    src = get_settings().index_dir
    if not (src / "current.json").exists():
        pytest.skip("no index")
    shutil.copytree(src, tmp_path / "idx")
    settings = _settings(tmp_path, index_dir=tmp_path / "idx")
    before = (tmp_path / "idx" / "current.json").read_bytes()
    indexes = make_indexes(settings)
    with pytest.raises(RuntimeError, match="halfway"):
        indexes.build(_FailingEmbedder(base.embedder, 300), log=lambda *_: None)
    assert (tmp_path / "idx" / "current.json").read_bytes() == before
    index = indexes.open(base.embedder.model_id)
    assert index.pointer == indexes.current()
    assert index.vectors.count() == index.pointer.n_records
    a = build_assistant(settings, embedder=base.embedder)
    assert a.search(QUESTION, k=3)


@pytest.mark.slow
def test_admin_reindex_swaps_while_serving(tmp_path: Path) -> None:
    base = get_assistant()
    src = get_settings().index_dir
    if not (src / "current.json").exists():
        pytest.skip("no index")
    shutil.copytree(src, tmp_path / "idx")
    settings = _settings(tmp_path, index_dir=tmp_path / "idx", admin_api_key="k")
    a = build_assistant(settings, embedder=base.embedder)
    old = a.index.pointer.collection
    c = _client(settings, a)
    resp = c.post("/api/admin/reindex", headers={"x-api-key": "k"})
    assert resp.status_code == 202 and resp.json()["state"] == "running"
    assert c.post("/api/admin/reindex", headers={"x-api-key": "k"}).status_code == 409
    deadline = time.monotonic() + 240
    while c.get("/api/admin/reindex", headers={"x-api-key": "k"}).json()["state"] == "running":
        assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200  # old index
        assert time.monotonic() < deadline
        time.sleep(0.5)
    status = c.get("/api/admin/reindex", headers={"x-api-key": "k"}).json()
    assert status["state"] == "done", status
    assert status["collection"] != old and a.index.pointer.collection == status["collection"]
    # the replaced index stays until the next build, for workers that still serve it
    assert (tmp_path / "idx" / f"bm25-{old}").exists()
    assert c.post("/api/ask", json={"question": QUESTION}).json()["citations"]


@pytest.mark.slow
def test_llm_down_falls_back_to_extractive_with_notice(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, generator="openai", openai_base_url="http://127.0.0.1:9/v1", llm_timeout_s=3
    )
    c = _client(settings, _shared(settings))
    resp = c.post("/api/ask", json={"question": QUESTION})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["notice"] and body["citations"] and body["backend"] == "extractive"
    assert not body["refused"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_other_worker_follows_a_reindex(tmp_path: Path) -> None:
    """A second worker switches to the index another worker built, by itself; a request
    under way on it finishes on the old index, which the build kept."""
    from app.admin import run_reindex

    base = get_assistant()
    src = get_settings().index_dir
    if not (src / "current.json").exists():
        pytest.skip("no index")
    shutil.copytree(src, tmp_path / "idx")
    settings = _settings(tmp_path, index_dir=tmp_path / "idx", index_check_seconds=0)
    workers = [build_assistant(settings, embedder=base.embedder) for _ in range(2)]
    for w in workers:
        assert w.search(QUESTION, k=3)
    old = workers[1].index.pointer.collection
    request = workers[1].pinned()
    assert request.search(QUESTION, k=3)
    new = run_reindex(workers[0])
    assert workers[0].index.pointer.collection == new != old
    deadline = time.monotonic() + 30
    while workers[1].index.pointer.collection != new:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert workers[1].search("Wat is een trekker?", k=3)
    assert request.index.pointer.collection == old and request.search("Wat nu?", k=3)
    resp = _client(settings, workers[1]).post("/api/ask", json={"question": "Wat is een trekker?"})
    assert resp.status_code == 200
