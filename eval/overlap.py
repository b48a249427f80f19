"""Word overlap between a question and the records it should be answered from.

A question written in a practitioner's own words shares few content words with the
framework's text; a question that rewords a corpus sentence shares many. The measure:
the share of the question's content words (four letters or more, not a function word)
that occur in the gold records' text, where two words match when they share their
first five letters or one contains the other (Dutch compounds). Pure Python, no model,
so question writers can run it on a draft file:

    python -m eval.overlap eval/questions/test.yaml
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from corpus.text import fold

# function words of Dutch and English that are four letters or longer; shorter words
# are never content words here
_FUNCTION = frozenset(
    [
        "aan",
        "aldus",
        "alle",
        "alles",
        "alleen",
        "also",
        "altijd",
        "andere",
        "anders",
        "been",
        "bent",
        "beter",
        "bijna",
        "binnen",
        "daar",
        "daarna",
        "daarom",
        "daarin",
        "dank",
        "dan",
        "dat",
        "deze",
        "dezelfde",
        "die",
        "dient",
        "door",
        "doen",
        "doet",
        "dus",
        "eens",
        "eerst",
        "eigen",
        "elke",
        "enkele",
        "even",
        "from",
        "geen",
        "geweest",
        "hadden",
        "have",
        "heeft",
        "hebben",
        "hier",
        "hoe",
        "hoeveel",
        "hoezo",
        "iemand",
        "iets",
        "jaar",
        "jullie",
        "kan",
        "kunnen",
        "kunt",
        "maar",
        "meer",
        "mijn",
        "moet",
        "moeten",
        "naar",
        "niet",
        "niets",
        "nog",
        "omdat",
        "onder",
        "ons",
        "onze",
        "ook",
        "over",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "tussen",
        "uit",
        "vaak",
        "veel",
        "voor",
        "waar",
        "waarom",
        "wanneer",
        "want",
        "waren",
        "wat",
        "welk",
        "welke",
        "werd",
        "wie",
        "wij",
        "wil",
        "willen",
        "word",
        "worden",
        "wordt",
        "zich",
        "zijn",
        "zonder",
        "zou",
        "zouden",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "would",
        "your",
        "about",
        "after",
        "also",
        "because",
        "could",
        "does",
        "into",
        "just",
        "like",
        "more",
        "most",
        "only",
        "other",
        "should",
        "some",
        "such",
        "than",
        "very",
        "want",
        "were",
        "been",
        "being",
        "have",
        "having",
        "here",
        "must",
        "need",
        "okay",
        "echt",
        "even",
        "gewoon",
        "eigenlijk",
        "best",
        "iets",
        "beetje",
        "zo'n",
    ]
)


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", fold(text)) if w not in _FUNCTION}


def _match(q: str, words: Iterable[str]) -> bool:
    return any(
        q[:5] == w[:5] or (len(w) >= 5 and w in q) or (len(q) >= 5 and q in w) for w in words
    )


def overlap(question: str, gold_texts: Iterable[str]) -> float:
    """Share of the question's content words found in the gold texts (0 when it has none)."""
    words = content_words(question)
    if not words:
        return 0.0
    gold: set[str] = set()
    for t in gold_texts:
        gold |= content_words(t)
    return sum(_match(w, gold) for w in words) / len(words)


def record_texts(principles_path: Path) -> dict[str, str]:
    """id -> text (with its lead) of every record."""
    out: dict[str, str] = {}
    for line in principles_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out[r["id"]] = f"{r.get('lead', '')} {r['text']}"
    return out


def question_overlap(item: Mapping[str, Any], texts: Mapping[str, str]) -> float | None:
    gold = [texts[g] for g in item.get("gold") or [] if g in texts]
    if not gold:
        return None
    return overlap(str(item["question"]), gold)


def main(argv: list[str]) -> int:
    import yaml

    root = Path(__file__).resolve().parent.parent
    texts = record_texts(root / "corpus" / "principles.jsonl")
    for path in argv:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        items = data.get("questions", data) if isinstance(data, dict) else data
        values = []
        for item in items:
            v = question_overlap(item, texts)
            if v is None:
                continue
            values.append(v)
            print(f"{item.get('id', '?'):>8}  {item.get('type', ''):<12} {v:.2f}")
        if values:
            print(f"{path}: {len(values)} questions, mean overlap {sum(values) / len(values):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
