"""Server-sent events: the frame format and starting a stream only once it can start."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def first_then_rest(events: Iterator[T]) -> Iterator[T]:
    """Pull the first event now, so input errors surface before the response starts."""
    first = next(events, None)

    def chain() -> Iterator[T]:
        if first is not None:
            yield first
        yield from events

    return chain()
