"""What the framework pages show, worked out from the records (pure; `app.pages` draws it).

A principle is the same statement in every edition that says it (joined through
`also_in`: the index's principle keys), so its page gathers all of them: the wordings,
the Delphi figures, the working elements and explanations of each edition, the review
factors linked to it, and the handbook tips that go with it. Every record on the page
has its id as anchor, so a citation can point at its sentence:
`/principles/{principle_id}#{record_id}` (`citation_url`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from assistant.cite import EDITION_LABELS
from assistant.types import Citation
from corpus.record import KERNELEMENTEN, Record

# the editions in the order a page shows them: the current wording first
EDITION_ORDER = ("delphi-2023", "website-2023", "framework-2021", "review-2021", "handbook-2025")
DELPHI_MAX = 5.0  # the Delphi panel scored importance from 1 to 5


def principle_url(record_id: str, anchor: str = "") -> str:
    """The page of a principle (or of a record that belongs to none)."""
    return f"/principles/{quote(record_id, safe='')}" + (
        f"#{quote(anchor, safe='')}" if anchor else ""
    )


def citation_url(c: Citation) -> str:
    """Where a citation leads: its principle's page with its sentence marked."""
    if c.principle_id and c.principle_id != c.id:
        return principle_url(c.principle_id, c.id)
    return principle_url(c.id, c.id)


def edition_name(r: Record) -> str:
    """The edition of a principle by name: "Framework 2021 · uitgangspunt 18"."""
    name = EDITION_LABELS.get(r.edition, r.edition)
    number = re.fullmatch(r"fw21-p0*(\d+)", r.id)
    return f"{name} · uitgangspunt {number.group(1)}" if number else name


def decimal_nl(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _edition_rank(r: Record) -> int:
    return EDITION_ORDER.index(r.edition) if r.edition in EDITION_ORDER else len(EDITION_ORDER)


@dataclass(frozen=True)
class PrincipleView:
    """One principle in all its editions, with everything that belongs to it."""

    principle: Record  # the statement whose page it is
    wordings: list[Record]  # the same principle in every edition, the current first
    scored: Record | None  # the wording with the Delphi figures (the 2023 one)
    phases: list[str]
    works: list[tuple[str, list[Record]]]  # per edition: its working elements
    explanations: list[Record]
    stages: list[Record]  # development phases described under the principle
    promoting: list[Record]
    hindering: list[Record]
    tips: list[Record]
    other: list[Record] = field(default_factory=list)

    @property
    def expert_added(self) -> bool:
        return any(w.expert_added for w in self.wordings)

    def ids(self) -> set[str]:
        """Every record on the page (the anchors a citation may point at)."""
        groups = [self.wordings, self.explanations, self.stages, self.promoting]
        groups += [self.hindering, self.tips, self.other, *(rs for _, rs in self.works)]
        return {r.id for rs in groups for r in rs}


def principle_view(
    principle: Record,
    records: Sequence[Record],
    key_of: Mapping[str, str],
    tips: Sequence[Record] = (),
) -> PrincipleView:
    """The page of `principle`: every record whose principle key is its key."""
    key = key_of.get(principle.id, principle.id)
    group = [r for r in records if key_of.get(r.id) == key and r.kind != "tip"]
    wordings = sorted((r for r in group if r.kind == "uitgangspunt"), key=_edition_rank)
    scored = next((w for w in wordings if w.delphi is not None), None)
    works: dict[str, list[Record]] = {}
    for w in wordings:
        items = [r for r in group if r.principle_id == w.id and r.kind == "werkzaam_element"]
        if items:
            works[edition_name(w)] = items
    known = {"uitgangspunt", "werkzaam_element", "toelichting", "fase", "bevorderend"}
    known |= {"belemmerend"}
    return PrincipleView(
        principle=principle,
        wordings=wordings,
        scored=scored,
        phases=list(dict.fromkeys(w.phase for w in wordings if w.phase)),
        works=list(works.items()),
        explanations=[r for r in group if r.kind == "toelichting"],
        stages=[r for r in group if r.kind == "fase"],
        promoting=[r for r in group if r.kind == "bevorderend"],
        hindering=[r for r in group if r.kind == "belemmerend"],
        tips=list(tips),
        other=[r for r in group if r.kind not in known],
    )


@dataclass(frozen=True)
class CoreElement:
    """One of the eight core elements with its principles, most important first."""

    name: str
    principles: list[Record]  # the Delphi 2023 principles
    earlier: list[Record]  # 2021 (and website) principles without a 2023 wording


def framework_map(records: Sequence[Record], key_of: Mapping[str, str]) -> list[CoreElement]:
    """The eight core elements and their principles, for the map of `/framework`."""
    principles = [r for r in records if r.kind == "uitgangspunt"]
    current_keys = {key_of.get(r.id, r.id) for r in principles if r.edition == "delphi-2023"}
    out = []
    for name in KERNELEMENTEN:
        mine = [r for r in principles if r.kernelement == name]
        current = [r for r in mine if r.edition == "delphi-2023"]
        current.sort(key=lambda r: -(r.delphi.mean or 0) if r.delphi else 0)
        seen: set[str] = set()
        earlier = []
        for r in sorted(mine, key=_edition_rank):
            k = key_of.get(r.id, r.id)
            if r.edition != "delphi-2023" and k not in current_keys and k not in seen:
                seen.add(k)
                earlier.append(r)
        out.append(CoreElement(name, current, earlier))
    return out
