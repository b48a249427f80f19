"""BM25 analysis: folded words, stems and six-letter prefixes, compounds split, masks."""

from __future__ import annotations

from index.bm25 import BM25Index, analyze, decompound, words

VOCABULARY = frozenset({"leden", "betrokkenheid", "leernetwerk", "bijeenkomst"})


def test_words_are_folded_and_at_least_two_letters() -> None:
    assert words("Coördinatie van 2 LNW's: ideeën!") == ["coordinatie", "van", "lnw", "ideeen"]


def test_compounds_split_into_known_parts() -> None:
    assert decompound("ledenbetrokkenheid", VOCABULARY) == ["leden", "betrokkenheid"]
    assert decompound("leernetwerkbijeenkomst", VOCABULARY) == ["leernetwerk", "bijeenkomst"]
    assert decompound("samenwerking", VOCABULARY) == []


def test_analysis_stems_prefixes_and_drops_stop_words() -> None:
    tokens = analyze("De ledenbetrokkenheid in leernetwerken", VOCABULARY)
    assert "de" not in tokens and "in" not in tokens
    # the compound's stem and both parts ("leden" stems to "leed"), six-letter prefixes
    assert {"ledenbetrokken", "leed", "betrokken", "~betrok"} <= set(tokens)
    assert "leernetwerk" in tokens and "~leerne" in tokens


def test_search_ranks_and_masks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ids = ["a", "b", "c"]
    texts = [
        "Ledenbetrokkenheid groeit met goede bijeenkomsten; betrokkenheid telt.",
        "Gedeeld leiderschap in het leernetwerk.",
        "Betrokken leden komen naar elke bijeenkomst.",
    ]
    index = BM25Index.build(ids, texts)
    # "ledenbetrokkenheid" is split into known words: the query's words find it
    assert [i for i, _ in index.search("betrokkenheid van leden", 3)] == ["a", "c"]
    index.save(tmp_path / "bm25")
    again = BM25Index.load(tmp_path / "bm25")
    masked = again.search("betrokkenheid van leden", 3, mask=again_mask(again.ids, {"c"}))
    assert [i for i, _ in masked] == ["c"]
    assert again.search("appeltaart", 3) == []


def again_mask(ids: list[str], allowed: set[str]):  # type: ignore[no-untyped-def]
    import numpy as np

    return np.array([1.0 if i in allowed else 0.0 for i in ids], dtype=np.float32)
