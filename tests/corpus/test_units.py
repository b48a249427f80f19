"""Units of the corpus and the question bank tied to them."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.config import ROOT
from corpus.build import read_jsonl
from corpus.units import build_units, load_bank, principle_keys, unit_passage


@pytest.fixture(scope="module")
def records():
    return read_jsonl(ROOT / "corpus" / "principles.jsonl")


@pytest.fixture(scope="module")
def units(records):
    return build_units(records)


def test_every_delphi_principle_is_a_unit(records, units) -> None:
    ids = {u.id for u in units}
    delphi = {r.id for r in records if r.kind == "uitgangspunt" and r.edition == "delphi-2023"}
    assert delphi <= ids
    assert {f"sr21-t{t:02d}" for t in range(1, 22)} <= ids
    assert len(ids) == len(units)


def test_equivalent_principles_share_one_key(records) -> None:
    keys = principle_keys(records)
    d23 = "d23-org-gedeeld-leiderschap-verbetert-functioneren-leernetwerk"
    assert keys["fw21-p14"] == d23 and keys[d23] == d23
    assert keys["d23-def-trekker"] == "d23-def-trekker"


def test_units_point_at_principle_keys(records, units) -> None:
    keys = set(principle_keys(records).values())
    for u in units:
        assert u.record_ids and u.keys, u.id
        assert set(u.keys) <= keys, u.id
    theme = next(u for u in units if u.id == "sr21-t08")
    assert theme.keys == ("d23-syn-tevreden-toegewijde-leden-zullen-vollediger-deelnemen-aan",)


def test_unit_passage_is_bounded(records, units) -> None:
    by_id = {r.id: r for r in records}
    for u in units:
        text = unit_passage(u, by_id)
        assert text and len(text.split()) <= 300


def test_bank_covers_every_unit(units) -> None:
    bank = load_bank(ROOT / "corpus" / "question_bank.yaml")
    per_unit = Counter(q.unit for q in bank)
    assert set(per_unit) == {u.id for u in units}
    assert min(per_unit.values()) >= 8 and max(per_unit.values()) <= 15
    assert len({q.id for q in bank}) == len(bank)


def test_curated_successors_are_linked_both_ways(records) -> None:
    from corpus.units import curated_links

    by_id = {r.id: r for r in records}
    links = curated_links()
    assert len(links) >= 8
    for pair in links:
        a, b = sorted(pair)
        assert b in by_id[a].also_in and a in by_id[b].also_in, pair
        assert by_id[a].kind == by_id[b].kind == "uitgangspunt"
