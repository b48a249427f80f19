"""Deciding, before anything is generated, whether the corpus covers a question.

Two steps:

1. **Instructions aimed at the assistant are cut out** (`strip_instructions`): requests
   for its hidden instructions or configuration, claimed mode or role switches, "forget
   your rules", fake system/developer lines and the markup that carries them (HTML
   comments, <system> tags, JSON role objects, fenced blocks). The patterns are word
   families of Dutch and English, not phrases of particular questions; they are checked
   against the out-of-scope bank's instructions (all caught) and the 1,186 in-scope bank
   questions (none touched) in tests/assistant/test_scope.py. What is left is judged on
   its own; nothing left means a refusal.
2. **Scope as a neighbourhood** (`decide`): the question's nearest neighbours among the
   in-scope question bank and the out-of-scope bank (near misses: law, money
   administration, HR, tools, other methods, individual care; far: everything else).
   The question is out of scope when its out-of-scope neighbours are closer than its
   in-scope ones by more than a margin (a setting, chosen on the dev split). Requests to
   write, translate or joke are tasks, not questions about the framework.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.embedders import Embedder
from index.keys import KeyTable

# --- 1. instructions aimed at the assistant ---------------------------------------------

_VERBS_REVEAL = (
    r"toon|laat\s+(?:\w+\s+){0,3}zien|geef|print|herhaal|citeer|plak|deel|onthul|vertaal|"
    r"reveal|show|output|repeat|list|translate|dump|display|tell\s+me|quote|paste|copy"
)
_SECRETS = (
    r"systeem\s*-?\s*prompt|system\s*-?\s*(?:prompt|message|bericht)|\bprompt\w*|"
    r"configurat\w+|\bconfig\b|context\s*window|api[- ]?(?:sleutel|key)|wachtwoord|password|"
    r"(?:je|jouw|your|uw)\s+(?:\w+\s+){0,2}(?:instructies|instructions|regels|rules|richtlijnen)|"
    r"(?:verborgen|geheime|onzichtbare|vertrouwelijke|interne|hidden|secret|invisible|internal)"
    r"\s+(?:\w+\s+){0,2}(?:instructies|instructions|regels|rules|tekst|text)"
)
# what only an assistant has: mentioning it is asking about the assistant itself
_OWN = (
    r"systeem\s*-?\s*prompt|system\s*-?\s*prompt|\bprompt(?:geschiedenis|history)?\b|"
    r"configurat\w+|\bconfig\b|context\s*window|api[- ]?(?:sleutel|key)|wachtwoord|password|"
    r"modelnaam|model\s*name|(?:jouw|your|uw)\s+(?:\w+\s+){0,2}(?:instructies|instructions|"
    r"regels|rules|richtlijnen|guidelines)|(?:je|jouw|your)\s+(?:verborgen|geheime|onzichtbare|"
    r"vertrouwelijke|interne|hidden|secret|invisible|internal|eigen|own)\s+(?:instructies|"
    r"instructions|regels|rules|richtlijnen|guidelines)"
)
_OVERRIDE_VERBS = r"negeer|vergeet|ignore|disregard|forget|overrule|omzeil|bypass|skip"
_RULES = (
    r"instructies?|instructions?|regels|rules|richtlijnen|guidelines|beperkingen|restrictions|"
    r"prompt|framework|corpus|bronnen|sources|bronvermelding|citations|disclaimers|safety"
)
_MODES = (
    r"(?:developer|debug|maintenance|admin|unrestricted|god|jailbreak|vrije?)\s*-?\s*"
    r"(?:mode|modus)|ontwikkelaarsmodus|debugmodus|onderhoudsmodus|\bjailbreak\b"
)
_INSTRUCTION_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I | re.S)
    for p in (
        # requests to reveal what the assistant was told or how it is configured
        rf"\b(?:{_VERBS_REVEAL})\b[^.?!\n]{{0,80}}(?:{_SECRETS})",
        rf"(?:{_SECRETS})[^.?!\n]{{0,40}}\b(?:{_VERBS_REVEAL}|staat|stond|zegt|bevat|contain)",
        r"\b(?:welke|wat|what|which)\b[^.?!\n]{0,30}\b(?:regels|instructies|rules|instructions)"
        r"\b[^.?!\n]{0,40}\b(?:maker|ontwikkelaar|developer|creator|meegegeven|gekregen|given)",
        r"\b(?:welk|which|what)\s+(?:taal)?model\b|\btemperatu?u?re?\b[^.?!\n]{0,20}\b(?:draai|run)",
        rf"(?:{_OWN})",
        # overriding its rules
        rf"\b(?:{_OVERRIDE_VERBS})\b[^.?!\n]{{0,50}}\b(?:{_RULES})\b",
        rf"\b(?:zet|schakel|turn|switch)\b[^.?!\n]{{0,40}}\b(?:{_RULES}|bronnencontrole|"
        rf"regels|rules)\b[^.?!\n]{{0,20}}\b(?:uit|off)\b",
        r"\b(?:zet|schakel|turn|switch)\b[^.?!\n]{0,30}\b(?:voor|in|tijdens|for|during)\s+"
        r"(?:dit|deze|this)\s+(?:gesprek|chat|sessie|conversation|session)\b",
        r"\b(?:zonder|without)\s+(?:bron\w*|sources|citations|regels|rules|beperking\w*|"
        r"restrictions|disclaimers)\b[^.?!\n]{0,40}\b(?:antwoord|answer|schrijf|write|respond|"
        r"reageer|mag|may|can)\b",
        r"\w*(?:antwoord|answer|schrijf|write|respond|reageer)\w*\b[^.?!\n]{0,60}\b(?:zonder|"
        r"without)\s+(?:bron\w*|sources|citations|regels|rules|disclaimers)\b",
        r"\b(?:instructies|instructions|regels|rules|beperkingen|restrictions)\b[^.?!\n]{0,30}"
        r"\b(?:gewijzigd|opgeheven|changed|lifted|updated|aangepast|removed|verwijderd)\b",
        r"\b(?:antwoord|answer|respond|reply|praat|spreek|schrijf|write|talk|speak)\w*\s+"
        r"(?:voortaan|vanaf nu|from now on|henceforth)\b",
        # claimed role or mode switches
        rf"(?:{_MODES})",
        r"\b(?:je bent|jij bent|ben je|you are|you're|u bent)\s+(?:nu|voortaan|vanaf nu|now|"
        r"no longer|geen|niet langer|vanaf dit|from now)\b",
        r"\b(?:vanaf nu|voortaan|vanaf dit (?:bericht|moment)|vanaf deze regel|from now on|"
        r"henceforth)\b[^.?!\n]{0,60}\b(?:ben|bent|heet|spreek|praat|antwoord|are|act|speak|"
        r"answer|respond|reply|write|schrijf)\w*\b",
        r"\b(?:doe alsof|speel (?:de rol|voor)|pretend|act as|imagine you|stel je voor dat je|"
        r"roleplay|rollenspel|rolwissel|role ?switch)\b",
        r"\b(?:vergeet|forget)\s+(?:even\s+)?(?:wie je bent|who you are|het framework|the framework)",
        # fake system, developer or admin lines and session breaks
        r"(?:^|\n)\s*[\[\(<#>*|]*\s*(?:system|systeem|developer|ontwikkelaar|admin|beheerder|"
        r"assistant|assistent|user|gebruiker)\s*(?:prompt|override|melding|message)?\s*"
        r"[\]\)>#*]*\s*[:>\]]",
        r"\b(?:system|systeem)\s*(?:override|melding|message|prompt)\b",
        r"\b(?:end of conversation|new session|einde (?:gebruikers)?bericht|einde gesprek)\b",
        r"\b(?:ik ben (?:de|je) (?:ontwikkelaar|beheerder|maker)|i am (?:the|your) "
        r"(?:developer|admin|creator)|opdracht van (?:je|jouw) beheerder|bericht van het "
        r"projectteam)\b",
        r"\btoestemming\b[^.?!\n]{0,40}\b(?:instructies|regels|prompt)\b",
        r"\b(?:base64|decodeer|decode)\b[^.?!\n]{0,40}\b(?:voer|execute|uit|run)\b",
        r"\bherhaal\b[^.?!\n]{0,30}\b(?:oneindig|eindeloos|infinitely|forever)\b|"
        r"\brepeat\b[^.?!\n]{0,30}\b(?:forever|infinitely)\b",
        r"\b(?:boven|above)\s+(?:deze|this)\s+(?:regel|line)\b",
        r"\b(?:kennisbank|knowledge base)\b[^.?!\n]{0,40}\b(?:bestandsnamen|paden|file ?names|paths)\b",
        r"\"(?:role|override|mode|reveal_prompt)\"\s*:",
        r"\[\[?\s*/?\s*(?:system|systeem|admin|developer|assistant|assistent)\b[^\]]*\]\]?",
    )
)
# markup that carries instructions: removed whole when it holds one
_CARRIERS = re.compile(
    r"<!--.*?-->|<(system|instruction|instructie|admin|developer)[^>]*>.*?</\1\s*>|"
    r"<div[^>]*display\s*:\s*none[^>]*>.*?</div>|```.*?```|\[\[[^\]]*\]\]",
    re.I | re.S,
)
_SEGMENT = re.compile(r"(?<=[.?!])\s+|\n+")


# a persona name used in jailbreaks; upper case only ("dan" is a Dutch word)
_PERSONA = re.compile(r"\bDAN\b")


def is_instruction(text: str) -> bool:
    return any(p.search(text) for p in _INSTRUCTION_PATTERNS) or bool(_PERSONA.search(text))


def strip_instructions(question: str) -> str:
    """The question without the parts aimed at the assistant itself."""
    kept = _CARRIERS.sub(lambda m: " " if is_instruction(m.group(0)) else m.group(0), question)
    segments = [s for s in _SEGMENT.split(kept) if s and s.strip()]
    out = [s for s in segments if not is_instruction(s)]
    text = " ".join(" ".join(out).split())
    # what is left of a table or a tag is not a question
    return "" if not re.search(r"[^\W\d_]{3,}", text) else text


# --- 2. the neighbourhood -------------------------------------------------------------------

OFF_TASK = re.compile(
    r"\b(schrijf|maak|write|compose|genereer|generate|dicht)\b[^.?!]*\b(code|script|programma|"
    r"gedicht|verhaal|mop|grap|liedje|versje|rijm\w*|essay|poem|story|joke|song|rhyme|limerick)\b"
    r"|\b(vertel|tell)\b[^.?!]*\b(mop|grap|joke|verhaal|story)\b"
    r"|\b(vertaal|translate)\b",
    re.I,
)


@dataclass(frozen=True)
class Neighbourhood:
    """Similarities of a question to the two banks (mean of the k closest of each)."""

    inside: float
    outside: float
    nearest_outside: str = ""  # category of the closest out-of-scope question

    @property
    def margin(self) -> float:
        return self.outside - self.inside


@dataclass(frozen=True)
class ScopeDecision:
    in_scope: bool
    reason: str
    neighbourhood: Neighbourhood | None = None


def neighbourhood(
    query_vec: np.ndarray,
    vectors: np.ndarray,
    inside_rows: np.ndarray,
    outside_rows: np.ndarray,
    outside_labels: Sequence[str] | np.ndarray,
    k: int,
) -> Neighbourhood:
    """Mean similarity of the k nearest in-scope and k nearest out-of-scope questions."""

    def top(rows: np.ndarray) -> tuple[float, int]:
        if rows.size == 0:
            return 0.0, -1
        sims = vectors[rows] @ query_vec
        order = np.argsort(-sims)[:k]
        return float(np.mean(sims[order])), int(rows[order[0]])

    inside, _ = top(inside_rows)
    outside, nearest = top(outside_rows)
    label = str(outside_labels[nearest]) if nearest >= 0 else ""
    return Neighbourhood(inside, outside, label)


def decide(question: str, near: Neighbourhood | None, margin: float) -> ScopeDecision:
    """`question` must already be stripped of instructions."""
    if not question.strip():
        return ScopeDecision(False, "only instructions aimed at the assistant")
    if OFF_TASK.search(question):
        return ScopeDecision(False, "a task, not a question about the framework", near)
    if near is None:
        return ScopeDecision(True, "no out-of-scope bank", near)
    if near.margin > margin:
        return ScopeDecision(
            False, f"closer to out-of-scope questions ({near.nearest_outside})", near
        )
    return ScopeDecision(True, "closer to the question bank", near)


def judge(
    question: str, keys: KeyTable | None, embedder: Embedder, k: int, margin: float
) -> tuple[bool, dict[str, float]]:
    """Whether the corpus covers the question, and the signals the decision used;
    `question` must already be stripped of instructions."""
    near = None
    if question.strip() and keys is not None and keys.rows("oos").size:
        vec = embedder.embed_query(question)
        near = neighbourhood(vec, keys.vectors, keys.rows("bank"), keys.rows("oos"), keys.target, k)
    d = decide(question, near, margin)
    signals = {"in_scope": float(d.in_scope)}
    if near is not None:
        signals |= {"inside": round(near.inside, 4), "outside": round(near.outside, 4)}
    return d.in_scope, signals


# what the near-miss categories of the out-of-scope bank are about, in the user's words
UNCOVERED_TOPICS: dict[str, dict[str, str]] = {
    "near:law": {
        "nl": "wet- en regelgeving (zoals privacy en de AVG)",
        "en": "law and regulations (such as privacy and the GDPR)",
    },
    "near:money": {
        "nl": "financiële administratie (begrotingen, btw, declaraties)",
        "en": "financial administration (budgets, VAT, claims)",
    },
    "near:hr": {
        "nl": "personeelszaken (contracten, verzuim, cao)",
        "en": "human resources (contracts, sick leave, collective agreements)",
    },
    "near:tools": {"nl": "software en digitale hulpmiddelen", "en": "software and digital tools"},
    "near:methods": {
        "nl": "andere methoden en modellen dan LISO",
        "en": "methods and models other than LISO",
    },
    "near:care": {"nl": "individuele zorg of behandeling", "en": "individual care or treatment"},
}
_SENTENCE = re.compile(r"(?<=[.?!;])\s+")
_CLAUSE = re.compile(
    r",?\s+(?:en|maar|and|but)\s+(?=(?:hoe\w*|wat|wanneer|waar\w*|welk\w*|wie|mag|mogen|"
    r"moet\w*|kan|kun\w*|is|zijn|heb\w*|how|what|when|where|which|who|can|could|should|"
    r"may|must|is|are|do|does)\b)",
    re.I,
)
MIN_PART_WORDS = 5


def question_parts(question: str) -> list[str]:
    """The questions a message asks: its sentences that end in a question mark, split
    further where "en"/"and" joins a second question; parts of five words or more."""
    parts = []
    for sentence in _SENTENCE.split(question):
        if sentence.rstrip().endswith("?"):
            parts += _CLAUSE.split(sentence)
    return [p for p in parts if len(p.split()) >= MIN_PART_WORDS]


def uncovered_part(
    question: str,
    lang: str,
    keys: KeyTable | None,
    embedder: Embedder,
    k: int,
    margin: float,
) -> str:
    """For a question that is in scope as a whole: the topic of one of its questions
    that is not (whose neighbours are near-miss questions), in the user's language;
    '' when every part is covered or the message asks one question."""
    if keys is None or not keys.rows("oos").size:
        return ""
    parts = question_parts(question)
    if len(parts) < 2:
        return ""
    for part in parts:  # one at a time: user text never goes to the disk cache
        vec = embedder.embed_query(part)
        near = neighbourhood(vec, keys.vectors, keys.rows("bank"), keys.rows("oos"), keys.target, k)
        topic = UNCOVERED_TOPICS.get(near.nearest_outside)
        if near.margin > margin and topic:
            return topic["en" if lang == "en" else "nl"]
    return ""
