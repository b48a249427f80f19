"""One real server for the app tests: uvicorn in a thread, the real Assistant, a tmp
feedback database."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    base: str
    feedback_db: Path


@dataclass
class Running:
    """A uvicorn server in a thread; `stop()` ends it (a server that goes away)."""

    server: Server
    uvicorn: Any
    thread: threading.Thread

    def stop(self) -> None:
        self.uvicorn.should_exit = True
        self.thread.join(timeout=10)


def start_server(db: Path) -> Running:
    """The app with the process's assistant on a free port of 127.0.0.1."""
    import uvicorn

    from app.api import create_app
    from assistant.config import Settings
    from assistant.factory import get_assistant

    port = _free_port()
    os.environ["ASSISTANT_FEEDBACK_DB"] = str(db)
    try:
        settings = Settings(port=port, cors_origins=[f"http://127.0.0.1:{port}"])
    finally:
        del os.environ["ASSISTANT_FEEDBACK_DB"]
    assert settings.feedback_db == db

    app = create_app(get_assistant, settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    return Running(Server(base=f"http://127.0.0.1:{port}", feedback_db=db), srv, thread)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from assistant.factory import get_assistant
    from index.errors import IndexError_

    assistant = get_assistant()
    try:
        assistant.warm_up()  # loads the embedder and opens the index once
    except IndexError_ as exc:
        pytest.skip(f"no usable search index: {exc.en}")

    running = start_server(tmp_path_factory.mktemp("feedback") / "feedback.sqlite3")
    yield running.server
    running.stop()


# --- the feedback databases: SQLite always, PostgreSQL when it can be had -------------


@dataclass
class Postgres:
    """A PostgreSQL for the tests: the one at ASSISTANT_TEST_DATABASE_URL, or a server
    started here from the Debian package (then `service` can be killed and restarted)."""

    url: str
    service: Any = None
    _n: int = 0

    def fresh_url(self) -> str:
        """The URL of a new, empty schema (so tests never touch each other's rows, nor
        anything else in a database given by URL)."""
        import psycopg

        self._n += 1
        schema = f"liso_test_{os.getpid()}_{self._n}"
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            con.execute(f"CREATE SCHEMA {schema}")
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    if url := os.environ.get("ASSISTANT_TEST_DATABASE_URL"):
        yield Postgres(url)
        return
    from deploy.services import Missing, start_postgres

    try:
        service = start_postgres(tmp_path_factory.mktemp("postgres"))
    except Missing as exc:
        pytest.skip(
            f"no PostgreSQL for the feedback tests: {exc}; or set ASSISTANT_TEST_DATABASE_URL"
        )
    pg = Postgres(service.url, service)
    yield pg
    pg.service.stop()  # the one running now (a test may have restarted it)


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=[pytest.mark.slow, pytest.mark.integration])]
)
def feedback_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A `database_url` for an empty feedback database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
    pg: Postgres = request.getfixturevalue("postgres")
    return pg.fresh_url()


def serve_in_thread(app: Any) -> tuple[str, Callable[[], None]]:
    """Run `app` on uvicorn in a thread on a free port: (base URL, stop)."""
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.05)

    def stop() -> None:
        srv.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


# --- a real browser (Debian chromium) and what the browser tests keep -------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _var() -> Path:
    from assistant.config import ROOT

    return ROOT / "var"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    import shutil

    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the browser tests keep their screenshots (git-ignored)."""
    path = _var() / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def report(key: str, value: object) -> Path:
    """Add `key` to the browser tests' report, `var/reports/browser.json`: figures that
    are measured and reported, never asserted as thresholds."""
    import json

    path = _var() / "reports" / "browser.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[key] = value
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
