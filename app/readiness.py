"""Start-up of a serving process: warm up in the background, then say it is ready.

A worker starts answering `/healthz` at once (it is alive), but reports ready on
`/readyz` only when the embedder is loaded, the index is open and one question has been
answered, so that the first user's answer is as fast as any other. Until then `/readyz`
answers 503, and a load balancer or the smoke test waits. A failed warm-up (no index
yet, Chroma down) is tried again every few seconds. After the warm-up the process does
its start-up chores (the app's: remove old indexes with `Indexes.prune`, apply the
feedback database's migrations); a chore that fails is logged and never stops the app.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.service import Assistant

log = logging.getLogger(__name__)

State = Literal["warming", "ready"]
# asked once at start: a Dutch question, an English one and one the corpus does not
# cover, so that every step (scope, both languages, the refusal) has run once
WARM_UP_QUESTIONS = (
    "Hoe houd ik deelnemers betrokken?",
    "How do I keep members of a learning network involved?",
    "Hoe vraag ik huurtoeslag aan?",
)


@dataclass
class Readiness:
    state: State = "warming"
    error: str = ""
    started: float = 0.0  # time.monotonic() at start
    warm_seconds: float | None = None

    @property
    def ready(self) -> bool:
        return self.state == "ready"


def limit_malloc_arenas(arenas: int) -> bool:
    """At most `arenas` glibc malloc arenas in this process (mallopt M_ARENA_MAX), so that
    many request threads share a few heaps instead of each keeping its own; returns
    whether it was set (not on other C libraries, nor with `arenas` <= 0)."""
    if arenas <= 0:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


_M_ARENA_MAX = -8  # from glibc's malloc.h


def warm_up(assistant: Assistant) -> None:
    for question in WARM_UP_QUESTIONS:
        assistant.ask(question)


def start(
    assistant_factory: Callable[[], Assistant],
    readiness: Readiness,
    *,
    warm: bool = True,
    chores: Sequence[Callable[[], object]] = (),
    retry_seconds: float = 5.0,
) -> threading.Thread:
    """Warm up (when `warm`), then do the `chores`, in a background thread."""
    readiness.started = time.monotonic()
    thread = threading.Thread(
        target=_run,
        args=(assistant_factory, readiness, warm, chores, retry_seconds),
        name="start-up",
        daemon=True,
    )
    thread.start()
    return thread


def _run(
    assistant_factory: Callable[[], Assistant],
    readiness: Readiness,
    warm: bool,
    chores: Sequence[Callable[[], object]],
    retry_seconds: float,
) -> None:
    while warm:
        try:
            warm_up(assistant_factory())
            break
        except Exception as exc:  # /readyz says why; requests get their own 503
            readiness.error = str(exc).splitlines()[-1][:300] if str(exc) else repr(exc)
            log.warning("warm-up failed, trying again in %.0f s: %s", retry_seconds, exc)
            time.sleep(retry_seconds)
    readiness.warm_seconds = round(time.monotonic() - readiness.started, 2)
    readiness.state, readiness.error = "ready", ""
    for chore in chores:
        try:
            chore()
        except Exception as exc:  # housekeeping must never stop the app
            log.warning("start-up chore failed: %s", exc)
