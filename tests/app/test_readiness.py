"""Start-up of a serving process: the malloc arena limit."""

from __future__ import annotations

import platform

import pytest

from app.readiness import limit_malloc_arenas


def test_arena_limit_off_when_zero() -> None:
    assert limit_malloc_arenas(0) is False


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_arena_limit_set_on_glibc() -> None:
    assert limit_malloc_arenas(2) is True
