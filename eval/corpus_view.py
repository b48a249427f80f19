"""The corpus as the evaluation sees it: each record's principle key and kind, read from
the records' JSON itself (not from the assistant's code, so the measure stays
independent of what it measures)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CorpusView:
    """What relevance needs to know of each record: its principle key and kind."""

    key: Mapping[str, str] = field(default_factory=dict)
    kind: Mapping[str, str] = field(default_factory=dict)

    def principle_key(self, record_id: str) -> str:
        return self.key.get(record_id, record_id)

    def statements(self, principle_key: str) -> set[str]:
        """The statement records (every edition) of a principle."""
        return {
            rid
            for rid, k in self.key.items()
            if k == principle_key and self.kind.get(rid) == "uitgangspunt"
        }


# which edition's id names a principle that several editions state
_EDITION_ORDER = ("delphi-2023", "website-2023", "framework-2021")


def corpus_view(records: Iterable[Mapping[str, Any]]) -> CorpusView:
    """Principle keys: principles joined with their `also_in` equivalents (union-find),
    the Delphi 2023 id canonical; other records map to their principle's key."""
    records = list(records)
    edition = {r["id"]: r.get("edition", "") for r in records}

    def rank(record_id: str) -> tuple[int, str]:
        ed = edition.get(record_id, "")
        return (_EDITION_ORDER.index(ed) if ed in _EDITION_ORDER else 9), record_id

    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            keep, drop = sorted((ra, rb), key=rank)
            parent[drop] = keep

    for r in records:
        if r["kind"] == "uitgangspunt":
            find(r["id"])
            for other in r.get("also_in") or ():
                union(r["id"], other)
    key: dict[str, str] = {}
    kind: dict[str, str] = {}
    for r in records:
        kind[r["id"]] = r["kind"]
        owner = r.get("principle_id") or (r["id"] if r["kind"] == "uitgangspunt" else "")
        key[r["id"]] = find(owner) if owner else r["id"]
    return CorpusView(key, kind)


@lru_cache(maxsize=4)
def load_corpus_view(path: Path) -> CorpusView:
    with path.open(encoding="utf-8") as fh:
        return corpus_view(json.loads(line) for line in fh if line.strip())
