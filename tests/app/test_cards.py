"""The chat's principle cards and citation chips: pure functions over an answer."""

from __future__ import annotations

from app.cards import cards_html, chip, chip_name, with_chips, without_chips
from app.ui import to_history
from assistant.types import AnswerBlock, AnswerLine, Citation
from corpus.record import DelphiScores


def _citation(n: int, kind: str = "werkzaam_element", text: str = "Zin") -> Citation:
    return Citation(
        n=n,
        id=f"d23-syn-p-we0{n}",
        text=text,
        principle="P",
        kernelement="Synergie",
        kind=kind,
        source="Delphi 2023",
        principle_id="d23-syn-p",
    )


def test_a_chip_is_named_and_leads_to_the_marked_sentence() -> None:
    c = _citation(2)
    assert chip_name(c) == "Bron 2: Synergie, werkzaam element"
    html = chip(c)
    assert 'href="/principles/d23-syn-p#d23-syn-p-we02"' in html
    assert 'aria-label="Bron 2: Synergie, werkzaam element"' in html
    assert ">[2]<" in html


def test_chips_go_in_and_come_out_again() -> None:
    text = "Eerst dit. [1] Dan dat. [2] En [9] bestaat niet."
    shown = with_chips(text, [_citation(1), _citation(2)])
    assert shown.count('class="liso-chip"') == 2 and "[9]" in shown
    assert without_chips(shown) == text
    history = to_history(
        [
            {"role": "user", "content": "Vraag"},
            {"role": "assistant", "content": shown},
            {"role": "user", "content": "x" * 2100},
            {"role": "assistant", "content": "⚠️ De vraag is te lang."},
        ]
    )
    assert [(t.role, t.content) for t in history] == [("user", "Vraag"), ("assistant", text)]


def test_a_card_shows_the_principle_and_escapes_the_corpus() -> None:
    cites = [_citation(1, "uitgangspunt", "<b>Stelling</b>"), _citation(2)]
    block = AnswerBlock(
        principle_id="d23-syn-p",
        kind="uitgangspunt",
        statement=AnswerLine(n=1, id="d23-syn-p", text="<b>Stelling</b>", kind="uitgangspunt"),
        kernelement="Synergie",
        deelelement="Ledenbetrokkenheid",
        delphi=DelphiScores(mean=4.6),
        expert_added=True,
        phase="formeren",
        works=[AnswerLine(n=2, id="d23-syn-p-we02", text="Werkt", kind="werkzaam_element")],
    )
    html = cards_html([block], cites)
    assert "<b>" not in html and "&lt;b&gt;Stelling&lt;/b&gt;" in html
    assert "Synergie · Ledenbetrokkenheid · fase formeren" in html
    assert "(E)</abbr>" in html and "Delphi-belang 4,6 van 5" in html
    assert 'style="width:92%"' in html
    assert "<ul><li>Werkt" in html and "Bron 2: Synergie, werkzaam element" in html
