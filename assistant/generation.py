"""The optional LLM step: a generator writes the answer's summary from the structured
answer's numbered sentences; the post-check keeps only sentences that cite a sentence
supporting them; any failure returns None (the caller keeps the extractive summary).
The blocks — principles, working elements, factors — stay extractive."""

from __future__ import annotations

import threading

from assistant.answer.render import Draft
from assistant.generators.base import Evidence, Generator, GeneratorError, Language
from assistant.generators.postcheck import check_citations


def generate_summary(
    generator: Generator,
    question: str,
    draft: Draft,
    lang: Language,
    n_evidence: int,
    lock: threading.Lock,
) -> str | None:
    """A summary written by `generator` from the draft's cited sentences (numbered as
    in the draft), post-checked; None when it failed or nothing survived."""
    evidence = [
        Evidence(c.n, c.id, c.text, c.principle, c.kernelement, c.kind)
        for c in draft.citations[:n_evidence]
    ]
    if not evidence:
        return None
    try:
        with lock:
            raw = "".join(generator.stream(question, evidence, lang))
    except GeneratorError:
        return None
    checked = check_citations(raw, evidence)
    return checked.text.strip() or None if checked.kept else None


def fallback_notice(lang: Language) -> str:
    if lang == "nl":
        return "Het taalmodel gaf geen bruikbaar antwoord; dit is het antwoord uit de bronnen zelf."
    return "The language model gave no usable answer; this answer is built from the sources."
