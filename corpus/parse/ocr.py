"""OCR repair of the Delphi report: noise lines, de-hyphenation and lexicon-driven token repair.

The Delphi report (000_e5573c8f58eccf91.txt) is the OCR of a PDF. This module turns its
lines back into clean Dutch text, as code that can be re-run on a new edition:

* `is_noise_line` recognises page numbers, running headers/footers, lone URLs and bullets;
* `join_lines` joins a paragraph's lines, undoing line-end hyphenation with the lexicon;
* `repair_text` repairs letter confusions ("socioal", "vraogstuk", "L1SO") and brackets;
* `lexicon`, `oov_rate` and `ocr_report` measure how much unknown vocabulary is left.

The reference vocabulary is wordfreq's Dutch list plus the four clean documents of the
corpus (domain words such as leernetwerk, kernelement, kennistransfer). A word counts as
known when it is in that lexicon or is a compound of lexicon words (Dutch writes compounds
as one word, so no list can hold them all). A token that is already known is never
changed, except for the explicit tables in `ocr_fixes` and two narrow rules for real
words that are OCR errors: a missing diaeresis ("financiéle" -> "financiële") and a rare
word one confusion away from a far more frequent one ("aon" -> "aan", "ock" -> "ook").
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

# --- tunables ----------------------------------------------------------------------------
GENERIC_COST: Final = 2.0  # any single insertion, deletion, substitution or transposition
CHEAP_COST: Final = 1.0  # edits at most this expensive may be chained (two-step candidates)
MIN_WEIGHT: Final = 1.5  # a correction must be at least this frequent (zipf scale)
NAME_WEIGHT: Final = 3.5  # ... and this frequent when the token may be a name
COMPOUND_WEIGHT: Final = 2.0  # prior of a candidate that is only known as a compound
MAX_SCORE: Final = 0.0  # accept a candidate when 2 * cost - weight stays at or below this
REAL_WORD_GAP: Final = 2.5  # zipf gap for replacing a rare real word by a confusion twin
REAL_WORD_MAX_ZIPF: Final = 2.5  # only words rarer than this are suspect
STRONG_ZIPF: Final = 3.5  # "clearly a word": used when learning confusions and splitting
PART_ZIPF: Final = 3.0  # minimum frequency of a compound part from the general lexicon
ENGLISH_MARGIN: Final = 1.0  # ... unless it is this much more frequent in English
ALPHABET: Final = "abcdefghijklmnopqrstuvwxyzéëïöü"

# Words that never form part of a compound and may be glued to a neighbour by the OCR
# ("Eris" = "Er is", "Inronde" = "In ronde", "Eenleernetwerk" = "Een leernetwerk").
FUNCTION_WORDS: Final = frozenset(
    [
        "de",
        "het",
        "een",
        "er",
        "in",
        "is",
        "en",
        "van",
        "op",
        "te",
        "om",
        "aan",
        "dat",
        "die",
        "met",
        "zijn",
        "of",
        "als",
        "ze",
        "we",
        "je",
        "hij",
        "zij",
        "wij",
        "dan",
        "maar",
        "ook",
        "niet",
        "nog",
        "wel",
        "naar",
        "door",
        "voor",
        "over",
        "bij",
        "tot",
        "uit",
        "wat",
        "hoe",
        "wordt",
        "werd",
    ]
)
SPLIT_WORDS: Final = frozenset(
    [
        "er",
        "in",
        "is",
        "een",
        "zijn",
        "de",
        "het",
        "en",
        "van",
        "op",
        "te",
        "om",
        "aan",
        "dat",
        "die",
        "met",
    ]
)
# Particles of separable verbs; "in" is left out so "Inronde" can still be split.
PARTICLES: Final = tuple(
    "aan af bij door mee na om onder op over toe uit voor weg samen terug tegen achter "
    "vast los neer rond voort".split()
)
SPLIT_AFTER: Final = frozenset(
    ["in", "zijn", "een", "van", "op", "om", "aan", "dat", "die", "met", "het"]
)

WORD_RE: Final = re.compile(r"[^\W\d_]+")  # runs of letters (the tokens the metrics count)
TOKEN_RE: Final = re.compile(r"[^\W_]+")  # runs of letters and digits (the tokens repaired)
URL_RE: Final = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:nl|com|org|net|eu|be)\b(?:/\S*)?", re.IGNORECASE
)

# --- noise lines ---------------------------------------------------------------------------
_RUNNING_HEADER: Final = (
    "een delphi studie ter aanvulling van de uitgangspunten en werkzame elementen mbt het"
)
_FOOTER_RE: Final = re.compile(r"^LISO[- ]?framew\w{0,3}rk$", re.IGNORECASE)
_NUMBER_LINE_RE: Final = re.compile(r"^\d{1,3}(?:[.,]\d{1,3})*[.,]?$")
_URL_LINE_RE: Final = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_GLYPH_LINE_RE: Final = re.compile(r"^[eoO«»+=*•·|\-–—.,:;_~]{1,3}$")
_BULLET_RE: Final = re.compile(r"^\s*(?:[eoO«»+=*•·]\s+|\.{1,3}\s*(?=[^\W\d_])|[,;]\s+)")


def _letters(text: str) -> str:
    return " ".join(WORD_RE.findall(text.lower()))


def is_noise_line(line: str) -> bool:
    """Page numbers, running headers/footers, lone URLs and lone bullet glyphs.

    Blank lines are not noise: they separate paragraphs.
    """
    s = line.strip()
    if not s:
        return False
    if _NUMBER_LINE_RE.match(s) or _URL_LINE_RE.match(s) or _GLYPH_LINE_RE.match(s):
        return True
    if _FOOTER_RE.match(s):
        return True
    letters = _letters(s)
    if letters.startswith("een delphi") and (
        SequenceMatcher(None, letters, _RUNNING_HEADER).ratio() >= 0.8
    ):
        return True
    # short debris without a real word and without a reference bracket ("Pl", "oo N", "4y,")
    return len(s) <= 4 and "(" not in s and ")" not in s and not re.search(r"[^\W\d_]{3}", s)


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


# --- lexicon -------------------------------------------------------------------------------
def _source_texts(ocr: bool) -> list[str]:
    paths = sorted(SOURCES_DIR.glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths if (p.name in OCR_SOURCES) == ocr]


@functools.lru_cache(maxsize=1)
def _zipf_table() -> dict[str, float]:
    from wordfreq import get_frequency_dict  # heavy: imported on first use only

    freqs = get_frequency_dict("nl", wordlist="large")
    return {w: math.log10(f) + 9.0 for w, f in freqs.items() if w.isalpha()}


@functools.lru_cache(maxsize=1)
def clean_counts() -> Counter[str]:
    """Lower-cased word counts of the clean documents (letters only, plus hyphenated forms)."""
    counts: Counter[str] = Counter()
    for text in _source_texts(ocr=False):
        counts.update(w.lower() for w in WORD_RE.findall(text))
        counts.update(m.lower() for m in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)+", text))
    return counts


@functools.lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """Lower-cased known words: wordfreq's Dutch list plus the clean documents' vocabulary."""
    return frozenset(_zipf_table()) | frozenset(clean_counts())


def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of a lower-cased word (0.0 when unknown)."""
    return _zipf_table().get(word, 0.0)


def _weight(word: str) -> float:
    """Prior for a correction: Zipf frequency, lifted for words the clean documents use."""
    n = clean_counts().get(word, 0)
    return max(zipf(word), 3.0 + math.log10(1 + n)) if n else zipf(word)


def _strong(word: str) -> bool:
    return clean_counts().get(word, 0) > 0 or zipf(word) >= STRONG_ZIPF


@functools.lru_cache(maxsize=1)
def _compound_parts() -> frozenset[str]:
    """Words that may form a compound: domain words and frequent Dutch words of >= 4 letters.

    Words far more frequent in English ("read", "some") are left out: the Dutch list holds
    them from code-switching, and they would let OCR garbage pass as a compound.
    """
    from wordfreq import get_frequency_dict

    english = get_frequency_dict("en", wordlist="large")
    general = {
        w
        for w, z in _zipf_table().items()
        if z >= PART_ZIPF and math.log10(english.get(w, 1e-9)) + 9.0 <= z + ENGLISH_MARGIN
    }
    domain = {w for w in clean_counts() if "-" not in w}
    return frozenset(w for w in general | domain if len(w) >= 4) - FUNCTION_WORDS


def _is_left_part(left: str) -> bool:
    parts = _compound_parts()
    if left in parts:
        return True
    for link in ("s", "en"):  # Dutch linking morphemes: samenwerking-s-verband
        stem = left[: -len(link)]
        if left.endswith(link) and stem in parts:
            return True
    return False


@functools.lru_cache(maxsize=200_000)
def is_compound(word: str, depth: int = 0) -> bool:
    """Whether a lower-cased word splits into lexicon words (2 or 3 parts of >= 4 letters)."""
    if len(word) < 8 or not word.isalpha():
        return False
    parts = _compound_parts()
    for i in range(4, len(word) - 3):
        left, right = word[:i], word[i:]
        head_ok = right in parts or (depth == 0 and is_compound(right, 1))
        if head_ok and _is_left_part(left):
            return True
    return _is_particle_word(word, depth)


def _is_particle_word(word: str, depth: int) -> bool:
    """A separable-verb particle plus a known word: "meebewogen", "opvoedproblemen"."""
    for particle in PARTICLES:
        rest = word[len(particle) :]
        if word.startswith(particle) and len(rest) >= 4:
            if _weight(rest) >= 2.5 or (depth == 0 and is_compound(rest, 1)):
                return True
    return False


def _is_inflected(word: str) -> bool:
    """A regular inflection of a known word: "enthousiasmerend(e)", "geleerdere"."""
    for suffix, min_stem in (("d", 6), ("de", 6), ("e", 5), ("s", 5)):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= min_stem:
            if suffix.startswith("d") and not stem.endswith("en"):
                continue  # present participle: infinitive + d
            if _weight(stem) >= 2.0:
                return True
    return False


def is_known(word: str) -> bool:
    """In the lexicon (case-insensitive), a compound of lexicon words or an inflection."""
    w = word.lower()
    return w in lexicon() or is_compound(w) or _is_inflected(w)


# --- confusion table -----------------------------------------------------------------------
def _dehyphenate_plain(text: str) -> str:
    return re.sub(r"([^\W\d_])-\n([a-zà-ÿ])", r"\1\2", text)


def _single_substitutions(word: str) -> Iterator[tuple[str, str, str]]:
    for i, ch in enumerate(word):
        for r in ALPHABET:
            if r != ch:
                yield word[:i] + r + word[i + 1 :], ch, r


def learn_confusions(text: str, min_count: int = 3, min_types: int = 2) -> Counter[tuple[str, str]]:
    """Character confusions (wrong, right) seen in unknown tokens of an OCR text.

    A token votes for a pair when exactly one single-character substitution turns it into
    a clearly known word; pairs with enough votes from enough distinct tokens are kept.
    """
    lex = lexicon()
    votes: Counter[tuple[str, str]] = Counter()
    types: Counter[tuple[str, str]] = Counter()
    tokens = Counter(w.lower() for w in WORD_RE.findall(_dehyphenate_plain(text)) if len(w) >= 3)
    for word, n in tokens.items():
        if word in lex or is_compound(word):
            continue
        found = {(a, b) for cand, a, b in _single_substitutions(word) if _strong(cand)}
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


def _confusion_edits(word: str) -> Iterator[tuple[str, float]]:
    table = confusion_table()
    for i in range(len(word)):
        for size in (1, 2):
            src = word[i : i + size]
            if len(src) == size:
                for dst, cost in table.get(src, ()):
                    yield word[:i] + dst + word[i + size :], cost


def _generic_edits(word: str) -> Iterator[tuple[str, float]]:
    for i in range(len(word) + 1):
        for r in ALPHABET:
            yield word[:i] + r + word[i:], GENERIC_COST
        if i < len(word):
            # a doubled or stray vowel ("waoardoor", "vraoagstuk") is a cheap deletion
            cost = 1.0 if _stray_letter(word, i) else 1.5
            yield word[:i] + word[i + 1 :], cost
            for r in ALPHABET:
                if r != word[i]:
                    yield word[:i] + r + word[i + 1 :], GENERIC_COST
        if i < len(word) - 1:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :], GENERIC_COST


def _stray_letter(word: str, i: int) -> bool:
    vowels = "aeiou"
    ch = word[i]
    neighbours = word[max(0, i - 1) : i] + word[i + 1 : i + 2]
    return ch in vowels and len(neighbours) == 2 and all(c in vowels for c in neighbours)


def candidates(word: str) -> dict[str, float]:
    """Edit candidates of a lower-cased word with their cheapest cost (not yet filtered)."""
    found: dict[str, float] = {}

    def add(cand: str, cost: float) -> None:
        if cand and cost < found.get(cand, math.inf):
            found[cand] = cost

    cheap: list[tuple[str, float]] = []
    for cand, cost in _confusion_edits(word):
        add(cand, cost)
        cheap.append((cand, cost))
    for cand, cost in _generic_edits(word):
        add(cand, cost)
        if cost <= CHEAP_COST:
            cheap.append((cand, cost))
    for first, c1 in cheap:
        for cand, c2 in _confusion_edits(first):
            add(cand, c1 + c2)
        for i in range(len(first)):
            if _stray_letter(first, i):
                add(first[:i] + first[i + 1 :], c1 + 1.0)
            elif len(first) >= 8:
                add(first[:i] + first[i + 1 :], c1 + 1.5)
    found.pop(word, None)
    return found


# --- word repair ---------------------------------------------------------------------------
def _max_cost(word: str) -> float:
    if len(word) <= 3:
        return 0.7
    if len(word) <= 5:
        return 1.3
    if len(word) <= 6:
        return 1.5
    return 2.0 if len(word) <= 9 else 2.5


def _best_candidate(word: str, capitalised: bool) -> str | None:
    """The cheapest, most frequent known candidate within the word's edit budget.

    A capitalised token may be a name: it is only changed into a word of the clean
    documents, or by a cheap confusion into a frequent word or a compound.
    """
    lex, clean = lexicon(), clean_counts()
    best: tuple[float, str] | None = None
    limit = _max_cost(word)
    for cand, cost in candidates(word).items():
        if cost > limit:
            continue
        if cand in lex:
            weight = _weight(cand)
        elif cost <= CHEAP_COST and not capitalised and is_compound(cand):
            weight = COMPOUND_WEIGHT
        else:
            continue
        if weight < MIN_WEIGHT:
            continue
        if capitalised and not clean.get(cand) and (cost > CHEAP_COST or weight < NAME_WEIGHT):
            continue
        score = 2.0 * cost - weight
        if score <= MAX_SCORE and (best is None or score < best[0]):
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


def _diaeresis_fix(word: str) -> str | None:
    """ "financiéle" -> "financiële", "geinventariseerd" -> "geïnventariseerd"."""
    base = _weight(word)
    best: tuple[float, str] | None = None
    for i, ch in enumerate(word):
        for dst in {"e": "ë", "é": "ë", "è": "ë", "i": "ï", "o": "ö", "u": "ü"}.get(ch, ""):
            cand = word[:i] + dst + word[i + 1 :]
            weight = _weight(cand)
            if cand in lexicon() and weight >= base + 0.5 and (best is None or weight > best[0]):
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
            ok = left in SPLIT_WORDS and right in SPLIT_WORDS
        elif left in SPLIT_WORDS:
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

    `capitalised` marks a token written with a capital (possibly a name); names are only
    touched by the strict candidate rule, and mid-sentence never by the real-word rules.
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
        # "teernetwerk" splits as teer+netwerk, but "leernetwerk" is the domain word
        twin = _confusion_twin(word, 3.0)
        return twin if twin and clean_counts().get(twin) else word
    fix = _best_candidate(word, capitalised)
    if fix is not None and candidates(word)[fix] <= CHEAP_COST:
        return fix
    glued = _split_glued(word, known_word=False)
    if glued is not None:
        return glued
    if fix is None:
        return word
    diacritics = _diaeresis_fix(fix)
    return diacritics or fix


@functools.lru_cache(maxsize=1)
def _mixed_case_forms() -> dict[str, str]:
    """Lower-cased word -> its spelling in the clean documents when that has inner capitals."""
    forms: dict[str, str] = {}
    for text in _source_texts(ocr=False):
        for w in WORD_RE.findall(text):
            if not w[1:].islower() and not w.isupper():
                forms.setdefault(w.lower(), w)
    return forms


def _apply_case(original: str, fixed: str) -> str:
    if original.isupper() and len(original) > 1:
        return fixed.upper()
    if original[:1].isupper():
        return _mixed_case_forms().get(fixed, fixed[:1].upper() + fixed[1:])
    return fixed


def _repairable(token: str) -> bool:
    if len(token) < 2 or not token.isalpha():
        return False
    return token[1:].islower()  # lower-case or Capitalised; ALL-CAPS and MiXed are left alone


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t‘'\"“(")
    return not before or before[-1] in ".!?:;\n" or bool(re.search(r"(?:^|\s)\d+[.)]$", before))


def repair_token(token: str, sentence_start: bool = True) -> str:
    """Repair one token (letters/digits), keeping its case; capitalised tokens are guarded."""
    if token in TOKEN_FIXES:
        return TOKEN_FIXES[token]
    if not _repairable(token):
        return token
    fixed = repair_word(token.lower(), token[0].isupper(), sentence_start)
    return _apply_case(token, fixed)


# --- text-level repair ---------------------------------------------------------------------
_BRACKET_FIXES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"[{(\[]\s?[E£€]\s?[})\]]", "(E)"),  # {E} (E} {E) (£) {E]
        (r"\(EX(?=[,;)])", "(E"),  # "(EX, waardigheid en trots, 2022)"
        (r"[{(]\s?£\s?[})]", "(E)"),
        (r"\{\(|\(\{", "("),  # "{(Polanyi", "({gemeente"
        (r"\)\}|\}\)", ")"),  # "(E}):", "2011})"
        (r"\{", "("),
        (r"\}", ")"),
        (r"(?<=[^\W\d_])i\](?![\w])", "ij"),  # "woarbi]", "hierbi]"
        (r"¢(?=[})])", "c"),  # "en ¢} hebben we"
        (r"¢", "e"),  # "¢en gemeenschappelijke regeling"
    )
)
# "[n afbeelding" -> "In", "[eernetwerk" -> "Leernetwerk", "| eiderschap" -> "Leiderschap"
_BAR_WORD_RE: Final = re.compile(r"(?<![\w])[\[|] ?([a-zà-ÿ]+)")


def _fix_bar_word(match: re.Match[str]) -> str:
    rest = match.group(1)
    for head in ("I", "L"):
        word = head + rest
        if is_known(word) or (head == "I" and _split_glued(word.lower(), known_word=False)):
            return word
    return match.group(0)


def _fix_brackets(text: str) -> str:
    for pattern, repl in _BRACKET_FIXES:
        text = pattern.sub(repl, text)
    return _BAR_WORD_RE.sub(_fix_bar_word, text)


def _repair_segment(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        return repair_token(token, _sentence_start(text, match.start()))

    return TOKEN_RE.sub(fix, text)


def repair_text(text: str) -> str:
    """Token-level repair of OCR letter confusions and bracket errors; URLs are left alone."""
    out: list[str] = []
    pos = 0
    for m in URL_RE.finditer(text):
        out.append(_repair_plain(text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_repair_plain(text[pos:]))
    return "".join(out)


def _repair_plain(text: str) -> str:
    for pattern, repl in PHRASE_FIXES:
        text = re.sub(pattern, repl, text)
    return _repair_segment(_fix_brackets(text))


# --- de-hyphenation ------------------------------------------------------------------------
_VOWELS: Final = set("aeiouéëïöü")


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
    if joined in lexicon() or is_compound(joined) or is_known(repair_word(joined)):
        return False
    if left[-1].lower() in _VOWELS and right[0] in _VOWELS and is_known(left) and is_known(right):
        return True  # vowel clash: co-creatie, zee-eend
    return False


_TRAILING_WORD_RE: Final = re.compile(r"(?<![^\W_])([^\W\d_]+)-$")  # not after a digit
_LEADING_WORD_RE: Final = re.compile(r"^[^\W\d_]+")


def join_lines(lines: Sequence[str]) -> str:
    """Join a paragraph's lines with spaces, undoing line-end hyphenation.

    Leading bullet glyphs are dropped. A hyphen at a line end is removed when the joined
    word is known (or the right part is lower-case and no hyphenated form is known), and
    kept for real compounds ("organisatie-overstijgend") and before capitals.
    """
    out = ""
    for raw in lines:
        line = strip_bullet(raw).strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        left = _TRAILING_WORD_RE.search(out)
        right = _LEADING_WORD_RE.match(line)
        if left and right:
            keep = _keep_hyphen(left.group(1), right.group(0))
            out = out + line if keep else out[:-1] + line
        elif out.endswith("-") and out[-2:-1].isalnum() and line[:1].isalnum():
            out += line  # "70-74700-" + "98-310"
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


def oov_rate(text: str, strict: bool = False) -> float:
    """Share of word tokens that are unknown (not in `lexicon()` and, unless `strict`, not a
    compound of lexicon words)."""
    tokens = word_tokens(text)
    if not tokens:
        return 0.0
    lex = lexicon()
    unknown = sum(
        1 for t in tokens if t.lower() not in lex and (strict or not is_compound(t.lower()))
    )
    return unknown / len(tokens)


def _changes(before: str, after: str) -> Iterator[str]:
    tok_re = re.compile(r"[^\W_]+|[^\w\s]")
    a, b = tok_re.findall(before), tok_re.findall(after)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            yield f"{' '.join(a[i1:i2])}→{' '.join(b[j1:j2])}"


def ocr_report(raw_text: str, top: int = 30) -> dict[str, object]:
    """OOV before/after repair of a raw OCR text (noise lines dropped, lines de-hyphenated).

    `examples` lists the most frequent changes as "before→after" with counts and
    `remaining_oov` the most frequent unknown tokens left after repair.
    """
    joined = [join_lines(p) for p in split_paragraphs(raw_text)]
    repaired = [repair_text(p) for p in joined]
    before, after = "\n\n".join(joined), "\n\n".join(repaired)
    changes: Counter[str] = Counter()
    for a, b in zip(joined, repaired, strict=True):
        changes.update(_changes(a, b))
    lex = lexicon()
    remaining = Counter(
        t for t in word_tokens(after) if t.lower() not in lex and not is_compound(t.lower())
    )
    return {
        "tokens": len(word_tokens(before)),
        "oov_before": oov_rate(before),
        "oov_after": oov_rate(after),
        "oov_before_strict": oov_rate(before, strict=True),
        "oov_after_strict": oov_rate(after, strict=True),
        "examples": changes.most_common(top),
        "remaining_oov": remaining.most_common(top),
    }
