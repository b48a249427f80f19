"""The regression gate: the dev fast subset and the test split against the committed
baseline (eval/baseline.json, written by `python -m assistant eval baseline`).

A metric that is more than 0.02 worse than its baseline fails the gate. The baseline
is raised with the change that raised the figures; it never goes down without a line
in the closing note saying why. Latency is reported, not gated (it depends on the
machine).
"""

from __future__ import annotations

import pytest

from assistant.config import get_settings
from assistant.factory import build_assistant
from assistant.service import Assistant
from eval.metrics import load_corpus_view, regressions, summarize
from eval.run import SPLITS, load_baseline, load_questions, run_eval

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return build_assistant(get_settings())


@pytest.mark.parametrize(("split", "subset"), [("dev", "fast"), ("test", "all")])
def test_no_regression_against_the_baseline(assistant: Assistant, split: str, subset: str):
    baseline = load_baseline()
    key = f"{split}-{subset}"
    assert key in baseline, (
        f"eval/baseline.json has no {key}: run `python -m assistant eval baseline`"
    )
    rows = run_eval(assistant, load_questions(SPLITS[split]), subset=subset)
    assert not [r.id for r in rows if r.error], [r.error for r in rows if r.error]
    view = load_corpus_view(get_settings().principles_path)
    failures = regressions(summarize(rows, view)["overall"], baseline[key])
    assert not failures, "\n".join(failures)
