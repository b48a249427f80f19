"""The SQLite feedback store and the `feedback export` command (no models needed)."""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.feedback import Feedback, FeedbackStore


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
    store = FeedbackStore(db)
    assert store.add(_fb(0)) == 1
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_concurrent_writers_and_export(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    stores = [FeedbackStore(db) for _ in range(4)]  # several handles on one file
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda i: stores[i % 4].add(_fb(i)), range(80)))
    assert sorted(ids) == list(range(1, 81))
    out = tmp_path / "out" / "feedback.jsonl"
    assert stores[0].export_jsonl(out) == 80
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == list(range(1, 81))
    assert rows[0]["citations"] == ["id-a", "id-b"]
    assert {r["rating"] for r in rows} == {"up", "down"}


def test_rating_is_validated() -> None:
    with pytest.raises(ValueError):
        Feedback(question="q", answer="a", rating="meh")  # type: ignore[arg-type]


def test_feedback_export_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.commands import app
    from assistant.config import get_settings

    db = tmp_path / "fb.sqlite3"
    FeedbackStore(db).add(_fb(0))
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(db))
    get_settings.cache_clear()
    try:
        out = tmp_path / "export.jsonl"
        result = CliRunner().invoke(app, ["feedback", "export", "--out", str(out)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "1 feedback-regels" in result.output
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["comment"] == "👍 <b>goed</b>"
