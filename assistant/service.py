"""The assistant as one object: built once by the app or CLI, used by every surface.

It loads the embedder and opens the index lazily, retrieves, decides on refusal
before anything is generated, and answers through the extractive composer or an LLM
backend (whose output is post-checked; on failure the extractive answer is returned
with a notice).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from functools import cached_property, lru_cache

from assistant import answer as extractive
from assistant.config import Settings, get_settings
from assistant.errors import InputError
from assistant.language import detect_language, standalone_question
from assistant.principles import PrincipleScore
from assistant.rerank import make_reranker
from assistant.retrieve import (
    RankingConfig,
    SearchResult,
    best_of_principle,
    clean_query,
    retrieve,
    with_principles,
)
from assistant.types import Answer, Hit, StreamEvent, Turn
from corpus.record import Filters, Record
from index.thesaurus import Thesaurus


class Assistant:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._lock = threading.Lock()

    # --- lazily built parts ----------------------------------------------------------
    @cached_property
    def embedder(self):  # type: ignore[no-untyped-def]
        from index.embedders import load_embedder

        return _QueryCache(load_embedder(self.settings))

    @cached_property
    def index(self):  # type: ignore[no-untyped-def]
        from index.store import open_index

        return open_index(self.settings, self.embedder.model_id)

    @cached_property
    def reranker(self):  # type: ignore[no-untyped-def]
        return make_reranker(self.settings.reranker)

    @cached_property
    def thesaurus(self) -> Thesaurus:
        return Thesaurus.load(self.settings.thesaurus_path)

    @cached_property
    def ranking(self) -> RankingConfig | None:
        s = self.settings
        if not s.principle_ranking:
            return None
        return RankingConfig(
            weights=dict(s.fusion_weights),
            rrf_k=s.principle_rrf_k,
            bank_top=s.bank_top,
            lead_principles=s.lead_principles,
            per_principle=s.per_principle,
        )

    @cached_property
    def generator(self):  # type: ignore[no-untyped-def]
        from assistant.generators.registry import load_generator

        return load_generator(self.settings)

    def warm_up(self) -> None:
        """Load the models, the index and the word lists of the scope step."""
        self.ask("Hoe houd ik deelnemers betrokken?")

    # --- browsing --------------------------------------------------------------------
    def get_record(self, record_id: str) -> Record | None:
        return self.index.by_id.get(record_id)

    def list_records(self, kernelement: str | None = None, kind: str | None = None) -> list[Record]:
        return [
            r
            for r in self.index.records
            if (kernelement is None or r.kernelement == kernelement)
            and (kind is None or r.kind == kind)
        ]

    # --- retrieval -------------------------------------------------------------------
    def retrieve(
        self,
        query: str,
        k: int = 8,
        filters: Filters | None = None,
        mode: str = "hybrid",
        timings: dict[str, float] | None = None,
    ) -> SearchResult:
        """The k best records and the principle ranking."""
        s = self.settings
        return retrieve(
            query,
            self.index,
            self.embedder,
            self.reranker,
            k=k,
            filters=filters,
            candidates=s.candidates,
            rrf_k=s.rrf_k,
            max_chars=s.max_question_chars,
            mode=mode,
            timings=timings,
            ranking=self.ranking,
            thesaurus=self.thesaurus,
        )

    def search(
        self,
        query: str,
        k: int = 8,
        filters: Filters | None = None,
        mode: str = "hybrid",
        timings: dict[str, float] | None = None,
    ) -> list[Hit]:
        return self.retrieve(query, k, filters, mode, timings).hits

    def rank_principles(self, query: str, filters: Filters | None = None) -> list[PrincipleScore]:
        return self.retrieve(query, 10, filters).principles

    @cached_property
    def _vocabulary(self) -> set[str]:
        return set(self.index.bm25.vocabulary())

    def evidence(self, question: str, hits: list[Hit]) -> list[Hit]:
        """What an answer may use and cite: the hits, their principle statements (and
        the Delphi version of each), and the best working elements of the principle
        of the best hit, found by a retrieval restricted to that principle."""
        from assistant.answer import main_principle

        evidence = with_principles(hits, self.index.by_id)
        main = main_principle(hits, {h.id: h.record for h in evidence})
        if main is None:
            return evidence
        present = {h.id for h in evidence}
        extra = best_of_principle(question, self.index, self.embedder, main.id, 3, present)
        start = len(evidence)
        return [
            *evidence,
            *(h.model_copy(update={"rank": start + i}) for i, h in enumerate(extra, 1)),
        ]

    def scope(self, question: str) -> tuple[bool, dict[str, float]]:
        """Whether the corpus covers the question (see `assistant.scope`); `question`
        must already be stripped of instructions."""
        from assistant.scope import decide, neighbourhood

        near = None
        keys = self.index.keys
        if question.strip() and keys is not None and keys.rows("oos").size:
            near = neighbourhood(
                self.embedder.embed_query(question),
                keys.vectors,
                keys.rows("bank"),
                keys.rows("oos"),
                keys.target,
                self.settings.scope_k,
            )
        d = decide(question, near, self.settings.scope_margin)
        signals = {"in_scope": float(d.in_scope)}
        if near is not None:
            signals |= {"inside": round(near.inside, 4), "outside": round(near.outside, 4)}
        return d.in_scope, signals

    # --- answering -------------------------------------------------------------------
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
        t_start = time.perf_counter()
        s = self.settings
        question = clean_query(question, s.max_question_chars)
        if history and len(history) > s.max_history_turns:
            raise InputError(
                "history_too_long",
                f"De gespreksgeschiedenis is te lang (maximaal {s.max_history_turns} beurten).",
                f"The conversation history is too long (at most {s.max_history_turns} turns).",
            )
        lang = detect_language(question)
        from assistant.scope import strip_instructions

        # instructions aimed at the assistant are not part of the question; what is
        # left is judged on its own, and nothing left is a refusal
        stripped = strip_instructions(question)
        standalone = standalone_question(stripped, history) if stripped else ""
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        hits = self.search(standalone, k=10, filters=filters, timings=timings) if stripped else []
        evidence = self.evidence(standalone, hits) if hits else []
        in_scope, _ = self.scope(standalone)
        timings["retrieve_ms"] = (time.perf_counter() - t0) * 1000
        backend = "extractive"
        notice = ""
        if not hits or not in_scope:
            text = extractive.refusal_text(lang, [])
            result = Answer(
                answer=text,
                refused=True,
                citations=[],
                backend=backend,
                language=lang,
                standalone_question=standalone,
            )
            yield from self._emit(text, result, timings, t_start)
            return
        t0 = time.perf_counter()
        draft = extractive.compose(standalone, evidence, self.index.by_id, lang, s.max_citations)
        timings["compose_ms"] = (time.perf_counter() - t0) * 1000
        text, citations = draft.text, draft.citations
        if self.generator is not None:
            generated = self._generate(question, evidence, lang)
            if generated is None:
                notice = (
                    "Het taalmodel gaf geen bruikbaar antwoord; dit is het antwoord uit de bronnen zelf."
                    if lang == "nl"
                    else "The language model gave no usable answer; this answer is built from the sources."
                )
            else:
                text, citations = generated
                backend = self.generator.name
        result = Answer(
            answer=text,
            refused=False,
            citations=citations,
            backend=backend,
            notice=notice,
            language=lang,
            standalone_question=standalone,
        )
        yield from self._emit(text, result, timings, t_start)

    def _generate(self, question: str, hits: list[Hit], lang: str):  # type: ignore[no-untyped-def]
        from assistant.cite import renumber
        from assistant.generators.base import Evidence, GeneratorError
        from assistant.generators.postcheck import check_citations

        evidence = [
            Evidence(
                n, h.id, h.record.text, h.record.principle, h.record.kernelement, h.record.kind
            )
            for n, h in enumerate(hits[:6], 1)
        ]
        try:
            with self._lock:
                raw = "".join(self.generator.stream(question, evidence, lang))
        except GeneratorError:
            return None
        checked = check_citations(raw, evidence)
        if not checked.kept:
            return None
        return renumber(checked.text, [e.id for e in evidence], [h.record for h in hits])

    @staticmethod
    def _emit(
        text: str, result: Answer, timings: dict[str, float], t_start: float
    ) -> Iterator[StreamEvent]:
        for piece in _pieces(text):
            yield StreamEvent(type="token", text=piece)
        timings["total_ms"] = (time.perf_counter() - t_start) * 1000
        result.timings_ms = {k: round(v, 2) for k, v in timings.items()}
        yield StreamEvent(type="done", answer=result)


class _QueryCache:
    """The embedder, with the last few hundred query vectors kept in memory (a
    question is embedded for retrieval and again for the scope decision)."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self._inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._cache: dict[str, object] = {}
        self._lock = threading.Lock()

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        return self._inner.embed_passages(texts)

    def embed_queries(self, texts):  # type: ignore[no-untyped-def]
        return self._inner.embed_queries(texts)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def embed_query(self, text: str):  # type: ignore[no-untyped-def]
        with self._lock:
            hit = self._cache.get(text)
        if hit is not None:
            return hit
        vec = self._inner.embed_query(text)
        with self._lock:
            if len(self._cache) >= 512:
                self._cache.pop(next(iter(self._cache)))
            self._cache[text] = vec
        return vec


def _pieces(text: str, size: int = 24) -> Iterator[str]:
    """Split text into small pieces at white space, for streaming."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        while end < len(text) and not text[end].isspace():
            end += 1
        yield text[start:end]
        start = end


@lru_cache(maxsize=1)
def get_assistant() -> Assistant:
    return Assistant(get_settings())
