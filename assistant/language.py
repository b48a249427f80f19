"""Language of a question (Dutch or English) and rule-based follow-up rewriting."""

from __future__ import annotations

import re

from assistant.types import Turn

_NL = set(
    [
        "de",
        "het",
        "een",
        "en",
        "van",
        "ik",
        "je",
        "wij",
        "we",
        "hoe",
        "wat",
        "wie",
        "waarom",
        "welke",
        "is",
        "zijn",
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
    ]
)
_EN = set(
    [
        "the",
        "a",
        "an",
        "and",
        "of",
        "i",
        "you",
        "we",
        "how",
        "what",
        "who",
        "why",
        "which",
        "is",
        "are",
        "not",
        "with",
        "for",
        "on",
        "in",
        "to",
        "that",
        "this",
        "if",
        "at",
        "my",
        "our",
        "there",
        "also",
        "or",
        "do",
        "does",
    ]
)
_FOLLOW_UP = re.compile(
    r"^(en|maar|ook|dus|and|but|what about|en wat|wat als|hoe dan|waarom dan)\b|"
    r"\b(dat|dit|die|daar|daarbij|hierbij|daarvan|hiervan|het eerste|zoiets|that|this|it|those)\b",
    re.I,
)


def detect_language(text: str) -> str:
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    nl = sum(w in _NL for w in words)
    en = sum(w in _EN for w in words)
    return "en" if en > nl else "nl"


def standalone_question(question: str, history: list[Turn] | None) -> str:
    """Rewrite a follow-up into a stand-alone question using the last user turn.

    "En wat werkt juist belemmerend?" after "Hoe houd ik deelnemers betrokken?"
    becomes "Hoe houd ik deelnemers betrokken? En wat werkt juist belemmerend?".
    """
    if not history:
        return question
    previous = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not previous:
        return question
    short = len(question.split()) <= 8
    if short or _FOLLOW_UP.search(question):
        return f"{previous[-1].strip()} {question.strip()}"
    return question
