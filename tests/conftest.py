"""Shared fixtures: the real corpus, parsed once per session."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import pytest

from assistant.config import ROOT


@pytest.fixture(scope="session")
def sources_dir():
    return ROOT / "corpus" / "sources"


@pytest.fixture(scope="session")
def build_report(sources_dir):
    from corpus.build import parse_all

    return parse_all(sources_dir)


@pytest.fixture(scope="session")
def records(build_report):
    return build_report.records


@pytest.fixture(scope="session")
def by_id(records):
    return {r.id: r for r in records}
