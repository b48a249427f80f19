"""The API's rooms over the fixture corpus in memory (no model, no Chroma): every
route once, dependencies swapped with `app.dependency_overrides`, a reindex that swaps."""

from __future__ import annotations

import copy
import json
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.deps import assistant_dep
from assistant.factory import build_assistant, make_indexes
from assistant.service import Assistant
from index.errors import IndexMissingError
from tests.conftest import memory_settings
from tests.fakes import P1, WordEmbedder

QUESTION = "Hoe houd ik deelnemers betrokken?"


@pytest.fixture(scope="module")
def client(memory_index, memory_assistant: Assistant) -> TestClient:  # type: ignore[no-untyped-def]
    settings, _ = memory_index
    return TestClient(create_app(lambda: memory_assistant, settings, with_ui=False))


def test_search_declares_the_settings_bounds(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": QUESTION}).json()
    assert len(body["hits"]) == 8 and body["principles"][0]["id"] == P1  # search_k
    narrowed = client.get("/api/search", params={"q": QUESTION, "k": 2, "kind": "belemmerend"})
    assert [h["record"]["kind"] for h in narrowed.json()["hits"]] == ["belemmerend"]
    assert client.get("/api/search", params={"q": QUESTION, "k": 51}).status_code == 422
    schema = client.get("/openapi.json").json()["paths"]["/api/search"]["get"]["parameters"]
    k = next(p for p in schema if p["name"] == "k")["schema"]
    assert (k["default"], k["maximum"]) == (8, 50)


def test_ask_and_its_stream(client: TestClient) -> None:
    answer = client.post("/api/ask", json={"question": QUESTION}).json()
    assert answer["citations"] and not answer["refused"]
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as resp:
        events = [ln.split(": ", 1)[1] for ln in resp.iter_lines() if ln.startswith("event:")]
    assert events[:2] == ["summary", "token"] and events[-2:] == ["citations", "done"]
    assert "block" in events  # a principle card as soon as it is composed
    bad = client.post("/api/ask/stream", json={"question": " "})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "empty_question"


def test_openai_compatible(client: TestClient) -> None:
    body = {"messages": [{"role": "user", "content": QUESTION}]}
    done = client.post("/v1/chat/completions", json=body).json()
    assert "Bronnen:" in done["choices"][0]["message"]["content"] and done["citations"]
    with client.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as resp:
        data = [ln[6:] for ln in resp.iter_lines() if ln.startswith("data: ")]
    assert data[-1] == "[DONE]" and json.loads(data[-2])["choices"][0]["finish_reason"] == "stop"
    assert client.get("/v1/models").json()["data"][0]["id"] == "liso-assistant"


def test_browse_pages_and_health(client: TestClient) -> None:
    assert client.get(f"/api/principles/{P1}").json()["id"] == P1
    assert client.get("/api/principles/none").json()["error"]["code"] == "unknown_principle"
    listed = client.get("/api/principles", params={"kind": "uitgangspunt"}).json()
    assert listed["count"] == 3
    page = client.get(f"/principles/{P1}-we01")
    assert page.status_code == 200 and "Tevreden en toegewijde leden" in page.text
    health = client.get("/healthz").json()
    assert health["records"] == 12 and health["index"]["generator"] == "extractive"
    assert health["index"]["collection"] and health["worker"] > 0
    assert client.get("/widget.js").status_code == 200


def test_ready_only_after_the_warm_up(memory_index) -> None:  # type: ignore[no-untyped-def]
    settings, embedder = memory_index
    assistant = build_assistant(settings, embedder=embedder)
    asked: list[str] = []
    release = threading.Event()

    def ask(question, history=None, filters=None):  # type: ignore[no-untyped-def]
        release.wait(10)  # a warm-up that waits until the test lets it go on
        asked.append(question)
        return assistant.ask(question, history, filters)

    slow = copy.copy(assistant)
    slow.ask = ask  # type: ignore[method-assign]
    settings = settings.model_copy(update={"warm_up_on_start": True})
    app = create_app(lambda: slow, settings, with_ui=False)
    with TestClient(app) as c:  # runs the lifespan: the warm-up starts in the background
        warming = c.get("/readyz")
        assert warming.status_code == 503 and warming.json()["error"]["code"] == "warming_up"
        assert c.get("/healthz").json()["ready"] is False  # alive, not ready
        release.set()
        deadline = time.monotonic() + 10
        while (ready := c.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    body = ready.json()
    assert body["collection"] == assistant.index.pointer.collection and body["worker"] > 0
    assert len(asked) == 3  # Dutch, English and out of scope: every step ran once


def test_dependencies_can_be_overridden(client: TestClient) -> None:
    class Missing:
        def ask(self, *args: object, **kwargs: object) -> None:
            raise IndexMissingError("Geen index.", "No index.")

    client.app.dependency_overrides[assistant_dep] = Missing  # type: ignore[attr-defined]
    try:
        resp = client.post("/api/ask", json={"question": QUESTION})
    finally:
        client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert resp.status_code == 503 and resp.json()["error"]["message_en"] == "No index."


def test_admin_reindex_swaps_the_index(tmp_path: Path) -> None:
    settings = memory_settings(tmp_path).model_copy(update={"admin_api_key": "k"})
    embedder = WordEmbedder()
    first = make_indexes(settings).build(embedder, log=lambda _: None)
    assistant = build_assistant(settings, embedder=embedder)
    c = TestClient(create_app(lambda: assistant, settings, with_ui=False))
    key = {"x-api-key": "k"}
    assert c.post("/api/admin/reindex").status_code == 401

    def reindex() -> dict[str, str]:
        assert c.post("/api/admin/reindex", headers=key).status_code == 202
        deadline = time.monotonic() + 30
        while c.get("/api/admin/reindex", headers=key).json()["state"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        status: dict[str, str] = c.get("/api/admin/reindex", headers=key).json()
        assert status["state"] == "done"
        return status

    second = reindex()["collection"]
    assert second != first.collection and assistant.index.pointer.collection == second
    # the replaced index stays for workers still on it, until the next build
    assert (settings.index_dir / first.bm25_dir).exists()
    assert c.post("/api/ask", json={"question": QUESTION}).json()["citations"]
    third = reindex()["collection"]
    assert assistant.index.pointer.collection == third
    assert not (settings.index_dir / first.bm25_dir).exists()  # two builds old: removed
    assert (settings.index_dir / f"bm25-{second}").exists()
    # the status lives in the index folder: another worker's app reports the same
    other = TestClient(create_app(lambda: assistant, settings, with_ui=False))
    assert other.get("/api/admin/reindex", headers=key).json()["collection"] == third


def test_openai_sources_heading_follows_the_answer_language() -> None:
    from app.routes.openai import sources_text
    from assistant.types import Answer, Citation

    cite = Citation(
        n=1,
        id="r1",
        text="t",
        principle="P",
        kernelement="Synergie",
        kind="uitgangspunt",
        source="Delphi 2023",
    )
    for lang, heading in (("nl", "Bronnen:"), ("en", "Sources:")):
        answer = Answer(answer="a [1]", refused=False, citations=[cite], backend="x", language=lang)
        assert sources_text(answer).startswith(f"\n\n{heading}\n[1] P")
