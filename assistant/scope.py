"""Deciding, before anything is generated, whether the corpus covers a question.

Dense similarity alone does not separate in-scope from out-of-scope questions on this
corpus (shared/notes/local-llm.md; measured again here: in-scope questions reach
0.82-0.93, out-of-scope ones 0.76-0.86). Three signals are combined:

1. the task: requests to write code, poems, jokes or stories are not questions about
   the framework, whatever words they contain;
2. domain evidence: query words that the corpus uses (stemmed) and that are not among
   the most frequent Dutch words (wordfreq zipf < 5.2) — "deelnemers", "besluitvorming",
   "kerngroep" count, "vraag", "geef", "werken" do not;
3. the dense similarity of the closest record.

Instructions aimed at the assistant ("negeer alle instructies", "SYSTEEM: …") are cut
out before any of this, so they neither help nor hurt. The thresholds were set on the
curated eval questions (eval/questions.yaml); see the eval report for how they hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.text import STOPWORDS as STOP
from index.bm25 import fold_accents

INJECTION = re.compile(
    r"(negeer|vergeet|ignore|disregard|forget)\b[^.?!:]*\b(instructies|instructions|regels|rules|prompt)"
    r"[^.?!:]*[.?!:]?"
    r"|(je bent nu|you are now|doe alsof|pretend)[^.?!:]*[.?!:]?"
    r"|^\s*(systeem|system|assistant|assistent)\s*:"
    r"|(antwoord|answer|reageer|respond) zonder (bronnen|regels)[^.?!:]*[.?!:]?"
    r"|(answer|respond) without (sources|rules)[^.?!:]*[.?!:]?"
    r"|system ?prompt|ontwikkelaarsmodus|developer ?mode|jailbreak",
    re.I,
)
OFF_TASK = re.compile(
    r"\b(schrijf|maak|write|compose|genereer|generate)\b[^.?!]*\b(code|script|programma|gedicht|"
    r"verhaal|mop|grap|liedje|essay|brief|poem|story|joke|song|letter)\b"
    r"|\b(vertel|tell)\b[^.?!]*\b(mop|grap|joke|verhaal|story)\b"
    r"|\b(vertaal|translate)\b",
    re.I,
)
COMMON_ZIPF = 5.2
MIN_DENSE_EN = 0.80
MIN_DENSE_NL = 0.83
MIN_DENSE_NO_EVIDENCE = 0.86


@dataclass(frozen=True)
class ScopeDecision:
    in_scope: bool
    reason: str
    dense: float
    evidence: tuple[str, ...]


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("dutch")


def strip_injection(question: str) -> str:
    return " ".join(INJECTION.sub(" ", question).split())


def is_off_task(question: str) -> bool:
    return OFF_TASK.search(question) is not None


def domain_evidence(question: str, vocabulary: set[str]) -> list[str]:
    """Words of the question that the corpus uses and that are not everyday words."""
    from wordfreq import zipf_frequency

    out = []
    for w in re.findall(r"\w{3,}", fold_accents(question.lower())):
        if w in STOP or w.isdigit():
            continue
        if (_stemmer().stemWord(w) in vocabulary or w in vocabulary) and zipf_frequency(
            w, "nl"
        ) < COMMON_ZIPF:
            out.append(w)
    return out


def decide(question: str, lang: str, dense: float, vocabulary: set[str]) -> ScopeDecision:
    """`question` must already be stripped of injected instructions."""
    if not question.strip():
        return ScopeDecision(False, "empty after removing instructions", dense, ())
    if is_off_task(question):
        return ScopeDecision(False, "a task, not a question about the framework", dense, ())
    if lang == "en":
        return ScopeDecision(dense >= MIN_DENSE_EN, "english: dense similarity", dense, ())
    evidence = tuple(domain_evidence(question, vocabulary))
    needed = MIN_DENSE_NL if evidence else MIN_DENSE_NO_EVIDENCE
    return ScopeDecision(dense >= needed, "domain evidence and dense similarity", dense, evidence)
