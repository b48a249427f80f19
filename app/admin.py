"""Admin work behind `/api/admin`: a background reindex and the feedback export."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from app.feedback import FeedbackStore
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


def reload_index(assistant: Assistant) -> Any:
    """Open the index the pointer names now and make `assistant` use it."""
    from index.store import open_index

    new = open_index(assistant.settings, assistant.embedder.model_id)
    vars(assistant)["index"] = new  # replaces the cached_property value in one step
    vars(assistant).pop("_vocabulary", None)
    return new


def run_reindex(assistant: Assistant) -> str:
    """Build a new index, switch `assistant` to it, then drop the previous one.

    Requests keep using the old collection until the switch; a failed build leaves the
    pointer, and so the old index, in place."""
    from index.store import build, drop_index, read_pointer

    settings = assistant.settings
    previous = read_pointer(settings)
    pointer = build(settings, assistant.embedder, log=log.info, drop_previous=False)
    reload_index(assistant)
    if previous is not None and previous.collection != pointer.collection:
        drop_index(settings, previous)
    return pointer.collection


def start_reindex(state: Any, assistant: Assistant) -> bool:
    """Start `run_reindex` in a thread; False if one is already running."""
    from app.api import ReindexStatus

    lock: threading.Lock = state.reindex_lock
    if not lock.acquire(blocking=False):
        return False
    state.reindex = ReindexStatus(state="running", started_at=time.time())

    def work() -> None:
        try:
            name = run_reindex(assistant)
            state.reindex = state.reindex.model_copy(
                update={"state": "done", "finished_at": time.time(), "collection": name}
            )
        except Exception as exc:
            log.exception("reindex failed")
            state.reindex = state.reindex.model_copy(
                update={"state": "failed", "finished_at": time.time(), "error": str(exc)[:500]}
            )
        finally:
            lock.release()

    threading.Thread(target=work, name="reindex", daemon=True).start()
    return True
