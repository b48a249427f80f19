"""The typed core: one record per chunk of knowledge, and the shapes of answers.

`Record` is what `corpus/principles.jsonl` holds, one per line. Structure lives in
its fields (core element, kind, phase, Delphi scores, source section), so the text
stays clean. Ids are stable, readable slugs: caches, citations and eval rows point
at them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

KERNELEMENTEN: tuple[str, ...] = (
    "Community context",
    "Leernetwerk",
    "Organisatie",
    "Synergie",
    "Opbrengsten",
    "Kennistransfer van opbrengsten",
    "Leren zichtbaar maken",
    "Ontwikkelfasen",
)
Kernelement = Literal[
    "Community context",
    "Leernetwerk",
    "Organisatie",
    "Synergie",
    "Opbrengsten",
    "Kennistransfer van opbrengsten",
    "Leren zichtbaar maken",
    "Ontwikkelfasen",
    "Algemeen",  # framework-wide text: definitions, the handbook's building blocks
]
Kind = Literal[
    "uitgangspunt",  # a principle statement
    "werkzaam_element",  # a working element (onderbouwing, succesfactor, randvoorwaarde)
    "toelichting",  # explanation of a principle
    "bevorderend",  # promoting factor (scoping review)
    "belemmerend",  # hindering factor (scoping review)
    "tip",  # practical tip (handbook)
    "fase",  # a development phase
    "definitie",  # a term of the framework
    "methode",  # how the studies were done
    "resultaat",  # findings about the studies themselves
]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
Phase = Literal["formeren", "onderhoud", "institutionaliseren"]
PHASES: tuple[str, ...] = Phase.__args__  # type: ignore[attr-defined]
Edition = Literal["framework-2021", "delphi-2023", "review-2021", "website-2023", "handbook-2025"]
EDITIONS: tuple[str, ...] = Edition.__args__  # type: ignore[attr-defined]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DelphiScores(_Frozen):
    """Priority of a principle in the Delphi study (2023), Bijlage 3 and Tables 2-3."""

    weight: int | None = Field(None, description="score within its core element (ranking points)")
    mean: float | None = Field(None, description="mean importance, Likert 1-5")
    top3_rank: int | None = Field(None, description="rank 1-3 within its core element (Table 2)")
    top10_rank: int | None = Field(None, description="rank in the ten most important (Table 3)")

    @property
    def in_top10(self) -> bool:
        return self.top10_rank is not None


class Source(_Frozen):
    file: str
    title: str
    section: tuple[str, ...] = ()
    line_start: int
    line_end: int

    def label(self) -> str:
        path = " › ".join(self.section)
        return f"{self.title}{' — ' + path if path else ''} (r. {self.line_start}-{self.line_end})"


class Record(_Frozen):
    """One chunk of the corpus that can stand alone in an answer."""

    id: str
    text: str
    lead: str = Field("", description="heading or lead-in sentence that the text completes")
    principle: str = Field("", description="statement of the uitgangspunt it belongs to")
    principle_id: str = Field("", description="id of that uitgangspunt's own record")
    kernelement: Kernelement
    deelelement: str = ""
    kind: Kind
    phase: Phase | None = None
    expert_added: bool = False
    delphi: DelphiScores | None = None
    references: tuple[str, ...] = ()
    source: Source
    edition: Edition
    theme: int | None = Field(None, description="theme number 1-21 of the scoping review")
    also_in: tuple[str, ...] = Field((), description="ids of the same principle elsewhere")

    def embed_text(self) -> str:
        """The text that is embedded and BM25-indexed: the chunk with its context."""
        parts = [self.kernelement if self.kernelement != "Algemeen" else ""]
        if self.deelelement:
            parts.append(self.deelelement)
        if self.principle and self.principle != self.text:
            parts.append(self.principle)
        if self.lead:
            parts.append(self.lead)
        parts.append(self.text)
        return ". ".join(p.rstrip(". :") for p in parts if p) + "."


class Citation(_Frozen):
    n: int
    id: str
    text: str
    principle: str
    kernelement: str
    kind: str
    source: str
    edition: str = ""
    delphi: DelphiScores | None = None
    expert_added: bool = False


class Answer(BaseModel):
    answer: str
    refused: bool
    citations: list[Citation]
    backend: str
    timings_ms: dict[str, float] = Field(default_factory=dict)
    notice: str = ""
    language: Literal["nl", "en"] = "nl"
    standalone_question: str = ""


class Filters(BaseModel):
    """Metadata filters for retrieval; None means no restriction on that field."""

    model_config = ConfigDict(extra="forbid")

    kernelement: list[Kernelement] | None = None
    kind: list[Kind] | None = None
    edition: list[Edition] | None = None
    source: list[str] | None = Field(None, description="source file names")
    phase: list[Phase] | None = None
    expert_added: bool | None = None

    def is_empty(self) -> bool:
        return all(v is None for v in self.model_dump().values())


class Turn(BaseModel):
    """One turn of a conversation, oldest first."""

    role: Literal["user", "assistant"]
    content: str


class Hit(BaseModel):
    """A retrieved record with its fused score; `rank` starts at 1."""

    id: str
    score: float
    rank: int
    record: Record


class StreamEvent(BaseModel):
    """What `ask_stream` yields: text pieces, then one final event with the answer."""

    type: Literal["token", "done"]
    text: str = ""
    answer: Answer | None = None
