"""Errors that reach users carry a Dutch and an English message."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a user: an empty or too long question, an unknown filter…"""

    def __init__(self, code: str, nl: str, en: str) -> None:
        super().__init__(f"{nl} / {en}")
        self.code, self.nl, self.en = code, nl, en
