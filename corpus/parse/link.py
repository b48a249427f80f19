"""Link the same principle across documents.

The Delphi report's Bijlage 3 wording is canonical. The 2021 framework's numbered
principles and the website's themes are matched to it by wording; a scoping-review
theme is matched by voting: each of its factors picks the Delphi working element or
principle it resembles most, and the theme goes to the principle with most support.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import yaml

from corpus.parse.common import ParseError, similarity
from corpus.parse.records import Draft
from corpus.text import plain

PRINCIPLE_THRESHOLD = 0.5
THEME_THRESHOLD = 0.45


def link(drafts: list[Draft]) -> dict[str, list[str]]:
    """Set also_in / principle links in place; return what stayed unlinked, per kind."""
    d23 = [d for d in drafts if d.edition == "delphi-2023" and d.kind == "uitgangspunt"]
    unlinked: dict[str, list[str]] = defaultdict(list)
    for other in ("framework-2021", "website-2023"):
        for p in (d for d in drafts if d.edition == other and d.kind == "uitgangspunt"):
            text = p.text
            best = max(d23, key=lambda c: similarity(text, c.text))
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
    link_same_texts(drafts)
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
    """Each review theme goes to the Delphi principle with the most support: its factors
    vote for the principle of the Delphi working element each resembles most (in any
    core element: the review files "Machtverhouding en conflicten" under Synergie, the
    Delphi report under Organisatie; half a vote for a factor repeated under another
    theme), its title counts where its words name a principle
    (statement, sub-element or a list's lead: "Randvoorwaarden voor leren:"), and a
    principle of the theme's own core element gets a small bonus."""
    d23_ids = {p.id for p in d23}
    evidence = [d for d in drafts if d.edition == "delphi-2023" and d.principle_id in d23_ids]
    ev_tokens = [(e, _tokens(e.text)) for e in evidence]
    leads: dict[str, set[str]] = defaultdict(set)
    for e in evidence:
        if e.lead:
            leads[e.principle_id].add(plain(e.lead))
    by_theme: dict[int, list[Draft]] = defaultdict(list)
    for d in drafts:
        if d.edition == "review-2021" and d.theme:
            by_theme[d.theme].append(d)
    principles = {p.id: p for p in d23}
    common = _common_words([p.text for p in d23])
    themes_of: dict[str, set[int]] = defaultdict(set)
    for theme, items in by_theme.items():
        for item in items:
            themes_of[plain(item.text)].add(theme)
    for theme, items in sorted(by_theme.items()):
        votes: dict[str, float] = defaultdict(float)
        for item in items:
            score, best = _best_match(item.text, ev_tokens)
            if best is not None and score >= THEME_THRESHOLD:
                # a factor the factsheet repeats word for word under another theme (17 and
                # 18, 20 and 21) says less about this theme: half a vote
                weight = 0.5 if len(themes_of[plain(item.text)]) > 1 else 1.0
                votes[best.principle_id] += weight * score
        title, kern = items[0].deelelement, items[0].kernelement
        for p in d23:
            votes[p.id] += 2.0 * _title_score(title, p, leads[p.id], common)
            if p.kernelement == kern:
                votes[p.id] += SAME_KERN_BONUS
        pid, score = max(votes.items(), key=lambda kv: (kv[1], kv[0]))
        if score < THEME_THRESHOLD:
            unlinked["review-2021"].append(f"theme {theme}")
            continue
        target = principles[pid]
        if target.theme is None:
            target.theme = theme
        for item in items:
            item.principle, item.principle_id = target.text, target.id


SAME_KERN_BONUS = 0.5


def _tokens(text: str) -> set[str]:
    return set(plain(text).split())


def _best_match(text: str, candidates: list[tuple[Draft, set[str]]]) -> tuple[float, Draft | None]:
    """The most similar candidate; the full similarity only where the words overlap."""
    toks = _tokens(text)
    best, best_score = None, 0.0
    for cand, ctoks in candidates:
        if not toks or not ctoks or 2 * len(toks & ctoks) / (len(toks) + len(ctoks)) < 0.25:
            continue
        score = similarity(text, cand.text)
        if score > best_score:
            best, best_score = cand, score
    return best_score, best


def _common_words(statements: list[str]) -> set[str]:
    """Words in more than a fifth of the statements ("leernetwerk") name nothing."""
    counts: Counter[str] = Counter(w for s in statements for w in set(plain(s).split()))
    return {w for w, n in counts.items() if n > len(statements) / 5}


def _title_score(title: str, p: Draft, leads: set[str], common: set[str]) -> float:
    """How well a theme title names a principle: 1.5 when the statement starts with it
    ("Tevredenheid") or it is the principle's sub-element ("Onderhoud"), 1.0 when it is a list's lead of the principle ("Randvoorwaarden
    voor leren"), else the share of its words that begin a word of the statement or the
    sub-element ("Financiële prikkels": "financiële" in "… de financiële gevolgen …")."""
    ft = plain(title)
    if plain(p.text).startswith(ft) or plain(p.deelelement) == ft:
        return 1.5
    if any(lead.startswith(ft) for lead in leads):
        return 1.0
    words = [w for w in ft.split() if len(w) > 3 and w not in common]
    if not words:
        return 0.0
    named = plain(f"{p.text} {p.deelelement}").split()
    return sum(1 for w in words if any(n.startswith(w) for n in named)) / len(words)


# --- the same text in several places ---------------------------------------------------------

TEXT_THRESHOLD = 0.9
_LINKED_KINDS = ("werkzaam_element", "toelichting", "bevorderend", "belemmerend", "fase")


def link_same_texts(drafts: list[Draft]) -> int:
    """`also_in` between records that say the same: a working element of the 2021 framework,
    the Delphi report and the website; a factor the review lists under two themes; the
    one Delphi principle Bijlage 3 lists under two core elements. Same text: similarity of
    at least 0.9 after folding, among records whose first words agree. Returns the number
    of links made."""
    blocks: dict[tuple[str, ...], list[Draft]] = defaultdict(list)
    for d in drafts:
        if d.kind in _LINKED_KINDS or d.kind == "uitgangspunt":
            words = plain(d.text).split()
            blocks[tuple(words[:4])].append(d)
    made = 0
    for group in blocks.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if (a.kind == "uitgangspunt") != (b.kind == "uitgangspunt"):
                    continue
                if a.kind == "uitgangspunt" and a.edition != b.edition:
                    continue  # principles across editions: `link` and successors.yaml
                if b.id in a.also_in or similarity(a.text, b.text) < TEXT_THRESHOLD:
                    continue
                a.also_in.append(b.id)
                b.also_in.append(a.id)
                made += 1
    return made
