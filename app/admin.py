"""Admin work behind `/api/admin`: a background reindex and the feedback export."""

from __future__ import annotations

import json
import logging
import threading
import time

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
    """Build a new index, switch `assistant` to it, then drop the previous one.

    Requests keep using the old index until the switch; a failed build leaves the
    pointer, and so the old index, in place."""
    indexes = assistant.indexes
    previous = indexes.current()
    pointer = indexes.build(assistant.embedder, log=log.info, drop_previous=False)
    assistant.swap_index()
    if previous is not None and previous.collection != pointer.collection:
        indexes.drop(previous)
    return pointer.collection


class ReindexJob:
    """At most one reindex at a time, run in a thread; `status` says how it went."""

    def __init__(self) -> None:
        self.status = ReindexStatus(state="idle")
        self._lock = threading.Lock()

    def start(self, assistant: Assistant) -> bool:
        """Start `run_reindex` in a thread; False if one is already running."""
        if not self._lock.acquire(blocking=False):
            return False
        self.status = ReindexStatus(state="running", started_at=time.time())
        threading.Thread(target=self._work, args=(assistant,), name="reindex", daemon=True).start()
        return True

    def _work(self, assistant: Assistant) -> None:
        try:
            name = run_reindex(assistant)
            self.status = self.status.model_copy(
                update={"state": "done", "finished_at": time.time(), "collection": name}
            )
        except Exception as exc:
            log.exception("reindex failed")
            self.status = self.status.model_copy(
                update={"state": "failed", "finished_at": time.time(), "error": str(exc)[:500]}
            )
        finally:
            self._lock.release()
