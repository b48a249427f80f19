"""The quality gate: the fast eval subset against the real assistant and index.

Thresholds live in eval/thresholds.yaml and only go up.
"""

from __future__ import annotations

import pytest

from assistant.config import get_settings
from assistant.service import Assistant
from eval.metrics import check_thresholds, load_principle_map, summarize
from eval.run import load_questions, load_thresholds, run_eval, select

pytestmark = pytest.mark.slow


def test_fast_subset_meets_the_thresholds():
    settings = get_settings()
    questions = select(load_questions(), "fast")
    assert 25 <= len(questions) <= 40
    rows = run_eval(Assistant(settings), questions)
    assert not [r.id for r in rows if r.error], [r.error for r in rows if r.error]
    summary = summarize(rows, load_principle_map(settings.principles_path))
    failures = check_thresholds(summary["overall"], load_thresholds())
    assert not failures, "\n".join(failures)
