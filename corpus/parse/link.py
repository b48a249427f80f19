"""Link the same principle across documents.

The Delphi report's Bijlage 3 wording is canonical. The 2021 framework's numbered
principles and the website's themes are matched to it by wording; a scoping-review
theme is matched by voting: each of its factors picks the Delphi working element or
principle it resembles most, and the theme goes to the principle with most support.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from corpus.parse.common import ParseError, similarity
from corpus.parse.records import Draft

PRINCIPLE_THRESHOLD = 0.5
THEME_THRESHOLD = 0.45


def link(drafts: list[Draft]) -> dict[str, list[str]]:
    """Set also_in / principle links in place; return what stayed unlinked, per kind."""
    d23 = [d for d in drafts if d.edition == "delphi-2023" and d.kind == "uitgangspunt"]
    unlinked: dict[str, list[str]] = defaultdict(list)
    for other in ("framework-2021", "website-2023"):
        for p in (d for d in drafts if d.edition == other and d.kind == "uitgangspunt"):
            best = max(d23, key=lambda c, p=p: similarity(p.text, c.text))
            if similarity(p.text, best.text) < PRINCIPLE_THRESHOLD:
                unlinked[other].append(p.id)
                continue
            p.also_in.append(best.id)
            best.also_in.append(p.id)
            p.delphi = best.delphi
            p.phase = p.phase or best.phase
            if p.kernelement != best.kernelement and other == "website-2023":
                p.kernelement = best.kernelement
    _link_curated(drafts, unlinked)
    # phases of website items follow their principle
    by_id = {d.id: d for d in drafts}
    for d in drafts:
        if d.edition == "website-2023" and d.kind != "uitgangspunt" and d.principle_id:
            d.phase = by_id[d.principle_id].phase
    _link_review(drafts, d23, unlinked)
    return dict(unlinked)


CURATED = Path(__file__).resolve().parent.parent / "successors.yaml"


def _link_curated(drafts: list[Draft], unlinked: dict[str, list[str]]) -> None:
    """The hand-checked links of corpus/successors.yaml (2021 principles whose wording
    changed too much for the automatic match)."""
    by_id = {d.id: d for d in drafts}
    data = yaml.safe_load(CURATED.read_text(encoding="utf-8")) or {}
    for entry in data.get("links", []):
        a, b = by_id.get(entry["from"]), by_id.get(entry["to"])
        if a is None or b is None:
            raise ParseError(f"{CURATED.name}: unknown id in {entry}")
        if b.id not in a.also_in:
            a.also_in.append(b.id)
            b.also_in.append(a.id)
        if b.delphi and not a.delphi:
            a.delphi = b.delphi
        if a.id in unlinked.get(a.edition, []):
            unlinked[a.edition].remove(a.id)


def _link_review(drafts: list[Draft], d23: list[Draft], unlinked: dict[str, list[str]]) -> None:
    d23_ids = {p.id for p in d23}
    evidence = [d for d in drafts if d.edition == "delphi-2023" and d.principle_id in d23_ids]
    by_theme: dict[int, list[Draft]] = defaultdict(list)
    for d in drafts:
        if d.edition == "review-2021" and d.theme:
            by_theme[d.theme].append(d)
    principles = {p.id: p for p in d23}
    for theme, items in sorted(by_theme.items()):
        votes: dict[str, float] = defaultdict(float)
        # a theme belongs under a principle of its own core element when one fits
        kern = items[0].kernelement
        same = [e for e in evidence if principles[e.principle_id].kernelement == kern]
        for item in items:
            scored = max(
                ((similarity(item.text, e.text), e) for e in (same or evidence)),
                key=lambda se: se[0],
            )
            if scored[0] >= THEME_THRESHOLD:
                votes[scored[1].principle_id] += scored[0]
        pool = [p for p in d23 if p.kernelement == kern] or d23
        title = items[0].deelelement
        title_best = max(pool, key=lambda p: _title_score(title, p.text))
        votes[title_best.id] += 2.0 * _title_score(title, title_best.text)
        phase = items[0].phase
        for p in pool:
            if phase and p.phase == phase:
                votes[p.id] += 1.5  # the review's phase rows belong to that phase
        pid, score = max(votes.items(), key=lambda kv: kv[1])
        if score < THEME_THRESHOLD:
            unlinked["review-2021"].append(f"theme {theme}")
            continue
        target = principles[pid]
        if target.theme is None:
            target.theme = theme
        for item in items:
            item.principle, item.principle_id = target.text, target.id


def _title_score(title: str, statement: str) -> float:
    """A theme title that starts a principle's statement names it ("Tevredenheid")."""
    from corpus.parse.common import fold

    if fold(statement).startswith(fold(title)):
        return 1.0
    return similarity(title, statement)
