"""Dutch-aware BM25: lower-case, accents folded, Snowball stemmer, Dutch stop words
(folding and stemming from `corpus.text`)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from corpus.text import fold_accents, stem, tokens


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_DUTCH

    return frozenset(fold_accents(w) for w in STOPWORDS_DUTCH)


# bump when the analysis below or the index layout (e.g. HNSW settings in
# index/store.py) changes: the index records it and is rebuilt
ANALYZER_VERSION = 3
PREFIX = 6  # a second, cruder stem: the first six letters ("betrokken" ~ "betrokkenheid")


def words(text: str) -> list[str]:
    """The folded words of at least two letters."""
    return tokens(text, 2)


def decompound(word: str, vocabulary: frozenset[str]) -> list[str]:
    """Split a Dutch compound into two known words ("ledenbetrokkenheid" → "leden",
    "betrokkenheid"), allowing a linking s or e; [] when no split is found."""
    if len(word) < 9:
        return []
    best: list[str] = []
    for i in range(4, len(word) - 3):
        left, right = word[:i], word[i:]
        for link in ("", "s", "e"):
            if link and not left.endswith(link):
                continue
            head = left[: len(left) - len(link)] if link else left
            known = len(head) >= 4 and head in vocabulary and right in vocabulary
            if known and (not best or len(right) > len(best[1])):
                best = [head, right]
    return best


def analyze(text: str, vocabulary: frozenset[str]) -> list[str]:
    """Tokens for BM25: Snowball stems, six-letter prefixes, and compound parts."""
    stop = _stopwords()
    out: list[str] = []
    for w in words(text):
        if w in stop:
            continue
        for part in (w, *decompound(w, vocabulary)):
            s = stem(part)
            out.append(s)
            if len(s) >= PREFIX:
                out.append("~" + s[:PREFIX])
    return out


def tokenize(texts: Sequence[str], vocabulary: frozenset[str]) -> Any:
    import bm25s

    return bm25s.tokenize(
        [" ".join(analyze(t, vocabulary)) for t in texts],
        stopwords=None,
        stemmer=None,
        lower=False,
        token_pattern=r"\S+",
        show_progress=False,
    )


class BM25Index:
    """BM25 over the records' texts; row i of the index is `ids[i]`."""

    def __init__(self, retriever: Any, ids: list[str], vocabulary: frozenset[str]) -> None:
        self._retriever = retriever
        self.ids = ids
        self.words = vocabulary  # word forms of the corpus, for splitting compounds

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> BM25Index:
        import bm25s

        vocabulary = frozenset(w for t in texts for w in words(t) if len(w) >= 4)
        retriever = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
        retriever.index(tokenize(texts, vocabulary), show_progress=False)
        return cls(retriever, ids, vocabulary)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), show_progress=False)
        (folder / "ids.txt").write_text("\n".join(self.ids), encoding="utf-8")
        (folder / "words.txt").write_text("\n".join(sorted(self.words)), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        import bm25s

        retriever = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        ids = (folder / "ids.txt").read_text(encoding="utf-8").split("\n")
        vocabulary = frozenset((folder / "words.txt").read_text(encoding="utf-8").split("\n"))
        return cls(retriever, ids, vocabulary)

    def vocabulary(self) -> list[str]:
        """The stemmed, accent-folded terms of the index."""
        return list(self._retriever.vocab_dict)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-k (id, score) with score > 0; `mask` (0/1 per row) restricts the rows."""
        tokens = tokenize([query], self.words)
        if not tokens.ids or not tokens.ids[0]:
            return []
        k = min(k, len(self.ids))
        docs, scores = self._retriever.retrieve(
            tokens, k=k, show_progress=False, weight_mask=mask, n_threads=1
        )
        return [
            (self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]
