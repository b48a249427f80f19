"""The smoke script: the installed parts (Redis, PostgreSQL, a Chroma server) and the app
with two workers, one question through each."""

from __future__ import annotations

import pytest

from assistant.config import get_settings
from deploy import smoke

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def test_smoke_asks_each_worker(capsys: pytest.CaptureFixture[str]) -> None:
    if not (get_settings().index_dir / "current.json").exists():
        pytest.skip("no index: run `python -m assistant index ensure`")
    assert smoke.main(["--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("  worker ") == 2, out
    assert "smoke test passed" in out
