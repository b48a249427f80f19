"""Every endpoint of the real app, over real HTTP, with the real Assistant."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import httpx
import pytest

from tests.app.conftest import Server

pytestmark = [pytest.mark.slow, pytest.mark.integration]

QUESTION = "Welke rol speelt de coördinator van een leernetwerk?"
CITATION_KEYS = {"n", "id", "text", "principle", "kernelement", "kind", "source"}


@pytest.fixture(scope="module")
def client(server: Server) -> httpx.Client:
    with httpx.Client(base_url=server.base, timeout=120) as c:
        yield c


def _events(body: str) -> list[tuple[str, Any]]:
    out = []
    for block in body.split("\n\n"):
        lines = block.strip().splitlines()
        if not lines:
            continue
        event = next((ln[6:].strip() for ln in lines if ln.startswith("event:")), "message")
        data = "\n".join(ln[5:].lstrip() for ln in lines if ln.startswith("data:"))
        out.append((event, json.loads(data)))
    return out


def _assert_error(resp: httpx.Response, status: int) -> dict[str, str]:
    assert resp.status_code == status, resp.text
    err = resp.json()["error"]
    assert set(err) == {"code", "message_nl", "message_en"}
    assert err["code"] and err["message_nl"] and err["message_en"]
    return err


# --- /api -----------------------------------------------------------------------------


def test_ask_answers_with_citations(client: httpx.Client) -> None:
    resp = client.post("/api/ask", json={"question": QUESTION})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert {"answer", "refused", "citations", "backend", "timings_ms"} <= set(body)
    assert body["refused"] is False
    assert body["citations"], body
    assert set(body["citations"][0]) >= CITATION_KEYS
    assert [c["n"] for c in body["citations"]] == list(range(1, len(body["citations"]) + 1))
    assert "[1]" in body["answer"]


def test_ask_with_history_and_filters(client: httpx.Client) -> None:
    resp = client.post(
        "/api/ask",
        json={
            "question": "En hoe doe ik dat in de beginfase?",
            "history": [
                {"role": "user", "content": QUESTION},
                {"role": "assistant", "content": "Door heldere doelen te stellen [1]."},
            ],
            "filters": {"kernelement": ["Leernetwerk", "Organisatie"]},
        },
    )
    assert resp.status_code == 200, resp.text
    for c in resp.json()["citations"]:
        assert c["kernelement"] in {"Leernetwerk", "Organisatie"}


def test_a_short_follow_up_to_a_long_situation_is_answered_on_its_own(
    client: httpx.Client,
) -> None:
    situation = (
        "In ons leernetwerk van scholen en zorginstellingen komen de deelnemers steeds "
        "minder naar de bijeenkomsten en zeggen ze weinig. "
    )
    first = ("Hoe houd ik deelnemers betrokken? " + situation * 40)[:1999] + "?"
    one = client.post("/api/ask", json={"question": first})
    assert one.status_code == 200, one.text
    history = [
        {"role": "user", "content": first},
        {"role": "assistant", "content": one.json()["answer"]},
    ]
    two = client.post(
        "/api/ask",
        json={"question": "Wat zijn de ontwikkelfasen van een leernetwerk?", "history": history},
    )
    assert two.status_code == 200, two.text
    assert len(two.json()["standalone_question"]) < 400  # the situation is context only
    assert two.json()["answer"] != one.json()["answer"]
    assert any(c["kernelement"] == "Ontwikkelfasen" for c in two.json()["citations"])


def test_ask_empty_question_is_4xx_in_both_languages(client: httpx.Client) -> None:
    err = _assert_error(client.post("/api/ask", json={"question": "   "}), 400)
    assert err["code"] == "empty_question"


def test_ask_too_long_question(client: httpx.Client) -> None:
    err = _assert_error(client.post("/api/ask", json={"question": "leernetwerk " * 500}), 400)
    assert err["code"] == "question_too_long"


def test_validation_errors_are_reshaped(client: httpx.Client) -> None:
    _assert_error(client.post("/api/ask", json={}), 422)
    _assert_error(client.post("/api/ask", json={"question": QUESTION, "filters": {"x": 1}}), 422)
    _assert_error(client.get("/api/search", params={"q": "doelen", "kernelement": "Nee"}), 422)


def test_stream_sends_summary_blocks_tokens_then_citations_and_done(
    client: httpx.Client,
) -> None:
    resp = client.post("/api/ask/stream", json={"question": QUESTION})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/event-stream")
    events = _events(resp.text)
    names = [e for e, _ in events]
    assert names[0] == "summary" and names[-2:] == ["citations", "done"]
    assert "block" in names and "token" in names
    tokens = "".join(d["text"] for e, d in events if e == "token")
    done = events[-1][1]
    assert tokens == done["answer"]
    assert events[-2][1] == done["citations"] and done["citations"]


def test_stream_empty_question_is_4xx(client: httpx.Client) -> None:
    _assert_error(client.post("/api/ask/stream", json={"question": ""}), 400)


def test_search_with_filters(client: httpx.Client) -> None:
    resp = client.get(
        "/api/search", params={"q": "doelen stellen", "k": 5, "kernelement": "Community context"}
    )
    assert resp.status_code == 200, resp.text
    hits = resp.json()["hits"]
    assert 0 < len(hits) <= 5
    assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    assert all(h["record"]["kernelement"] == "Community context" for h in hits)
    resp = client.get("/api/search", params={"q": "bijeenkomsten", "kind": "tip", "k": 3})
    assert all(h["record"]["kind"] == "tip" for h in resp.json()["hits"])


def test_principles_list_get_and_404(client: httpx.Client) -> None:
    resp = client.get("/api/principles", params={"kernelement": "Synergie", "kind": "uitgangspunt"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["count"] == len(body["records"]) > 0
    assert {(r["kernelement"], r["kind"]) for r in body["records"]} == {
        ("Synergie", "uitgangspunt")
    }
    rid = body["records"][0]["id"]
    one = client.get(f"/api/principles/{rid}")
    assert one.status_code == 200 and one.json() == body["records"][0]
    err = _assert_error(client.get("/api/principles/bestaat-niet"), 404)
    assert err["code"] == "unknown_principle"


def test_feedback_is_persisted(client: httpx.Client, server: Server) -> None:
    payload = {
        "question": QUESTION,
        "answer": "Stel duidelijke doelen [1].",
        "citations": ["d23-cc-kans-succesvol-organisatie-overstijgend-leernetwerk-groter-wanneer"],
        "rating": "down",
        "comment": "Te kort <b>antwoord</b>",
    }
    resp = client.post("/api/feedback", json=payload)
    assert resp.status_code == 201, resp.text
    fid = resp.json()["id"]
    with sqlite3.connect(server.feedback_db) as con:
        row = con.execute(
            "SELECT question, rating, comment, citations FROM feedback WHERE id = ?", (fid,)
        ).fetchone()
    assert row[:3] == (QUESTION, "down", "Te kort <b>antwoord</b>")
    assert json.loads(row[3]) == payload["citations"]
    _assert_error(client.post("/api/feedback", json={**payload, "rating": "meh"}), 422)


def test_healthz(client: httpx.Client) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["records"] > 100
    assert body["index"]["n_records"] == body["records"]


# --- pages, static files, CORS ------------------------------------------------------


def test_docs_pages_and_static(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    assert "/v1/chat/completions" in client.get("/openapi.json").json()["paths"]
    root = client.get("/", follow_redirects=False)
    assert root.status_code in (302, 307) and root.headers["location"].startswith("/chat")
    js = client.get("/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert client.get("/static/widget.css").status_code == 200
    assert "widget.js" in client.get("/static/demo.html").text


def test_principle_page_is_escaped_and_labelled(client: httpx.Client) -> None:
    rid = client.get("/api/principles", params={"kind": "uitgangspunt"}).json()["records"][0]["id"]
    page = client.get(f"/principles/{rid}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for label in ("Kernelement", "Deelelement", "Soort", "Delphi-belang", "Bron"):
        assert f"<dt>{label}</dt>" in page.text
    missing = client.get("/principles/<img src=x onerror=alert(1)>")
    assert missing.status_code == 404
    assert "<img" not in missing.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in missing.text


def test_cors_is_restricted(client: httpx.Client, server: Server) -> None:
    pre = {"Access-Control-Request-Method": "POST"}
    ok = client.options("/api/ask", headers={"Origin": server.base, **pre})
    assert ok.headers.get("access-control-allow-origin") == server.base
    bad = client.options("/api/ask", headers={"Origin": "https://evil.example", **pre})
    assert "access-control-allow-origin" not in bad.headers


# --- OpenAI-compatible -----------------------------------------------------------------


def test_openai_models_and_completion(server: Server) -> None:
    from openai import OpenAI

    oa = OpenAI(base_url=f"{server.base}/v1", api_key="not-needed", timeout=120)
    assert [m.id for m in oa.models.list()] == ["liso-assistant"]
    resp = oa.chat.completions.create(
        model="liso-assistant",
        messages=[
            {"role": "system", "content": "Antwoord in het Nederlands."},
            {"role": "user", "content": "Wat is een leernetwerk?"},
            {"role": "assistant", "content": "Een samenwerking tussen onderwijs en praktijk."},
            {"role": "user", "content": QUESTION},
        ],
    )
    text = resp.choices[0].message.content or ""
    assert "Bronnen:" in text and "[1]" in text
    extra = resp.model_extra or {}
    assert extra["citations"] and set(extra["citations"][0]) >= CITATION_KEYS


def test_openai_streaming(server: Server) -> None:
    from openai import OpenAI

    oa = OpenAI(base_url=f"{server.base}/v1", api_key="not-needed", timeout=120)
    stream = oa.chat.completions.create(
        model="liso-assistant", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    parts, finish, citations = [], None, None
    for chunk in stream:
        choice = chunk.choices[0]
        parts.append(choice.delta.content or "")
        finish = choice.finish_reason or finish
        citations = (chunk.model_extra or {}).get("citations") or citations
    text = "".join(parts)
    assert finish == "stop"
    assert "Bronnen:" in text and "[1]" in text
    assert citations


def test_openai_without_user_message_is_4xx(client: httpx.Client) -> None:
    resp = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "system", "content": "hoi"}]}
    )
    _assert_error(resp, 422)


# --- Gradio chat --------------------------------------------------------------------------


def test_gradio_chat_prediction(server: Server) -> None:
    from gradio_client import Client

    gc = Client(f"{server.base}/chat/", verbose=False)
    chat, sources, question_box = gc.predict(QUESTION, [], ["Leernetwerk"], [], api_name="/ask")
    assert chat[-1]["role"] == "assistant"
    text = json.dumps(chat[-1]["content"], ensure_ascii=False)
    assert "[1]" in text
    assert "/principles/" in sources and "Leernetwerk" in sources
    # emptied with the first piece of the answer; later pieces leave what was typed since
    assert question_box in ("", {"__type__": "update"})
