"""The small interface every generator backend implements."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.types import Language


@dataclass(frozen=True)
class Evidence:
    """One numbered passage handed to a generator; `n` is the citation number."""

    n: int
    id: str
    text: str
    principle: str
    kernelement: str
    kind: str


class GeneratorError(RuntimeError):
    """The backend failed or timed out; the caller falls back to the extractive answer."""


class Generator(Protocol):
    name: str

    def stream(
        self, question: str, evidence: Sequence[Evidence], language: Language
    ) -> Iterator[str]:
        """Yield the answer text in pieces. Cite evidence as [n]. Raise GeneratorError."""
        ...
