"""The optional LLM step: a generator writes from numbered evidence, the post-check
keeps only sentences that cite evidence supporting them, and the citations are
renumbered; any failure returns None (the caller keeps the extractive answer)."""

from __future__ import annotations

import threading

from assistant.cite import renumber
from assistant.generators.base import Evidence, Generator, GeneratorError, Language
from assistant.generators.postcheck import check_citations
from assistant.types import Citation, Hit


def numbered(hits: list[Hit], n: int) -> list[Evidence]:
    """The first n hits as numbered passages for a generator."""
    return [
        Evidence(i, h.id, h.record.text, h.record.principle, h.record.kernelement, h.record.kind)
        for i, h in enumerate(hits[:n], 1)
    ]


def generate(
    generator: Generator,
    question: str,
    hits: list[Hit],
    lang: Language,
    n_evidence: int,
    lock: threading.Lock,
) -> tuple[str, list[Citation]] | None:
    """The checked answer of `generator` and its citations, or None when it failed or
    nothing survived the post-check. `lock` serialises calls to the backend."""
    evidence = numbered(hits, n_evidence)
    try:
        with lock:
            raw = "".join(generator.stream(question, evidence, lang))
    except GeneratorError:
        return None
    checked = check_citations(raw, evidence)
    if not checked.kept:
        return None
    return renumber(checked.text, [e.id for e in evidence], [h.record for h in hits])


def fallback_notice(lang: Language) -> str:
    if lang == "nl":
        return "Het taalmodel gaf geen bruikbaar antwoord; dit is het antwoord uit de bronnen zelf."
    return "The language model gave no usable answer; this answer is built from the sources."
