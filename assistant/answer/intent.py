"""What kind of answer a question asks for (pure): it decides how the answer opens.

- `howto` (the default): the principle and what works;
- `hinders`: what gets in the way first;
- `definition`: the definition;
- `phases`: the phases in order;
- `figures`: the Delphi figure in a sentence first;
- `top10`, `top3`, `expert`, `changes`: aggregations computed from the records'
  metadata (the ten most important principles, the top 3 of a core element, the
  principles practice experts added (E), what changed since the 2021 text).

Word families of Dutch and English, not phrases of particular questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.answer.sentences import asks_ranking
from assistant.rerank import intents
from corpus.record import KERNELEMENTEN
from corpus.text import fold

QuestionKind = Literal[
    "howto", "hinders", "definition", "phases", "figures", "top10", "top3", "expert", "changes"
]

_TOP10 = re.compile(
    r"\btien belangrijkste|\btop ?(10|tien)\b|top-10|\bten most important|"
    r"\bwelke\b[^?]*\bbelangrijkst|\bwhich\b[^?]*\bmost important"
)
_TOP3 = re.compile(r"\btop ?(3|drie)\b|top-3|\bdrie belangrijkste|\btop three")
_EXPERT = re.compile(
    r"\(e\)|praktijkexpert|(door|by) (de |the )?(praktijk)?experts? (zijn |is |werden |were )?"
    r"(toegevoegd|added)|toegevoegd door|added by"
)
_CHANGES = re.compile(
    r"veranderd|gewijzigd|verschil\w* tussen|vergele?ken met|oude(re)? (versie|formulering)|"
    r"eerdere versie|(2021|2023)\b.*\b(2023|2021)|changed|difference between|earlier version"
)
_DEFINITION = re.compile(
    r"^(wat|wie) (is|zijn|betekent|bedoel\w*|verstaan|doet)\b|wat (wordt|bedoelen|verstaan)\b"
    r"[^?]*\b(met|onder)\b|\bdefinitie|\bbegrip\b|^(what|who) (is|are|does)\b|\bmean by\b"
)
_PHASES = re.compile(r"\b(welke|wat zijn de|which|what are the)\b[^?]*\b(fasen|fases|phases)\b")
# older names of the core elements, as the sources use them
_OLD_NAMES = {
    "resultaten": "Opbrengsten",
    "implementeren van resultaten": "Kennistransfer van opbrengsten",
    "kennistransfer": "Kennistransfer van opbrengsten",
    "leerrendement": "Leren zichtbaar maken",
    "leerlessen": "Leren zichtbaar maken",
    "fasering": "Ontwikkelfasen",
    "ontwikkelfases": "Ontwikkelfasen",
}


@dataclass(frozen=True)
class QuestionIntent:
    kind: QuestionKind
    kernelement: str | None = None  # the core element the question names, if any
    several_parts: bool = False  # more than one question in one message


def named_kernelement(question: str) -> str | None:
    q = fold(question)
    for name in KERNELEMENTEN:
        if fold(name) in q:
            return name
    for old, name in _OLD_NAMES.items():
        if re.search(rf"\b{old}\b", q):
            return name
    return None


def question_intent(question: str) -> QuestionIntent:
    q = fold(question).strip()
    kern = named_kernelement(question)
    parts = len(re.findall(r"\?", question)) >= 2
    kind: QuestionKind = "howto"
    if _EXPERT.search(q):
        kind = "expert"
    elif _TOP10.search(q):
        kind = "top10"
    elif _TOP3.search(q) and kern:
        kind = "top3"
    elif _CHANGES.search(q):
        kind = "changes"
    elif _PHASES.search(q):
        kind = "phases"
    elif _DEFINITION.search(q) and len(q.split()) <= 14:
        kind = "definition"
    elif asks_ranking(question):
        kind = "figures"
    elif "belemmerend" in intents(question):
        kind = "hinders"
    return QuestionIntent(kind, kern, parts)
