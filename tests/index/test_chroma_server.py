"""Chroma in client/server mode (`settings.chroma_url`): same results as the embedded
store, a clear 503-style error while the server is down, recovery when it is back."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from assistant.config import ROOT, Settings
from assistant.factory import build_assistant, get_assistant, make_indexes
from assistant.service import Assistant
from index.errors import IndexUnavailableError

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# the chroma CLI of the project's venv, else the one on PATH
CHROMA = ROOT / ".venv" / "bin" / "chroma"
if not CHROMA.exists() and shutil.which("chroma"):
    CHROMA = Path(str(shutil.which("chroma")))
QUESTIONS = (
    "Hoe houd ik deelnemers betrokken?",
    "Welke rol speelt de coördinator van een leernetwerk?",
    "Wat belemmert kennisdeling tussen organisaties?",
    "Hoe maak je de opbrengsten van een leernetwerk zichtbaar?",
    "How do I involve clients in a learning network?",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port = path, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1"]
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "chroma exited"
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("chroma did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    if not CHROMA.exists() and not shutil.which("chroma"):
        pytest.skip("the chroma CLI is not installed")
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"), _free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def embedded() -> Assistant:
    a = get_assistant()
    try:
        a.warm_up()
    except Exception as exc:
        pytest.skip(f"no usable embedded index: {exc}")
    return a


@pytest.fixture(scope="module")
def remote_settings(chroma: ChromaServer, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        chroma_url=chroma.url,
        index_dir=tmp_path_factory.mktemp("remote-index"),
        feedback_db=tmp_path_factory.mktemp("fb") / "feedback.sqlite3",
    )


@pytest.fixture(scope="module")
def remote(remote_settings: Settings, embedded: Assistant) -> Assistant:
    make_indexes(remote_settings).build(embedded.embedder, log=lambda *_: None)
    return build_assistant(remote_settings, embedder=embedded.embedder)  # the model, loaded once


def test_server_gives_the_same_top5_as_the_embedded_store(
    remote: Assistant, embedded: Assistant
) -> None:
    """Same vectors, same hits. HNSW is approximate and its graph differs per build, so
    a neighbour at the margin may swap: identical top-5 lists for most questions, the
    same best hit and at least 4 of 5 shared ids for every question."""
    identical = 0
    for q in QUESTIONS:
        ours = [h.id for h in remote.search(q, k=5)]
        theirs = [h.id for h in embedded.search(q, k=5)]
        assert ours[0] == theirs[0] and len(set(ours) & set(theirs)) >= 4, (q, ours, theirs)
        identical += ours == theirs
    assert identical >= len(QUESTIONS) - 1
    ids = [h.id for h in embedded.search(QUESTIONS[0], k=5)]
    a = remote.index.vectors.get(ids)
    b = embedded.index.vectors.get(ids)
    assert a.ids == b.ids == ids
    assert np.allclose(a.vectors, b.vectors, atol=1e-6)


def test_server_down_is_a_503_and_recovers(
    remote: Assistant, remote_settings: Settings, chroma: ChromaServer
) -> None:
    from fastapi.testclient import TestClient

    from app.api import create_app

    remote.search(QUESTIONS[0], k=5)  # the index is open
    app = create_app(lambda: remote, remote_settings, with_ui=False)
    client = TestClient(app, raise_server_exceptions=False)
    chroma.stop()
    try:
        with pytest.raises(IndexUnavailableError) as info:
            remote.search("Wat is een trekker?", k=5)  # an uncached query reaches Chroma
        assert "niet bereikbaar" in info.value.nl and "cannot be reached" in info.value.en
        resp = client.post("/api/ask", json={"question": "Hoe evalueer ik een leernetwerk?"})
        assert resp.status_code == 503, resp.text
        err = resp.json()["error"]
        assert err["code"] == "index_unavailable" and "Chroma" in err["message_en"]
        # a fresh process (no open index yet) fails the same way
        fresh = build_assistant(remote_settings, embedder=remote.embedder)
        with pytest.raises(IndexUnavailableError):
            fresh.search(QUESTIONS[1], k=5)
    finally:
        chroma.start()
    hits = remote.search("Wat is een trekker?", k=5)
    assert len(hits) == 5
    resp = client.post("/api/ask", json={"question": "Hoe evalueer ik een leernetwerk?"})
    assert resp.status_code == 200 and resp.json()["citations"]
