"""Several uvicorn workers on one port, as `make run` starts them with ASSISTANT_WORKERS:
a reindex through the admin endpoint of one worker is followed by every worker, while a
client keeps asking, with no 5xx."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.config import get_settings
from deploy.services import Service, start_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

KEY = {"x-api-key": "beheer"}
QUESTIONS = (
    "Hoe houd ik deelnemers betrokken?",
    "Wat belemmert kennisdeling tussen organisaties?",
    "Welke rol speelt de coördinator van een leernetwerk?",
    "How do I involve clients in a learning network?",
)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    src = get_settings().index_dir
    if not (src / "current.json").exists():
        pytest.skip("no index: run `python -m assistant index ensure`")
    folder = tmp_path_factory.mktemp("workers")
    shutil.copytree(src, folder / "idx")
    env = {
        "ASSISTANT_INDEX_DIR": str(folder / "idx"),
        "ASSISTANT_ADMIN_API_KEY": KEY["x-api-key"],
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0",
        "ASSISTANT_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
        "ASSISTANT_OMP_NUM_THREADS": "1",
    }
    service = start_app(folder, env, workers=2)
    yield service
    service.stop()


class Traffic:
    """A client asking questions and /healthz on fresh connections (so both workers get
    some), noting every status and which worker served which index when."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.statuses: list[int] = []
        self.seen: list[tuple[float, int, str]] = []  # (time, worker pid, collection)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        no_reuse = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=self.url, timeout=60, limits=no_reuse) as http:
            i = 0
            while not self._stop.is_set():
                i += 1
                q = f"{QUESTIONS[i % len(QUESTIONS)]} ({i})"
                self.statuses.append(http.post("/api/ask", json={"question": q}).status_code)
                health = http.get("/healthz")
                self.statuses.append(health.status_code)
                if health.status_code == 200:
                    body = health.json()
                    self.seen.append(
                        (time.monotonic(), body["worker"], body["index"]["collection"])
                    )

    def first_on(self, collection: str) -> dict[int, float]:
        """When each worker was first seen serving `collection`."""
        first: dict[int, float] = {}
        for t, pid, name in self.seen:
            if name == collection:
                first.setdefault(pid, t)
        return first


def test_every_worker_follows_a_reindex_without_5xx(two_workers: Service, tmp_path: Path) -> None:
    url = two_workers.url
    old = httpx.get(f"{url}/readyz").json()["collection"]
    with Traffic(url) as traffic:
        time.sleep(2)
        assert httpx.post(f"{url}/api/admin/reindex", headers=KEY).status_code == 202
        deadline = time.monotonic() + 600
        while (status := httpx.get(f"{url}/api/admin/reindex", headers=KEY).json())[
            "state"
        ] == "running":  # the status is shared: any worker may answer
            assert time.monotonic() < deadline
            time.sleep(0.5)
        done_at = time.monotonic()
        assert status["state"] == "done", status
        new = status["collection"]
        assert new != old
        while len(traffic.first_on(new)) < 2:  # both workers seen on the new index
            assert time.monotonic() < done_at + 30, traffic.first_on(new)
            time.sleep(0.2)
        time.sleep(max(0.0, done_at + 8 - time.monotonic()))  # and they stay there
    workers = {pid for _, pid, _ in traffic.seen}
    assert len(workers) == 2, workers
    assert traffic.statuses and all(s < 500 for s in traffic.statuses), sorted(
        set(traffic.statuses)
    )
    lag = {pid: round(t - done_at, 2) for pid, t in traffic.first_on(new).items()}
    assert all(seconds < 5 for seconds in lag.values()), lag  # within a few seconds
    after = [name for t, _, name in traffic.seen if t > done_at + 5]
    assert after and set(after) == {new}
    print(f"{len(traffic.statuses)} requests, none 5xx; workers on the new index after {lag} s")
