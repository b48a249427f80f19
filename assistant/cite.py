"""Citations as pure functions: number the records in order of first use, and drop
references to anything that was not retrieved."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.types import Citation
from corpus.record import Record
from corpus.text import fold

EDITION_LABELS = {
    "delphi-2023": "Delphi 2023",
    "framework-2021": "Framework 2021",
    "review-2021": "Scoping review 2021",
    "website-2023": "Website 2023",
    "handbook-2025": "Handboek 2025",
}


def short_label(r: Record) -> str:
    """The label an answer shows beside a sentence: "Delphi 2023 · Synergie"."""
    edition = EDITION_LABELS.get(r.edition, r.edition)
    return edition if r.kernelement == "Algemeen" else f"{edition} · {r.kernelement}"


class Citer:
    """Hands out citation numbers for retrieved records, in order of first use."""

    def __init__(self, retrieved: Sequence[Record]) -> None:
        self._allowed = {r.id: r for r in retrieved}
        self._order: list[str] = []

    def number(self, record_id: str) -> int:
        if record_id not in self._allowed:
            raise KeyError(f"{record_id} was not retrieved and cannot be cited")
        if record_id not in self._order:
            self._order.append(record_id)
        return self._order.index(record_id) + 1

    def ref(self, record_id: str) -> str:
        return f"[{self.number(record_id)}]"

    def citations(self) -> list[Citation]:
        return [
            to_citation(n, self._allowed[i], self._same_sentence(self._allowed[i]))
            for n, i in enumerate(self._order, 1)
        ]

    def _same_sentence(self, r: Record) -> list[Record]:
        """The record's sentence as it stands in other editions (linked by `also_in`)."""
        key = fold(r.text)
        return [
            self._allowed[o]
            for o in r.also_in
            if o in self._allowed and fold(self._allowed[o].text) == key
        ]


def to_citation(n: int, r: Record, also: Sequence[Record] = ()) -> Citation:
    return Citation(
        n=n,
        id=r.id,
        text=r.display(),
        principle=r.principle,
        kernelement=r.kernelement,
        kind=r.kind,
        source=r.source.label(),
        edition=r.edition,
        delphi=r.delphi,
        expert_added=r.expert_added,
        label=short_label(r),
        principle_id=r.principle_id,
        also=[a.id for a in also],
        also_sources=[a.source.label() for a in also],
    )


def renumber(
    text: str, evidence_ids: Sequence[str], retrieved: Sequence[Record]
) -> tuple[str, list[Citation]]:
    """For generated text citing evidence as [n] (n = position in `evidence_ids`, from 1):
    drop numbers that point at no evidence, renumber the rest by first use."""
    by_id = {r.id: r for r in retrieved}
    citer = Citer(retrieved)

    def sub(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if 1 <= n <= len(evidence_ids) and evidence_ids[n - 1] in by_id:
            return citer.ref(evidence_ids[n - 1])
        return ""

    out = re.sub(r"\[(\d{1,3})\]", sub, text)
    return re.sub(r"[ \t]+([.,;])", r"\1", out), citer.citations()
