"""The answer shaped by the framework, in pure steps on the small corpus of the fakes:
what kind of answer a question asks for, which principles it shows, and the structured
answer and markdown with numbered citations."""

from __future__ import annotations

import re

import pytest

from assistant.answer import (
    AnswerShape,
    compose,
    question_intent,
    refusal_text,
    render,
    select,
)
from assistant.answer.render import REFUSAL_EXAMPLES
from assistant.principles import PrincipleScore
from eval.metrics import answer_sentences, is_fragment
from tests.fakes import BY_ID, P1, P2, RECORDS

SHAPE = AnswerShape()
MEMBERS = {
    P1: [BY_ID[f"{P1}-we01"], BY_ID["sr21-t08-bel01"], BY_ID[f"{P1}-we02"], BY_ID[f"{P1}-we03"]],
    P2: [BY_ID[f"{P2}-we01"]],
}


def ranking(*pairs: tuple[str, float]) -> list[PrincipleScore]:
    return [PrincipleScore(i, s) for i, s in pairs]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Hoe houd ik deelnemers betrokken?", "howto"),
        ("Wat gaat er mis als er te veel leden zijn?", "hinders"),
        ("Wat is een trekker?", "definition"),
        ("Welke fasen doorloopt een leernetwerk?", "phases"),
        ("Hoe belangrijk is tevredenheid volgens de experts?", "figures"),
        ("Welke uitgangspunten vinden de experts het belangrijkst?", "top10"),
        ("Wat is de top 3 van Synergie?", "top3"),
        ("Welke uitgangspunten van Organisatie zijn door praktijkexperts toegevoegd?", "expert"),
        ("Wat is er veranderd tussen 2021 en 2023 aan dit uitgangspunt?", "changes"),
    ],
)
def test_question_intent(question: str, kind: str) -> None:
    assert question_intent(question).kind == kind


def test_a_close_second_principle_is_shown() -> None:
    close = compose(
        "Hoe houd ik deelnemers betrokken?",
        ranking((P1, 1.0), (P2, 0.9)),
        MEMBERS,
        BY_ID,
        "nl",
        SHAPE,
    )
    assert [b.principle_id for b in close.blocks] == [P1, P2]
    far = compose(
        "Hoe houd ik deelnemers betrokken?",
        ranking((P1, 1.0), (P2, 0.5)),
        MEMBERS,
        BY_ID,
        "nl",
        SHAPE,
    )
    assert [b.principle_id for b in far.blocks] == [P1]


def test_the_structured_answer_and_its_markdown() -> None:
    draft = compose(
        "Hoe houd ik deelnemers betrokken?",
        ranking((P1, 1.0), (P2, 0.9)),
        MEMBERS,
        BY_ID,
        "nl",
        SHAPE,
    )
    first = draft.blocks[0]
    assert first.statement.id == P1 and first.delphi is not None and first.label
    assert first.earlier is not None and first.earlier.id == "fw21-p18"  # the 2021 wording
    # the list's lead and its item are one sentence
    assert (
        first.works[0].text
        == "Ledenbetrokkenheid wordt groter wanneer er een sterk groepsgevoel heerst."
    )
    assert [ln.id for ln in first.hindering] == ["sr21-t08-bel01"]
    assert draft.summary.startswith(BY_ID[P1].text)
    # every number in the text has a citation and the other way round, in reading order
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", draft.text)]
    assert set(numbers) == {c.n for c in draft.citations}
    assert numbers[0] == 1 and draft.citations[0].id == P1
    assert "Delphi 2023 · Synergie" in draft.text  # short labels in the text
    assert not any(is_fragment(s) for s in answer_sentences(draft.text))


def test_what_hinders_leads_a_hinders_question() -> None:
    draft = compose(
        "Wat werkt belemmerend voor de betrokkenheid?",
        ranking((P1, 1.0)),
        MEMBERS,
        BY_ID,
        "nl",
        SHAPE,
    )
    assert draft.summary.startswith("Wat in de weg kan zitten: Als leden weinig tijd krijgen")


def test_a_definition_leads_only_a_definition_question() -> None:
    r = ranking(("d23-def-trekker", 1.0), (P2, 0.95))
    definition = compose("Wat is een trekker?", r, MEMBERS, BY_ID, "nl", SHAPE)
    assert definition.blocks[0].principle_id == "d23-def-trekker"
    situation = compose(
        "Hoe verdelen we de leiding in ons netwerk?", r, MEMBERS, BY_ID, "nl", SHAPE
    )
    assert situation.blocks[0].principle_id == P2


def test_aggregations_come_from_the_metadata() -> None:
    top10 = compose(
        "Welke uitgangspunten vinden de experts het belangrijkst?",
        ranking((P2, 1.0)),
        MEMBERS,
        BY_ID,
        "nl",
        SHAPE,
    )
    assert top10.blocks[0].principle_id == "d23-tabel3"  # the table leads
    listed = [c.id for c in top10.citations]
    assert P1 in listed and P2 not in listed  # P2 has no top-10 rank
    assert "1. Tevreden en toegewijde leden" in top10.text


def test_a_figure_question_says_the_figure_first() -> None:
    draft = compose(
        "Hoe belangrijk is tevredenheid van leden volgens de experts?",
        ranking((P1, 1.0)),
        MEMBERS,
        BY_ID,
        "nl",
        SHAPE,
    )
    assert "gemiddeld belang 4,6 op een schaal van 1 tot 5" in draft.summary
    assert "145" in draft.summary


def test_not_covered_is_said_in_one_sentence() -> None:
    draft = compose(
        "Hoe houd ik deelnemers betrokken?",
        ranking((P1, 1.0)),
        MEMBERS,
        BY_ID,
        "nl",
        SHAPE,
        not_covered="wet- en regelgeving (zoals privacy en de AVG)",
    )
    assert draft.not_covered.startswith("Over wet- en regelgeving")
    assert draft.text.endswith(draft.not_covered)


def test_english_frame_and_refusals() -> None:
    intent = question_intent("How do I keep participants engaged?")
    plan = select(
        "How do I keep participants engaged?",
        intent,
        ranking((P1, 1.0)),
        MEMBERS,
        BY_ID,
        RECORDS,
        SHAPE,
    )
    draft = render(plan, BY_ID, "en")
    assert draft.text.startswith("The LISO framework is written in Dutch")
    assert "mean importance 4.6 of 5" in draft.text
    text = refusal_text("nl", REFUSAL_EXAMPLES["nl"])
    assert text.startswith("Het LISO-framework gaat niet over deze vraag")
    assert text.count("\n- ") == 3


def test_a_long_record_is_not_quoted_by_its_question() -> None:
    from assistant.answer.sentences import best_sentence

    text = (
        "Wanneer een samenwerking haar resultaten heeft bereikt, is het tijd om af te ronden. "
        "Maar hoe behoud je de geleerde lessen van het leernetwerk? "
        "De materialen bleven beschikbaar op een bestaande website van de partners."
    )
    query = "Hoe behouden we de geleerde lessen van ons leernetwerk?"
    assert not best_sentence(text, query, 10).endswith("?")
    only_questions = "Wat leer je? Hoe behoud je de geleerde lessen van het leernetwerk?"
    assert best_sentence(only_questions, query, 5).startswith("Hoe behoud")
