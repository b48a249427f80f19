"""A generator that streams from any OpenAI-compatible chat endpoint.

Works with llama.cpp's server (`xllamacpp`, `llama-server`, `python -m llama_cpp.server`),
vLLM, Ollama's `/v1` and OpenAI itself. Uses httpx (a core dependency) and parses the
server-sent events itself, so the optional `openai` package is not needed. Every
failure becomes a `GeneratorError`; the caller then falls back to the extractive answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from assistant.generators.base import Evidence, GeneratorError, Language
from assistant.generators.prompt import build_messages

CONNECT_TIMEOUT_S = 5.0
FREQUENCY_PENALTY = 0.3
MAX_ERROR_CHARS = 300


def chat_url(base_url: str) -> str:
    """`http://host:8080/v1` -> `http://host:8080/v1/chat/completions`."""
    return base_url.rstrip("/") + "/chat/completions"


def request_body(
    model: str,
    messages: list[dict[str, str]],
    max_tokens: int,
    frequency_penalty: float,
    repeat_penalty: float | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "stream": True,
        "temperature": 0.0,
        "max_tokens": max_tokens,
        "frequency_penalty": frequency_penalty,
    }
    if repeat_penalty is not None:  # llama.cpp extension; not every server accepts it
        body["repeat_penalty"] = repeat_penalty
    return body


def error_text(payload: Any) -> str:
    """The message of an OpenAI-style error payload, or the payload itself, shortened."""
    if isinstance(payload, dict):
        payload = payload.get("error", payload)
    if isinstance(payload, dict):
        payload = payload.get("message") or payload
    return str(payload)[:MAX_ERROR_CHARS]


def parse_event(line: str) -> dict[str, Any] | None:
    """One SSE line -> the JSON chunk; None for comments, keep-alives and `[DONE]`."""
    if not line.startswith("data:"):
        return None
    data = line[len("data:") :].strip()
    if not data or data == "[DONE]":
        return None
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError as exc:
        raise GeneratorError(
            f"Onleesbaar antwoord van de taalmodelserver / unreadable server event: {data[:80]!r}"
        ) from exc
    if not isinstance(chunk, dict):
        raise GeneratorError(f"Onverwacht antwoord / unexpected server event: {data[:80]!r}")
    return chunk


def chunk_text(chunk: dict[str, Any]) -> str:
    """The text in one streamed chat chunk; raises on an error chunk."""
    if "error" in chunk:
        raise GeneratorError(
            f"De taalmodelserver meldt een fout / the server reported an error: {error_text(chunk)}"
        )
    choices = chunk.get("choices") or []
    if not choices:
        return ""
    delta = choices[0].get("delta") or {}
    content = delta.get("content")
    return content if isinstance(content, str) else ""


class OpenAIGenerator:
    """Streams an answer from an OpenAI-compatible `/chat/completions` endpoint."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout_s: float = 60.0,
        max_tokens: int = 400,
        *,
        frequency_penalty: float = FREQUENCY_PENALTY,
        repeat_penalty: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.model = model
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.frequency_penalty = frequency_penalty
        self.repeat_penalty = repeat_penalty
        self._api_key = api_key
        self._transport = transport

    def __repr__(self) -> str:
        return f"OpenAIGenerator(base_url={self.base_url!r}, model={self.model!r})"

    def _client(self) -> httpx.Client:
        headers = {"Accept": "text/event-stream"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        timeout = httpx.Timeout(self.timeout_s, connect=min(CONNECT_TIMEOUT_S, self.timeout_s))
        return httpx.Client(headers=headers, timeout=timeout, transport=self._transport)

    def stream(
        self, question: str, evidence: Sequence[Evidence], language: Language
    ) -> Iterator[str]:
        """Yield answer pieces as they arrive; raise GeneratorError on any failure."""
        messages = build_messages(question, evidence, language)
        body = request_body(
            self.model, messages, self.max_tokens, self.frequency_penalty, self.repeat_penalty
        )
        url = chat_url(self.base_url)
        deadline = time.monotonic() + self.timeout_s
        produced = False
        try:
            with self._client() as client, client.stream("POST", url, json=body) as response:
                _raise_for_status(response)
                for line in response.iter_lines():
                    if time.monotonic() > deadline:
                        raise GeneratorError(
                            f"Het taalmodel deed er langer dan {self.timeout_s:.0f} s over / "
                            f"generation exceeded {self.timeout_s:.0f} s"
                        )
                    chunk = parse_event(line)
                    text = chunk_text(chunk) if chunk is not None else ""
                    if text:
                        produced = True
                        yield text
        except httpx.TimeoutException as exc:
            raise GeneratorError(
                f"Time-out van de taalmodelserver op {url} / server timed out "
                f"after {self.timeout_s:.0f} s: {type(exc).__name__}"
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise GeneratorError(
                f"Taalmodelserver niet bereikbaar op {url} / server unreachable: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if not produced:
            raise GeneratorError(
                f"De taalmodelserver gaf een leeg antwoord / the server returned no text ({url})"
            )


def _raise_for_status(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    raw = response.read()
    try:
        detail = error_text(json.loads(raw))
    except (json.JSONDecodeError, UnicodeDecodeError):
        detail = raw[:MAX_ERROR_CHARS].decode("utf-8", "replace")
    raise GeneratorError(
        f"De taalmodelserver antwoordde met HTTP {response.status_code} / "
        f"server returned HTTP {response.status_code} ({response.url}): {detail}"
    )
