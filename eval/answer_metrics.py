"""Metrics of an answer's text: expected facts, the language it is written in, and the
sentences a user reads (fragments among them)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

_DECIMAL = re.compile(r"(?<=\d),(?=\d)")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+|%", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-case word and number tokens; a decimal comma is a decimal point (4,5 = 4.5)."""
    return _TOKEN.findall(_DECIMAL.sub(".", text.lower()))


def contains_fact(answer: str, fact: str | Sequence[str]) -> bool:
    """The fact (or one of its alternatives) occurs as a whole-token sequence: "2" does
    not match "20" or "2.5", "4,5" matches "4.5"."""
    alternatives = [fact] if isinstance(fact, str) else list(fact)
    have = tokens(answer)
    for alt in alternatives:
        want = tokens(alt)
        if want and any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1)):
            return True
    return False


def facts_score(answer: str, expected: Sequence[str | Sequence[str]]) -> float | None:
    """Share of the expected facts found in the answer; None when none are expected."""
    if not expected:
        return None
    return sum(contains_fact(answer, f) for f in expected) / len(expected)


_SOURCES_HEADING = re.compile(r"^\s*(\*\*)?(bronnen|sources)\b", re.I | re.M)


def answer_body(answer: str) -> str:
    """The answer without its list of sources."""
    m = _SOURCES_HEADING.search(answer)
    return answer[: m.start()] if m else answer


@lru_cache(maxsize=1)
def _language_detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.DUTCH, Language.ENGLISH).build()


def detect_answer_language(answer: str) -> str:
    """'nl' or 'en' as detected from the answer text by lingua; '' for an empty answer."""
    body = re.sub(r"\[\d+\]", " ", answer_body(answer)).strip()
    if not body:
        return ""
    lang = _language_detector().detect_language_of(body)
    if lang is None:
        return ""
    return "nl" if lang.name == "DUTCH" else "en"


# labels of the sources' sections: a bullet that opens with one is a label, not a sentence
_LABEL = re.compile(
    r"^(onderbouwing|succesfactoren|randvoorwaarden|werkzame elementen|toelichting|"
    r"belangrijke punten[^:]{0,40}|praktijkvoorbeelden?|bronnen)\s*\)?\s*:",
    re.I,
)
_CITES = re.compile(r"(\s*\[\d+\])+\s*$")
_BULLET = re.compile(r"^\s*(?:[-•*]|\d+[.)])\s+")


def answer_sentences(answer: str) -> list[str]:
    """The lines of an answer a user reads as statements: body lines, without bullet
    marks and citation numbers; headings (**…**) and empty lines are left out."""
    out = []
    for line in answer_body(answer).splitlines():
        text = line.strip()
        if not text or (text.startswith("**") and text.endswith("**")):
            continue
        text = _CITES.sub("", _BULLET.sub("", text)).strip()
        if text:
            out.append(text)
    return out


def is_fragment(sentence: str) -> bool:
    """Not a complete sentence: ends with a comma, colon or semicolon, starts in lower
    case (a list item without its lead), or opens with a bare section label."""
    s = sentence.strip()
    if not s:
        return False
    if s[-1] in ",:;":
        return True
    first = next((c for c in s if c.isalpha()), "")
    if first and first.islower():
        return True
    return _LABEL.match(s) is not None
