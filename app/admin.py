"""Admin work behind `/api/admin`: a background reindex and the feedback export."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from app.feedback import FeedbackStore
from app.schemas import ReindexStatus
from assistant.service import Assistant

log = logging.getLogger(__name__)


def feedback_jsonl(store: FeedbackStore) -> str:
    """Every feedback row as one JSON line; `<`, `>` and `&` are escaped as \\u003c…,
    so the export is inert even if something renders it as HTML."""
    lines = []
    for row in store.rows():
        text = json.dumps(row, ensure_ascii=False)
        lines.append(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    return "".join(line + "\n" for line in lines)


def run_reindex(assistant: Assistant) -> str:
    """Build a new index and switch `assistant` to it at once.

    The other workers and hosts follow the pointer within a few seconds
    (`index.live`); the index it replaced stays until the next build, so their requests
    under way finish on it. A failed build leaves the pointer, and so the old index, in
    place."""
    pointer = assistant.indexes.build(assistant.embedder, log=log.info)
    assistant.swap_index()
    return pointer.collection


class ReindexJob:
    """At most one reindex at a time, run in a thread.

    With `status_path` (in the shared index folder) the status is kept in that file, so
    every worker reports the same one; `building` says whether a build holds the index's
    build lock in any process, and then no second one starts here."""

    def __init__(
        self, status_path: Path | None = None, building: Callable[[], bool] | None = None
    ) -> None:
        self._status = ReindexStatus(state="idle")
        self._path = status_path
        self._building = building or (lambda: False)
        self._lock = threading.Lock()

    @property
    def status(self) -> ReindexStatus:
        if self._path is None or not self._path.is_file():
            return self._status
        try:
            saved = ReindexStatus.model_validate_json(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return self._status
        if saved.state == "running" and _died(saved):
            return saved.model_copy(update={"state": "failed", "error": "interrupted"})
        return saved

    def _set(self, status: ReindexStatus) -> None:
        self._status = status
        if self._path is not None:
            with contextlib.suppress(OSError):
                tmp = self._path.with_name(self._path.name + f".{os.getpid()}.tmp")
                tmp.write_text(status.model_dump_json(), encoding="utf-8")
                tmp.replace(self._path)

    def start(self, assistant: Assistant) -> bool:
        """Start `run_reindex` in a thread; False if one is already running here or a
        build is under way in another process."""
        if not self._lock.acquire(blocking=False):
            return False
        if self._building():
            self._lock.release()
            return False
        running = ReindexStatus(
            state="running", started_at=time.time(), worker=os.getpid(), host=socket.gethostname()
        )
        self._set(running)
        threading.Thread(target=self._work, args=(assistant,), name="reindex", daemon=True).start()
        return True

    def _work(self, assistant: Assistant) -> None:
        try:
            name = run_reindex(assistant)
            self._set(
                self._status.model_copy(
                    update={"state": "done", "finished_at": time.time(), "collection": name}
                )
            )
        except Exception as exc:
            log.exception("reindex failed")
            self._set(
                self._status.model_copy(
                    update={"state": "failed", "finished_at": time.time(), "error": str(exc)[:500]}
                )
            )
        finally:
            self._lock.release()


def _died(status: ReindexStatus) -> bool:
    """Whether the process that said it runs a reindex is gone (checked on its own host
    only; another host's word is taken)."""
    if status.worker is None or status.host != socket.gethostname():
        return False
    try:
        os.kill(status.worker, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
