"""Shared fixtures: the real corpus, parsed once per session."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import pytest

from assistant.config import ROOT


@pytest.fixture(scope="session")
def sources_dir():
    return ROOT / "corpus" / "sources"


@pytest.fixture(scope="session")
def build_report(sources_dir):
    from corpus.build import parse_all

    return parse_all(sources_dir)


@pytest.fixture(scope="session")
def records(build_report):
    return build_report.records


@pytest.fixture(scope="session")
def by_id(records):
    return {r.id: r for r in records}


# --- a small corpus in an in-memory vector store (tests/fakes.py): no model, no Chroma ---


def memory_settings(folder):  # type: ignore[no-untyped-def]
    """Settings for the fixture corpus in `folder`, its index in memory (and on disk)."""
    from assistant.config import Settings
    from tests.fakes import write_corpus

    paths = write_corpus(folder / "corpus")
    return Settings(
        **paths,
        index_dir=folder / "index",
        vector_store="memory",
        feedback_db=folder / "feedback.sqlite3",
        rate_limit_per_minute=0,
    )


@pytest.fixture(scope="session")
def memory_index(tmp_path_factory):
    """(settings, embedder) of the fixture corpus, its index built once per session."""
    from assistant.factory import make_indexes
    from tests.fakes import WordEmbedder

    settings = memory_settings(tmp_path_factory.mktemp("memory"))
    embedder = WordEmbedder()
    make_indexes(settings).build(embedder, log=lambda _: None)
    return settings, embedder


@pytest.fixture(scope="session")
def memory_assistant(memory_index):
    """The real Assistant over the fixture corpus (a fake embedder, numpy vectors)."""
    from assistant.factory import build_assistant

    settings, embedder = memory_index
    return build_assistant(settings, embedder=embedder)
