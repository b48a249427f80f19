"""OCR repair of the Delphi report: noise lines, de-hyphenation and lexicon-driven token repair.

The Delphi report (000_e5573c8f58eccf91.txt) is the OCR of a PDF. This module turns its
lines back into clean Dutch text, as code that can be re-run on a new edition:

* `is_noise_line` recognises page numbers, running headers/footers, lone URLs and bullets;
* `join_lines` joins a paragraph's lines, undoing line-end hyphenation with the lexicon;
* `repair_text` repairs letter confusions ("socioal", "vraogstuk", "L1SO") and brackets;
* `lexicon`, `oov_rate` and `ocr_report` measure how much unknown vocabulary is left.

The steps live in modules of their own: `ocr_lexicon` (word lists, frequencies, known
words), `ocr_words` (the confusion table, candidates, the repair of one token); here the
noise lines, the text-level repair, de-hyphenation and the metrics.

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

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from difflib import SequenceMatcher
from typing import Final

from corpus.parse.ocr_fixes import PHRASE_FIXES
from corpus.parse.ocr_lexicon import (
    OCR_SOURCES,
    PROTECTED_RE,
    SOURCES_DIR,
    TOKEN_RE,
    URL_RE,
    WORD_RE,
    _compound_parts,
    _english_zipf_table,
    _mixed_case_forms,
    _ocr_vocabulary,
    _zipf_table,
    clean_counts,
    is_compound,
    is_known,
    lexicon,
)
from corpus.parse.ocr_words import (
    _sentence_start,
    _split_glued,
    confusion_table,
    learn_confusions,
    repair_token,
    repair_word,
)

# the module's public face (the steps live in `ocr_lexicon` and `ocr_words`)
__all__ = [
    "OCR_SOURCES",
    "SOURCES_DIR",
    "clean_counts",
    "clear_caches",
    "confusion_table",
    "is_known",
    "is_noise_line",
    "join_lines",
    "learn_confusions",
    "lexicon",
    "ocr_report",
    "oov_rate",
    "repair",
    "repair_text",
    "repair_token",
    "repair_word",
    "split_paragraphs",
    "strip_bullet",
    "word_tokens",
]

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
