"""The question as typed: control characters out, white space squeezed, length checked."""

from __future__ import annotations

import unicodedata

from assistant.errors import InputError


def clean_query(text: str, max_chars: int) -> str:
    """Strip control characters and white space; reject empty and over-long input."""
    if not isinstance(text, str):
        raise InputError(
            "invalid_question", "De vraag moet tekst zijn.", "The question must be text."
        )
    text = "".join(c if unicodedata.category(c)[0] != "C" or c in "\n\t" else " " for c in text)
    text = " ".join(text.split())
    if not text:
        raise InputError(
            "empty_question",
            "Stel een vraag: de vraag is leeg.",
            "Please ask a question: it is empty.",
        )
    if len(text) > max_chars:
        raise InputError(
            "question_too_long",
            f"De vraag is te lang ({len(text)} tekens; maximaal {max_chars}).",
            f"The question is too long ({len(text)} characters; at most {max_chars}).",
        )
    return text


def check_k(k: int, max_k: int) -> None:
    if not 1 <= k <= max_k:
        raise InputError(
            "invalid_k", f"k moet tussen 1 en {max_k} liggen.", f"k must be between 1 and {max_k}."
        )
