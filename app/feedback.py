"""Feedback on answers (thumbs up/down and a comment), kept in one SQLite file.

Every call opens its own connection, so the store is safe for concurrent writers in
threads and processes; WAL mode lets readers and a writer work at the same time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

Rating = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL DEFAULT 'api'
)
"""


class Feedback(BaseModel):
    """One judgement of one answer."""

    question: str = Field(..., max_length=10_000)
    answer: str = Field(..., max_length=50_000)
    citations: list[str] = Field(default_factory=list, description="ids of the cited records")
    rating: Rating
    comment: str = Field("", max_length=5_000)
    channel: Literal["api", "chat", "widget"] = "api"


class FeedbackStore:
    """SQLite store for `Feedback`; the file and its parent folder are created on demand."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=30.0)
        try:
            con.execute("PRAGMA busy_timeout=30000")
            with con:  # commits, or rolls back on error
                yield con
        finally:
            con.close()

    def add(self, feedback: Feedback) -> int:
        """Store one feedback row and return its id."""
        with self._connect() as con:
            cur = con.execute(
                "INSERT INTO feedback (created_at, question, answer, citations, rating, comment,"
                " channel) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    feedback.question,
                    feedback.answer,
                    json.dumps(feedback.citations, ensure_ascii=False),
                    feedback.rating,
                    feedback.comment,
                    feedback.channel,
                ),
            )
            return int(cur.lastrowid or 0)

    def rows(self) -> list[dict[str, Any]]:
        """All rows, oldest first, with `citations` decoded."""
        with self._connect() as con:
            con.row_factory = sqlite3.Row
            rows = [dict(r) for r in con.execute("SELECT * FROM feedback ORDER BY id")]
        for row in rows:
            row["citations"] = json.loads(row["citations"])
        return rows

    def export_jsonl(self, path: Path | str) -> int:
        """Write every row as one JSON line to `path`; returns the number of rows."""
        rows = self.rows()
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return len(rows)
