"""The thesaurus adds the framework's terms for practitioners' words to keyword queries."""

from __future__ import annotations

import json

import yaml

from assistant.config import ROOT
from index.thesaurus import Thesaurus

T = Thesaurus.from_mapping(
    {"wethouder": ["bestuur", "gemeente"], "spin in het web": ["coördinator"], "MT": ["management"]}
)


def test_whole_words_and_phrases() -> None:
    assert T.matches("Onze wethouders willen resultaten") == ["wethouder"]
    assert T.matches("zij is de spin in het web van ons netwerk") == ["spin in het web"]
    assert T.matches("het mt wil cijfers") == ["mt"]
    assert T.matches("een spinnenweb") == [] and T.matches("smtp") == []


def test_expand_appends_terms_once() -> None:
    assert T.expand("wethouder en wethouders") == "wethouder en wethouders bestuur gemeente"
    assert T.expand("geen treffer") == "geen treffer"


def test_the_shipped_thesaurus_maps_to_corpus_words() -> None:
    data = yaml.safe_load((ROOT / "corpus" / "thesaurus.yaml").read_text(encoding="utf-8"))
    records = [json.loads(line) for line in (ROOT / "corpus" / "principles.jsonl").open()]
    corpus = " ".join(f"{r['lead']} {r['text']}".lower() for r in records)
    assert len(data) >= 150
    missing = {t for terms in data.values() for t in terms if t.lower()[:6] not in corpus}
    assert missing == set()
