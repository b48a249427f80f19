"""Explicit tables for the OCR repair of the Delphi report (see `corpus.parse.ocr`).

Everything here was checked against the OCR text of 000_e5573c8f58eccf91.txt: each entry
is a form that occurs there and is wrong there. The generic, lexicon-driven repair in
`ocr.py` handles everything else; these tables only cover what it cannot decide alone
(real words that are wrong in this text, abbreviations, multi-character confusions).
"""

from __future__ import annotations

from typing import Final

# Seed confusions (wrong -> right, cost). Costs below 1.0 are cheaper than a generic edit
# (2.0). Single-character pairs are complemented by pairs learned from the OCR text itself
# (`ocr.confusion_table`); multi-character ones can only come from here.
SEED_CONFUSIONS: Final[tuple[tuple[str, str, float], ...]] = (
    ("o", "a", 0.5),
    ("a", "o", 0.5),
    ("c", "o", 0.6),
    ("c", "a", 0.7),
    ("c", "e", 0.6),
    ("e", "c", 0.8),
    ("o", "c", 0.8),
    ("o", "e", 0.8),
    ("a", "e", 0.9),
    ("e", "a", 0.9),
    ("g", "a", 0.7),
    ("g", "o", 0.9),
    ("q", "g", 0.5),
    ("t", "l", 0.6),
    ("l", "t", 0.8),
    ("f", "j", 0.6),
    ("i", "j", 0.7),
    ("i", "l", 0.7),
    ("l", "i", 0.7),
    ("u", "a", 0.6),
    ("n", "u", 0.7),
    ("u", "n", 0.7),
    ("n", "a", 0.8),
    ("m", "n", 0.8),
    ("n", "m", 0.8),
    ("h", "b", 0.7),
    ("b", "h", 0.8),
    ("k", "h", 0.8),
    ("f", "h", 0.9),
    ("w", "u", 0.9),
    ("v", "u", 0.9),
    ("z", "s", 0.9),
    ("c", "z", 0.9),
    ("rn", "m", 0.5),
    ("rm", "m", 0.5),
    ("mn", "m", 0.6),
    ("nm", "m", 0.6),
    ("m", "rn", 0.6),
    ("ri", "n", 0.6),
    ("ii", "ij", 0.5),
    ("if", "ij", 0.5),
    ("it", "ij", 0.8),
    ("is", "ij", 0.8),
    ("tj", "ij", 0.8),
    ("cl", "d", 0.7),
    ("d", "ö", 0.6),
    ("ti", "ö", 0.6),
    ("od", "ö", 0.7),
    ("é", "ë", 0.3),
    ("e", "ë", 0.5),
    ("i", "ï", 0.5),
    ("é", "è", 0.3),
    ("é", "e", 0.8),
)

# Case-sensitive whole tokens (letters and digits) that are always wrong in the report.
TOKEN_FIXES: Final[dict[str, str]] = {
    "L1SO": "LISO",
    "L1ISO": "LISO",
    "LISC": "LISO",
    "TNG": "TNO",
    "TNQ": "TNO",
    "TNOG": "TNO",
    "Tk": "Ik",
}

# Real Dutch (or English) words that are OCR errors in this report. The generic real-word
# rule in `ocr.py` already catches the rare ones (aon, oan, ock, cok, bif, stagen, kamen);
# these are too frequent in the reference lexicon for it. Lower-case keys; the case of the
# original token is kept.
REAL_WORD_FIXES: Final[dict[str, str]] = {
    "gan": "aan",  # "gan het ontwikkelen", "Sterk gan onze studie"
    "can": "aan",  # "can te pokken", "wordt can gezamenlijke doelen"
    "von": "van",  # "de stand von de wetenschap"
    "dot": "dat",  # "Zorg ervoor dot alle", "het risico dot leden"
    "pokken": "pakken",  # "aan te pokken"
    "za": "zo",  # "Richt het leernetwerk za in"
    "ap": "op",  # "de randvoorwaarden ap orde"
    "lien": "tien",  # "De lien meest relevantie uitgangspunten"
    "fuse": "fase",  # "fuse waarin het project zich verkeert"
    "gl": "al",  # "de gl bestaande uitgangspunten"
    "dota": "data",  # "waarbij dota worden verzameld"
}

# Regex rewrites on running text, applied before the token repair. Checked one by one.
PHRASE_FIXES: Final[tuple[tuple[str, str], ...]] = (
    (r"\bo\.q\.", "o.a."),  # "Deelnemers zijn o.q. werkzaam"
    (r"\be\.q\.,", "e.a.,"),  # "(vVan der Klauw e.q., 2015"
    (r"\ba\.bw\.", "o.b.v."),  # "gefarmuleerd a.bw. suggesties"
    (r"\bis 0\.0 goede\b", "is o.a. goede"),  # "Wat ... nog mist is 0.0 goede voorbeelden"
    (r"\bronde Z\b", "ronde 2"),  # "Resultaten ronde Z"
    (r"\bcruciate rot\b", "cruciale rol"),  # "hebben een cruciate rot in het stagen"
    (r"\bHet hij elkaar\b", "Het bij elkaar"),  # "Het hij elkaar brengen van expertises"
    (r"\bDeze ruimte Is\b", "Deze ruimte is"),
    (r"\bgestoten beurzer\b", "gesloten beurzen"),  # "(gefinancierd en 'met gestoten beurzer')"
    (r"\(k\)", "(E)"),  # "fase van implementatie … (k)": the website prints (E)
    (r"\(&\)", "(8)"),  # "inspireert leden ook in het werk in het algemeen (&)": reference 8
    (r"\bLowerken\b", "werken"),  # "..werken aan consensus": the ".." glyph read as "Lo"
    (r"\bRogers, 15962\b", "Rogers, 1962"),
    (r"\bEdmondson, 1599\b", "Edmondson, 1999"),
    (r"niet-leden\s+8\)", "niet-leden (8)"),  # the opening bracket lost
    (r"\bledereen\b", "Iedereen"),  # "ledereen sluit vanuit een ander perspectief aan"
    (r"\bdalle organisaties\b", "alle organisaties"),  # "Hieronder verstaan we dalle …"
    (r"\bZjj\b", "Zij"),  # "Zjj kunnen op persoonlijke titel deelnemen"
    (r"\bbehoort\{oog\b", "behoort oog"),  # "Een trekker behoort{oog te hebben"
    (r"\(vVan der Klauw\b", "(Van der Klauw"),
    (r"\bmaack\b", "maak"),  # "; maack een analyse of de potentiële leden"
    (r"\btherma\b", "thema"),  # "het therma van het leernetwerk"
)
