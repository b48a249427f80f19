"""The feedback stores, SQLite and PostgreSQL, and the `feedback` commands.

Every test that takes `feedback_url` runs against both: SQLite in a temp folder, and a
PostgreSQL started here from the Debian package (or ASSISTANT_TEST_DATABASE_URL); the
PostgreSQL runs are slow and skip, saying why, when there is none."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.feedback import (
    SCHEMA_VERSION,
    Feedback,
    FeedbackUnavailableError,
    SqliteFeedbackStore,
    export_jsonl,
    open_feedback_store,
)
from assistant.config import ROOT, Settings
from tests.app.conftest import Postgres, serve_in_thread


def _fb(i: int) -> Feedback:
    return Feedback(
        question=f"vraag {i}",
        answer=f"antwoord {i} [1]",
        citations=["id-a", "id-b"],
        rating="up" if i % 2 else "down",
        comment="👍 <b>goed</b>" if i == 0 else "",
    )


def test_store_creates_parent_dir_and_uses_wal(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "dir" / "fb.sqlite3"
    store = SqliteFeedbackStore(db)
    assert store.add(_fb(0)) == 1
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_make_the_same_table_once(feedback_url: str) -> None:
    store = open_feedback_store(feedback_url, "unused")
    assert store.migrate() == [SCHEMA_VERSION]  # at the app start, or at the first call
    assert store.add(_fb(1)) >= 1 and store.migrate() == []
    row = store.rows()[0]
    assert list(row) == [
        "id",
        "created_at",
        "question",
        "answer",
        "citations",
        "rating",
        "comment",
        "channel",
    ]
    assert row["citations"] == ["id-a", "id-b"] and row["channel"] == "api"


def test_an_older_sqlite_file_is_migrated_in_place(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    with sqlite3.connect(db) as con:  # what the store made before it had migrations
        con.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT"
            " NULL, question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL,"
            " rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT NOT NULL"
            " DEFAULT '', channel TEXT NOT NULL DEFAULT 'api')"
        )
        con.execute(
            "INSERT INTO feedback (created_at, question, answer, citations, rating)"
            " VALUES ('2026-01-01T00:00:00+00:00', 'oud', 'a', '[]', 'up')"
        )
    store = SqliteFeedbackStore(db)
    assert store.migrate() == [SCHEMA_VERSION]  # the table is there: nothing changes in it
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == (
            SCHEMA_VERSION
        )
    assert [r["question"] for r in store.rows()] == ["oud"]


def test_concurrent_writers_and_export(feedback_url: str, tmp_path: Path) -> None:
    stores = [open_feedback_store(feedback_url, "unused") for _ in range(4)]  # 4 handles
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda i: stores[i % 4].add(_fb(i)), range(80)))
    assert len(set(ids)) == 80
    out = tmp_path / "out" / "feedback.jsonl"
    assert export_jsonl(stores[0], out) == 80
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == sorted(ids)
    assert {r["rating"] for r in rows} == {"up", "down"}
    assert next(r for r in rows if r["question"] == "vraag 0")["comment"] == "👍 <b>goed</b>"


def test_100_parallel_feedback_posts_give_100_rows(feedback_url: str, tmp_path: Path) -> None:
    from app.api import create_app
    from assistant.factory import build_assistant

    settings = Settings(
        database_url=feedback_url,
        feedback_db=tmp_path / "unused.sqlite3",
        rate_limit_per_minute=0,
        warm_up_on_start=False,
    )
    app = create_app(lambda: build_assistant(settings), settings, with_ui=False)
    base, stop = serve_in_thread(app)
    try:
        with httpx.Client(base_url=base, timeout=60) as http:

            def post(i: int) -> int:
                fb = {"question": f"vraag {i}", "answer": "antwoord", "rating": "up"}
                return http.post("/api/feedback", json=fb).status_code

            with ThreadPoolExecutor(max_workers=32) as pool:
                codes = list(pool.map(post, range(100)))
    finally:
        stop()
    assert codes == [201] * 100
    rows = open_feedback_store(feedback_url, "unused").rows()
    assert sorted(r["question"] for r in rows) == sorted(f"vraag {i}" for i in range(100))


_WRITER = """
import sys
from app.feedback import Feedback, open_feedback_store
store = open_feedback_store(sys.argv[1], "unused")
store.migrate()
print("ready", flush=True)
i = 0
try:
    while True:
        i += 1
        n = store.add(Feedback(question=f"vraag {i}", answer="x" * 2000, rating="up"))
        print(n, flush=True)  # only after the commit returned
except Exception as exc:
    print("stopped", type(exc).__name__, flush=True)
"""


def _writer(url: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    return proc


def _committed(proc: subprocess.Popen[bytes]) -> list[int]:
    """The ids the writer printed: each one after its commit returned."""
    assert proc.stdout is not None
    lines = proc.stdout.read().decode().split()
    return [int(x) for x in lines if x.isdigit()]


@pytest.mark.slow
def test_kill_9_of_the_writer_loses_nothing_committed(feedback_url: str) -> None:
    proc = _writer(feedback_url)
    try:
        time.sleep(1.0)  # hundreds of commits in flight
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    committed = _committed(proc)
    assert len(committed) > 10
    if feedback_url.startswith("sqlite:///"):
        with sqlite3.connect(feedback_url.removeprefix("sqlite:///")) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = open_feedback_store(feedback_url, "unused")  # still there, still writable
    ids = [r["id"] for r in store.rows()]
    assert set(committed) <= set(ids) and len(ids) - len(committed) <= 1  # +1 unprinted
    store.add(Feedback(question="na de crash", answer="a", rating="down"))
    assert store.rows()[-1]["question"] == "na de crash"


@pytest.mark.slow
@pytest.mark.integration
def test_kill_9_of_the_postgres_server_loses_nothing_committed(postgres: Postgres) -> None:
    """The server itself killed mid-writes: after recovery every acknowledged row is
    there (fsync and synchronous commit on, as by default)."""
    from deploy.services import start_postgres

    if postgres.service is None:
        pytest.skip("PostgreSQL given by URL: this test kills the server, so it needs its own")
    url = postgres.fresh_url()
    proc = _writer(url)
    time.sleep(1.0)
    service = postgres.service
    port = int(service.url.rsplit(":", 1)[1].split("/")[0])
    service.kill()  # kill -9 of the postmaster
    proc.wait(timeout=30)
    committed = _committed(proc)
    assert len(committed) > 10
    postgres.service = start_postgres(service.folder, port=port)  # crash recovery
    postgres.service.remove_folder = service.remove_folder
    ids = {r["id"] for r in open_feedback_store(url, "unused").rows()}
    assert set(committed) <= ids and len(ids) - len(committed) <= 1


def test_database_down_is_a_503(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from app.api import create_app
    from assistant.factory import build_assistant
    from tests.app.conftest import _free_port

    url = f"postgresql://postgres@127.0.0.1:{_free_port()}/liso?connect_timeout=1"
    with pytest.raises(FeedbackUnavailableError):
        open_feedback_store(url, "unused").add(_fb(1))
    settings = Settings(database_url=url, feedback_db=tmp_path / "x", warm_up_on_start=False)
    c = TestClient(create_app(lambda: build_assistant(settings), settings, with_ui=False))
    resp = c.post("/api/feedback", json={"question": "q", "answer": "a", "rating": "up"})
    assert resp.status_code == 503 and resp.json()["error"]["code"] == "feedback_unavailable"


def test_rating_is_validated() -> None:
    with pytest.raises(ValueError):
        Feedback(question="q", answer="a", rating="meh")  # type: ignore[arg-type]


def test_feedback_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.commands import app
    from assistant.config import get_settings

    db = tmp_path / "fb.sqlite3"
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(db))
    get_settings.cache_clear()
    try:
        migrated = CliRunner().invoke(app, ["feedback", "migrate"])
        SqliteFeedbackStore(db).add(_fb(0))
        out = tmp_path / "export.jsonl"
        result = CliRunner().invoke(app, ["feedback", "export", "--out", str(out)])
    finally:
        get_settings.cache_clear()
    assert migrated.exit_code == 0 and "migrations applied: 1" in migrated.output
    assert result.exit_code == 0, result.output
    assert "1 feedback-regels" in result.output
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["comment"] == "👍 <b>goed</b>"
