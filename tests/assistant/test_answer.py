"""The extractive answer in two pure steps: select (which records, where) and render
(markdown with numbered citations), on hand-made evidence."""

from __future__ import annotations

import re

from assistant.answer import AnswerShape, compose, refusal_text, render, select
from assistant.types import Hit
from tests.fakes import BY_ID, P1, P2

SHAPE = AnswerShape()


def hits(*ids: str) -> list[Hit]:
    return [Hit(id=i, score=1.0 / n, rank=n, record=BY_ID[i]) for n, i in enumerate(ids, 1)]


HOWTO = hits(f"{P1}-we02", P1, f"{P1}-we01", "sr21-t08-bel01", f"{P1}-we03", f"{P2}-we01")


def test_select_leads_with_the_principle_of_the_best_fragment() -> None:
    s = select("Hoe houd ik deelnemers betrokken?", HOWTO, BY_ID, SHAPE)
    assert [line.record.id for line in s.direct] == [P1, f"{P1}-we02"]
    assert s.direct[1].text == BY_ID[f"{P1}-we02"].text
    assert [line.record.id for line in s.works] == [f"{P1}-we01", f"{P1}-we03"]
    assert (
        s.works[0].text
        == "- Ledenbetrokkenheid wordt groter wanneer: er een sterk groepsgevoel heerst."
    )
    # a hindering factor of the main principle is said even when not asked for
    assert [line.record.id for line in s.watch] == ["sr21-t08-bel01"]
    assert [p.id for p in s.weighed] == [P1] and s.show_weights
    assert f"{P2}-we01" not in {line.record.id for line in s.works}  # another principle


def test_render_cites_every_line_and_numbers_by_first_use() -> None:
    draft = compose("Hoe houd ik deelnemers betrokken?", HOWTO, BY_ID, "nl", SHAPE)
    lines = [ln for ln in draft.text.splitlines() if ln and not ln.startswith("**")]
    assert all(re.search(r"\[\d+\]$", ln) for ln in lines)
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", draft.text)}
    assert numbers == {c.n for c in draft.citations} == set(range(1, len(draft.citations) + 1))
    assert draft.citations[0].id == P1
    assert "**Wat werkt**" in draft.text and "**Waar je op let**" in draft.text
    assert "Delphi-studie 2023: gemiddeld belang 4,6 op een schaal van 1 tot 5" in draft.text


def test_the_citation_budget_limits_the_lines() -> None:
    small = AnswerShape(max_citations=3)
    draft = compose("Hoe houd ik deelnemers betrokken?", HOWTO, BY_ID, "nl", small)
    assert len(draft.citations) <= 3
    s = select("Hoe houd ik deelnemers betrokken?", HOWTO, BY_ID, small)
    assert len(s.works) + len(s.watch) == 1


def test_a_definition_stands_alone() -> None:
    s = select("Wat is een trekker?", hits("d23-def-trekker", P2, f"{P2}-we01"), BY_ID, SHAPE)
    assert [line.record.id for line in s.direct] == ["d23-def-trekker"]
    assert not s.top_weight


def test_a_ranking_question_leads_with_the_table_it_names() -> None:
    evidence = hits(P1, "d23-tabel2-syn", "d23-tabel3", f"{P1}-we01")
    top10 = select("Welke tien uitgangspunten zijn het belangrijkst?", evidence, BY_ID, SHAPE)
    assert top10.top.id == "d23-tabel3" and top10.direct[0].text == BY_ID["d23-tabel3"].text
    assert not top10.show_weights  # a study result lists no weights
    top3 = select("Wat is de top 3 van Synergie?", evidence, BY_ID, SHAPE)
    assert top3.top.id == "d23-tabel2-syn"
    scored = select(
        "Hoe belangrijk is tevredenheid van leden?", hits(f"{P1}-we01", P1), BY_ID, SHAPE
    )
    assert scored.top.id == P1 and scored.top_weight


def test_english_frame_and_refusals() -> None:
    selection = select("How do I keep participants engaged?", HOWTO, BY_ID, SHAPE)
    draft = render(selection, [h.record for h in HOWTO], "en")
    assert draft.text.startswith("The LISO framework is written in Dutch")
    assert "**What works**" in draft.text and "Delphi study 2023: mean importance 4.6" in draft.text
    assert refusal_text("nl", []).startswith("Het LISO-framework gaat niet over deze vraag")
    nearest = refusal_text("en", [BY_ID[P1]])
    assert "nearest principles" in nearest and BY_ID[P1].text in nearest
