"""OCR repair of the Delphi report: noise lines, de-hyphenation and lexicon-driven token repair.

The Delphi report (000_e5573c8f58eccf91.txt) is the OCR of a PDF. This module turns its
lines back into clean Dutch text, as code that can be re-run on a new edition:

* `is_noise_line` recognises page numbers, running headers/footers, lone URLs and bullets;
* `join_lines` joins a paragraph's lines, undoing line-end hyphenation with the lexicon;
* `repair_text` repairs letter confusions ("socioal", "vraogstuk", "L1SO") and brackets;
* `lexicon`, `oov_rate` and `ocr_report` measure how much unknown vocabulary is left.

The lexicon is wordfreq's Dutch word list plus the vocabulary of the four clean documents
(domain words such as leernetwerk, kernelement, kennistransfer). Dutch writes compounds as
one word, so `is_known` also accepts compounds and regular inflections of lexicon words.

A token that is already known is never changed, except by the explicit tables in
`ocr_fixes` and two narrow rules for real words that are OCR errors: a missing diaeresis
("financiéle" -> "financiële") and a rare word one confusion away from a far more frequent
one ("aon" -> "aan", "ock" -> "ook"). Unknown tokens get candidates from a confusion table
(seeded in `ocr_fixes`, extended with pairs learned from the OCR text itself) and generic
single edits; a candidate must be known and frequent enough for its edit cost. Capitalised
tokens may be names and get stricter rules; ALL-CAPS tokens, numbers and URLs are left alone.

Everything heavy (word lists, tables) is built lazily on first use and cached.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from difflib import SequenceMatcher
from pathlib import Path
from typing import Final

from corpus.parse.ocr_fixes import PHRASE_FIXES, REAL_WORD_FIXES, SEED_CONFUSIONS, TOKEN_FIXES

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


# --- noise lines ---------------------------------------------------------------------------
_RUNNING_HEADER: Final = (
    "een delphi studie ter aanvulling van de uitgangspunten en werkzame elementen mbt het"
)
_FOOTER_RE: Final = re.compile(r"^LISO[- ]?framew\w{0,3}rk$", re.IGNORECASE)
_NUMBER_LINE_RE: Final = re.compile(r"^\d{1,3}(?:[.,]\d{1,3})*[.,]?$")
_URL_LINE_RE: Final = re.compile(r"^(?:https?://|www\.)[^\s()]+$", re.IGNORECASE)
_GLYPH_LINE_RE: Final = re.compile(r"^[eoO«»+=*•·|\-–—.,:;_~]{1,3}$")
_DEBRIS_RE: Final = re.compile(r"[(){}\[\]]|[^\W\d_]{3}")
_BULLET_RE: Final = re.compile(r"^\s*(?:[eoO«»+=*•·]\s+|\.{1,3}\s*(?=[^\W\d_]))")


def is_noise_line(line: str) -> bool:
    """Page numbers, running headers/footers, lone URLs and lone bullet glyphs.

    Blank lines are not noise: they separate paragraphs.
    """
    s = line.strip()
    if not s:
        return False
    if any(rx.match(s) for rx in (_NUMBER_LINE_RE, _URL_LINE_RE, _GLYPH_LINE_RE, _FOOTER_RE)):
        return True
    letters = " ".join(WORD_RE.findall(s.lower()))
    if letters.startswith("een delphi"):
        return SequenceMatcher(None, letters, _RUNNING_HEADER).ratio() >= 0.8
    # short debris without a word and without a reference bracket ("Pl", "oo N", "4y,")
    return len(s) <= 4 and not _DEBRIS_RE.search(s)


def strip_bullet(line: str) -> str:
    """The line without a leading bullet glyph ("e ", "o ", "O ", "«", "»", "+", "=", "*")."""
    return _BULLET_RE.sub("", line, count=1)


def split_paragraphs(raw_text: str) -> list[list[str]]:
    """Blank-line separated groups of non-noise lines.

    A group that starts lower-case continues the previous one when that one stops
    mid-sentence (page breaks and double-spaced passages of the OCR).
    """
    groups: list[list[str]] = []
    current: list[str] = []
    for line in [*raw_text.splitlines(), ""]:
        if not line.strip():
            if current:
                groups.append(current)
                current = []
        elif not is_noise_line(line):
            current.append(line)
    paragraphs: list[list[str]] = []
    for group in groups:
        if paragraphs and _continues(paragraphs[-1][-1], group[0]):
            paragraphs[-1].extend(group)
        else:
            paragraphs.append(group)
    return paragraphs


def _continues(last: str, first: str) -> bool:
    end, start = last.rstrip(), strip_bullet(first).lstrip()
    return start[:1].islower() and not end.endswith((".", "!", "?", ":", ";"))


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


# --- confusion table -----------------------------------------------------------------------
def _single_substitutions(word: str) -> Iterator[tuple[str, str, str]]:
    for i, ch in enumerate(word):
        for r in ALPHABET:
            if r != ch:
                yield word[:i] + r + word[i + 1 :], ch, r


def learn_confusions(text: str, min_count: int = 3, min_types: int = 2) -> Counter[tuple[str, str]]:
    """Character confusions (wrong, right) seen in the unknown tokens of an OCR text.

    A token votes for a pair when exactly one single-character substitution turns it into
    a clearly known word; pairs with enough votes from enough distinct tokens are kept.
    """
    clean = clean_counts()
    votes: Counter[tuple[str, str]] = Counter()
    types: Counter[tuple[str, str]] = Counter()
    tokens = Counter(w.lower() for w in WORD_RE.findall(_dehyphenate_plain(text)) if len(w) >= 3)
    for word, n in tokens.items():
        if is_known(word):
            continue
        found = {
            (a, b)
            for cand, a, b in _single_substitutions(word)
            if clean.get(cand) or zipf(cand) >= STRONG_ZIPF
        }
        if len(found) == 1:
            pair = found.pop()
            votes[pair] += n
            types[pair] += 1
    return Counter({p: n for p, n in votes.items() if n >= min_count and types[p] >= min_types})


@functools.lru_cache(maxsize=1)
def confusion_table() -> dict[str, tuple[tuple[str, float], ...]]:
    """wrong -> ((right, cost), ...): the seed table plus pairs learned from the OCR sources."""
    costs: dict[tuple[str, str], float] = {(a, b): c for a, b, c in SEED_CONFUSIONS}
    for (a, b), n in learn_confusions("\n".join(_source_texts(ocr=True))).items():
        learned = max(0.4, 1.0 - 0.1 * math.log2(n))
        costs[(a, b)] = min(costs.get((a, b), 1.0), learned)
    table: dict[str, list[tuple[str, float]]] = {}
    for (a, b), c in costs.items():
        table.setdefault(a, []).append((b, c))
    return {a: tuple(sorted(v, key=lambda x: x[1])) for a, v in table.items()}


# --- candidates ----------------------------------------------------------------------------
def _confusion_edits(word: str) -> Iterator[tuple[str, float]]:
    table = confusion_table()
    for i in range(len(word)):
        for size in (1, 2):
            src = word[i : i + size]
            if len(src) == size:
                for dst, cost in table.get(src, ()):
                    yield word[:i] + dst + word[i + size :], cost


def _stray_vowel(word: str, i: int) -> bool:
    """A vowel between two vowels ("waoardoor", "vraoagstuk"): a likely OCR insertion."""
    vowels = "aeiou"
    return 0 < i < len(word) - 1 and all(c in vowels for c in word[i - 1 : i + 2])


def _generic_edits(word: str) -> Iterator[tuple[str, float]]:
    for i in range(len(word) + 1):
        for r in ALPHABET:
            yield word[:i] + r + word[i:], GENERIC_COST
        if i < len(word):
            yield word[:i] + word[i + 1 :], 1.0 if _stray_vowel(word, i) else 1.5
            for r in ALPHABET:
                if r != word[i]:
                    yield word[:i] + r + word[i + 1 :], GENERIC_COST
        if i < len(word) - 1:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :], GENERIC_COST


def candidates(word: str) -> dict[str, float]:
    """Edit candidates of a lower-cased word with their cheapest cost (not yet filtered):
    single confusions and generic edits, and a second confusion or deletion after a
    cheap first step."""
    found: dict[str, float] = {}

    def add(cand: str, cost: float) -> None:
        if cand and cost < found.get(cand, math.inf):
            found[cand] = cost

    cheap: list[tuple[str, float]] = []
    for cand, cost in [*_confusion_edits(word), *_generic_edits(word)]:
        add(cand, cost)
        if cost <= CHEAP_COST:
            cheap.append((cand, cost))
    for first, c1 in cheap:
        for cand, c2 in _confusion_edits(first):
            add(cand, c1 + c2)
        for i in range(len(first)):
            if _stray_vowel(first, i):
                add(first[:i] + first[i + 1 :], c1 + 1.0)
            elif len(first) >= 8:
                add(first[:i] + first[i + 1 :], c1 + 1.5)
    found.pop(word, None)
    return found


def _max_cost(word: str) -> float:
    """Edit budget: short words have many look-alikes."""
    if len(word) <= 3:
        return 0.7
    if len(word) <= 5:
        return 1.3
    if len(word) <= 6:
        return 1.5
    return 2.0 if len(word) <= 9 else 2.5


def _max_score(word: str) -> float:
    """Highest acceptable 2 * cost - weight: long words have fewer look-alikes."""
    return 0.0 if len(word) <= 9 else 1.5


def _best_candidate(word: str, capitalised: bool, sentence_start: bool) -> str | None:
    """The cheapest, most frequent known candidate within the word's edit budget.

    A capitalised token may be a name: it only becomes a word of the clean documents or,
    by a cheap confusion, a lexicon word (mid-sentence: a frequent one) or an attested
    compound ("Cntwikkelfases" -> "Ontwikkelfases", but never "Sylviusweg" -> "Sylviasweg").
    """
    lex, clean = lexicon(), clean_counts()
    best: tuple[float, str] | None = None
    limit, max_score = _max_cost(word), _max_score(word)
    for cand, cost in candidates(word).items():
        if cost > limit:
            continue
        if cand in lex:
            weight = _weight(cand)
        elif cost <= CHEAP_COST and _compound_ok(cand, capitalised):
            weight = COMPOUND_WEIGHT
        else:
            continue
        name_guard = capitalised and not clean.get(cand)
        if weight < MIN_WEIGHT or (
            name_guard and (cost > CHEAP_COST or (not sentence_start and weight < NAME_WEIGHT))
        ):
            continue
        score = 2.0 * cost - weight
        if score <= max_score and (best is None or score < best[0]):
            best = (score, cand)
    return best[1] if best else None


def _confusion_twin(word: str, min_weight: float) -> str | None:
    """The most frequent single-confusion substitute of a word, if it reaches `min_weight`."""
    best: tuple[float, str] | None = None
    lex = lexicon()
    for cand, cost in _confusion_edits(word):
        if cost <= CHEAP_COST and len(cand) == len(word) and cand in lex:
            weight = _weight(cand)
            if weight >= min_weight and (best is None or weight > best[0]):
                best = (weight, cand)
    return best[1] if best else None


def _diaeresis_fix(word: str, compounds: bool = False) -> str | None:
    """ "financiéle" -> "financiële", "geinventariseerd" -> "geïnventariseerd",
    "barriéres" -> "barrières"; with `compounds` also into an unlisted compound."""
    base = _weight(word)
    best: tuple[float, str] | None = None
    for i, ch in enumerate(word):
        for dst in DIAERESES.get(ch, ""):
            cand = word[:i] + dst + word[i + 1 :]
            if cand in lexicon():
                weight = _weight(cand)
            elif compounds and is_compound(cand):
                weight = COMPOUND_WEIGHT
            else:
                continue
            if weight >= base + 0.5 and (best is None or weight > best[0]):
                best = (weight, cand)
    return best[1] if best else None


def _real_word_fix(word: str) -> str | None:
    """A rare known word one confusion away from a far more frequent one ("aon" -> "aan")."""
    if clean_counts().get(word) or zipf(word) >= REAL_WORD_MAX_ZIPF:
        return None
    return _confusion_twin(word, max(4.0, zipf(word) + REAL_WORD_GAP))


def _split_glued(word: str, known_word: bool) -> str | None:
    """ "eris" -> "er is", "inronde" -> "in ronde", "terugin" -> "terug in".

    A known (rare) word is only split into two function words; an unknown one into a
    function word and a known word, never before a suffix-like "en", "er", "de", "te".
    """
    for i in range(1, len(word)):
        left, right = word[:i], word[i:]
        if known_word:
            ok = left in SPLIT_BEFORE and right in SPLIT_BEFORE
        elif left in SPLIT_BEFORE:
            ok = _plausible_word(right)
        else:
            ok = right in SPLIT_AFTER and _plausible_word(left)
        if ok:
            return f"{left} {right}"
    return None


def _plausible_word(word: str) -> bool:
    return len(word) >= 4 and (_weight(word) >= 2.5 or is_compound(word))


@functools.lru_cache(maxsize=100_000)
def repair_word(word: str, capitalised: bool = False, sentence_start: bool = True) -> str:
    """Repair one lower-cased word; returns it unchanged when no safe repair exists.

    `capitalised` marks a token written with a capital (perhaps a name): it gets the strict
    candidate rules, and mid-sentence no real-word rule. The result may hold a space when
    two glued words are split ("eris" -> "er is").
    """
    if word in REAL_WORD_FIXES:
        return REAL_WORD_FIXES[word]
    if word in lexicon():
        fix = _diaeresis_fix(word)
        if fix is None and (sentence_start or not capitalised):
            fix = _real_word_fix(word)
            if fix is None and zipf(word) < REAL_WORD_MAX_ZIPF and not clean_counts().get(word):
                fix = _split_glued(word, known_word=True)
        return fix or word
    if is_compound(word) or _is_inflected(word):
        # "teernetwerk" splits as teer|netwerk, but "leernetwerk" is the domain word
        twin = _confusion_twin(word, 3.0)
        return twin if twin and clean_counts().get(twin) else word
    fix = _diaeresis_fix(word, compounds=True)
    if fix is not None:
        return fix
    if _is_english(word):  # "scoping", "determinants"; but "grater" -> "groter"
        return _confusion_twin(word, 4.5) or word
    fix = _best_candidate(word, capitalised, sentence_start)
    if fix is not None and fix in lexicon() and candidates(word)[fix] <= CHEAP_COST:
        return fix  # a cheap fix into a listed word beats splitting
    glued = _split_glued(word, known_word=False)
    if glued is not None:
        return glued
    return (_diaeresis_fix(fix) or fix) if fix is not None else word


def _apply_case(original: str, fixed: str) -> str:
    if original.isupper() and len(original) > 1:
        return fixed.upper()
    if original[:1].isupper():
        return _mixed_case_forms().get(fixed, fixed[:1].upper() + fixed[1:])
    return fixed


def _sentence_start(text: str, pos: int) -> bool:
    before = text[max(0, pos - 40) : pos].rstrip(" \t‘'\"“(")
    return not before or before[-1] in ".!?:\n" or bool(re.search(r"(?:^|\s)\d+[.)]$", before))


def repair_token(token: str, sentence_start: bool = True) -> str:
    """Repair one token (a run of letters/digits), keeping its case.

    Tokens in `TOKEN_FIXES` ("L1SO", "LISC") are replaced; otherwise only lower-case and
    Capitalised alphabetic tokens are repaired (ALL-CAPS, numbers and mixed forms stay).
    """
    if token in TOKEN_FIXES:
        return TOKEN_FIXES[token]
    if len(token) < 2 or not token.isalpha() or not token[1:].islower():
        return token
    return _apply_case(token, repair_word(token.lower(), token[0].isupper(), sentence_start))


# --- text-level repair ---------------------------------------------------------------------
_BRACKET_FIXES: Final = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"[{(\[]\s?[E£€]\s?[})\]]", "(E)"),  # {E} (E} {E) (£) {E]
        (r"\(EX(?=[,;)])", "(E"),  # "(EX, waardigheid en trots, 2022)"
        (r"\{\(|\(\{", "("),  # "{(Polanyi", "({gemeente"
        (r"\)\}|\}\)", ")"),  # "(E}):", "2011})"
        (r"\{", "("),
        (r"\}", ")"),
        (r"(?<=[^\W\d_])i\](?!\w)", "ij"),  # "woarbi]", "hierbi]"
        (r"¢(?=[})])", "c"),  # "en ¢} hebben we"
        (r"¢", "e"),  # "¢en gemeenschappelijke regeling"
    )
)
# "[n afbeelding" -> "In", "[eernetwerk" -> "Leernetwerk", "| eiderschap" -> "Leiderschap"
_BAR_WORD_RE: Final = re.compile(r"(?<!\w)[\[|] ?([a-zà-ÿ]+)")


def _fix_bar_word(match: re.Match[str]) -> str:
    rest = match.group(1)
    if len(rest) > 1 and is_known(rest):
        return match.group(0)  # a table rule before a real word: "| functioneren"
    for head in ("I", "L"):
        word = head + rest
        if is_known(word) or (head == "I" and _split_glued(word.lower(), known_word=False)):
            return word
    return match.group(0)


def _fix_brackets(text: str) -> str:
    for pattern, repl in _BRACKET_FIXES:
        text = pattern.sub(repl, text)
    return _BAR_WORD_RE.sub(_fix_bar_word, text)


def _repair_plain(text: str) -> str:
    for pattern, repl in PHRASE_FIXES:
        text = re.sub(pattern, repl, text)
    text = _fix_brackets(text)
    return TOKEN_RE.sub(lambda m: repair_token(m.group(0), _sentence_start(text, m.start())), text)


def repair_text(text: str) -> str:
    """Token-level repair of OCR letter confusions and bracket errors.

    URLs and markup like "3^{de}" are left alone; so are names the lexicon does not know
    but cannot safely correct, references like "(E, 20)", numbers and abbreviations.
    """
    out: list[str] = []
    pos = 0
    for m in PROTECTED_RE.finditer(text):
        out += [_repair_plain(text[pos : m.start()]), m.group(0)]
        pos = m.end()
    out.append(_repair_plain(text[pos:]))
    return "".join(out)


# --- de-hyphenation ------------------------------------------------------------------------
_VOWELS: Final = frozenset("aeiouéëïöü")
_TRAILING_WORD_RE: Final = re.compile(r"(?<![^\W_])([^\W\d_]+)-$")  # not after a digit
_LEADING_WORD_RE: Final = re.compile(r"^[^\W\d_]+")


def _keep_hyphen(left: str, right: str) -> bool:
    """Whether "left-" at a line end followed by "right" is a real hyphen (compound)."""
    if not right[:1].islower():
        return True  # Midden-Holland, Holland-Rijnland
    if len(left) == 1 or not left[1:].islower():
        return True  # e-magazines, HR-beleid, LISO-framework
    hyphenated, joined = f"{left}-{right}".lower(), f"{left}{right}".lower()
    clean = clean_counts()
    if clean.get(hyphenated, 0) > clean.get(joined, 0):
        return True  # organisatie-overstijgend: the clean documents write it this way
    if is_known(joined) or is_known(repair_word(joined)):
        return False
    # vowel clash (co-creatie, zee-eend); otherwise a split word: join
    return (
        left[-1].lower() in _VOWELS and right[0] in _VOWELS and is_known(left) and is_known(right)
    )


def join_lines(lines: Sequence[str]) -> str:
    """Join a paragraph's lines with spaces, undoing line-end hyphenation.

    Leading bullet glyphs are dropped. A hyphen at a line end is removed when the joined
    word is known (or the right part is lower-case and no hyphenated form is known), and
    kept for real compounds the clean documents hyphenate ("organisatie-overstijgend"),
    before capitals ("Midden-Holland"), after abbreviations and in suspended compounds
    ("kern- en deelelementen"). Whitespace is normalised.
    """
    out = ""
    for raw in lines:
        line = strip_bullet(raw).strip()
        if not line:
            continue
        left = _TRAILING_WORD_RE.search(out)
        right = _LEADING_WORD_RE.match(line)
        if not out:
            out = line
        elif left and right:
            word = right.group(0)
            if word in ("en", "of") and line[len(word) : len(word) + 1] == " ":
                out = f"{out} {line}"  # "kern-" + "en deelelement"
            else:
                out = out + line if _keep_hyphen(left.group(1), word) else out[:-1] + line
        elif out.endswith("-") and out[-2:-1].isalnum() and line[:1].isalnum():
            out += line  # "70-74700-" + "98-310", "L1SO-" + "framework"
        else:
            out = f"{out} {line}"
    return re.sub(r"\s+", " ", out).strip()


def repair(lines: Sequence[str]) -> str:
    """`join_lines` then `repair_text`."""
    return repair_text(join_lines(lines))


# --- metrics -------------------------------------------------------------------------------
def word_tokens(text: str) -> list[str]:
    """Tokens the OOV rate counts: letter runs of length >= 2, not ALL-CAPS, outside URLs."""
    words = WORD_RE.findall(URL_RE.sub(" ", text))
    return [w for w in words if len(w) >= 2 and not w.isupper()]


def oov_rate(text: str, compounds: bool = False) -> float:
    """Share of word tokens (see `word_tokens`) not in `lexicon()`; with `compounds`, only
    those that are not even a compound or inflection of known words (`is_known`)."""
    tokens = word_tokens(text)
    if not tokens:
        return 0.0
    lex = lexicon()
    unknown = sum(1 for t in tokens if t.lower() not in lex and not (compounds and is_known(t)))
    return unknown / len(tokens)


def _changes(before: str, after: str) -> Iterator[str]:
    tok_re = re.compile(r"[^\W_]+|[^\w\s]")
    a, b = tok_re.findall(before), tok_re.findall(after)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            yield f"{' '.join(a[i1:i2])}→{' '.join(b[j1:j2])}"


def ocr_report(raw_text: str, top: int = 30) -> dict[str, object]:
    """OOV before/after repair of a raw OCR text (noise lines dropped, lines de-hyphenated).

    tokens: word tokens counted; oov_before/oov_after: `oov_rate` (not in `lexicon()`);
    *_compounds: the same counting compounds and inflections as known; examples: the most
    frequent changes as ("before→after", count); remaining_oov: the most frequent tokens
    not in the lexicon after repair; remaining_unknown: those not even `is_known`.
    """
    joined = [join_lines(p) for p in split_paragraphs(raw_text)]
    repaired = [repair_text(p) for p in joined]
    before, after = "\n\n".join(joined), "\n\n".join(repaired)
    changes: Counter[str] = Counter()
    for a, b in zip(joined, repaired, strict=True):
        changes.update(_changes(a, b))
    lex = lexicon()
    remaining = Counter(t for t in word_tokens(after) if t.lower() not in lex)
    unknown = Counter({t: n for t, n in remaining.items() if not is_known(t)})
    return {
        "tokens": len(word_tokens(before)),
        "oov_before": oov_rate(before),
        "oov_after": oov_rate(after),
        "oov_before_compounds": oov_rate(before, compounds=True),
        "oov_after_compounds": oov_rate(after, compounds=True),
        "examples": changes.most_common(top),
        "remaining_oov": remaining.most_common(top),
        "remaining_unknown": unknown.most_common(top),
    }


def clear_caches() -> None:
    """Forget the cached word lists and tables (after the sources changed, or in tests)."""
    for cached in (
        _zipf_table,
        _english_zipf_table,
        clean_counts,
        lexicon,
        _ocr_vocabulary,
        _mixed_case_forms,
        _compound_parts,
        is_compound,
        confusion_table,
        repair_word,
    ):
        cached.cache_clear()
