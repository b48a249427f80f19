"""The feedback table in PostgreSQL (psycopg 3), for app hosts that share one database.

Same table and migrations as SQLite (`app.feedback.MIGRATIONS`). A small connection pool
per process opens on first use, so an app starts even while the database is down;
until it is back, feedback calls raise `FeedbackUnavailableError` (the API answers 503).
Migrations run under an advisory lock, so workers starting together apply each once.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.feedback import (
    INSERT,
    Feedback,
    FeedbackUnavailableError,
    apply_migrations,
    decoded,
    values,
)

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

MIGRATION_LOCK = 0x4C49534F  # pg_advisory_xact_lock key: "LISO"


class PostgresFeedbackStore:
    def __init__(self, url: str, *, max_connections: int = 10, timeout: float = 10.0) -> None:
        self.url = url
        parts = urlsplit(url)
        self.where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"
        self.max_connections = max_connections
        self.timeout = timeout
        self._pool: ConnectionPool | None = None
        self._migrated = False
        self._lock = threading.Lock()

    def _connection(self) -> Any:
        """A pooled connection (context manager: commits on success, else rolls back),
        the migrations applied first."""
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    from psycopg_pool import ConnectionPool

                    self._pool = ConnectionPool(
                        self.url,
                        min_size=1,
                        max_size=self.max_connections,
                        timeout=self.timeout,
                        open=False,
                        name="feedback",
                    )
                    self._pool.open(wait=False)
        if not self._migrated:
            self.migrate()
        return self._pool.connection()

    def _unavailable(self, exc: Exception) -> FeedbackUnavailableError:
        return FeedbackUnavailableError(f"feedback database at {self.where}: {exc}")

    def migrate(self) -> list[int]:
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=int(self.timeout)) as con:
                applied = self._migrate(con)
        except psycopg.OperationalError as exc:
            raise self._unavailable(exc) from exc
        self._migrated = True
        return applied

    @staticmethod
    def _migrate(con: Any) -> list[int]:
        with con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            return apply_migrations(con, "postgres")

    def add(self, feedback: Feedback) -> int:
        from psycopg import OperationalError
        from psycopg_pool import PoolTimeout

        try:
            with self._connection() as con:
                row = con.execute(INSERT.format("%s") + " RETURNING id", values(feedback))
                return int(row.fetchone()[0])
        except (OperationalError, PoolTimeout) as exc:
            raise self._unavailable(exc) from exc

    def rows(self) -> list[dict[str, Any]]:
        from psycopg import OperationalError
        from psycopg.rows import dict_row
        from psycopg_pool import PoolTimeout

        try:
            with self._connection() as con, con.cursor(row_factory=dict_row) as cur:
                rows = cur.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        except (OperationalError, PoolTimeout) as exc:
            raise self._unavailable(exc) from exc
        return decoded([dict(r) for r in rows])

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
