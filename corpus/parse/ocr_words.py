"""The OCR repair of single tokens: a confusion table (seeded, and learned from the OCR
text itself), candidate corrections by confusion and generic edits, and the rules that
choose one (`repair_word`, `repair_token`); see `ocr`."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterator

from corpus.parse.ocr_fixes import REAL_WORD_FIXES, SEED_CONFUSIONS, TOKEN_FIXES
from corpus.parse.ocr_lexicon import (
    ALPHABET,
    CHEAP_COST,
    COMPOUND_WEIGHT,
    DIAERESES,
    GENERIC_COST,
    MIN_WEIGHT,
    NAME_WEIGHT,
    REAL_WORD_GAP,
    REAL_WORD_MAX_ZIPF,
    SPLIT_AFTER,
    SPLIT_BEFORE,
    STRONG_ZIPF,
    WORD_RE,
    _compound_ok,
    _dehyphenate_plain,
    _is_english,
    _is_inflected,
    _mixed_case_forms,
    _source_texts,
    _weight,
    clean_counts,
    is_compound,
    is_known,
    lexicon,
    zipf,
)


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
