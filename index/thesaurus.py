"""Practitioners' words → the framework's terms, for keyword search.

`corpus/thesaurus.yaml` maps words and phrases practitioners use ("wethouder",
"kwartiermaker", "afhaken") to terms the corpus uses ("bestuurder", "initiator",
"ledenbetrokkenheid"). A query for BM25 gets the terms of every entry it contains
appended; dense retrieval sees the question as typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from corpus.text import tokens


def _norm(text: str) -> str:
    return " ".join(tokens(text))


@dataclass(frozen=True)
class Thesaurus:
    entries: Mapping[str, tuple[str, ...]]  # normalised phrase -> terms

    @classmethod
    def load(cls, path: Path) -> Thesaurus:
        if not path.exists():
            return cls({})
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Sequence[str]]) -> Thesaurus:
        return cls({_norm(k): tuple(str(t) for t in v) for k, v in data.items() if _norm(k)})

    def matches(self, query: str) -> list[str]:
        """The entries the query contains, as whole words (a phrase as a whole phrase;
        a one-word entry also as the start of a longer word: "wethouders")."""
        text = f" {_norm(query)} "
        found = []
        for phrase in self.entries:
            if " " in phrase:
                if f" {phrase} " in text:
                    found.append(phrase)
            elif re.search(rf" {re.escape(phrase)}\w{{0,3}} ", text):
                found.append(phrase)
        return found

    def expand(self, query: str) -> str:
        """The query with the framework terms of its entries appended."""
        terms = [t for phrase in self.matches(query) for t in self.entries[phrase]]
        return f"{query} {' '.join(dict.fromkeys(terms))}" if terms else query
