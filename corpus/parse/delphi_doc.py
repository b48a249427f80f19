"""The Delphi report (2023) as a document: its file, title and edition, the short names
of the core elements used in ids, and how a statement is matched to a principle."""

from __future__ import annotations

import re

from corpus.parse.common import similarity
from corpus.parse.records import Draft
from corpus.text import plain

FILE = "000_e5573c8f58eccf91.txt"
TITLE = "Een Delphi-studie ter aanvulling van de uitgangspunten en werkzame elementen van het LISO-framework"
EDITION = "delphi-2023"
KERN_SHORT = {
    "Community context": "cc",
    "Leernetwerk": "lnw",
    "Organisatie": "org",
    "Synergie": "syn",
    "Opbrengsten": "opb",
    "Kennistransfer van opbrengsten": "kt",
    "Leren zichtbaar maken": "lzm",
    "Ontwikkelfasen": "of",
}
MATCH_THRESHOLD = 0.55


def match_score(text: str, principle: str) -> float:
    """How well a (possibly longer or abbreviated) statement names a principle."""
    ft, fp = plain(text), plain(principle)
    if ft and fp.startswith(ft):
        return 1.0  # "Tevredenheid" names "Tevredenheid over het leernetwerk hangt af ..."
    first = re.split(r"(?<=[.!?])\s+", text)[0]
    return max(similarity(text, principle), similarity(first, principle))


def best(text: str, candidates: list[Draft]) -> tuple[Draft, float]:
    scored = [(match_score(text, c.text), c) for c in candidates]
    score, found = max(scored, key=lambda sc: sc[0])
    return found, score
