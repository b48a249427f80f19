"""A mutable draft of a record, used while parsing; frozen into `Record` at the end.

Besides drafts, a parser reports `Span`s: source lines it read as structure (headings,
labels, leads, statements) or skipped on purpose, each with a reason. With the records'
own line ranges they make the coverage report (`corpus.coverage`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from corpus.record import DelphiScores, Record, Source


@dataclass
class Draft:
    id: str
    text: str
    kind: str
    kernelement: str
    file: str
    title: str
    edition: str
    section: tuple[str, ...]
    line_start: int
    line_end: int
    lead: str = ""
    principle: str = ""
    principle_id: str = ""
    deelelement: str = ""
    role: str | None = None
    phase: str | None = None
    expert_added: bool = False
    delphi: DelphiScores | None = None
    references: tuple[str, ...] = ()
    theme: int | None = None
    also_in: list[str] = field(default_factory=list)

    def freeze(self) -> Record:
        return Record(
            id=self.id,
            text=clean_markup(self.text),
            lead=clean_markup(self.lead),
            principle=clean_markup(self.principle),
            principle_id=self.principle_id,
            kernelement=self.kernelement,
            deelelement=self.deelelement,
            kind=self.kind,
            role=self.role,
            phase=self.phase,
            expert_added=self.expert_added,
            delphi=self.delphi,
            references=tuple(dict.fromkeys(self.references)),
            source=Source(
                file=self.file,
                title=self.title,
                section=tuple(s for s in self.section if s),
                line_start=self.line_start,
                line_end=self.line_end,
            ),
            edition=self.edition,
            theme=self.theme,
            also_in=tuple(dict.fromkeys(self.also_in)),
        )


def clean_markup(text: str) -> str:
    """Remove markdown emphasis and HTML remnants, normalise white space."""
    text = re.sub(r"\*{1,2}([^*]+?)\*{1,2}", r"\1", text)
    text = text.replace("**", "").replace("\\*", "")
    text = re.sub(r"\^\{([^}]*)\}", r"\1", text)
    text = re.sub(r"</?[a-z]+[^>]*>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text


SpanUse = Literal["heading", "label", "lead", "statement", "note", "skipped"]


@dataclass(frozen=True)
class Span:
    """Source lines `start`..`end` (1-based, inclusive) that a parser used without making
    them a record's text: structure that became metadata, or lines skipped on purpose."""

    file: str
    start: int
    end: int
    use: SpanUse
    reason: str
    record_id: str = ""  # the record the structure belongs to, where there is one


@dataclass
class Parsed:
    """What a parser returns for its source file: the drafts and the spans."""

    file: str
    drafts: list[Draft] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    def span(self, start: int, end: int, use: SpanUse, reason: str, record_id: str = "") -> None:
        self.spans.append(Span(self.file, start, end, use, reason, record_id))
