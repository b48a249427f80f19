"""Words and sentences of the extractive answer: overlap with the question, the best
sentence of a long record, the lead-in a fragment needs, ranking questions."""

from __future__ import annotations

import re

from corpus.record import Record
from corpus.text import STOPWORDS, tokens

# a lead-in shorter than this is shown before a fragment that starts in lower case ...
SHORT_LEAD_CHARS = 60
# ... and cut to this length
LEAD_CHARS = 120
# kinds whose records are fragments of a list under a lead-in
FRAGMENT_KINDS = ("werkzaam_element", "bevorderend", "belemmerend")


def _words(text: str) -> list[str]:
    return [w for w in tokens(text, 3) if w not in STOPWORDS]


def overlap(query: str, text: str) -> int:
    """Query words found in the text: same 5-letter prefix, or one inside the other
    (Dutch compounds: "jeugddomein" ~ "domein van jeugd")."""
    words = set(_words(text))
    n = 0
    for q in set(_words(query)):
        if any(
            q[:5] == w[:5] or (len(w) >= 4 and w in q) or (len(q) >= 4 and q in w) for w in words
        ):
            n += 1
    return n


_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b\d\.)(?<!\bo\.a\.)(?<!\bbijv\.)\s+(?=[A-Z‘'(])")
_IDEAL_WORDS = 25  # among sentences that share as much with the query, the one nearest this


def best_sentence(text: str, query: str, max_words: int) -> str:
    """The record itself when short, else its sentence that shares most with the query.
    A sentence that asks (the sources' rhetorical questions) is quoted only when every
    sentence does: it restates the user's question instead of answering it."""
    if len(text.split()) <= max_words:
        return text
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    return max(
        sentences,
        key=lambda s: (
            not s.rstrip().endswith("?"),
            overlap(query, s),
            -abs(len(s.split()) - _IDEAL_WORDS),
        ),
    )


# questions about priorities, scores and rankings (word families of both languages)
_RANKING = re.compile(
    r"belangrijk|prioriteit|\btop\b|rangorde|rangschik|\bscor|gemiddeld|gewicht|"
    r"important|ranking|\brank|priorit|weight",
    re.I,
)


def asks_ranking(question: str) -> bool:
    return _RANKING.search(question) is not None


def lead_for(r: Record) -> str:
    """The lead-in a fragment needs to be read: always when it starts in lower case
    ("…afhankelijk van de mate waarin: er gezamenlijk subsidie wordt verkregen")."""
    if not r.lead or r.kind not in FRAGMENT_KINDS:
        return ""
    lead = r.lead.rstrip(": ")
    if r.text[:1].islower() or len(lead) < SHORT_LEAD_CHARS:
        return f"{lead[:LEAD_CHARS]}: "
    return ""
