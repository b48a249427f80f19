"""Which record ids changed between two builds of `corpus/principles.jsonl`, by text.

Working-element ids are positional (`…-we03`): where a glued list is split into its
items, or a lead that was taken for an item becomes a lead again, the ids after it shift.
`corpus/id_changes.yaml` maps every old id whose record is no longer the same to the new
id(s) that now hold its text, so evaluation gold and other references can be remapped
with `remap`. Written by

    python -m corpus.id_changes BASE_COMMIT > corpus/id_changes.yaml

(BASE_COMMIT: a commit whose corpus/principles.jsonl is the old build).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from corpus.parse.common import similarity
from corpus.record import Record
from corpus.text import plain

PATH = Path(__file__).resolve().parent / "id_changes.yaml"


@dataclass(frozen=True)
class Change:
    old: str
    new: tuple[str, ...]
    reused: bool  # the old id still exists but names another text now
    text: str  # the old text, abridged


def _words(text: str) -> set[str]:
    return set(plain(text).split())


def _same(a: str, b: str) -> bool:
    """The same record: nearly the same text, or one holds nearly all of the other
    (a lead or label split off: "Kenmerken De initiator …" -> "De initiator …")."""
    if similarity(a, b) >= 0.85:
        return True
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    small, large = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return len(small & large) / len(small) >= 0.9 and len(small) / len(large) >= 0.7


def _holds(old: str, new: str) -> bool:
    """The new text is (mostly) a part of the old one, or the other way round."""
    wo, wn = _words(old), _words(new)
    if not wo or not wn:
        return False
    shared = len(wo & wn)
    return shared / len(wn) >= 0.6 or shared / len(wo) >= 0.6


def changes(old: Sequence[Record], new: Sequence[Record]) -> list[Change]:
    by_id = {r.id: r for r in new}
    by_file: dict[str, list[Record]] = {}
    for r in new:
        by_file.setdefault(r.source.file, []).append(r)
    out = []
    for o in old:
        n = by_id.get(o.id)
        if n is not None and _same(o.text, n.text):
            continue
        pool = [
            r
            for r in by_file.get(o.source.file, [])
            if (r.kind == "uitgangspunt") == (o.kind == "uitgangspunt")
        ]
        overlap = [
            r
            for r in pool
            if r.source.line_start <= o.source.line_end
            and o.source.line_start <= r.source.line_end
            and _holds(o.text, r.text)
        ]
        same_kind = [r for r in overlap if r.kind == o.kind]
        overlap = same_kind or overlap
        if not overlap:
            # the old record was a lead taken for an item: the items it now leads
            overlap = [
                r
                for r in pool
                if r.lead and r.principle_id == o.principle_id and _holds(o.text, r.lead)
            ]
        if not overlap:
            scored = sorted(pool, key=lambda r: -similarity(o.text, r.text))
            overlap = [r for r in scored[:1] if similarity(o.text, r.text) >= 0.5]
        targets = tuple(r.id for r in sorted(overlap, key=lambda r: (r.source.line_start, r.id)))
        out.append(Change(o.id, targets, n is not None, o.text[:90]))
    return out


def to_yaml(found: Iterable[Change], base: str) -> str:
    found = list(found)
    head = (
        f"# Record ids whose record changed in the corpus-fidelity rebuild (old build: the\n"
        f"# corpus/principles.jsonl of commit {base}), mapped by text and source lines to the\n"
        "# new ids that hold that text now. Written by `python -m corpus.id_changes BASE`.\n"
        "# gone:   the old id no longer exists\n"
        "# reused: the old id exists, but names another text now (positional ids shifted)\n"
        "# An old record that was a lead taken for an item maps to the items it now leads.\n"
        "# Every other old id still names the same record.\n"
    )
    data = {
        "base": base,
        "gone": {c.old: list(c.new) for c in found if not c.reused},
        "reused": {c.old: list(c.new) for c in found if c.reused},
    }
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def load(path: Path = PATH) -> dict[str, list[str]]:
    """old id -> new ids, for every id in the file (gone and reused)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {**(data.get("gone") or {}), **(data.get("reused") or {})}


def remap(ids: Iterable[str], path: Path = PATH) -> list[str]:
    """Old record ids -> current ones (an id that did not change maps to itself)."""
    table = load(path)
    out: list[str] = []
    for i in ids:
        out += table.get(i, [i])
    return list(dict.fromkeys(out))


def _records_at(commit: str) -> list[Record]:
    text = subprocess.run(
        ["git", "show", f"{commit}:corpus/principles.jsonl"],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    return [Record.model_validate(_upgrade(json.loads(x))) for x in text.splitlines() if x.strip()]


def _upgrade(row: dict) -> dict:
    row.setdefault("role", None)
    return row


def main(argv: list[str]) -> int:
    from corpus.build import read_jsonl

    base = argv[0] if argv else "HEAD"
    old = _records_at(base)
    new = read_jsonl(Path(__file__).resolve().parent / "principles.jsonl")
    sys.stdout.write(to_yaml(changes(old, new), base))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
