"""Text normalisation, one of each: accent folding, tokenising, stemming (one cache),
and the word lists that carry no topic.

BM25 analysis, the thesaurus, intents, the answer's word overlap, the post-check of
generated answers, the corpus parsers and the evaluation all fold and split text here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

_WORD = re.compile(r"\w+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold_accents(text: str) -> str:
    """Accents removed, case kept: "Coördinatie" -> "Coordinatie", "ĳ" -> "ij"."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case and accents removed: the form every comparison of words uses."""
    return fold_accents(text.casefold())


def plain(text: str) -> str:
    """Folded, with every run of other characters than a-z and 0-9 one space: for
    matching statements, never for display."""
    return _NOT_ALNUM.sub(" ", fold(text)).strip()


def tokens(text: str, min_len: int = 1) -> list[str]:
    """The folded words of `text` (runs of word characters), at least `min_len` long."""
    return [w for w in _WORD.findall(fold(text)) if len(w) >= min_len]


@lru_cache(maxsize=1)
def _stemmer() -> Callable[[str], str]:
    import Stemmer

    return Stemmer.Stemmer("dutch").stemWord


def stem(word: str) -> str:
    """Snowball's Dutch stem of a folded word ("leernetwerken" -> "leernetwerk")."""
    return _stemmer()(word)


# the most frequent function words of each language: language detection counts them
DUTCH_FUNCTION_WORDS = frozenset(
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


ENGLISH_FUNCTION_WORDS = frozenset(
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


# words that say nothing about a question's topic: the function words of both languages
# (without a few English ones that this list never held) and common Dutch verbs and
# adverbs of questions
STOPWORDS = (DUTCH_FUNCTION_WORDS | ENGLISH_FUNCTION_WORDS) - frozenset(
    ["also", "at", "if", "not", "or", "that", "there", "this", "you"]
) | frozenset(
    [
        "aan",
        "alle",
        "alles",
        "ben",
        "can",
        "dan",
        "deze",
        "die",
        "doe",
        "doen",
        "doet",
        "eens",
        "even",
        "geen",
        "goed",
        "goede",
        "graag",
        "heb",
        "hebben",
        "hebt",
        "heeft",
        "hij",
        "iets",
        "jij",
        "kan",
        "kun",
        "kunt",
        "mag",
        "me",
        "meer",
        "mij",
        "moet",
        "moeten",
        "naar",
        "nog",
        "ons",
        "over",
        "te",
        "u",
        "uit",
        "veel",
        "waar",
        "wanneer",
        "wel",
        "welk",
        "worden",
        "wordt",
        "ze",
        "zich",
        "zij",
        "zo",
    ]
)


# function words a line of a source ends in when its sentence goes on (a broken line)
OPEN_ENDINGS = frozenset(
    "de het een en of van in op te voor met aan bij om door die dat als".split()  # noqa: SIM905
)
