"""Each retrieval and answer step on its own, on small fixtures: fusion, re-ranking,
intents, citations, the Delphi formatter, query checks. No model, no index."""

from __future__ import annotations

import pytest

from assistant.cite import Citer, renumber
from assistant.delphi import delphi_parts
from assistant.errors import InputError
from assistant.fusion import rrf
from assistant.query import check_k, clean_query
from assistant.rerank import Candidate, NoRerank, PrincipleReranker, intents, make_reranker
from corpus.record import DelphiScores
from tests.fakes import BY_ID, P1, P2

# --- fusion and re-ranking -----------------------------------------------------------------


def test_rrf_weights_and_ties() -> None:
    a, b = [("x", 9.0), ("y", 1.0)], [("y", 5.0), ("z", 1.0)]
    assert [i for i, _ in rrf([a, b], k=10)] == ["y", "x", "z"]
    assert next(i for i, _ in rrf([a, b], k=10, weights=[1.0, 0.0])) == "x"
    tie = rrf([[("p", 1.0)], [("q", 1.0)]], k=10)
    assert [i for i, _ in tie] == ["p", "q"]  # first appearance breaks the tie


def test_principle_reranker_caps_fragments_per_principle() -> None:
    ids = [f"{P1}-we01", f"{P1}-we02", f"{P1}-we03", f"{P2}-we01"]
    cands = [Candidate(i, 1.0 - n / 10, BY_ID[i]) for n, i in enumerate(ids)]
    ranked = PrincipleReranker(2).rerank("q", cands, BY_ID)
    assert [c.id for c in ranked] == [ids[0], ids[1], ids[3], ids[2]]
    assert [c.id for c in NoRerank().rerank("q", cands, BY_ID)] == ids
    assert isinstance(make_reranker("principle", 1), PrincipleReranker)
    with pytest.raises(ValueError):
        make_reranker("cross-encoder", 2)


def test_intents_name_the_kinds_a_question_asks_for() -> None:
    assert intents("Wat belemmert de samenwerking?")["belemmerend"] == 1.6
    assert intents("Wat is een trekker?")["definitie"] == 1.8
    assert intents("Welke tips heeft het handboek?")["tip"] == 1.8
    assert intents("Hoe houd ik deelnemers betrokken?") == {}


# --- the question ----------------------------------------------------------------------


def test_questions_are_cleaned_and_checked() -> None:
    assert clean_query("  Hoe\x00 houd  ik\tze betrokken? ", 100) == "Hoe houd ik ze betrokken?"
    for bad, code in (("  ", "empty_question"), ("x" * 11, "question_too_long")):
        with pytest.raises(InputError) as info:
            clean_query(bad, 10)
        assert info.value.code == code and info.value.nl and info.value.en
    check_k(50, 50)
    with pytest.raises(InputError, match="k must be between 1 and 50"):
        check_k(51, 50)


# --- citations -------------------------------------------------------------------------


def test_citer_numbers_by_first_use_and_refuses_unretrieved() -> None:
    citer = Citer([BY_ID[P1], BY_ID[P2]])
    assert [citer.ref(P2), citer.ref(P1), citer.ref(P2)] == ["[1]", "[2]", "[1]"]
    assert [(c.n, c.id) for c in citer.citations()] == [(1, P2), (2, P1)]
    assert citer.citations()[1].delphi == BY_ID[P1].delphi
    with pytest.raises(KeyError):
        citer.ref("d23-def-trekker")


def test_renumber_drops_invented_numbers() -> None:
    text, cites = renumber(
        "Leden blijven [2]. Gedeeld leiderschap [1] [7].", [P1, P2], [BY_ID[P1], BY_ID[P2]]
    )
    assert text == "Leden blijven [1]. Gedeeld leiderschap [2]."
    assert [c.id for c in cites] == [P2, P1]


# --- the Delphi formatter --------------------------------------------------------------


def test_one_delphi_formatter_three_styles() -> None:
    d = DelphiScores(weight=145, mean=4.6, top3_rank=3, top10_rank=None)
    assert delphi_parts(d, "answer-nl", "Synergie") == [
        "gemiddeld belang 4,6 op een schaal van 1 tot 5",
        "score binnen het kernelement 145",
        "nr. 3 in de top 3 van Synergie",
    ]
    assert delphi_parts(d, "answer-en", "Synergie")[0] == "mean importance 4.6 on a 1-5 scale"
    assert delphi_parts(d, "page") == [
        "gemiddeld 4,6 (schaal 1-5)",
        "top-3 van het kernelement: #3",
        "gewicht 145",
    ]
    assert delphi_parts(d, "chip") == ["gemiddeld 4,6 van 5", "top-3 #3"]
    assert delphi_parts(None, "chip") == []
