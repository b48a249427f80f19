"""The index a serving process answers from, following the pointer file.

Every process (each uvicorn worker, on every host sharing the index folder) keeps one
`LiveIndex`. `get()` returns the open index; at most every `check_every` seconds it
also looks at the pointer file (one `stat`). When a build in any process has swapped
the pointer, the new index is opened in a background thread while requests go on with
the old one, and swapped in when it is ready. The old index stays in the store until
the next build (`Indexes.prune` keeps the predecessor), so requests under way finish
on it. A process that builds an index itself switches at once with `swap()`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from index.store import Indexes, OpenIndex, Signature

log = logging.getLogger(__name__)


class LiveIndex:
    def __init__(
        self, indexes: Indexes, model_id: Callable[[], str], check_every: float = 1.0
    ) -> None:
        """`model_id` names the embedder the index must match (called when opening);
        `check_every` < 0 never looks at the pointer again after the first open."""
        self.indexes = indexes
        self._model_id = model_id
        self.check_every = check_every
        self._current: OpenIndex | None = None
        self._seen: Signature | None = None  # the pointer the current index was opened at
        self._next_check = 0.0
        self._lock = threading.Lock()
        self._reopening = False

    def get(self) -> OpenIndex:
        """The open index (opened now on first use; an error is raised and retried on
        the next call). May start a background switch to a newer index."""
        current = self._current
        if current is None:
            with self._lock:
                if self._current is None:
                    self._current, self._seen = self._open()
                current = self._current
        elif self.check_every >= 0 and time.monotonic() >= self._next_check:
            self._check()
        return current

    def swap(self, index: OpenIndex | None = None) -> OpenIndex:
        """Serve `index` (by default the one the pointer names now) from now on."""
        if index is None:
            index, seen = self._open()
        else:
            seen = self.indexes.signature()
        with self._lock:
            self._current, self._seen = index, seen
        return index

    def _open(self) -> tuple[OpenIndex, Signature | None]:
        seen = self.indexes.signature()  # before reading: a later swap is seen next time
        return self.indexes.open(self._model_id()), seen

    def _check(self) -> None:
        self._next_check = time.monotonic() + self.check_every
        if self._reopening or self.indexes.signature() == self._seen:
            return
        with self._lock:
            if self._reopening:
                return
            self._reopening = True
        threading.Thread(target=self._follow, name="index-follow", daemon=True).start()

    def _follow(self) -> None:
        try:
            index, seen = self._open()
            with self._lock:
                old, self._current, self._seen = self._current, index, seen
            if old is None or old.pointer.collection != index.pointer.collection:
                log.info("now serving index %s", index.pointer.collection)
        except Exception as exc:  # tried again at the next check
            log.warning("could not switch to the new index: %s", exc)
        finally:
            self._reopening = False
