"""Post-check of generated answers: every sentence must cite evidence that supports it.

Pure, deterministic functions, used after every LLM backend:

- `split_sentences` splits an answer into sentences (citations after the full stop stay
  with their sentence; Dutch abbreviations such as "bijv." and "o.a." do not split);
- `check_citations` drops citation numbers that are not among the evidence, drops
  sentences without a valid citation, and drops sentences that none of their cited
  passages supports according to a similarity function (lexical by default, so no
  model is needed; pass a dense one to compare across languages).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.generators.base import Evidence
from corpus.text import fold, stem, tokens

Similarity = Callable[[str, str], float]
Reason = Literal["ok", "no_citation", "invalid_citation", "unsupported"]

DEFAULT_THRESHOLD = 0.5

# [1], [1, 2], [1;2], [ 3 ]
_CITATION = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")
_LEADING_CITATIONS = re.compile(r"^(?:\s*" + _CITATION.pattern + r")+[.!?…:;,]*")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)]*")
_STARTS_SENTENCE = re.compile(r"[\"'“‘(\[]*[A-ZÀ-ÖØ-Þ0-9]")
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")

# Words after which a full stop does not end a sentence (compared folded, without the dot).
_ABBREVIATIONS = frozenset(
    {
        "al",  # et al.
        "bijv",
        "bv",
        "ca",
        "cf",
        "dhr",
        "dr",
        "drs",
        "eg",
        "etc",
        "evt",
        "fig",
        "ie",
        "incl",
        "ir",
        "jl",
        "mevr",
        "mr",
        "mw",
        "nl",
        "nr",
        "pag",
        "prof",
        "resp",
        "tab",
        "vb",
        "vgl",
        "vs",
        "zgn",
    }
)

# Function words of Dutch and English; they carry no evidence.
_STOPWORD_TEXT = """
    aan al alle als altijd andere ben bij dan dat de deze die dit doch doen door
    dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij
    hoe hun iets ik in is ja je kan kon kunnen maar me meer men met mij mijn moet na
    naar niet niets nog nu of om omdat ons onze ook op over reeds te tegen toch toen
    tot u uit uw van veel voor want waren was wat we wel werd wezen wie wij wil worden
    wordt zal ze zei zelf zich zij zijn zo zonder zou
    a an and are as at be been but by can do does for from has have he her his how i
    if in into is it its may more not of on or our should so such than that the their
    them then there these they this those to was we were what when which who will
    with would you your
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_MIN_PREFIX = 5


@dataclass(frozen=True)
class SentenceCheck:
    """One sentence of the answer and the verdict on it."""

    text: str  # the sentence with invalid citation numbers removed
    original: str
    citations: tuple[int, ...]  # valid citation numbers, in order of appearance
    score: float  # best similarity to a cited passage (0.0 when nothing valid is cited)
    reason: Reason
    newline_before: bool = False

    @property
    def kept(self) -> bool:
        return self.reason == "ok"


@dataclass(frozen=True)
class CheckResult:
    """The cleaned answer and what was kept, dropped and cited."""

    text: str
    kept: tuple[SentenceCheck, ...]
    dropped: tuple[SentenceCheck, ...]
    cited: frozenset[int]
    invalid_citations: tuple[int, ...]  # numbers removed because no evidence has them

    @property
    def kept_ratio(self) -> float:
        """Share of the answer's sentences that survived (0.0 for an empty answer)."""
        total = len(self.kept) + len(self.dropped)
        return len(self.kept) / total if total else 0.0

    @property
    def valid_citation_count(self) -> int:
        """Citation marks left in the kept sentences."""
        return sum(len(s.citations) for s in self.kept)


# --- text normalisation (folding and stemming: `corpus.text`) ----------------------------


def content_terms(text: str) -> frozenset[str]:
    """Folded, stemmed words of `text` without citations, stop words and one-letter words."""
    # words are runs of letters and digits: an underscore (markdown emphasis) separates
    words = tokens(strip_citations(text).replace("_", " "))
    return frozenset(stem(w) for w in words if (len(w) > 1 or w.isdigit()) and w not in _STOPWORDS)


def _term_found(term: str, terms: frozenset[str]) -> bool:
    """Exact match, or one term starts the other (compounds: "leernetwerk" in
    "leernetwerkbijeenkomst") when the shorter has at least 5 letters."""
    if term in terms:
        return True
    return any(
        min(len(term), len(other)) >= _MIN_PREFIX
        and (other.startswith(term) or term.startswith(other))
        for other in terms
    )


def lexical_similarity(sentence: str, passage: str) -> float:
    """Share of the sentence's content words found in the passage (0.0-1.0).

    Asymmetric on purpose: a supported sentence is one whose words come from the
    passage, however long the passage is.
    """
    sentence_terms = content_terms(sentence)
    if not sentence_terms:
        return 0.0
    passage_terms = content_terms(passage)
    found = sum(1 for term in sentence_terms if _term_found(term, passage_terms))
    return found / len(sentence_terms)


# --- citations ------------------------------------------------------------------------


def citation_numbers(text: str) -> tuple[int, ...]:
    """Every cited number in order of appearance, duplicates removed."""
    seen: dict[int, None] = {}
    for match in _CITATION.finditer(text):
        for number in re.split(r"[,;]", match.group(1)):
            seen.setdefault(int(number), None)
    return tuple(seen)


def strip_citations(text: str) -> str:
    return _CITATION.sub("", text)


def keep_citations(text: str, valid: frozenset[int]) -> str:
    """Rewrite citation marks keeping only numbers in `valid`; empty marks disappear."""

    def rewrite(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"[,;]", match.group(1))]
        kept = [n for n in numbers if n in valid]
        return "".join(f"[{n}]" for n in kept)

    cleaned = _CITATION.sub(rewrite, text)
    cleaned = re.sub(r"[ \t]+([.!?…,;:])", r"\1", cleaned)
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip()


# --- sentences ------------------------------------------------------------------------


def _ends_with_abbreviation(text: str) -> bool:
    """True when the full stop at the end of `text` belongs to an abbreviation."""
    match = re.search(r"([^\W\d_]+(?:\.[^\W\d_]+)*)\.$", text)
    if match is None:
        return False
    word = fold(match.group(1))
    return "." in word or len(word) == 1 or word in _ABBREVIATIONS


def _split_line(line: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(line):
        end = match.end()
        rest = line[end:]
        if rest and not rest[0].isspace():
            continue
        after = rest.lstrip()
        if not after:
            break
        if not _STARTS_SENTENCE.match(after):
            continue
        if match.group().startswith(".") and _ends_with_abbreviation(
            line[start : match.start() + 1]
        ):
            continue
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return _attach_leading_citations([p.strip() for p in pieces if p.strip()])


def _attach_leading_citations(pieces: list[str]) -> list[str]:
    """Move citations that open a piece ("[1] Next ...") to the end of the previous one."""
    result: list[str] = []
    for piece in pieces:
        match = _LEADING_CITATIONS.match(piece)
        if result and match:
            result[-1] = f"{result[-1]} {match.group().strip()}"
            piece = piece[match.end() :].strip()
        if piece:
            result.append(piece)
    return result


def _split_with_layout(text: str) -> list[tuple[str, bool]]:
    """Sentences with a flag telling whether each started a new line."""
    sentences: list[tuple[str, bool]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        for i, sentence in enumerate(_split_line(line)):
            if i == 0 and sentences and _LEADING_CITATIONS.fullmatch(sentence):
                previous, newline = sentences[-1]
                sentences[-1] = (f"{previous} {sentence}", newline)
                continue
            sentences.append((sentence, i == 0))
    return sentences


def split_sentences(text: str) -> list[str]:
    """Split an answer into sentences; line breaks and bullets always split."""
    return [sentence for sentence, _ in _split_with_layout(text)]


# --- the check ------------------------------------------------------------------------


def _check_sentence(
    sentence: str,
    passages: dict[int, str],
    similarity: Similarity,
    threshold: float,
    newline_before: bool,
) -> tuple[SentenceCheck, tuple[int, ...]]:
    cited = citation_numbers(sentence)
    valid = tuple(n for n in cited if n in passages)
    invalid = tuple(n for n in cited if n not in passages)
    text = keep_citations(sentence, frozenset(valid))
    if not valid:
        reason: Reason = "invalid_citation" if invalid else "no_citation"
        return SentenceCheck(text, sentence, (), 0.0, reason, newline_before), invalid
    claim = _BULLET.sub("", strip_citations(text))
    score = max(similarity(claim, passages[n]) for n in valid)
    reason = "ok" if score >= threshold else "unsupported"
    return SentenceCheck(text, sentence, valid, score, reason, newline_before), invalid


def join_sentences(sentences: Sequence[SentenceCheck]) -> str:
    """Join checked sentences, keeping line breaks where the answer had them."""
    parts: list[str] = []
    for i, sentence in enumerate(sentences):
        if i:
            parts.append("\n" if sentence.newline_before else " ")
        parts.append(sentence.text)
    return "".join(parts)


def check_citations(
    text: str,
    evidence: Sequence[Evidence],
    similarity: Similarity = lexical_similarity,
    threshold: float = DEFAULT_THRESHOLD,
) -> CheckResult:
    """Keep only sentences that cite existing evidence which supports them.

    A sentence is dropped when it cites nothing, cites only numbers that are not among
    the evidence, or when the best `similarity(sentence, passage)` over its cited
    passages is below `threshold`. Unknown numbers are removed from kept sentences.
    """
    passages = {e.n: e.text for e in evidence}
    kept: list[SentenceCheck] = []
    dropped: list[SentenceCheck] = []
    invalid: dict[int, None] = {}
    for sentence, newline in _split_with_layout(text):
        checked, bad = _check_sentence(sentence, passages, similarity, threshold, newline)
        invalid.update(dict.fromkeys(bad))
        (kept if checked.kept else dropped).append(checked)
    cited = frozenset(n for s in kept for n in s.citations)
    return CheckResult(
        text=join_sentences(kept),
        kept=tuple(kept),
        dropped=tuple(dropped),
        cited=cited,
        invalid_citations=tuple(invalid),
    )
