"""The optional LLM step: a generator writes the answer's summary from the structured
answer's numbered sentences; the post-check keeps only sentences that cite a sentence
supporting them; any failure returns None (the caller keeps the extractive summary).
The blocks — principles, working elements, factors — stay extractive."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

from assistant.answer.render import Draft
from assistant.generators.base import Evidence, Generator, GeneratorError, Language
from assistant.generators.postcheck import check_citations

# a sentence is complete once the next one has begun (citations after its full stop
# still belong to it)
_COMPLETE = re.compile(r"[.!?…](?:\s*\[[\d,; ]+\])*\s+(?=[A-ZÀ-Þ])")


def summary_stream(
    generator: Generator,
    question: str,
    draft: Draft,
    lang: Language,
    n_evidence: int,
    lock: threading.Lock,
) -> Iterator[str | None]:
    """The summary as `generator` writes it: the post-checked sentences so far, each
    time a sentence is complete and kept; the last item is the whole post-checked
    summary, or None when the generator failed or nothing survived."""
    evidence = [
        Evidence(c.n, c.id, c.text, c.principle, c.kernelement, c.kind)
        for c in draft.citations[:n_evidence]
    ]
    if not evidence:
        yield None
        return
    raw, said = "", ""
    try:
        with lock:
            for piece in generator.stream(question, evidence, lang):
                raw += piece
                ends = [m.end() for m in _COMPLETE.finditer(raw)]
                if not ends:
                    continue
                checked = check_citations(raw[: ends[-1]], evidence)
                text = checked.text.strip()
                if checked.kept and text != said:
                    said = text
                    yield text
    except GeneratorError:
        yield None
        return
    checked = check_citations(raw, evidence)
    yield checked.text.strip() or None if checked.kept else None


def fallback_notice(lang: Language) -> str:
    if lang == "nl":
        return "Het taalmodel gaf geen bruikbaar antwoord; dit is het antwoord uit de bronnen zelf."
    return "The language model gave no usable answer; this answer is built from the sources."
