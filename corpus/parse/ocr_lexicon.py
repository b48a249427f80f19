"""The OCR repair's knowledge of Dutch: word lists (wordfreq plus the clean documents),
frequencies, and which words are known (in the lexicon, or a compound or regular
inflection of lexicon words). Built lazily on first use and cached; see `ocr`."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from pathlib import Path
from typing import Final

SOURCES_DIR: Final = Path(__file__).resolve().parent.parent / "sources"
# The OCR'd sources; every other `*.txt` in SOURCES_DIR is clean reference text.
OCR_SOURCES: Final = frozenset({"000_e5573c8f58eccf91.txt"})

# --- tunables (Zipf scale: 7 = "de", 3 = once per million words) --------------------------
GENERIC_COST: Final = 2.0  # any single insertion, substitution or transposition
CHEAP_COST: Final = 1.0  # edits at most this expensive may be chained (two-step candidates)
MIN_WEIGHT: Final = 1.5  # a correction must be at least this frequent
NAME_WEIGHT: Final = 3.5  # ... and this frequent when a capitalised token may be a name
COMPOUND_WEIGHT: Final = 2.0  # prior of a correction known only as a compound
REAL_WORD_MAX_ZIPF: Final = 2.5  # a known word rarer than this may be an OCR error ...
REAL_WORD_GAP: Final = 2.5  # ... of a confusion twin this much more frequent
STRONG_ZIPF: Final = 3.5  # "clearly a word" when learning confusions
PART_ZIPF: Final = 3.0  # compound parts of >= 6 letters (+0.5 for 4-5 letters)
SHORT_PART_ZIPF: Final = 4.5  # three-letter compound parts (rol, dag, weg)
WEAK_PART_LEN: Final = 6  # a rarer word may be one part of a compound if this long ...
WEAK_PART_ZIPF: Final = 1.5  # ... and this frequent ("kennis|benutting")
ENGLISH_MARGIN: Final = 1.0  # parts this much more frequent in English are not parts
ENGLISH_ZIPF: Final = 2.5  # English words this frequent are not "corrected" into Dutch
ALPHABET: Final = "abcdefghijklmnopqrstuvwxyzéëïöü"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that never form part of a compound and may be glued to a neighbour by the OCR
# ("Eris" = "Er is", "Inronde" = "In ronde", "Eenleernetwerk" = "Een leernetwerk").
FUNCTION_WORDS: Final = _words(
    "de het een er in is en van op te om aan dat die met zijn of als ze we je hij zij wij "
    "dan maar ook niet nog wel naar door voor over bij tot uit wat hoe wordt werd"
)
SPLIT_BEFORE: Final = _words("er in is een zijn de het en van op te om aan dat die met")
SPLIT_AFTER: Final = _words("in is zijn een van op om aan dat die met het")
# Particles of separable verbs ("mee|bewogen"); "in" is left out so "Inronde" still splits.
PARTICLES: Final = tuple(
    sorted(
        _words(
            "aan af bij door mee na om onder op over toe uit voor weg samen terug tegen "
            "achter vast los neer rond voort"
        )
    )
)
# (suffix, minimum stem length): regular inflections and derivations of a known stem
INFLECTIONS: Final = (
    ("d", 6),
    ("de", 6),
    ("e", 5),
    ("s", 5),
    ("ere", 5),
    ("heid", 5),
    ("heden", 5),
)
PLURALS: Final = (("en", 4), ("s", 4))  # only for the head of a compound
DIAERESES: Final = {"e": "ë", "é": "ëè", "è": "ë", "i": "ï", "o": "ö", "u": "ü"}

WORD_RE: Final = re.compile(r"[^\W\d_]+")  # runs of letters (the tokens the metrics count)
TOKEN_RE: Final = re.compile(r"[^\W_]+")  # runs of letters and digits (the tokens repaired)
URL_RE: Final = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:nl|com|org|net|eu|be)\b(?:/\S*)?", re.IGNORECASE
)
# spans repair_text leaves alone: URLs and markup such as the superscript "3^{de}"
PROTECTED_RE: Final = re.compile(rf"{URL_RE.pattern}|\^\{{[^{{}}]*\}}", re.IGNORECASE)


# --- word lists ----------------------------------------------------------------------------
def _source_texts(ocr: bool) -> list[str]:
    paths = sorted(SOURCES_DIR.glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths if (p.name in OCR_SOURCES) == ocr]


def _zipf_buckets(lang: str, min_zipf: float) -> dict[str, float]:
    """wordfreq's list as word -> Zipf frequency (bucket i holds Zipf 9 - i/100)."""
    from wordfreq import get_frequency_list  # heavy: imported on first use only

    table: dict[str, float] = {}
    for i, bucket in enumerate(get_frequency_list(lang, wordlist="large")):
        value = 9.0 - i / 100
        if value < min_zipf:
            break
        for word in bucket:
            if word.isalpha():
                table.setdefault(word, value)
    return table


@functools.lru_cache(maxsize=1)
def _zipf_table() -> dict[str, float]:
    return _zipf_buckets("nl", 0.0)


@functools.lru_cache(maxsize=1)
def _english_zipf_table() -> dict[str, float]:
    return _zipf_buckets("en", ENGLISH_ZIPF)


@functools.lru_cache(maxsize=1)
def clean_counts() -> Counter[str]:
    """Lower-cased word counts of the clean documents (letter runs and hyphenated forms)."""
    counts: Counter[str] = Counter()
    for text in _source_texts(ocr=False):
        counts.update(w.lower() for w in WORD_RE.findall(text))
        counts.update(m.lower() for m in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)+", text))
    return counts


@functools.lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """Lower-cased known words: wordfreq's Dutch list plus the clean documents' vocabulary."""
    return frozenset(_zipf_table()) | frozenset(clean_counts())


@functools.lru_cache(maxsize=1)
def _ocr_vocabulary() -> frozenset[str]:
    """Lower-cased words of the OCR'd sources as they stand (attestation for compounds)."""
    text = _dehyphenate_plain("\n".join(_source_texts(ocr=True)))
    return frozenset(w.lower() for w in WORD_RE.findall(text))


@functools.lru_cache(maxsize=1)
def _mixed_case_forms() -> dict[str, str]:
    """Lower-cased word -> its spelling in the clean documents when that has inner capitals."""
    forms: dict[str, str] = {}
    for text in _source_texts(ocr=False):
        for w in WORD_RE.findall(text):
            if not w[1:].islower() and not w.isupper():
                forms.setdefault(w.lower(), w)
    return forms


def _dehyphenate_plain(text: str) -> str:
    return re.sub(r"([^\W\d_])-\n([a-zà-ÿ])", r"\1\2", text)


def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of a lower-cased Dutch word (0.0 when unknown)."""
    return _zipf_table().get(word, 0.0)


def _weight(word: str) -> float:
    """Prior for a correction: Zipf frequency, lifted for words the clean documents use."""
    n = clean_counts().get(word, 0)
    return max(zipf(word), 3.0 + math.log10(1 + n)) if n else zipf(word)


def _is_english(word: str) -> bool:
    return _english_zipf_table().get(word, 0.0) >= ENGLISH_ZIPF and word not in lexicon()


# --- known words: lexicon, compounds, inflections -------------------------------------------
@functools.lru_cache(maxsize=1)
def _compound_parts() -> frozenset[str]:
    """Words that may form a compound: domain words and frequent Dutch words.

    Words far more frequent in English ("read", "some") are left out: the Dutch list holds
    them from code-switching, and they would let OCR garbage pass as a compound.
    """
    english = _english_zipf_table()
    general = {
        w
        for w, z in _zipf_table().items()
        if len(w) >= 3 and z >= _part_zipf(len(w)) and english.get(w, 0.0) <= z + ENGLISH_MARGIN
    }
    domain = {w for w in clean_counts() if "-" not in w and len(w) >= 4}
    return frozenset(general | domain) - FUNCTION_WORDS


def _part_zipf(length: int) -> float:
    """Short parts must be frequent: "rol", "dag" yes; "toes", "ming" no."""
    if length == 3:
        return SHORT_PART_ZIPF
    return PART_ZIPF + 0.5 if length <= 5 else PART_ZIPF


def _part_strength(part: str) -> int:
    """2: a compound part, 1: a rarer but long lexicon word, 0: neither."""
    if part in _compound_parts():
        return 2
    return int(
        len(part) >= WEAK_PART_LEN and (zipf(part) >= WEAK_PART_ZIPF or part in clean_counts())
    )


def _left_strength(left: str) -> int:
    best = _part_strength(left)
    for link in ("s", "en"):  # Dutch linking morphemes: samenwerking-s-verband
        if left.endswith(link):
            best = max(best, _part_strength(left[: -len(link)]))
    return best


def _head_strength(right: str, depth: int) -> int:
    if _is_inflected(right, PLURALS) or (depth == 0 and is_compound(right, 1)):
        return 2
    return _part_strength(right)


@functools.lru_cache(maxsize=200_000)
def is_compound(word: str, depth: int = 0) -> bool:
    """Whether a lower-cased word splits into known words: "kennis|product",
    "samenwerking|s|verband", "leiderschap|s|rol", "mee|bewogen".

    Both parts must be compound parts, or one a compound part and the other a rarer long
    lexicon word ("kennis|benutting"); a third part is allowed by recursion on the head.
    """
    if len(word) < 8 or not word.isalpha():
        return False
    for i in range(4, len(word) - 2):
        left = _left_strength(word[:i])
        head = _head_strength(word[i:], depth) if left else 0
        if head and left + head >= (4 if depth else 3):
            return True
    return _is_particle_word(word, depth)


def _is_particle_word(word: str, depth: int) -> bool:
    """A separable-verb particle plus a known word: "meebewogen", "opvoedproblemen"."""
    for particle in PARTICLES:
        rest = word[len(particle) :]
        if not word.startswith(particle) or len(rest) < 4:
            continue
        if _weight(rest) >= 2.5 or (depth == 0 and is_compound(rest, 1)):
            return True
    return False


def _is_inflected(word: str, extra: tuple[tuple[str, int], ...] = ()) -> bool:
    """A regular inflection of a known word: "enthousiasmerend", "geleerdere",
    "bestendigheid" (plus plurals when `extra` is `PLURALS`)."""
    for suffix, min_stem in INFLECTIONS + extra:
        stem = word[: -len(suffix)]
        if not word.endswith(suffix) or len(stem) < min_stem:
            continue
        if suffix.startswith("d") and not stem.endswith("en"):
            continue  # present participle: infinitive + d
        if _weight(stem) >= 2.0:
            return True
    return False


def is_known(word: str) -> bool:
    """In the lexicon (case-insensitive), a compound of known words or an inflection."""
    w = word.lower()
    return w in lexicon() or is_compound(w) or _is_inflected(w)


def _is_domain_compound(word: str) -> bool:
    """Two words of the clean documents, possibly with a linking s/en: "kennis|werkplaats"."""
    clean = clean_counts()
    for i in range(4, len(word) - 3):
        left, right = word[:i], word[i:]
        stems = (
            left,
            left[:-1] if left.endswith("s") else "",
            left[:-2] if left.endswith("en") else "",
        )
        if right in clean and any(len(st) >= 4 and st in clean for st in stems):
            return True
    return False


def _compound_ok(word: str, capitalised: bool) -> bool:
    """Whether an unlisted compound may serve as a correction. For a capitalised token
    (maybe a name) it must be attested: two clean-document words, or a word the OCR'd
    report itself spells this way elsewhere ("Cntwikkelfases" -> "Ontwikkelfases")."""
    if not is_compound(word):
        return False
    return not capitalised or word in _ocr_vocabulary() or _is_domain_compound(word)
