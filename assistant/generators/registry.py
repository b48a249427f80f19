"""Pick the generator backend named in the settings."""

from __future__ import annotations

from assistant.config import Settings
from assistant.generators.base import Generator, GeneratorError


def load_generator(settings: Settings) -> Generator | None:
    """The configured backend, or None for "extractive" (the caller's own path).

    Backends import their optional dependencies lazily; a missing package or model
    file raises `GeneratorError` (Dutch + English, with install instructions), which
    the caller may log before falling back to the extractive answer.
    """
    if settings.generator == "extractive":
        return None
    if settings.generator == "openai":
        from assistant.generators.openai_backend import OpenAIGenerator

        return OpenAIGenerator(
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            api_key=settings.openai_api_key,
            timeout_s=settings.llm_timeout_s,
            max_tokens=settings.llm_max_tokens,
        )
    if settings.generator == "llamacpp":
        from assistant.generators.llamacpp_backend import LlamaCppGenerator

        return LlamaCppGenerator(
            model_path=settings.llamacpp_model_path,
            threads=settings.omp_num_threads,
            max_tokens=settings.llm_max_tokens,
            timeout_s=settings.llm_timeout_s,
        )
    raise GeneratorError(
        f"Onbekende generator / unknown generator: {settings.generator!r} "
        "(extractive, openai, llamacpp)"
    )
