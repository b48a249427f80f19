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
