"""The typed record: one chunk of knowledge, its parts, and filters over its fields.

`Record` is what `corpus/principles.jsonl` holds, one per line. Structure lives in
its fields (core element, kind, phase, Delphi scores, source section), so the text
stays clean. Ids are stable, readable slugs: caches, citations and eval rows point
at them. `Filters` restricts a search to records with given field values; the index
turns it into store conditions (`Filters.conditions`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

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
# the framework's eight core elements, in its order
KERNELEMENTEN: tuple[str, ...] = tuple(k for k in get_args(Kernelement) if k != "Algemeen")
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
    "bouwsteen",  # one of the five building blocks of the LISO handbook (2025)
]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
Role = Literal[
    "onderbouwing",  # grounds a principle ("Onderbouwing")
    "kenmerk",  # a characteristic ("Kenmerken")
    "succesfactor",  # a success factor ("Succesfactoren")
    "randvoorwaarde",  # a precondition ("Randvoorwaarden")
]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]
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
    role: Role | None = Field(None, description="section label of the source: onderbouwing, …")
    phase: Phase | None = None
    expert_added: bool = False
    delphi: DelphiScores | None = None
    references: tuple[str, ...] = ()
    source: Source
    edition: Edition
    theme: int | None = Field(None, description="theme number 1-21 of the scoping review")
    also_in: tuple[str, ...] = Field(
        (), description="ids of the same principle or the same text in other editions"
    )

    def display(self) -> str:
        """The text as one sentence that stands alone: where the lead is an unfinished
        sentence ("Ledenbetrokkenheid wordt groter wanneer:"), lead and text merged into
        one ("… wordt groter wanneer er een sterk groepsgevoel heerst."); else the text."""
        return merge_lead(self.lead, self.text)

    def delphi_table(self) -> int | None:
        """The number of the Delphi report's table this record summarises (1: the
        panel, 2: the top 3 per core element, 3: the ten most important), else None."""
        if self.edition != "delphi-2023" or self.kind != "resultaat" or not self.source.section:
            return None
        m = re.fullmatch(r"Tabel (\d+)", self.source.section[-1])
        return int(m.group(1)) if m else None

    def embed_text(self) -> str:
        """The text that is embedded and BM25-indexed: the chunk with its context."""
        parts: list[str] = [self.kernelement if self.kernelement != "Algemeen" else ""]
        if self.deelelement:
            parts.append(self.deelelement)
        if self.principle and self.principle != self.text:
            parts.append(self.principle)
        if self.lead:
            parts.append(self.lead)
        parts.append(self.text)
        return ". ".join(p.rstrip(". :") for p in parts if p) + "."


# words a lead can end in ("… afhankelijk van de mate waarin:") that the item completes
# without the colon; after other leads that end in a colon the colon stays
_CONNECTORS = frozenset(
    [
        "wanneer",
        "als",
        "indien",
        "mits",
        "doordat",
        "omdat",
        "waarin",
        "waardoor",
        "waarbij",
        "zodat",
        "dat",
        "door",
        "om",
        "met",
        "aan",
        "bij",
        "van",
        "voor",
        "op",
        "tot",
        "in",
        "zoals",
    ]
)
# a finite verb in second place marks a main clause ("Er wordt …", "Leernetwerken zijn …"),
# which cannot follow a subordinating lead ("… wanneer:") without reordering
_FINITE = frozenset(
    [
        "is",
        "zijn",
        "wordt",
        "worden",
        "heeft",
        "hebben",
        "kan",
        "kunnen",
        "moet",
        "moeten",
        "zal",
        "zullen",
        "blijft",
        "blijven",
        "gaat",
        "gaan",
        "komt",
        "komen",
        "voelt",
        "voelen",
        "leidt",
        "leiden",
        "draagt",
        "dragen",
    ]
)


def _lower_first(text: str) -> str:
    """Lower-case the first word when it is an ordinary capitalised word ("Er", "De"),
    not an acronym or a name with inner capitals ("LNW", "ZonMw")."""
    word = re.match(r"\(?([^\W\d_]+)", text)
    if not word or not word.group(1)[1:].islower() or not word.group(1)[:1].isupper():
        return text
    i = word.start(1)
    return text[:i] + text[i].lower() + text[i + 1 :]


def merge_lead(lead: str, text: str) -> str:
    """One sentence from a lead-in and the list item it introduces (see `Record.display`)."""
    lead = lead.strip()
    if lead.endswith(("...", "…")):  # "Een LNW..." + "is ingebed …": the sentence goes on
        return f"{lead.rstrip('.…').rstrip()} {_lower_first(text)}" if text else text
    if not lead or not text or lead[-1] in ".!?":
        return text
    # a citation before the colon is left out: "… voldoet aan (in Butterfoss, 2007):"
    core = re.sub(r"\s*\([^()]*\d{4}[^()]*\)$", "", lead.rstrip(":").rstrip())
    last = core.split()[-1].lower() if core.split() else ""
    if text[:1].islower():
        sep = " " if (last in _CONNECTORS or not lead.endswith(":")) else ": "
        return f"{core}{sep}{text}"
    words = text.split()
    first = re.split(r"(?<=[.!?])\s", text)[0]
    main_clause = (len(words) > 1 and words[1].lower() in _FINITE) or bool(
        re.search(rf",\s+(?:{'|'.join(_FINITE)})\b", first)
    )
    if last in _CONNECTORS:  # "… wanneer:" + a clause, or a main clause on its own
        return text if main_clause else f"{core} {_lower_first(text)}"
    # after a heading-like lead ("Werkprocessen:") a short item reads as one sentence with
    # it; a longer one, or one that is itself "Name: explanation", stands alone
    if lead.endswith(":") and len(first.split()) <= 10 and ":" not in first:
        return f"{core}: {_lower_first(text)}"
    return text


# a store condition: metadata field -> the values it may take (see `Filters.conditions`)
Conditions = dict[str, list[str | bool]]


class Filters(BaseModel):
    """Metadata filters for retrieval; None means no restriction on that field."""

    model_config = ConfigDict(extra="forbid")

    kernelement: list[Kernelement] | None = None
    kind: list[Kind] | None = None
    edition: list[Edition] | None = None
    source: list[str] | None = Field(None, description="source file names")
    phase: list[Phase] | None = None
    expert_added: bool | None = None

    @classmethod
    def of(
        cls,
        kernelement: Sequence[str] | None = None,
        kind: Sequence[str] | None = None,
        phase: Sequence[str] | None = None,
    ) -> Filters | None:
        """The filters a form or command line gives (empty lists mean no restriction);
        None when nothing is restricted. Unknown values raise a `ValidationError`."""
        filters = cls.model_validate(
            {
                "kernelement": list(kernelement) if kernelement else None,
                "kind": list(kind) if kind else None,
                "phase": list(phase) if phase else None,
            }
        )
        return None if filters.is_empty() else filters

    def is_empty(self) -> bool:
        return all(v is None for v in self.model_dump().values())

    def conditions(self) -> Conditions:
        """The filters as store conditions over the metadata of `record_metadata`: each
        field with the values it may take (a record matches when every field does)."""
        out: Conditions = {}
        for name in ("kernelement", "kind", "edition", "source", "phase"):
            values = getattr(self, name)
            if values:
                out[name] = list(values)
        if self.expert_added is not None:
            out["expert_added"] = [self.expert_added]
        return out


def record_metadata(r: Record) -> dict[str, str | int | float | bool]:
    """Record fields as scalars for a vector store (lists flattened to strings); the
    fields `Filters.conditions` names are among them (`source` is the file name)."""
    d = r.delphi
    return {
        "kernelement": r.kernelement,
        "deelelement": r.deelelement,
        "kind": r.kind,
        "edition": r.edition,
        "source": r.source.file,
        "phase": r.phase or "",
        "expert_added": r.expert_added,
        "principle_id": r.principle_id,
        "theme": r.theme or 0,
        "delphi_mean": (d.mean if d and d.mean is not None else 0.0),
        "delphi_top3": (d.top3_rank if d and d.top3_rank else 0),
        "delphi_top10": (d.top10_rank if d and d.top10_rank else 0),
        "references": "; ".join(r.references),
        "also_in": ",".join(r.also_in),
    }


def matches(metadata: Mapping[str, object], conditions: Mapping[str, Sequence[object]]) -> bool:
    """Whether scalar metadata meets every condition (the in-memory twin of a store's
    `where` clause)."""
    return all(metadata.get(name) in values for name, values in conditions.items())
