"""What can go wrong with an index, said in Dutch and English (the API answers 503)."""

from __future__ import annotations


class IndexError_(RuntimeError):
    """Base for index problems, with a Dutch and an English message."""

    def __init__(self, nl: str, en: str) -> None:
        super().__init__(f"{nl}\n{en}")
        self.nl, self.en = nl, en


class IndexMissingError(IndexError_):
    """No index has been built yet."""


class IndexMismatchError(IndexError_):
    """The index was built from another corpus, question bank or embedding model."""


class IndexUnavailableError(IndexError_):
    """The vector store cannot be reached (or lost the collection)."""


def unavailable(where: str, exc: BaseException) -> IndexUnavailableError:
    return IndexUnavailableError(
        f"De zoekindex (Chroma op {where}) is niet bereikbaar; probeer het later opnieuw. "
        f"({type(exc).__name__})",
        f"The search index (Chroma at {where}) cannot be reached; try again later. "
        f"({type(exc).__name__})",
    )
