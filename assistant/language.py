"""Language of a question (Dutch or English) and rule-based follow-up rewriting."""

from __future__ import annotations

import re

from assistant.types import Language, Turn
from corpus.text import DUTCH_FUNCTION_WORDS, ENGLISH_FUNCTION_WORDS

_FOLLOW_UP = re.compile(
    r"^(en|maar|ook|dus|and|but|what about|en wat|wat als|hoe dan|waarom dan)\b|"
    r"\b(dat|dit|die|daar|daarbij|hierbij|daarvan|hiervan|het eerste|zoiets|ze|zij|hen|hun|"
    r"that|this|it|those|they|them)\b",
    re.I,
)


def detect_language(text: str) -> Language:
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    nl = sum(w in DUTCH_FUNCTION_WORDS for w in words)
    en = sum(w in ENGLISH_FUNCTION_WORDS for w in words)
    return "en" if en > nl else "nl"


_QUESTION_WORDS = re.compile(
    r"^(wat (is|zijn|betekent|doe ik als|moet ik)( een| de| het)?|hoe (kan|kun|moet|zorg|houd|"
    r"maak|regel|betrek|evalueer)\w*( ik| je| we| jullie)?( een| de| het)?|welke|wie is( de)?|"
    r"waarom|wanneer|what (is|are)( the| a| an)?|how (do|can|should) (i|we|you)|which|who is)\b\s*",
    re.I,
)


def standalone_question(
    question: str, history: list[Turn] | None, max_chars: int | None = None
) -> str:
    """Rewrite a follow-up into a stand-alone question using the last user turn.

    "En wat werkt juist belemmerend?" after "Hoe houd ik deelnemers betrokken?"
    becomes "En wat werkt juist belemmerend? (deelnemers betrokken)". The length limit
    is for what the user typed: the earlier question's topic is cut (at a word) so the
    rewrite stays within `max_chars`, and left out when too little of it would fit. The
    topic is context, never the question: at most `MAX_TOPIC_CHARS` of it are carried
    over, so a short follow-up to a long situation is not answered as the situation was.
    """
    if not history:
        return question
    previous = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not previous:
        return question
    if _FOLLOW_UP.search(question):
        # the earlier question is context, not the question: without its question words
        # ("Wat is een …", "Hoe …") it cannot steer the kind of answer
        topic = _QUESTION_WORDS.sub("", previous[-1].strip()).strip(" ?")
        asked = question.strip()
        budget = MAX_TOPIC_CHARS
        if max_chars is not None:
            budget = min(budget, max_chars - len(asked) - len(" ()"))
        topic = _cut(topic, budget)
        return f"{asked} ({topic})" if topic else question
    return question


MIN_TOPIC_CHARS = 12  # a shorter piece of the earlier question says nothing
# the most of the earlier question a follow-up carries: a sentence or two of its situation
# (every earlier question of the dev dialogues is shorter, so none of them is cut)
MAX_TOPIC_CHARS = 300


def _cut(text: str, limit: int) -> str:
    """`text` cut at the last word boundary within `limit` characters ('' when too little
    of it would be left)."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…" if len(cut) >= MIN_TOPIC_CHARS else ""
