"""The one text normaliser and the record's own helpers (filters, metadata, tables)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from corpus import text
from corpus.record import Filters, matches, record_metadata
from tests.fakes import BY_ID, P1, RECORDS


def test_folding_tokens_and_plain_form() -> None:
    assert text.fold_accents("Coördinatie IDEEËN") == "Coordinatie IDEEEN"
    assert text.fold("Coördinatie IDEEËN ĳs") == "coordinatie ideeen ijs"
    assert text.tokens("Eén leer-netwerk, 2 leden!", 2) == ["een", "leer", "netwerk", "leden"]
    assert text.plain("Organisatie-overstijgend (LNW)!") == "organisatie overstijgend lnw"


def test_one_stemmer_for_everyone() -> None:
    assert text.stem("leernetwerken") == "leernetwerk"
    assert text._stemmer() is text._stemmer()  # built once, cached
    assert "de" in text.STOPWORDS and "leernetwerk" not in text.STOPWORDS


def test_filters_of_a_form_and_their_conditions() -> None:
    assert Filters.of(None, [], None) is None
    f = Filters.of(["Synergie"], None, ["formeren", "onderhoud"])
    assert f is not None
    assert f.conditions() == {"kernelement": ["Synergie"], "phase": ["formeren", "onderhoud"]}
    assert Filters(expert_added=False).conditions() == {"expert_added": [False]}
    with pytest.raises(ValidationError):
        Filters.of(["Onbekend"])


def test_conditions_match_the_metadata_a_store_keeps() -> None:
    meta = record_metadata(BY_ID[P1])
    assert meta["source"] == "000_delphi.txt" and meta["delphi_top10"] == 3
    assert matches(meta, Filters(kernelement=["Synergie"], kind=["uitgangspunt"]).conditions())
    assert not matches(meta, Filters(edition=["framework-2021"]).conditions())
    assert not matches(meta, Filters(expert_added=True).conditions())
    assert matches(meta, {})


def test_delphi_tables_are_found_by_their_section() -> None:
    tables = {r.id: r.delphi_table() for r in RECORDS if r.delphi_table()}
    assert tables == {"d23-tabel3": 3, "d23-tabel2-syn": 2}
