"""The plain-torch e5 embedder: the Latin-script vocabulary (no model) and its agreement
with the sentence-transformers embedder on the whole corpus and the evaluation questions
(slow: loads the model twice)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.config import ROOT, get_settings
from corpus.build import read_jsonl
from corpus.units import build_units, unit_passage
from eval.run import load_questions
from index import vocab
from index.e5_embedder import E5Embedder
from index.embedders import SentenceTransformerEmbedder
from tests.index.conftest import THREADS


@pytest.mark.parametrize(
    ("piece", "kept"),
    [
        ("▁leernetwerk", True),
        ("één", True),
        ("▁Ĳssel", True),
        ("12,5%", True),
        ("—", True),
        ("▁мир", False),  # Cyrillic word: dropped
        ("д", True),  # single characters of any script stay
        ("▁中", True),
        ("中文", False),
    ],
)
def test_latin_pieces(piece: str, kept: bool) -> None:
    assert vocab.keep_piece(piece) is kept


def test_latin_tokenizer_keeps_special_pieces_in_place(tmp_path: Path) -> None:
    spec = {
        "model": {
            "type": "Unigram",
            "unk_id": 3,
            "vocab": [
                *(["<s>", 0], ["<pad>", 0], ["</s>", 0], ["<unk>", 0]),
                *(["▁de", -1.0], ["мир", -2.0], ["▁het", -3.0]),
            ],
        }
    }
    full = tmp_path / "tokenizer.json"
    full.write_text(json.dumps(spec), encoding="utf-8")
    out_json, out_rows = vocab.ensure(full, tmp_path / "cache")
    pieces = [p for p, _ in json.loads(out_json.read_text(encoding="utf-8"))["model"]["vocab"]]
    assert pieces == ["<s>", "<pad>", "</s>", "<unk>", "▁de", "▁het"]
    assert np.load(out_rows).tolist() == [0, 1, 2, 3, 4, 6]


# --- agreement with sentence-transformers (the model) ----------------------------------


@pytest.fixture(scope="module")
def texts() -> dict[str, list[str]]:
    """Every passage the index embeds (records, unit passages) and every eval question."""
    s = get_settings()
    if not s.principles_path.is_file():
        pytest.skip(f"no corpus at {s.principles_path}")
    records = read_jsonl(s.principles_path)
    by_id = {r.id: r for r in records}
    questions = [
        str(q["question"])
        for split in ("dev", "test")
        for q in load_questions(ROOT / "eval" / "questions" / f"{split}.yaml")
    ]
    return {
        "records": [r.embed_text() for r in records],
        "units": [unit_passage(u, by_id) for u in build_units(records)],
        "questions": questions,
    }


def _vectors(embedder: E5Embedder | SentenceTransformerEmbedder, texts: dict[str, list[str]]):
    return {
        "records": embedder.embed_passages(texts["records"]),
        "units": embedder.embed_passages(texts["units"]),
        "questions": embedder.embed_queries(texts["questions"]),
    }


@pytest.mark.slow
def test_e5_agrees_with_sentence_transformers(texts: dict[str, list[str]], tmp_path: Path) -> None:
    s = get_settings()
    if not (s.st_model_dir / "modules.json").is_file():
        pytest.skip(f"no converted model in {s.st_model_dir} (python -m assistant models ensure)")
    adapter = s.adapter_dir if s.adapter_dir and s.adapter_dir.is_dir() else None
    reference = SentenceTransformerEmbedder(s.st_model_dir, 16, THREADS, adapter)
    old = _vectors(reference, texts)
    new = _vectors(E5Embedder(s.st_model_dir, 16, THREADS, adapter, "latin", tmp_path), texts)
    for part in old:
        assert old[part].shape == new[part].shape
        cosines = np.sum(old[part] * new[part], axis=1)
        assert cosines.min() >= 0.9999, (part, float(cosines.min()))
    # the same five nearest records for every question, in the same order
    top_old = np.argsort(-(old["questions"] @ old["records"].T), axis=1)[:, :5]
    top_new = np.argsort(-(new["questions"] @ new["records"].T), axis=1)[:, :5]
    differ = [texts["questions"][i] for i in np.flatnonzero((top_old != top_new).any(axis=1))]
    assert not differ, differ[:5]
