"""The assistant as one object, assembled from injected parts by `assistant.factory`.

It holds the parts (embedder, index, retrieval step, generator) and runs the steps of
an answer: clean the question, strip instructions, rewrite a follow-up, retrieve (records
and the principle ranking), decide on scope before anything is generated, then write the
answer from the principles it shows (their best records, found by a search within each),
and let an optional LLM backend rewrite its summary (post-checked; on failure the
extractive summary with a notice). Heavy parts load on first use. The index follows the
pointer file (`index.live`): a build in any process is picked up within a second or so,
and `swap_index()` switches at once; `pinned()` gives a view for one request that keeps
the index it started with.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from collections import abc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from assistant.answer import AnswerShape, Draft, compose_stream, pieces, refusal_text
from assistant.answer.render import REFUSAL_EXAMPLES
from assistant.evidence import EvidenceConfig, best_of_principle
from assistant.generation import fallback_notice, summary_stream
from assistant.generators.base import Generator
from assistant.language import detect_language, standalone_question
from assistant.principles import PrincipleScore
from assistant.query import clean_query
from assistant.retrieve import Retriever, SearchResult
from assistant.scope import judge, strip_instructions, uncovered_part
from assistant.types import Answer, Hit, Language, StreamEvent, Turn
from corpus.record import Filters, Record
from index.embedders import Embedder
from index.live import LiveIndex
from index.store import Indexes, OpenIndex

T = TypeVar("T")


class Lazy(Generic[T]):
    """A part built on first use, once (thread-safe); a failed build is tried again."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._value: T | None = None
        self._built = False
        self._lock = threading.Lock()

    @classmethod
    def of(cls, value: T) -> Lazy[T]:
        lazy = cls(lambda: value)
        lazy._value, lazy._built = value, True
        return lazy

    def get(self) -> T:
        if not self._built:
            with self._lock:
                if not self._built:
                    self._value = self._make()
                    self._built = True
        return self._value  # type: ignore[return-value]


@dataclass(frozen=True)
class Limits:
    """Sizes and limits of a request (see Settings)."""

    max_question_chars: int
    max_history_turns: int
    search_k: int  # results of a search that does not say how many
    answer_hits: int  # retrieved records an answer is built from
    generator_evidence: int  # passages handed to an LLM backend
    stream_chunk_chars: int
    scope_k: int
    scope_margin: float
    # answers worked on at once in this process (0 = no limit); more wait their turn
    concurrent_answers: int = 0


@dataclass(frozen=True)
class _Question:
    text: str  # cleaned
    lang: Language
    stripped: str  # without instructions aimed at the assistant
    standalone: str  # a follow-up rewritten with its topic


class Assistant:
    def __init__(
        self,
        *,
        embedder: Lazy[Embedder],
        indexes: Indexes,
        retriever: Retriever,
        evidence: EvidenceConfig,
        shape: AnswerShape,
        generator: Lazy[Generator | None],
        generator_name: str,
        limits: Limits,
        index_check_seconds: float = 1.0,
    ) -> None:
        self._embedder = embedder
        self.indexes = indexes
        self.retriever = retriever
        self.evidence_config = evidence
        self.shape = shape
        self._generator = generator
        self.generator_name = generator_name
        self.limits = limits
        self._live = LiveIndex(indexes, lambda: self.embedder.model_id, index_check_seconds)
        self._pin = False  # a view made by pinned(): keeps the first index it uses
        self._pinned: OpenIndex | None = None
        self._generate_lock = threading.Lock()
        # shared by the views of pinned(): one budget per process
        self._answer_slots: threading.Semaphore | contextlib.nullcontext[None] = (
            threading.BoundedSemaphore(limits.concurrent_answers)
            if limits.concurrent_answers > 0
            else contextlib.nullcontext()
        )
        self._tips: dict[str, dict[str, list[Record]]] = {}  # index -> principle key -> tips

    # --- parts ---------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        return self._embedder.get()

    @property
    def generator(self) -> Generator | None:
        return self._generator.get()

    @property
    def index(self) -> OpenIndex:
        """The open index; opened on first use (a failure is retried on the next call),
        then following new builds (see `index.live`)."""
        if not self._pin:
            return self._live.get()
        if self._pinned is None:
            self._pinned = self._live.get()
        return self._pinned

    def swap_index(self, index: OpenIndex | None = None) -> OpenIndex:
        """Serve `index` (by default the one the pointer names now) from now on; views
        made by `pinned()` finish with the index they started with."""
        return self._live.swap(index)

    def pinned(self) -> Assistant:
        """A view of this assistant (same parts) that keeps the index it first uses, so
        that a switch to a new index never lands in the middle of one answer. Cheap:
        make one per request."""
        view = copy.copy(self)
        view._pin, view._pinned = True, None
        return view

    def warm_up(self) -> None:
        """Load the models, the index and the word lists of the scope step."""
        self.ask("Hoe houd ik deelnemers betrokken?")

    # --- browsing ------------------------------------------------------------------
    def get_record(self, record_id: str) -> Record | None:
        return self.index.by_id.get(record_id)

    def list_records(self, kernelement: str | None = None, kind: str | None = None) -> list[Record]:
        return [
            r
            for r in self.index.records
            if (kernelement is None or r.kernelement == kernelement)
            and (kind is None or r.kind == kind)
        ]

    def handbook_tips(self, principle_id: str) -> list[Record]:
        """The handbook's tips about a principle. The corpus links none, so each tip goes
        with the principle that the principle ranking puts first for the tip's text
        (worked out once per index)."""
        index = self.index
        links = self._tips.get(index.pointer.collection)
        if links is None:
            links = {}
            for tip in (r for r in index.records if r.kind == "tip"):
                ranking = self.rank_principles(tip.text)
                if ranking:
                    links.setdefault(ranking[0].id, []).append(tip)
            self._tips.clear()  # in place: views of this assistant share it
            self._tips[index.pointer.collection] = links
        return list(links.get(index.key_of.get(principle_id, principle_id), []))

    # --- retrieval -----------------------------------------------------------------
    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str = "hybrid",
        timings: dict[str, float] | None = None,
    ) -> SearchResult:
        """The k best records and the principle ranking."""
        return self.retriever.retrieve(
            query,
            self.index,
            self.embedder,
            k=k if k is not None else self.limits.search_k,
            filters=filters,
            mode=mode,
            timings=timings,
        )

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str = "hybrid",
        timings: dict[str, float] | None = None,
    ) -> list[Hit]:
        return self.retrieve(query, k, filters, mode, timings).hits

    def rank_principles(self, query: str, filters: Filters | None = None) -> list[PrincipleScore]:
        return self.retrieve(query, filters=filters).principles

    def scope(self, question: str) -> tuple[bool, dict[str, float]]:
        """Whether the corpus covers the question (see `assistant.scope`); `question`
        must already be stripped of instructions."""
        keys = self.index.keys
        return judge(question, keys, self.embedder, self.limits.scope_k, self.limits.scope_margin)

    # --- answering -----------------------------------------------------------------
    def ask(
        self, question: str, history: list[Turn] | None = None, filters: Filters | None = None
    ) -> Answer:
        final: Answer | None = None
        for event in self.ask_stream(question, history, filters):
            if event.type == "done":
                final = event.answer
        assert final is not None
        return final

    def ask_stream(
        self, question: str, history: list[Turn] | None = None, filters: Filters | None = None
    ) -> Iterator[StreamEvent]:
        """The answer as it is composed: `summary`, each `block`, the markdown in
        `token`s beside them, then `done` with the whole answer (see `StreamEvent`)."""
        t_start = time.perf_counter()
        q = self._question(question, history)
        timings: dict[str, float] = {}
        with self._answer_slots:  # CPU-bound: more at once only share the cores
            t0 = time.perf_counter()
            timings["queue_ms"] = (t0 - t_start) * 1000
            found = (
                self.retrieve(q.standalone, self.limits.answer_hits, filters, timings=timings)
                if q.stripped
                else SearchResult([], [])
            )
            in_scope, _ = self.scope(q.standalone)
            timings["retrieve_ms"] = (time.perf_counter() - t0) * 1000
            if not found.hits or not in_scope:
                examples = REFUSAL_EXAMPLES[q.lang]
                result = Answer(
                    answer=refusal_text(q.lang, examples),
                    refused=True,
                    citations=[],
                    backend="extractive",
                    language=q.lang,
                    standalone_question=q.standalone,
                    suggestions=list(examples),
                )
                for piece in pieces(result.answer, self.limits.stream_chunk_chars):
                    yield StreamEvent(type="token", text=piece)
            else:
                result = yield from self._answer(q, found, timings, t_start)
        timings["total_ms"] = (time.perf_counter() - t_start) * 1000
        result.timings_ms = {k: round(v, 2) for k, v in timings.items()}
        yield StreamEvent(type="done", answer=result)

    def _question(self, question: str, history: list[Turn] | None) -> _Question:
        limits = self.limits
        # the length limit is for what the user typed; a long conversation is trimmed
        # to its last turns, never refused
        text = clean_query(question, limits.max_question_chars)
        if history:
            history = history[-limits.max_history_turns :]
        # instructions aimed at the assistant are not part of the question; what is
        # left is judged on its own, and nothing left is a refusal
        stripped = strip_instructions(text)
        standalone = (
            standalone_question(stripped, history, limits.max_question_chars) if stripped else ""
        )
        return _Question(text, detect_language(text), stripped, standalone)

    def members(self, question: str, keys: list[str]) -> dict[str, list[Record]]:
        """The best records of each principle for the question (a search within it)."""
        index = self.index
        out: dict[str, list[Record]] = {}
        for key in keys:
            if key in index.by_id and index.by_id[key].kind == "uitgangspunt":
                hits = best_of_principle(question, index, self.embedder, key, self.evidence_config)
                out[key] = [h.record for h in hits]
        return out

    def _answer(
        self, q: _Question, found: SearchResult, timings: dict[str, float], t_start: float
    ) -> abc.Generator[StreamEvent, None, Answer]:
        """The answer's events as it is composed, then the answer. With an LLM backend
        the summary it writes comes first: the rest is composed, then sent after it."""
        t0 = time.perf_counter()
        index, limits = self.index, self.limits

        def members(key: str) -> list[Record]:
            return self.members(q.standalone, [key]).get(key, [])

        def not_covered() -> str:
            keys, embedder = index.keys, self.embedder
            return uncovered_part(
                q.stripped, q.lang, keys, embedder, limits.scope_k, limits.scope_margin
            )

        stream = compose_stream(
            q.standalone,
            found.principles,
            members,
            index.by_id,
            q.lang,
            self.shape,
            not_covered,
            limits.stream_chunk_chars,
        )
        generator = self.generator
        if generator is None:
            draft = yield from _relay(stream, timings, t_start)
            timings["compose_ms"] = (time.perf_counter() - t0) * 1000
            return self._result(q, draft, draft.text, draft.summary, "extractive", "")
        held: list[StreamEvent] = []
        draft = yield from _relay(stream, timings, t_start, held)
        timings["compose_ms"] = (time.perf_counter() - t0) * 1000
        summary, backend, notice = draft.summary, "extractive", ""
        generated: str | None = None
        for generated in summary_stream(
            generator, q.text, draft, q.lang, limits.generator_evidence, self._generate_lock
        ):
            if generated:
                yield StreamEvent(
                    type="summary", text=generated, citations=draft.citations, partial=True
                )
        if generated is None:
            notice = fallback_notice(q.lang)
        else:
            summary, backend = generated, generator.name
        text = draft.text.replace(draft.summary, summary, 1)
        yield StreamEvent(type="summary", text=summary, citations=draft.citations)
        yield from (e for e in held if e.type == "block")
        for piece in pieces(text, limits.stream_chunk_chars):
            yield StreamEvent(type="token", text=piece)
        return self._result(q, draft, text, summary, backend, notice)

    @staticmethod
    def _result(
        q: _Question, draft: Draft, text: str, summary: str, backend: str, notice: str
    ) -> Answer:
        return Answer(
            answer=text,
            refused=False,
            citations=draft.citations,
            backend=backend,
            summary=summary,
            blocks=list(draft.blocks),
            not_covered=draft.not_covered,
            notice=notice,
            language=q.lang,
            standalone_question=q.standalone,
        )


def _relay(
    stream: abc.Generator[StreamEvent, None, Draft],
    timings: dict[str, float],
    t_start: float,
    held: list[StreamEvent] | None = None,
) -> abc.Generator[StreamEvent, None, Draft]:
    """Pass the events on (or keep them in `held`), noting when the summary was ready;
    return the draft."""
    while True:
        try:
            event = next(stream)
        except StopIteration as end:
            draft: Draft = end.value
            return draft
        if event.type == "summary":
            timings["first_text_ms"] = (time.perf_counter() - t_start) * 1000
        if held is None:
            yield event
        else:
            held.append(event)
