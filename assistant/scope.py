"""Signals for deciding, before any generation, whether a question is in scope."""

from __future__ import annotations

import re
from functools import lru_cache

from index.bm25 import fold_accents

INJECTION = re.compile(
    r"(negeer|vergeet|ignore|disregard|forget)\b[^.?!]*\b(instructies|instructions|regels|rules|prompt)"
    r"[^.?!]*[.?!]?|(je bent nu|you are now|doe alsof|pretend)[^.?!]*[.?!]?|system ?prompt",
    re.I,
)
# how often a word must occur in everyday Dutch (wordfreq zipf) before its absence from
# the corpus says "another topic"; rarer words are more likely jargon or typos
EVERYDAY_ZIPF = 3.3
STOP = set(
    [
        "de",
        "het",
        "een",
        "en",
        "van",
        "ik",
        "je",
        "jij",
        "u",
        "wij",
        "we",
        "hoe",
        "wat",
        "wie",
        "waar",
        "wanneer",
        "waarom",
        "welke",
        "welk",
        "is",
        "zijn",
        "ben",
        "niet",
        "met",
        "voor",
        "op",
        "in",
        "om",
        "dat",
        "dit",
        "als",
        "bij",
        "mijn",
        "onze",
        "er",
        "ook",
        "of",
        "kan",
        "kun",
        "kunt",
        "moet",
        "moeten",
        "doe",
        "doet",
        "doen",
        "wordt",
        "worden",
        "zo",
        "te",
        "aan",
        "naar",
        "over",
        "uit",
        "dan",
        "nog",
        "wel",
        "geen",
        "meer",
        "veel",
        "goed",
        "goede",
        "heb",
        "hebt",
        "heeft",
        "hebben",
        "mag",
        "mij",
        "me",
        "mijn",
        "ons",
        "zich",
        "zij",
        "ze",
        "hij",
        "die",
        "deze",
        "dat",
        "graag",
        "eens",
        "even",
        "iets",
        "alle",
        "alles",
        "the",
        "a",
        "an",
        "and",
        "of",
        "how",
        "what",
        "who",
        "why",
        "which",
        "is",
        "are",
        "to",
        "do",
        "does",
        "i",
        "we",
        "my",
        "our",
        "in",
        "on",
        "for",
        "with",
        "can",
    ]
)


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("dutch")


def strip_injection(question: str) -> str:
    return INJECTION.sub(" ", question).strip()


def offtopic_terms(question: str, vocabulary: set[str]) -> list[str]:
    """Everyday Dutch words in the question that the corpus never uses."""
    from wordfreq import zipf_frequency

    words = re.findall(r"\w{3,}", fold_accents(question.lower()))
    out = []
    for w in words:
        if w in STOP or w.isdigit():
            continue
        if _stemmer().stemWord(w) in vocabulary or w in vocabulary:
            continue
        if (
            zipf_frequency(w, "nl") >= EVERYDAY_ZIPF
            and zipf_frequency(w, "en") < zipf_frequency(w, "nl") + 1.0
        ):
            out.append(w)
    return out
