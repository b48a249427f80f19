"""Units: what a practitioner's question can be about, one level above records.

A unit is a principle of the 2023 Delphi report (with its equivalents in other
editions), a 2021 principle without a 2023 successor, a scoping-review theme, a
definition, a handbook tip, phase or part, a Delphi table, or the study itself. The
question bank (`corpus/question_bank.yaml`) ties every question to a unit id; retrieval
scores principles by all their units' evidence.

Each unit knows its records and its *principle keys*: the canonical ids under which its
evidence is counted (a principle counts together with its `also_in` equivalents, the
Delphi 2023 id canonical; a record without a principle is its own key).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from corpus.record import Record

EDITION_ORDER = ("delphi-2023", "website-2023", "framework-2021")
# handbook and Delphi report parts that are a unit of their own, by id prefix
GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "hb25-bouwstenen": (
        "handbook",
        "de vijf bouwstenen van het LISO Handboek",
        ("hb25-fundament",),
    ),
    "hb25-afronden": ("handbook", "een samenwerking afronden", ("hb25-klaar",)),
    "hb25-struikelblokken": (
        "handbook",
        "struikelblokken, hindernissen en oplossingen",
        ("hb25-inleiding", "hb25-verder", "hb25-oplossingen"),
    ),
    "d23-tabel3": ("table", "de tien belangrijkste uitgangspunten (Tabel 3)", ("d23-tabel3",)),
    "d23-tabel2": ("table", "de top 3 uitgangspunten per kernelement (Tabel 2)", ("d23-tabel2",)),
    "d23-studie": (
        "study",
        "de Delphi-studie: doel, methode, respondenten, rondes en conclusies",
        (
            "d23-methode",
            "d23-resultaten",
            "d23-doelstelling",
            "d23-discussie",
            "d23-conclusie",
            "d23-overwegingen",
            "d23-aanbevelingen",
        ),
    ),
    "d23-liso": (
        "intro",
        "wat LISO en leernetwerken zijn",
        ("d23-inleiding", "d23-liso", "d23-leernetwerken-praktijk", "sr21-def-leernetwerk"),
    ),
}


@dataclass(frozen=True)
class Unit:
    id: str
    kind: str
    kernelement: str
    title: str
    record_ids: tuple[str, ...]
    keys: tuple[str, ...]


def principle_keys(records: Sequence[Record]) -> dict[str, str]:
    """record id -> canonical principle key (principles joined through `also_in`)."""
    edition = {r.id: r.edition for r in records}
    parent: dict[str, str] = {}

    def rank(rid: str) -> tuple[int, str]:
        ed = edition.get(rid, "")
        return (EDITION_ORDER.index(ed) if ed in EDITION_ORDER else 9), rid

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in records:
        if r.kind == "uitgangspunt":
            find(r.id)
            for other in r.also_in:
                a, b = find(r.id), find(other)
                if a != b:
                    keep, drop = sorted((a, b), key=rank)
                    parent[drop] = keep
    out: dict[str, str] = {}
    for r in records:
        owner = r.principle_id or (r.id if r.kind == "uitgangspunt" else "")
        out[r.id] = find(owner) if owner else r.id
    return out


SUCCESSORS = Path(__file__).resolve().parent / "successors.yaml"


def curated_links(path: Path = SUCCESSORS) -> set[frozenset[str]]:
    """Pairs linked by hand (corpus/successors.yaml): the same principle in changed
    wording. They share a principle key but stay units of their own, each with its own
    text and questions."""
    if not path.exists():
        return set()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {frozenset((e["from"], e["to"])) for e in data.get("links", [])}


def build_units(records: Sequence[Record]) -> list[Unit]:
    """Every unit of the corpus, in a stable order."""
    keys = principle_keys(records)
    curated = curated_links()
    by_id = {r.id: r for r in records}
    members: dict[str, list[str]] = defaultdict(list)
    for r in records:
        if r.principle_id and r.principle_id != r.id and r.edition != "review-2021":
            members[r.principle_id].append(r.id)
    units: list[Unit] = []

    def add(uid: str, kind: str, kern: str, title: str, rids: Iterable[str]) -> None:
        rids = tuple(rids)
        unit_keys = tuple(dict.fromkeys(keys[r] for r in rids))
        units.append(Unit(uid, kind, kern, title, rids, unit_keys))

    def same_wording(p: Record) -> list[str]:
        return [o for o in p.also_in if frozenset((p.id, o)) not in curated]

    statements = [r for r in records if r.kind == "uitgangspunt"]
    for p in statements:
        if p.edition == "delphi-2023":
            group = [p.id, *members[p.id]]
            for other in same_wording(p):  # the same principle in other editions
                group += [other, *members.get(other, [])]
            add(p.id, "principle", p.kernelement, p.text, dict.fromkeys(group))
    covered = {rid for u in units for rid in u.record_ids}
    for p in statements:
        if p.id not in covered and p.edition in ("framework-2021", "website-2023"):
            group = [p.id, *members[p.id]]
            for other in same_wording(p):
                group += [other, *members.get(other, [])]
            add(p.id, "principle", p.kernelement, p.text, dict.fromkeys(group))
    themes: dict[int, list[Record]] = defaultdict(list)
    for r in records:
        if r.edition == "review-2021" and r.theme:
            themes[r.theme].append(r)
    for theme, items in sorted(themes.items()):
        title = f"scoping review thema {theme}: {items[0].deelelement}"
        add(f"sr21-t{theme:02d}", "theme", items[0].kernelement, title, (r.id for r in items))
    # a definition, tip or handbook phase is a unit of its own unless a group claims it
    claimed = {
        r.id for r in records for _, _, prefixes in GROUPS.values() if r.id.startswith(prefixes)
    }
    for r in records:
        if r.id in claimed:
            continue
        if r.kind in ("definitie", "tip") or (r.kind == "fase" and r.edition == "handbook-2025"):
            add(r.id, r.kind, r.kernelement, r.text, [r.id])
    for uid, (kind, title, prefixes) in GROUPS.items():
        rids = [r.id for r in records if r.id.startswith(prefixes) and r.kind != "fase"]
        if rids:
            add(uid, kind, by_id[rids[0]].kernelement, title, rids)
    return units


def unit_passage(unit: Unit, by_id: dict[str, Record], max_words: int = 300) -> str:
    """One text for a unit: its statement or title, then its records' texts."""
    parts: list[str] = [unit.title]
    seen = {unit.title}
    for rid in unit.record_ids:
        r = by_id[rid]
        text = f"{r.lead.rstrip(': ')}: {r.text}" if r.lead and r.kind != "uitgangspunt" else r.text
        if text not in seen:
            seen.add(text)
            parts.append(text)
    words = " ".join(p.rstrip(". ") + "." for p in parts).split()
    return " ".join(words[:max_words])


@dataclass(frozen=True)
class BankQuestion:
    id: str
    unit: str
    text: str


def load_bank(path: Path) -> list[BankQuestion]:
    """The question bank: `units: [{unit, questions: [...]}]` → one entry per question."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: list[BankQuestion] = []
    for entry in data.get("units", []):
        for i, q in enumerate(entry.get("questions") or [], 1):
            out.append(BankQuestion(f"bank-{entry['unit']}-{i:02d}", entry["unit"], str(q)))
    return out


def load_out_of_scope(path: Path) -> list[BankQuestion]:
    """Questions the corpus does not answer, by category: `near: {topic: [...]}`,
    `far: {topic: [...]}`, `instructions: [...]`; the unit is `near:<topic>` etc."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: list[BankQuestion] = []
    for side in ("near", "far"):
        for topic, questions in (data.get(side) or {}).items():
            for i, q in enumerate(questions or [], 1):
                out.append(BankQuestion(f"oos-{side}-{topic}-{i:03d}", f"{side}:{topic}", str(q)))
    for i, q in enumerate(data.get("instructions") or [], 1):
        out.append(BankQuestion(f"oos-instruction-{i:03d}", "instruction", str(q)))
    return out
