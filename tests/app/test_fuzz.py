"""Property-based fuzzing of the public endpoints: whatever the body, never a 5xx.

Random JSON values, JSON-shaped requests with random field values, raw byte strings
and query strings go to the real app (real Assistant and index) in-process.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api import create_app
from assistant.config import Settings
from assistant.factory import get_assistant

pytestmark = [pytest.mark.slow]

ENDPOINTS = ("/api/ask", "/api/feedback", "/v1/chat/completions", "/api/ask/stream")
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.text(max_size=300) | st.sampled_from(
    ["", " ", "\x00", "<script>alert(1)</script>", "Hoe houd ik deelnemers betrokken?", "é" * 50]
)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)
turn = st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "x"]), "content": text})
filters = st.dictionaries(
    st.sampled_from(["kernelement", "kind", "phase", "edition", "source", "expert_added", "x"]),
    st.lists(st.sampled_from(["Synergie", "Foo", "tip", "formeren", ""]), max_size=3) | json_values,
    max_size=3,
)
ask_bodies = st.fixed_dictionaries(
    {"question": text | json_values},
    optional={"history": st.lists(turn, max_size=25) | json_values, "filters": filters},
)
feedback_bodies = st.fixed_dictionaries(
    {"question": text, "answer": text, "rating": st.sampled_from(["up", "down", "meh"])},
    optional={
        "citations": st.lists(text, max_size=3) | json_values,
        "comment": text | json_values,
        "channel": st.sampled_from(["api", "chat", "widget", "x"]),
    },
)
chat_bodies = st.fixed_dictionaries(
    {
        "messages": st.lists(
            st.fixed_dictionaries(
                {
                    "role": st.sampled_from(["user", "assistant", "system", "tool", "?"]),
                    "content": text
                    | st.lists(st.fixed_dictionaries({"type": st.just("text"), "text": text}))
                    | json_values,
                }
            ),
            max_size=4,
        )
        | json_values
    },
    optional={"stream": st.booleans() | json_values, "filters": filters},
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    assistant = get_assistant()
    try:
        assistant.warm_up()
    except Exception as exc:
        pytest.skip(f"no usable index: {exc}")
    cfg = Settings(
        feedback_db=tmp_path_factory.mktemp("fuzz") / "feedback.sqlite3",
        rate_limit_per_minute=0,
    )
    app = create_app(lambda: assistant, cfg, with_ui=False)
    return TestClient(app, raise_server_exceptions=False)


def _check(resp: Any) -> None:
    assert resp.status_code < 500, resp.text[:500]
    if resp.status_code >= 400:
        err = resp.json()["error"]
        assert err["code"] and err["message_nl"] and err["message_en"]


@FUZZ
@given(path=st.sampled_from(ENDPOINTS), body=json_values)
def test_random_json_never_5xx(client: TestClient, path: str, body: Any) -> None:
    # json.dumps writes NaN/Infinity as bare literals, which Python's parser accepts
    _check(
        client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
    )


@FUZZ
@given(
    data=st.one_of(
        st.tuples(st.just("/api/ask"), ask_bodies),
        st.tuples(st.just("/api/ask/stream"), ask_bodies),
        st.tuples(st.just("/api/feedback"), feedback_bodies),
        st.tuples(st.just("/v1/chat/completions"), chat_bodies),
    )
)
def test_shaped_bodies_never_5xx(client: TestClient, data: tuple[str, Any]) -> None:
    path, body = data
    _check(
        client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
    )


@FUZZ
@given(
    path=st.sampled_from(ENDPOINTS),
    raw=st.binary(max_size=400) | text.map(lambda s: s.encode("utf-8", "surrogatepass")),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "", "application/x-www-form-urlencoded"]
    ),
)
def test_raw_bytes_never_5xx(client: TestClient, path: str, raw: bytes, content_type: str) -> None:
    headers = {"content-type": content_type} if content_type else {}
    _check(client.post(path, content=raw, headers=headers))


@FUZZ
@given(
    q=text,
    k=st.integers(-5, 100) | text,
    kernelement=st.lists(st.sampled_from(["Synergie", "Foo", "", "<b>"]) | text, max_size=3),
)
def test_search_query_strings_never_5xx(
    client: TestClient, q: str, k: Any, kernelement: list[str]
) -> None:
    params: list[tuple[str, Any]] = [("q", q), ("k", k), *(("kernelement", x) for x in kernelement)]
    _check(client.get("/api/search", params=params))
