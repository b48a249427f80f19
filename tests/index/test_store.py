"""The real index: build into a temp dir, reload in a new process, filters, mismatch."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.config import ROOT, get_settings
from assistant.factory import make_embedder, make_indexes, make_retriever
from corpus.record import Filters
from index.errors import IndexMismatchError, IndexMissingError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    settings = get_settings().model_copy(update={"index_dir": tmp_path_factory.mktemp("store")})
    embedder = make_embedder(settings)  # vectors come from the shared on-disk cache
    pointer = make_indexes(settings).build(embedder, log=lambda m: None)
    return settings, embedder, pointer


def test_build_records_corpus_and_model(built):
    settings, embedder, pointer = built
    assert pointer.n_records == sum(1 for _ in settings.principles_path.open())
    indexes = make_indexes(settings)
    assert indexes.status(embedder.model_id) == "ok"
    index = indexes.open(embedder.model_id)
    assert index.vectors.count() == pointer.n_records
    assert index.vectors.metadata["model_id"] == embedder.model_id


def test_reload_in_a_new_process(built):
    settings = built[0]
    code = (
        "import json;from assistant.config import get_settings;"
        "from assistant.factory import build_assistant;"
        f"s=get_settings().model_copy(update={{'index_dir': __import__('pathlib').Path({str(settings.index_dir)!r})}});"
        "a=build_assistant(s);print(json.dumps([h.id for h in a.search('Hoe houd ik deelnemers betrokken?', k=5)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    ids = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(ids) == 5


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (Filters(kernelement=["Synergie"]), lambda r: r.kernelement == "Synergie"),
        (Filters(kind=["belemmerend"]), lambda r: r.kind == "belemmerend"),
        (Filters(phase=["formeren"]), lambda r: r.phase == "formeren"),
        (Filters(edition=["handbook-2025"]), lambda r: r.edition == "handbook-2025"),
        (Filters(expert_added=True), lambda r: r.expert_added),
    ],
)
def test_filters(built, filters, check):
    settings, embedder, _ = built
    index = make_indexes(settings).open(embedder.model_id)
    retriever = make_retriever(settings.model_copy(update={"principle_ranking": False}))
    result = retriever.retrieve(
        "Hoe houd ik deelnemers betrokken?", index, embedder, k=8, filters=filters
    )
    assert result.hits and all(check(h.record) for h in result.hits)


def test_refuses_an_index_of_another_corpus(built, tmp_path):
    settings, embedder, _ = built
    other = tmp_path / "principles.jsonl"
    other.write_text(settings.principles_path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = settings.model_copy(update={"principles_path": other})
    with pytest.raises(IndexMismatchError) as exc:
        make_indexes(changed).open(embedder.model_id)
    assert "opnieuw" in exc.value.nl and "Rebuild" in exc.value.en
    with pytest.raises(IndexMismatchError):
        make_indexes(settings).open("some-other-model")


def test_missing_index_says_how_to_build(tmp_path):
    settings = get_settings().model_copy(update={"index_dir": tmp_path})
    with pytest.raises(IndexMissingError) as exc:
        make_indexes(settings).open("x")
    assert "make run" in exc.value.nl


_SLOW_BUILD = """
import sys, time
from pathlib import Path
from assistant.config import get_settings
from assistant.factory import make_embedder, make_indexes

class Slow:
    def __init__(self, inner):
        self.inner, self.model_id, self.dim = inner, inner.model_id, inner.dim
    def embed_passages(self, texts):
        print("embedding", flush=True)
        time.sleep(0.5)
        return self.inner.embed_passages(texts)
    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)
    def embed_query(self, text):
        return self.inner.embed_query(text)

s = get_settings().model_copy(update={"index_dir": Path(sys.argv[1])})
make_indexes(s).build(Slow(make_embedder(s)), log=lambda _: None)
"""


def test_a_build_killed_halfway_is_cleaned_up_at_the_next_start(built, tmp_path):
    """kill -9 in the middle of a build leaves a collection and no pointer to it; the
    app's start-up (and `index ensure`, and the next build) removes it."""
    import shutil
    import time

    from fastapi.testclient import TestClient

    from app.api import create_app
    from assistant.factory import build_assistant

    settings, embedder, pointer = built
    shutil.copytree(settings.index_dir, tmp_path / "idx")
    local = settings.model_copy(
        update={"index_dir": tmp_path / "idx", "feedback_db": tmp_path / "fb.sqlite3"}
    )
    indexes = make_indexes(local)
    assert indexes.stored() == {pointer.collection}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_BUILD, str(local.index_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        for _ in range(3):  # a few batches written into the new collection
            assert proc.stdout.readline().strip() == b"embedding"
    finally:
        proc.kill()  # kill -9: no clean-up runs
        proc.wait(timeout=30)
    half = indexes.stored() - {pointer.collection}
    assert len(half) == 1 and indexes.current() == pointer  # a half-build, never swapped in
    app = create_app(lambda: build_assistant(local, embedder=embedder), local, with_ui=False)
    with TestClient(app):  # start-up: housekeeping in the background
        deadline = time.monotonic() + 60
        while indexes.stored() != {pointer.collection}:
            assert time.monotonic() < deadline, indexes.stored()
            time.sleep(0.2)
    assert make_indexes(local).open(embedder.model_id).pointer == pointer
